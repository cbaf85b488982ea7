import { describe, expect, it } from "vitest";
import { at, history, lead, opportunity } from "./history-fixtures.js";
import type { MetricQuery, MetricResult } from "./metric.js";
import { computeMetric } from "./metric-registry.js";
import type { PipelineHistory } from "./pipeline-history.js";

/** the instant `days` days after T0 (Monday 2026-11-02 00:00 UTC) */
function day(days: number): number {
  return at(days * 24 * 60);
}

function run(name: string, data: PipelineHistory, query: MetricQuery): MetricResult {
  const outcome = computeMetric(data, name, query);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.result;
}

function group(result: MetricResult, key: string) {
  const found = result.groups.find((entry) => entry.key === key);
  if (found === undefined) throw new Error(`no group ${key}`);
  return found;
}

function labelled(result: MetricResult, label: string) {
  const found = result.groups.find((entry) => entry.label === label);
  if (found === undefined) throw new Error(`no group labelled ${label}`);
  return found;
}

describe("win-rate", () => {
  const data = history({
    asOf: day(30),
    opportunities: [
      opportunity("o1", { createdAt: day(1), closedAt: day(5), outcome: "won" }),
      opportunity("o2", { createdAt: day(2), closedAt: day(6), outcome: "lost" }),
      opportunity("o3", { createdAt: day(3) }),
      opportunity("o4", { createdAt: day(-5), closedAt: day(4), outcome: "won" }),
      opportunity("o5", { createdAt: day(4), closedAt: day(12), outcome: "won" }),
    ],
  });

  it("decided and cohort differ: the open deal stays in the cohort denominator", () => {
    const result = run("win-rate", data, { from: day(0), to: day(10) });
    // closed in [d0, d10): o1 won, o2 lost, o4 won → 2 / 3
    expect(result.total.decided).toMatchObject({ value: 2 / 3, numerator: 2, denominator: 3 });
    expect(result.total.decided!.records).toEqual(["o1", "o2", "o4"]);
    // created in [d0, d10): o1, o2, o3 (open), o5 (won on d12, after the period, before as-of)
    // won: o1, o5 → 2 / 4
    expect(result.total.cohort).toMatchObject({ value: 0.5, numerator: 2, denominator: 4 });
    expect(result.total.cohort!.records).toEqual(["o1", "o2", "o3", "o5"]);
    expect(result.records).toBe("opportunities");
  });

  it("gives no rate for an empty period", () => {
    const result = run("win-rate", data, { from: day(100), to: day(110) });
    expect(result.total.decided).toMatchObject({ value: null, numerator: 0, denominator: 0 });
    expect(result.total.cohort).toMatchObject({ value: null, numerator: 0, denominator: 0 });
  });

  it("places a deal by its creation for the cohort and by its close for the decided rate", () => {
    const weekly = history({
      opportunities: [opportunity("x", { createdAt: day(1), closedAt: day(8), outcome: "won" })],
    });
    const result = run("win-rate", weekly, { from: day(0), to: day(14), by: "week" });
    // 2026-11-02 is the Monday of ISO week 45; day 8 is in week 46
    const created = labelled(result, "2026-W45");
    const closed = labelled(result, "2026-W46");
    expect(created.figures.cohort).toMatchObject({ value: 1, denominator: 1 });
    expect(created.figures.decided).toMatchObject({ value: null });
    expect(closed.figures.decided).toMatchObject({ value: 1, denominator: 1 });
    expect(closed.figures.cohort).toMatchObject({ value: null });
  });
});

describe("sales-cycle", () => {
  const data = history({
    asOf: day(40),
    leads: [
      lead("L1", { stages: [{ stage: "mql", at: day(-1) }] }),
      // o2 was created before L2 qualified but won after: not flagged
      lead("L2", { stages: [{ stage: "mql", at: day(3) }] }),
      // the export dates L4's MQL moment after its deal was won
      lead("L4", {
        stages: [
          { stage: "new", at: day(0) },
          { stage: "mql", at: day(20) },
        ],
      }),
      lead("L5"),
    ],
    opportunities: [
      opportunity("o1", { leadId: "L1", createdAt: day(0), closedAt: day(10), outcome: "won" }),
      opportunity("o2", { leadId: "L2", createdAt: day(2), closedAt: day(6), outcome: "won" }),
      opportunity("o3", { createdAt: day(1), closedAt: day(3.5), outcome: "won" }),
      opportunity("o4", { leadId: "L4", createdAt: day(5), closedAt: day(12), outcome: "won" }),
      opportunity("o5", { leadId: "L5", createdAt: day(0), closedAt: day(1), outcome: "lost" }),
      opportunity("o6", { createdAt: day(-10), closedAt: day(-2), outcome: "won" }),
      opportunity("o7", { createdAt: day(3) }),
    ],
  });

  it("measures won and closed deals from their own dates", () => {
    const { total } = run("sales-cycle", data, { from: day(0), to: day(30) });
    // won in period: o1 10, o2 4, o3 2.5, o4 7 days → sorted 2.5 4 7 10
    // mean 23.5 / 4 = 5.875; median of an even count (4 + 7) / 2 = 5.5
    expect(total["won-mean-days"]!.value).toBeCloseTo(5.875, 10);
    expect(total["won-median-days"]!.value).toBeCloseTo(5.5, 10);
    expect(total["won-median-days"]!.records).toEqual(["o1", "o2", "o3", "o4"]);
    // closed adds o5 (1 day): 1 2.5 4 7 10 → mean 24.5 / 5 = 4.9, median 4
    expect(total["closed-mean-days"]!.value).toBeCloseTo(4.9, 10);
    expect(total["closed-median-days"]!.value).toBeCloseTo(4, 10);
  });

  it("flags a deal won before its lead's MQL moment without dropping it", () => {
    const { total } = run("sales-cycle", data, { from: day(0), to: day(30) });
    // o4 closed on d12, L4 qualified on d20; o1 closed after L1's MQL; L5 never qualified
    expect(total["won-before-mql"]).toEqual({ value: 1, unit: "count", records: ["o4"] });
    expect(total["won-mean-days"]!.records).toContain("o4");
  });

  it("has no cycle when nothing closed", () => {
    const { total } = run("sales-cycle", data, { from: day(100), to: day(110) });
    expect(total["won-median-days"]!.value).toBeNull();
    expect(total["closed-mean-days"]!.value).toBeNull();
    expect(total["won-before-mql"]!.value).toBe(0);
  });
});

describe("time-in-stage", () => {
  const stages = (...entries: [string, number][]) =>
    entries.map(([stage, days]) => ({ stage, at: day(days) }));
  const data = history({
    asOf: day(40),
    opportunities: [
      opportunity("o1", { stages: stages(["discovery", 0], ["proposal", 2], ["won", 5]) }),
      opportunity("o2", { stages: stages(["discovery", 1], ["proposal", 5]) }),
      opportunity("o3", { stages: stages(["discovery", 0], ["proposal", 1], ["lost", 2]) }),
      opportunity("o4", { stages: stages(["discovery", -10], ["proposal", -2], ["won", 6]) }),
      opportunity("o5", { stages: stages(["discovery", 3], ["proposal", 10]) }),
    ],
    leads: [
      lead("L1", { stages: stages(["new", 0], ["mql", 1], ["working", 1.5]) }),
      lead("L2", { stages: stages(["new", 0], ["mql", 3]) }),
    ],
  });

  it("takes median and P90 of the stays that exited in the period", () => {
    const { total } = run("time-in-stage", data, { from: day(0), to: day(30) });
    // discovery exits in period: o1 2, o2 4, o3 1, o5 7 (o4's exit on d-2 is outside)
    // sorted 1 2 4 7: median (2 + 4) / 2 = 3; P90 rank 0.9 × 3 = 2.7 → 4 + (7 − 4) × 0.7 = 6.1
    expect(total["discovery:median-days"]!.value).toBeCloseTo(3, 10);
    expect(total["discovery:p90-days"]!.value).toBeCloseTo(6.1, 10);
    expect(total["discovery:exits"]).toMatchObject({ value: 4 });
    expect(total["discovery:exits"]!.records).toEqual(["o1", "o2", "o3", "o5"]);
    // proposal exits: o1 3, o3 1, o4 8 (o2 and o5 still in proposal: not counted)
    // sorted 1 3 8: median 3; P90 rank 0.9 × 2 = 1.8 → 3 + (8 − 3) × 0.8 = 7
    expect(total["proposal:median-days"]!.value).toBeCloseTo(3, 10);
    expect(total["proposal:p90-days"]!.value).toBeCloseTo(7, 10);
    expect(total["proposal:exits"]!.records).toEqual(["o1", "o3", "o4"]);
    // terminal stages never exit
    expect(total["won:exits"]).toBeUndefined();
  });

  it("measures lead stages under lead:", () => {
    const { total } = run("time-in-stage", data, { from: day(0), to: day(30) });
    // new: L1 1 day, L2 3 days → median 2; P90 rank 0.9 → 1 + (3 − 1) × 0.9 = 2.8
    expect(total["lead:new:median-days"]!.value).toBeCloseTo(2, 10);
    expect(total["lead:new:p90-days"]!.value).toBeCloseTo(2.8, 10);
    // mql: only L1 exited, after half a day
    expect(total["lead:mql:median-days"]!.value).toBeCloseTo(0.5, 10);
    expect(total["lead:mql:exits"]).toEqual({ value: 1, unit: "count", records: ["L1"] });
    expect(total["lead:working:exits"]).toBeUndefined();
  });

  it("counts each exit of a stage a lead re-entered, and lists the lead once", () => {
    const twice = history({
      asOf: day(40),
      leads: [
        lead("R", {
          stages: stages(["new", 0], ["mql", 1], ["recycled", 2], ["mql", 5], ["working", 9]),
        }),
        lead("S", { stages: stages(["new", 0], ["mql", 3], ["working", 4]) }),
      ],
    });
    const { total } = run("time-in-stage", twice, { from: day(0), to: day(30) });
    // mql stays: R 1 day and 4 days, S 1 day → 3 exits of 2 leads; median 1
    expect(total["lead:mql:exits"]).toEqual({ value: 3, unit: "count", records: ["R", "S"] });
    expect(total["lead:mql:median-days"]!.value).toBeCloseTo(1, 10);
  });

  it("lists lead stages in funnel order, then the others in order of first appearance", () => {
    const unordered = history({
      asOf: day(40),
      leads: [
        lead("A", { stages: stages(["new", 0], ["nurture", 1], ["mql", 2], ["working", 3]) }),
        lead("B", { stages: stages(["new", 0], ["recycled", 1], ["mql", 4], ["working", 5]) }),
        lead("C", { stages: stages(["new", 0], ["nurture", 2], ["working", 6]) }),
      ],
    });
    const { total } = run("time-in-stage", unordered, { from: day(0), to: day(30) });
    const stagesListed = [
      ...new Set(Object.keys(total).map((key) => key.replace(/:[a-z0-9-]+$/, ""))),
    ];
    expect(stagesListed).toEqual(["lead:new", "lead:mql", "lead:nurture", "lead:recycled"]);
    // nurture: A 1 day, C 4 days, in the leads' order
    expect(total["lead:nurture:exits"]!.records).toEqual(["A", "C"]);
    expect(total["lead:nurture:median-days"]!.value).toBeCloseTo(2.5, 10);
  });
});

describe("pipeline-velocity", () => {
  const enterprise = { segment: "Enterprise" };
  const data = history({
    asOf: day(120),
    opportunities: [
      // closed in the 60-day window [d40, d100)
      opportunity("w1", {
        ...enterprise,
        createdAt: day(10),
        closedAt: day(50),
        outcome: "won",
        amount: 1000,
      }),
      opportunity("w2", {
        ...enterprise,
        createdAt: day(30),
        closedAt: day(60),
        outcome: "won",
        amount: 3000,
      }),
      opportunity("w3", { ...enterprise, createdAt: day(70), closedAt: day(90), outcome: "won" }),
      opportunity("l1", { ...enterprise, createdAt: day(20), closedAt: day(45), outcome: "lost" }),
      // closed before the window
      opportunity("w4", {
        ...enterprise,
        createdAt: day(0),
        closedAt: day(30),
        outcome: "won",
        amount: 2000,
      }),
      // open at d100: p1, and p2 which closes exactly at d100; p3 is created at d100
      opportunity("p1", { segment: " enterprise ", createdAt: day(80) }),
      opportunity("p2", {
        segment: "SMB",
        createdAt: day(90),
        closedAt: day(100),
        outcome: "lost",
      }),
      opportunity("p3", { segment: "SMB", createdAt: day(100) }),
    ],
  });

  it("multiplies open deals, mean won amount and win rate, over the mean cycle", () => {
    const { total } = run("pipeline-velocity", data, {
      from: day(70),
      to: day(100),
      trailingDays: 60,
    });
    // open: p1, p2 → 2; mean won amount over w1, w2 (w3 has none) = 2000
    // decided win rate: won w1 w2 w3 of closed w1 w2 w3 l1 = 3 / 4
    // mean won cycle: (40 + 30 + 20) / 3 = 30 days
    // velocity = 2 × 2000 × 0.75 / 30 = 100 per day
    expect(total["open-opportunities"]).toEqual({
      value: 2,
      unit: "count",
      records: ["p1", "p2"],
    });
    expect(total["mean-won-amount"]).toMatchObject({ value: 2000, records: ["w1", "w2"] });
    expect(total["win-rate"]).toMatchObject({ value: 0.75, numerator: 3, denominator: 4 });
    expect(total["mean-cycle-days"]!.value).toBeCloseTo(30, 10);
    expect(total.velocity!.value).toBeCloseTo(100, 10);
    expect(total.velocity!.unit).toBe("currency");
  });

  it("reads a 365-day window by default", () => {
    const { total } = run("pipeline-velocity", data, { from: day(70), to: day(100) });
    // w4 joins: amounts 1000 3000 2000 → 2000; win rate 4 / 5; cycles 40 30 20 30 → 30
    // velocity = 2 × 2000 × 0.8 / 30 = 320 / 3
    expect(total["win-rate"]).toMatchObject({ numerator: 4, denominator: 5 });
    expect(total.velocity!.value).toBeCloseTo(320 / 3, 10);
  });

  it("per segment, with no velocity where a part is undefined", () => {
    const result = run("pipeline-velocity", data, {
      from: day(70),
      to: day(100),
      trailingDays: 60,
      by: "segment",
    });
    // enterprise (three spellings): open p1 → 1 × 2000 × 0.75 / 30 = 50
    const large = group(result, "enterprise");
    expect(large.label).toBe("Enterprise");
    expect(large.figures.velocity!.value).toBeCloseTo(50, 10);
    // SMB: p2 open, nothing closed in the window → no win rate, no velocity
    const small = group(result, "smb");
    expect(small.figures["win-rate"]).toMatchObject({ value: null, denominator: 0 });
    expect(small.figures.velocity!.value).toBeNull();
  });

  it("has no velocity when the mean cycle is 0", () => {
    const instant = history({
      asOf: day(120),
      opportunities: [
        opportunity("w", { createdAt: day(50), closedAt: day(50), outcome: "won", amount: 100 }),
        opportunity("p", { createdAt: day(60) }),
      ],
    });
    const { total } = run("pipeline-velocity", instant, { from: day(0), to: day(100) });
    expect(total["mean-cycle-days"]!.value).toBe(0);
    expect(total.velocity!.value).toBeNull();
  });
});

describe("marketing-sourced", () => {
  // marketing sources of the fixture: website, webinar, paid_search
  const data = history({
    asOf: day(40),
    opportunities: [
      opportunity("m1", { source: "Website", createdAt: day(1), amount: 100 }),
      opportunity("m2", {
        source: "  WEBSITE ",
        createdAt: day(2),
        closedAt: day(10),
        outcome: "won",
      }),
      opportunity("m3", {
        source: "webinar",
        createdAt: day(-5),
        closedAt: day(5),
        outcome: "won",
        amount: 200,
      }),
      opportunity("m4", { source: "Paid  Search", createdAt: day(-5), amount: 50 }),
      opportunity("s1", { source: "Outbound", createdAt: day(3), amount: 300 }),
      opportunity("n1", {
        createdAt: day(4),
        closedAt: day(20),
        outcome: "lost",
        amount: 400,
      }),
      opportunity("n2", { source: "   ", createdAt: day(5) }),
    ],
  });

  it("sums created, open and won amounts of marketing-sourced deals", () => {
    const { total } = run("marketing-sourced", data, { from: day(0), to: day(30) });
    // created in period and marketing: m1 100, m2 (no amount) 0 → 100
    expect(total.pipeline).toEqual({ value: 100, unit: "currency", records: ["m1", "m2"] });
    expect(total["pipeline-opportunities"]!.value).toBe(2);
    // open at d30: m1 100, m4 50 ("Paid  Search" folds to "paid search", not "paid_search")
    // so only m1 → 100
    expect(total["open-pipeline"]).toMatchObject({ value: 100, records: ["m1"] });
    // won in period: m2 0, m3 200 → 200
    expect(total.revenue).toMatchObject({ value: 200, records: ["m2", "m3"] });
    // all created in period: m1 100 + m2 0 + s1 300 + n1 400 + n2 0 = 800 → 100 / 800
    expect(total["share-of-pipeline"]).toMatchObject({
      value: 0.125,
      numerator: 100,
      denominator: 800,
    });
    expect(total["no-amount"]).toEqual({ value: 1, unit: "count", records: ["m2"] });
    // n1 has no source, n2 a blank one
    expect(total["no-source"]).toEqual({ value: 2, unit: "count", records: ["n1", "n2"] });
  });

  it("groups sources differing only in case and spaces", () => {
    const result = run("marketing-sourced", data, { from: day(0), to: day(30), by: "source" });
    const website = group(result, "website");
    // "Website" and "WEBSITE" are seen twice each; the first seen wins the tie
    expect(website.label).toBe("Website");
    expect(website.figures.pipeline).toMatchObject({ value: 100, records: ["m1", "m2"] });
    expect(website.figures.revenue).toMatchObject({ value: 0, records: ["m2"] });
    expect(group(result, "(none)").figures["no-source"]!.value).toBe(2);
  });

  it("gives no share when nothing was created", () => {
    const { total } = run("marketing-sourced", data, { from: day(100), to: day(110) });
    expect(total["share-of-pipeline"]).toMatchObject({ value: null, denominator: 0 });
  });
});

describe("marketing-influenced", () => {
  const touch = (days: number) => ({ at: day(days), kind: "form_submit", channel: null });
  const data = history({
    asOf: day(40),
    leads: [
      lead("L1", { marketingTouches: [touch(1)] }),
      lead("L2", { marketingTouches: [touch(1)] }),
      lead("L3", { marketingTouches: [touch(5)] }),
    ],
    opportunities: [
      // created at the very instant of the touch: not before it
      opportunity("i1", { leadId: "L1", createdAt: day(1), amount: 1000 }),
      opportunity("i2", { leadId: "L2", createdAt: day(1) + 60_000, amount: 500 }),
      opportunity("i3", { leadId: "L3", createdAt: day(2), amount: 10 }),
      opportunity("i4", { createdAt: day(3), amount: 20 }),
      opportunity("i5", { leadId: "gone", createdAt: day(3), amount: 30 }),
    ],
  });

  it("needs a marketing touch strictly before the opportunity was created", () => {
    const { total } = run("marketing-influenced", data, { from: day(0), to: day(30) });
    expect(total.pipeline).toEqual({ value: 500, unit: "currency", records: ["i2"] });
    expect(total["open-pipeline"]).toMatchObject({ value: 500, records: ["i2"] });
    expect(total.revenue).toMatchObject({ value: 0, records: [] });
    // 500 of 1000 + 500 + 10 + 20 + 30 = 1560
    expect(total["share-of-pipeline"]).toMatchObject({ numerator: 500, denominator: 1560 });
  });
});

describe("deal-quality", () => {
  const decided = (kind: "accept" | "reject", days: number) => ({
    kind,
    at: day(days),
    reason: null,
  });
  const qualified = [
    { stage: "new", at: day(0) },
    { stage: "mql", at: day(1) },
  ];
  const data = history({
    asOf: day(60),
    leads: [
      lead("LA", { source: "webinar", stages: qualified, decisions: [decided("accept", 2)] }),
      lead("LB", { source: "Webinar", stages: qualified, decisions: [decided("reject", 3)] }),
      lead("LC", { source: "webinar", stages: qualified, decisions: [decided("accept", 40)] }),
      lead("LD", { source: "outbound", stages: qualified, decisions: [decided("accept", 2)] }),
    ],
    opportunities: [
      opportunity("d1", {
        source: "Webinar",
        createdAt: day(0),
        closedAt: day(10),
        outcome: "won",
        amount: 1000,
      }),
      opportunity("d2", {
        source: "webinar ",
        createdAt: day(0),
        closedAt: day(4),
        outcome: "lost",
      }),
      opportunity("d3", {
        source: "Webinar",
        createdAt: day(5),
        closedAt: day(25),
        outcome: "won",
      }),
      opportunity("d4", {
        source: "outbound",
        createdAt: day(0),
        closedAt: day(8),
        outcome: "lost",
      }),
    ],
  });

  it("breaks down by source when no breakdown is asked", () => {
    const result = run("deal-quality", data, { from: day(0), to: day(30) });
    expect(result.by).toBe("source");
    const webinar = group(result, "webinar");
    // won d1, d3 of closed d1 d2 d3 → 2 / 3
    expect(webinar.figures["win-rate"]).toMatchObject({ numerator: 2, denominator: 3 });
    // d3 has no amount: mean over d1 only
    expect(webinar.figures["mean-won-amount"]!.value).toBe(1000);
    // cycles 10 and 20 days → 15
    expect(webinar.figures["sales-cycle-days"]!.value).toBeCloseTo(15, 10);
    // decisions in period: LA accepted, LB rejected (LC decided on d40, outside) → 1 / 2
    expect(webinar.figures.acceptance).toMatchObject({
      value: 0.5,
      numerator: 1,
      denominator: 2,
      records: ["LA", "LB"],
    });
    const outbound = group(result, "outbound");
    expect(outbound.figures["win-rate"]).toMatchObject({ value: 0, denominator: 1 });
    expect(outbound.figures["mean-won-amount"]!.value).toBeNull();
    expect(outbound.figures.acceptance).toMatchObject({ value: 1, denominator: 1 });
  });
});

describe("pipeline-coverage", () => {
  const data = history({
    asOf: day(30),
    opportunities: [
      opportunity("w1", { createdAt: day(0), closedAt: day(10), outcome: "won", amount: 3000 }),
      opportunity("w2", { createdAt: day(0), closedAt: day(20), outcome: "won" }),
      opportunity("o1", { segment: "a", createdAt: day(5), amount: 2000 }),
      opportunity("o2", { segment: "b", createdAt: day(-10), amount: 4000 }),
      opportunity("o3", { segment: "b", createdAt: day(6) }),
      opportunity("o4", { createdAt: day(1), closedAt: day(25), outcome: "lost", amount: 9000 }),
    ],
  });
  const quarter = { from: day(0), to: day(90) };

  it("divides the open pipeline by the target not yet won", () => {
    const { total } = run("pipeline-coverage", data, { ...quarter, target: 10_000 });
    // remaining = 10000 − (3000 + 0) = 7000; open now (d30): o1 2000 + o2 4000 + o3 0 = 6000
    expect(total["remaining-target"]!.value).toBe(7000);
    expect(total["open-pipeline"]).toMatchObject({ value: 6000, records: ["o1", "o2", "o3"] });
    expect(total.coverage).toMatchObject({ numerator: 6000, denominator: 7000 });
    expect(total.coverage!.value).toBeCloseTo(6 / 7, 10);
    expect(total["no-amount"]!.records).toEqual(["o3"]);
  });

  it("has no coverage without a target or once it is reached", () => {
    expect(run("pipeline-coverage", data, quarter).total.coverage!.value).toBeNull();
    const reached = run("pipeline-coverage", data, { ...quarter, target: 2000 }).total;
    expect(reached.coverage).toMatchObject({ value: null, denominator: -1000 });
  });

  it("gives each group its share of the whole remaining target", () => {
    const result = run("pipeline-coverage", data, { ...quarter, target: 10_000, by: "segment" });
    // a: 2000 / 7000; b: (4000 + 0) / 7000
    expect(group(result, "a").figures.coverage!.value).toBeCloseTo(2 / 7, 10);
    expect(group(result, "b").figures.coverage!.value).toBeCloseTo(4 / 7, 10);
  });
});
