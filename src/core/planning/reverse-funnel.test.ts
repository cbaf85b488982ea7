import { describe, expect, it } from "vitest";
import { history, lead, opportunity, T0 } from "../metrics/history-fixtures.js";
import type { Figure, MetricQuery, MetricResult } from "../metrics/metric.js";
import type { MetricOutcome } from "../metrics/metric-registry.js";
import { DAY } from "../metrics/statistics.js";
import { historyStart, measureFunnelRates, trailingWindow } from "./funnel-rates.js";
import { type PlanPeriod, resolvePlanPeriod } from "./plan-period.js";
import {
  type FunnelRates,
  type MeasuredFigure,
  planGroups,
  planReverseFunnel,
  type StageNeed,
} from "./reverse-funnel.js";

/** Ten whole weeks from Monday 2027-01-04 (UTC). */
const start = Date.UTC(2027, 0, 4);
const tenWeeks: PlanPeriod = {
  label: "2027-01-04..2027-03-15",
  from: start,
  to: start + 70 * DAY,
  planFrom: start,
  weeks: Array.from({ length: 10 }, (_, index) => ({
    start: start + index * 7 * DAY,
    end: start + (index + 1) * 7 * DAY,
    fraction: 1,
  })),
  weekCount: 10,
};

function figure(value: number | null, numerator?: number, denominator?: number): MeasuredFigure {
  return { value, numerator, denominator, metric: "test", figure: "test" };
}

/**
 * Deal 50,000, win rate 25 %, SQL→opportunity 50 %, MQL→SQL 20 %; 1,300 MQL events over a
 * 26-week window = 50 MQLs a week now.
 */
function rates(overrides: Partial<FunnelRates["levers"]> = {}, mqlEvents = 1300): FunnelRates {
  return {
    levers: {
      "mql-to-sql": figure(0.2, 20, 100),
      "sql-to-opportunity": figure(0.5, 10, 20),
      "win-rate": figure(0.25, 5, 20),
      "deal-size": figure(50_000),
      ...overrides,
    },
    mqlEvents,
    trailingWeeks: 26,
  };
}

function stage(stages: StageNeed[], name: StageNeed["stage"]): StageNeed {
  return stages.find((entry) => entry.stage === name)!;
}

/** Every number anywhere in the value is finite (no NaN, no Infinity). */
function numbersOf(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(numbersOf);
}

describe("planReverseFunnel", () => {
  const plan = planReverseFunnel(rates(), { amount: 1_000_000, wonSoFar: 0 }, tenWeeks);

  it("works back from the target to won deals, opportunities, SQLs and MQLs", () => {
    // 1,000,000 ÷ 50,000 = 20 won; ÷ 25 % = 80 opportunities; ÷ 50 % = 160 SQLs; ÷ 20 % = 800 MQLs
    expect(stage(plan.stages, "won").needed).toBeCloseTo(20);
    expect(stage(plan.stages, "opportunities").needed).toBeCloseTo(80);
    expect(stage(plan.stages, "sqls").needed).toBeCloseTo(160);
    expect(stage(plan.stages, "mqls").needed).toBeCloseTo(800);
    // over 10 weeks: 80 MQLs a week, 2 won a week
    expect(stage(plan.stages, "mqls").neededPerWeek).toBeCloseTo(80);
    expect(stage(plan.stages, "won").neededPerWeek).toBeCloseTo(2);
  });

  it("compares with the run rate: 50 MQLs a week yield 62,500 a week", () => {
    const mqls = stage(plan.stages, "mqls");
    expect(mqls.runRatePerWeek).toBeCloseTo(50);
    expect(mqls.gapPerWeek).toBeCloseTo(30);
    // 50 × 20 % = 10 SQLs, × 50 % = 5 opportunities, × 25 % = 1.25 won a week
    expect(stage(plan.stages, "won").runRatePerWeek).toBeCloseTo(1.25);
    expect(stage(plan.stages, "won").gapPerWeek).toBeCloseTo(0.75);
    // 1.25 × 50,000 × 10 weeks = 625,000; the gap to 1,000,000 is 375,000
    expect(plan.revenue.runRate).toBeCloseTo(625_000);
    expect(plan.revenue.gap).toBeCloseTo(375_000);
  });

  it("prices each lever: +5 points of a rate, +5 % of deal size", () => {
    const by = Object.fromEntries(plan.sensitivity.map((entry) => [entry.lever, entry]));
    // MQL→SQL 25 %: 160 ÷ 0.25 = 640 MQLs = 64 a week, 16 fewer; run rate 78,125 a week
    expect(by["mql-to-sql"]!.after).toBeCloseTo(0.25);
    expect(by["mql-to-sql"]!.fewerMqlsPerWeek).toBeCloseTo(16);
    expect(by["mql-to-sql"]!.extraRunRateRevenue).toBeCloseTo(156_250);
    // SQL→opportunity 55 %: 80 ÷ 0.55 ÷ 0.2 = 727.27 MQLs, 7.27 fewer a week; +6,250 a week
    expect(by["sql-to-opportunity"]!.fewerMqlsPerWeek).toBeCloseTo(80 - 400 / 0.55 / 10);
    expect(by["sql-to-opportunity"]!.extraRunRateRevenue).toBeCloseTo(62_500);
    // win rate 30 %: 20 ÷ 0.3 ÷ 0.5 ÷ 0.2 = 666.67 MQLs, 13.33 fewer a week; +12,500 a week
    expect(by["win-rate"]!.fewerMqlsPerWeek).toBeCloseTo(80 - 666.6667 / 10, 3);
    expect(by["win-rate"]!.extraRunRateRevenue).toBeCloseTo(125_000);
    // deal 52,500: 761.90 MQLs, 3.81 fewer a week; 62,500 × 5 % = +3,125 a week
    expect(by["deal-size"]!.after).toBeCloseTo(52_500);
    expect(by["deal-size"]!.fewerMqlsPerWeek).toBeCloseTo(80 - 761.9048 / 10, 3);
    expect(by["deal-size"]!.extraRunRateRevenue).toBeCloseTo(31_250);
    expect(plan.sensitivity.every((entry) => entry.missing === null)).toBe(true);
  });

  it("lays the plan out per week with the straight path to the target", () => {
    expect(plan.weeks).toHaveLength(10);
    expect(plan.weeks[0]!.needed.mqls).toBeCloseTo(80);
    expect(plan.weeks[4]!.cumulativeTarget).toBeCloseTo(500_000);
    expect(plan.weeks[4]!.cumulativeRunRate).toBeCloseTo(312_500);
    expect(plan.weeks[9]!.cumulativeTarget).toBeCloseTo(1_000_000);
  });

  it("plans only what is left when part of the target is won already", () => {
    const begun = planReverseFunnel(rates(), { amount: 1_000_000, wonSoFar: 400_000 }, tenWeeks);
    // 600,000 left = 12 won, 480 MQLs = 48 a week
    expect(begun.remaining).toBe(600_000);
    expect(stage(begun.stages, "mqls").neededPerWeek).toBeCloseTo(48);
    // run rate: 400,000 won + 625,000 = 1,025,000, 25,000 over the target
    expect(begun.revenue.runRate).toBeCloseTo(1_025_000);
    expect(begun.revenue.gap).toBeCloseTo(-25_000);
    const reached = planReverseFunnel(rates(), { amount: 300_000, wonSoFar: 400_000 }, tenWeeks);
    expect(reached.remaining).toBe(0);
    expect(stage(reached.stages, "mqls").needed).toBe(0);
  });

  it("says which figure is missing instead of giving NaN", () => {
    const noWins = planReverseFunnel(
      rates({ "win-rate": figure(null, 0, 0) }),
      { amount: 1_000_000, wonSoFar: 0 },
      tenWeeks,
    );
    expect(stage(noWins.stages, "won").needed).toBeCloseTo(20);
    expect(stage(noWins.stages, "opportunities").needed).toBeNull();
    expect(stage(noWins.stages, "mqls").neededPerWeek).toBeNull();
    expect(stage(noWins.stages, "mqls").runRatePerWeek).toBeCloseTo(50);
    expect(stage(noWins.stages, "won").runRatePerWeek).toBeNull();
    expect(noWins.revenue).toEqual({ runRate: null, gap: null });
    expect(noWins.missing).toEqual([
      "no data for win rate in the trailing window (0 in its denominator)",
    ]);
    const winRate = noWins.sensitivity.find((entry) => entry.lever === "win-rate")!;
    expect(winRate).toMatchObject({ before: null, fewerMqlsPerWeek: null });
    expect(winRate.missing).toContain("no data for win rate");
    const dealSize = noWins.sensitivity.find((entry) => entry.lever === "deal-size")!;
    expect(dealSize.fewerMqlsPerWeek).toBeNull();
    expect(dealSize.missing).toContain("no data for win rate");
    expect(numbersOf(noWins).every(Number.isFinite)).toBe(true);

    const noDeals = planReverseFunnel(
      rates({ "deal-size": figure(null) }),
      { amount: 1_000_000, wonSoFar: 0 },
      tenWeeks,
    );
    expect(noDeals.missing).toEqual([
      "no data for mean deal size in the trailing window (no won deal with an amount)",
    ]);
    expect(noDeals.stages.map((entry) => entry.needed)).toEqual([null, null, null, null]);
    expect(numbersOf(noDeals).every(Number.isFinite)).toBe(true);
  });

  it("reads a zero rate as unreachable, with the ratio behind it", () => {
    const zero = planReverseFunnel(
      rates({ "mql-to-sql": figure(0, 0, 40) }),
      { amount: 1_000_000, wonSoFar: 0 },
      tenWeeks,
    );
    expect(stage(zero.stages, "sqls").needed).toBeCloseTo(160);
    expect(stage(zero.stages, "mqls").needed).toBeNull();
    expect(zero.missing).toEqual([
      "MQL→SQL is 0 % (0 of 40) in the trailing window: at that rate no volume reaches the target",
    ]);
    // the run rate is known: nothing converts, so nothing is won
    expect(zero.revenue.runRate).toBe(0);
    const lever = zero.sensitivity.find((entry) => entry.lever === "mql-to-sql")!;
    // 5 % of 50 MQLs a week = 2.5 SQLs → 0.3125 won → 15,625 a week, 156,250 over 10 weeks
    expect(lever.extraRunRateRevenue).toBeCloseTo(156_250);
    expect(lever.fewerMqlsPerWeek).toBeNull();
    expect(numbersOf(zero).every(Number.isFinite)).toBe(true);
  });

  it("caps a rate at 100 %", () => {
    const sure = planReverseFunnel(
      rates({ "win-rate": figure(0.98) }),
      { amount: 1_000_000, wonSoFar: 0 },
      tenWeeks,
    );
    expect(sure.sensitivity.find((entry) => entry.lever === "win-rate")!.after).toBe(1);
  });
});

describe("planGroups", () => {
  it("splits the target in the current mix and plans each share at its own rates", () => {
    // A: 50 MQLs a week, 625,000 over 10 weeks; B: 20 a week at 10 % MQL→SQL, 125,000
    const groups = [
      { key: "website", label: "Website", rates: rates() },
      { key: "events", label: "Events", rates: rates({ "mql-to-sql": figure(0.1) }, 520) },
      { key: "partner", label: "Partner", rates: rates({ "deal-size": figure(null) }, 260) },
    ];
    const plans = planGroups(groups, { amount: 1_000_000, wonSoFar: 0 }, tenWeeks);
    expect(plans[0]!.share).toBeCloseTo(625 / 750);
    expect(plans[1]!.share).toBeCloseTo(125 / 750);
    // website 833,333.33 → 666.67 MQLs = 66.67 a week; events 166,666.67 → 266.67 = 26.67 a week
    expect(stage(plans[0]!.plan!.stages, "mqls").neededPerWeek).toBeCloseTo(66.6667, 3);
    expect(stage(plans[1]!.plan!.stages, "mqls").neededPerWeek).toBeCloseTo(26.6667, 3);
    // both grow by the same factor: 66.67 ÷ 50 = 26.67 ÷ 20 = 4/3
    expect(plans[2]).toMatchObject({ share: null, plan: null });
    expect(plans[2]!.missing).toBe(
      "no share of the target: no data for mean deal size in the trailing window (no won deal with an amount)",
    );
  });
});

describe("resolvePlanPeriod", () => {
  // Sunday 2026-12-06 06:00 UTC
  const now = Date.UTC(2026, 11, 6, 6);

  it("reads next-quarter as the calendar quarter after now, in 12.86 weeks", () => {
    const period = resolvePlanPeriod("next-quarter", "UTC", now);
    if (!period.ok) throw new Error(period.error.message);
    expect(new Date(period.value.from).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(new Date(period.value.to).toISOString()).toBe("2027-04-01T00:00:00.000Z");
    // 90 days; 2027-01-01 is a Friday: the first week is Friday to Sunday, 3/7
    expect(period.value.weekCount).toBeCloseTo(90 / 7);
    expect(period.value.weeks[0]!.fraction).toBeCloseTo(3 / 7);
    expect(new Date(period.value.weeks[1]!.start).toISOString()).toBe("2027-01-04T00:00:00.000Z");
    expect(period.value.weeks).toHaveLength(14);
  });

  it("plans this-quarter from now: 18 h of Sunday, three weeks and four days", () => {
    const period = resolvePlanPeriod("this-quarter", "UTC", now);
    if (!period.ok) throw new Error(period.error.message);
    expect(new Date(period.value.from).toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(period.value.planFrom).toBe(now);
    expect(period.value.weekCount).toBeCloseTo((0.75 + 21 + 4) / 7);
    expect(period.value.weeks[0]!.fraction).toBeCloseTo(0.75 / 7);
  });

  it("reads a range in the zone, DST week included, the second date excluded", () => {
    const period = resolvePlanPeriod("2027-03-01..2027-04-05", "America/New_York", now);
    if (!period.ok) throw new Error(period.error.message);
    // 00:00 EST = 05:00 UTC; 2027-04-05 00:00 EDT = 04:00 UTC
    expect(new Date(period.value.from).toISOString()).toBe("2027-03-01T05:00:00.000Z");
    expect(new Date(period.value.to).toISOString()).toBe("2027-04-05T04:00:00.000Z");
    // five Monday weeks; the one with the DST change (14 March) is still one week
    expect(period.value.weeks.map((week) => week.fraction)).toEqual([1, 1, 1, 1, 1]);
    expect(period.value.weekCount).toBe(5);
  });

  it("refuses words it does not know, empty ranges and periods that have ended", () => {
    const unknown = resolvePlanPeriod("next-year", "UTC", now);
    expect(unknown).toMatchObject({
      ok: false,
      error: { code: "invalid_period", field: "period" },
    });
    if (!unknown.ok) expect(unknown.error.message).toContain("next-quarter");
    const empty = resolvePlanPeriod("2027-02-01..2027-02-01", "UTC", now);
    if (empty.ok) throw new Error("an empty range was accepted");
    expect(empty.error.message).toContain("is empty");
    const badDate = resolvePlanPeriod("2027-02-30..2027-03-01", "UTC", now);
    if (badDate.ok) throw new Error("30 February was accepted");
    expect(badDate.error.message).toContain("2027-02-30 is not a calendar date");
    const ended = resolvePlanPeriod("2026-01-01..2026-04-01", "UTC", now);
    if (ended.ok) throw new Error("a past period was accepted");
    expect(ended.error.message).toContain("has ended");
  });
});

describe("measureFunnelRates", () => {
  /** Canned metric results: the test checks which figure of which metric feeds which rate. */
  function result(metric: string, total: Record<string, Figure>, groups: MetricResult["groups"]) {
    return {
      metric,
      title: metric,
      definition: "",
      records: "leads" as const,
      from: 0,
      to: 0,
      by: null,
      total,
      groups,
    };
  }
  const rate = (numerator: number, denominator: number): Figure => ({
    value: numerator / denominator,
    unit: "rate",
    numerator,
    denominator,
    records: [],
  });
  const value = (amount: number | null, unit: Figure["unit"]): Figure => ({
    value: amount,
    unit,
    records: [],
  });
  const asked: MetricQuery[] = [];
  const compute = (name: string, query: MetricQuery): MetricOutcome => {
    asked.push(query);
    const byName: Record<string, MetricResult> = {
      mqls: result("mqls", { events: value(260, "count") }, [
        { key: "website", label: "Website", figures: { events: value(260, "count") } },
      ]),
      "mql-to-sql": result("mql-to-sql", { rate: rate(52, 260) }, [
        { key: "website", label: "Website", figures: { rate: rate(52, 260) } },
      ]),
      "stage-conversion": result(
        "stage-conversion",
        { "sql>opportunity:cohort": rate(26, 52) },
        [],
      ),
      "deal-quality": result(
        "deal-quality",
        { "win-rate": rate(5, 20), "mean-won-amount": value(40_000, "currency") },
        [
          {
            key: "webinar",
            label: "Webinar",
            figures: { "win-rate": rate(1, 2), "mean-won-amount": value(null, "currency") },
          },
        ],
      ),
    };
    return { ok: true, result: byName[name]! };
  };

  it("reads each rate off its metric over the window, and every group any metric has", () => {
    const window = { from: 0, to: 26 * 7 * DAY, clippedToHistory: false };
    const measured = measureFunnelRates(
      compute,
      window,
      { sql: "sql", opportunity: "opportunity" },
      "source",
    );
    expect(asked.every((query) => query.from === 0 && query.to === window.to)).toBe(true);
    expect(asked.every((query) => query.by === "source" && query.records === false)).toBe(true);
    expect(measured.total.mqlEvents).toBe(260);
    expect(measured.total.trailingWeeks).toBe(26);
    expect(measured.total.levers["mql-to-sql"]).toMatchObject({ value: 0.2, numerator: 52 });
    expect(measured.total.levers["sql-to-opportunity"]).toMatchObject({
      value: 0.5,
      metric: "stage-conversion",
      figure: "sql>opportunity:cohort",
    });
    expect(measured.total.levers["win-rate"].value).toBe(0.25);
    expect(measured.total.levers["deal-size"].value).toBe(40_000);
    expect(measured.groups.map((group) => group.key)).toEqual(["website", "webinar"]);
    const webinar = measured.groups[1]!.rates;
    expect(webinar.mqlEvents).toBe(0);
    expect(webinar.levers["mql-to-sql"].value).toBeNull();
    expect(webinar.levers["win-rate"].value).toBe(0.5);
  });
});

describe("trailingWindow", () => {
  const asOf = T0 + 200 * DAY;

  it("is the asked days when the history is older", () => {
    expect(trailingWindow(asOf, 180, T0)).toEqual({
      from: asOf - 180 * DAY,
      to: asOf,
      clippedToHistory: false,
    });
    expect(trailingWindow(asOf, 180, null).clippedToHistory).toBe(false);
  });

  it("starts with a younger history, but keeps at least 7 days", () => {
    // the history began 30 days ago: the window is those 30 days
    expect(trailingWindow(asOf, 180, asOf - 30 * DAY)).toEqual({
      from: asOf - 30 * DAY,
      to: asOf,
      clippedToHistory: true,
    });
    // two days of history still make a week
    expect(trailingWindow(asOf, 180, asOf - 2 * DAY).from).toBe(asOf - 7 * DAY);
    // fewer days asked than 7: as asked
    expect(trailingWindow(asOf, 3, asOf - 2 * DAY).from).toBe(asOf - 3 * DAY);
  });

  it("reads the history's start off its earliest lead or opportunity", () => {
    const records = history({
      leads: [lead("a", { createdAt: T0 + 5 * DAY }), lead("b", { createdAt: T0 + 9 * DAY })],
      opportunities: [opportunity("o", { createdAt: T0 + 2 * DAY })],
    });
    expect(historyStart(records)).toBe(T0 + 2 * DAY);
    expect(historyStart(history({}))).toBeNull();
  });
});
