import { describe, expect, it } from "vitest";
import type { Agreement } from "../agreement/agreement-schema.js";
import { commitmentPeriods, commitments, commitmentsFromAgreement } from "./commitments.js";
import { at, history, lead, opportunity, T0 } from "./history-fixtures.js";
import type { MetricGroup, MetricResult } from "./metric.js";
import type {
  CommitmentTarget,
  LeadHistory,
  PipelineHistory,
  SlaCycle,
} from "./pipeline-history.js";
import { DAY } from "./statistics.js";

// T0 is Monday 2026-11-02 00:00 UTC, the start of ISO week 2026-W45.
function day(days: number): number {
  return T0 + days * DAY;
}

/** A lead created at T0 that qualified at each of `mqlAt` (back to New in between). */
function mqlLead(id: string, mqlAt: number[], overrides: Partial<LeadHistory> = {}): LeadHistory {
  const stages = [{ stage: "new", at: Math.min(T0, ...mqlAt) }];
  mqlAt.forEach((moment, index) => {
    if (index > 0) stages.push({ stage: "new", at: moment - 1 });
    stages.push({ stage: "mql", at: moment });
  });
  return lead(id, { createdAt: stages[0]!.at, stages, ...overrides });
}

function target(
  side: CommitmentTarget["side"],
  id: string,
  metric: string,
  extra: Partial<CommitmentTarget> = {},
): CommitmentTarget {
  return { side, id, label: id, metric, per: "week", ...extra };
}

function run(sample: PipelineHistory, from: number, to: number): MetricResult {
  return commitments.compute(sample, { from, to });
}

function group(result: MetricResult, key: string): MetricGroup {
  const found = result.groups.find((entry) => entry.key === key);
  if (found === undefined)
    throw new Error(`no group ${key}; have ${result.groups.map((entry) => entry.key).join(", ")}`);
  return found;
}

function totals(result: MetricResult): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(result.total).map(([name, figure]) => [name, figure.value]),
  );
}

describe("commitments metric", () => {
  it("judges MQL volume and MQL→SQL per week, with a missed week and a week with no MQLs", () => {
    // l1: MQL day 1, SQL day 2. l2: MQL day 2 (no SQL), again day 3 → SQL day 3.5 →
    // opportunity o2 day 4. l3: MQL day 8, converted straight to o3 on day 9 (no SQL entry).
    // l4: MQL day 9, SQL day 10.
    const sample = history({
      leads: [
        lead("l1", {
          stages: [
            { stage: "new", at: day(0) },
            { stage: "mql", at: day(1) },
            { stage: "sql", at: day(2) },
          ],
        }),
        lead("l2", {
          stages: [
            { stage: "new", at: day(0) },
            { stage: "mql", at: day(2) },
            { stage: "new", at: day(2.5) },
            { stage: "mql", at: day(3) },
            { stage: "sql", at: day(3.5) },
            { stage: "opportunity", at: day(4) },
          ],
          opportunityIds: ["o2"],
        }),
        lead("l3", {
          stages: [
            { stage: "new", at: day(0) },
            { stage: "mql", at: day(8) },
            { stage: "opportunity", at: day(9) },
          ],
          opportunityIds: ["o3"],
        }),
        lead("l4", {
          stages: [
            { stage: "new", at: day(0) },
            { stage: "mql", at: day(9) },
            { stage: "sql", at: day(10) },
          ],
        }),
      ],
      opportunities: [
        opportunity("o2", { leadId: "l2", createdAt: day(4) }),
        opportunity("o3", { leadId: "l3", createdAt: day(9) }),
      ],
      commitments: [
        target("marketing", "mql-volume", "mql_count", { min: 3, label: "MQLs per week" }),
        target("marketing", "mql-to-sql", "mql_to_sql_rate", { min: 0.6, warnBelow: 0.55 }),
      ],
    });
    const result = run(sample, day(0), day(21));
    // W45: leads l1, l2 → 2 < 3 missed; W46: l3, l4 → 2 missed; W47: 0 missed
    const volume = group(result, "marketing:mql-volume:2026-W45");
    expect(volume.label).toBe("MQLs per week (2026-W45)");
    expect(volume.figures.target).toMatchObject({ value: 3, unit: "count" });
    expect(volume.figures.actual).toMatchObject({ value: 2, records: ["l1", "l2"] });
    expect(volume.figures.met?.value).toBe(0);
    expect(group(result, "marketing:mql-volume:2026-W46").figures.met?.value).toBe(0);
    expect(group(result, "marketing:mql-volume:2026-W47").figures.actual?.value).toBe(0);
    expect(group(result, "marketing:mql-volume:2026-W47").figures.met?.value).toBe(0);
    // W45 cycles: l1 (SQL), l2 first (none), l2 second (SQL) → 2/3 ≥ 0.6 met, not below 0.55
    const rate = group(result, "marketing:mql-to-sql:2026-W45").figures;
    expect(rate.actual).toMatchObject({ numerator: 2, denominator: 3, unit: "rate" });
    expect(rate.actual?.value).toBeCloseTo(2 / 3, 10);
    expect(rate.met?.value).toBe(1);
    expect(rate.warning?.value).toBe(0);
    // W46: l3 (converted without entering SQL: not counted), l4 (SQL) → 1/2 < 0.6 missed,
    // below the warning line
    const missed = group(result, "marketing:mql-to-sql:2026-W46").figures;
    expect(missed.actual).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(missed.met?.value).toBe(0);
    expect(missed.warning?.value).toBe(1);
    // W47: no MQLs → no rate → neither met nor missed
    const empty = group(result, "marketing:mql-to-sql:2026-W47").figures;
    expect(empty.actual?.value).toBeNull();
    expect(empty.met?.value).toBeNull();
    expect(totals(result)).toEqual({
      "marketing:met": 1,
      "marketing:missed": 4,
      "marketing:no-data": 1,
      "marketing:in-progress": 0,
      "sales:met": 0,
      "sales:missed": 0,
      "sales:no-data": 0,
      "sales:in-progress": 0,
    });
    expect(result.total["marketing:no-data"]?.records).toEqual(["marketing:mql-to-sql:2026-W47"]);
  });

  it("cuts weeks at Monday 00:00 in the workspace zone, across the end of daylight time", () => {
    // New York: Monday 2026-10-26 00:00 EDT = 04:00Z; daylight time ends Sunday 2026-11-01;
    // Monday 2026-11-02 00:00 EST = 05:00Z; Monday 2026-11-09 00:00 EST = 05:00Z.
    const utc = (month: number, date: number, hour: number, minute = 0) =>
      Date.UTC(2026, month - 1, date, hour, minute);
    const sample = history({
      timezone: "America/New_York",
      leads: [
        mqlLead("a", [utc(11, 2, 4, 30)]), // Sunday 23:30 EST → W44
        mqlLead("b", [utc(11, 2, 5)]), // Monday 00:00 EST → W45
        mqlLead("c", [utc(11, 9, 4, 59)]), // Sunday 23:59 EST → W45 (W46 in UTC)
        mqlLead("d", [utc(11, 9, 5)]), // Monday 00:00 EST → W46
      ],
      commitments: [target("marketing", "volume", "mql_count", { min: 2 })],
    });
    const result = run(sample, utc(10, 26, 0), utc(11, 9, 12));
    // periods starting in [Oct 26 00:00Z, Nov 9 12:00Z): W44 (Oct 26 04:00Z), W45, W46
    expect(result.groups.map((entry) => entry.key)).toEqual([
      "marketing:volume:2026-W44",
      "marketing:volume:2026-W45",
      "marketing:volume:2026-W46",
    ]);
    expect(group(result, "marketing:volume:2026-W44").figures.actual?.records).toEqual(["a"]);
    expect(group(result, "marketing:volume:2026-W45").figures.actual?.records).toEqual(["b", "c"]);
    expect(group(result, "marketing:volume:2026-W46").figures.actual?.records).toEqual(["d"]);
    expect(totals(result)["marketing:met"]).toBe(1);
    // W44 lasts 169 hours (the extra hour of the night daylight time ends)
    expect(commitmentPeriods("week", utc(10, 26, 0), utc(11, 2, 6), "America/New_York")).toEqual([
      { key: "2026-W44", from: utc(10, 26, 4), to: utc(11, 2, 5) },
      { key: "2026-W45", from: utc(11, 2, 5), to: utc(11, 9, 5) },
    ]);
  });

  it("lists months and quarters that start in the period", () => {
    // from 2026-11-02: November started before it; December and January start inside
    expect(
      commitmentPeriods("month", day(0), Date.UTC(2027, 0, 15), "UTC").map((period) => period.key),
    ).toEqual(["2026-12", "2027-01"]);
    expect(commitmentPeriods("quarter", Date.UTC(2026, 9, 1), Date.UTC(2027, 3, 1), "UTC")).toEqual(
      [
        { key: "2026-Q4", from: Date.UTC(2026, 9, 1), to: Date.UTC(2027, 0, 1) },
        { key: "2027-Q1", from: Date.UTC(2027, 0, 1), to: Date.UTC(2027, 3, 1) },
      ],
    );
  });

  it("measures touched within the SLA over touched and untouched past the goal", () => {
    // goal 240 business minutes (calendar minutes in the fixture); asOf 60 min after W45 ends
    const sample = history({
      asOf: at(7 * 1440 + 60),
      leads: [
        mqlLead("s1", [at(60)], { touches: [at(160)] }), // 100 min: within
        mqlLead("s2", [at(120)], { touches: [at(359)] }), // 239 min: within
        mqlLead("s3", [at(180)], { touches: [at(420)] }), // 240 min: late (the goal reached)
        mqlLead("s4", [at(200)]), // untouched, far past the goal: late
        mqlLead("s5", [at(7 * 1440 - 30)]), // untouched, 90 min old at asOf: not yet measured
      ],
      commitments: [target("sales", "touched", "touched_within_sla_rate", { min: 0.9 })],
    });
    const result = run(sample, day(0), day(7));
    const figures = group(result, "sales:touched:2026-W45").figures;
    // 2 within ÷ 4 measured = 0.5 < 0.9 → missed
    expect(figures.actual).toMatchObject({
      value: 0.5,
      numerator: 2,
      denominator: 4,
      records: ["s1", "s2", "s3", "s4"],
    });
    expect(figures.target).toMatchObject({ value: 0.9, unit: "rate" });
    expect(figures.met?.value).toBe(0);
    expect(totals(result)["sales:missed"]).toBe(1);
  });

  it("measures outcomes logged within the days allowed, over MQLs whose deadline passed", () => {
    const sample = history({
      asOf: day(8),
      leads: [
        mqlLead("o1", [day(0)], { decisions: [{ kind: "accept", at: day(3), reason: null }] }),
        mqlLead("o2", [day(1)], {
          decisions: [{ kind: "reject", at: day(6), reason: "budget" }], // at the deadline: late
        }),
        mqlLead("o3", [day(2)]), // no decision
        mqlLead("o4", [day(1)], {
          decisions: [{ kind: "recycle", at: day(6) - 60_000, reason: "timing" }], // 1 min before
        }),
        mqlLead("o5", [day(6.5)]), // deadline day 11.5, after asOf: not measured
      ],
      commitments: [
        target("sales", "outcomes", "outcome_logging_rate", { min: 0.5, withinDays: 5 }),
      ],
    });
    const figures = group(run(sample, day(0), day(7)), "sales:outcomes:2026-W45").figures;
    // logged before the deadline: o1 (3 days), o4 (5 days less a minute) → 2 of 4 = 0.5 → met
    expect(figures.actual).toMatchObject({ value: 0.5, numerator: 2, denominator: 4 });
    expect(figures.actual?.records).toEqual(["o1", "o2", "o3", "o4"]);
    expect(figures.met?.value).toBe(1);
  });

  it("measures reason coverage of rejections, recycles and disqualifications", () => {
    const sample = history({
      leads: [
        lead("r1", { decisions: [{ kind: "reject", at: day(1), reason: "budget" }] }),
        lead("r2", { decisions: [{ kind: "recycle", at: day(2), reason: null }] }),
        lead("r3", { decisions: [{ kind: "disqualify", at: day(3), reason: "spam" }] }),
        lead("r4", { decisions: [{ kind: "accept", at: day(1), reason: null }] }),
        lead("r5", { decisions: [{ kind: "reject", at: day(8), reason: null }] }),
      ],
      commitments: [target("sales", "reasons", "rejection_reason_coverage", { min: 1 })],
    });
    const figures = group(run(sample, day(0), day(7)), "sales:reasons:2026-W45").figures;
    // W45: r1, r2, r3 are dispositions; r1 and r3 have reasons → 2/3 < 1 → missed
    expect(figures.actual).toMatchObject({
      numerator: 2,
      denominator: 3,
      records: ["r1", "r2", "r3"],
    });
    expect(figures.met?.value).toBe(0);
  });

  it("measures handoff context completeness over handoffs whose context was checked", () => {
    const sample = history({
      leads: [
        // owned before qualifying: handed over at the MQL moment (day 1)
        mqlLead("h1", [day(1)], {
          assignments: [{ at: day(0), owner: "ann", team: null }],
          contextComplete: true,
        }),
        mqlLead("h2", [day(1)], {
          assignments: [{ at: day(2), owner: "ann", team: null }],
          contextComplete: false,
        }),
        mqlLead("h3", [day(1)], {
          assignments: [{ at: day(2), owner: "ann", team: null }],
          contextComplete: null,
        }),
        mqlLead("h4", [day(6)], {
          assignments: [{ at: day(8), owner: "ann", team: null }],
          contextComplete: true,
        }),
      ],
      commitments: [target("marketing", "context", "handoff_context_completeness", { min: 0.95 })],
    });
    const figures = group(run(sample, day(0), day(7)), "marketing:context:2026-W45").figures;
    // handed over in W45 and checked: h1 (complete), h2 (not) → 1/2; h3 unchecked, h4 in W46
    expect(figures.actual).toMatchObject({ value: 0.5, records: ["h1", "h2"] });
    expect(figures.met?.value).toBe(0);
  });

  it("measures decided acceptance and SLA attainment", () => {
    const slaCycle = (
      leadId: string,
      cycle: number,
      state: SlaCycle["state"],
      startedAt: number,
      step = "first-call",
    ): SlaCycle => ({
      leadId,
      step,
      cycle,
      owner: null,
      team: null,
      source: null,
      segment: null,
      startedAt,
      dueAt: null,
      firstWarningAt: null,
      endedAt: null,
      state,
      goalMinutes: 60,
      elapsedBusinessMinutes: 0,
    });
    const sample = history({
      leads: [
        mqlLead("a1", [day(0)], { decisions: [{ kind: "accept", at: day(1), reason: null }] }),
        mqlLead("a2", [day(0)], { decisions: [{ kind: "convert", at: day(2), reason: null }] }),
        mqlLead("a3", [day(0)], { decisions: [{ kind: "reject", at: day(3), reason: "fit" }] }),
        mqlLead("a4", [day(0)]),
        mqlLead("a5", [day(5)], { decisions: [{ kind: "accept", at: day(8), reason: null }] }),
      ],
      cycles: [
        slaCycle("c1", 1, "met", day(1)),
        slaCycle("c2", 2, "breached", day(2)),
        slaCycle("c3", 3, "cancelled", day(2)),
        slaCycle("c4", 4, "running", day(6)),
        slaCycle("c5", 5, "met", day(2), "other-step"),
        slaCycle("c6", 6, "met", day(8)),
      ],
      commitments: [
        target("sales", "accepted", "mql_to_sal_rate", { min: 0.6 }),
        target("sales", "sla", "sla_attainment", { min: 0.9, step: "first-call" }),
      ],
    });
    const result = run(sample, day(0), day(7));
    // decided in W45: a1 accepted, a2 converted (accepted), a3 rejected → 2/3 ≥ 0.6; a5 in W46
    const accepted = group(result, "sales:accepted:2026-W45").figures;
    expect(accepted.actual).toMatchObject({ numerator: 2, denominator: 3 });
    expect(accepted.met?.value).toBe(1);
    // first-call cycles started in W45, met or breached: c1 met, c2 breached → 1/2 < 0.9
    const sla = group(result, "sales:sla:2026-W45").figures;
    expect(sla.actual).toMatchObject({
      value: 0.5,
      records: ["c1/first-call#1", "c2/first-call#2"],
    });
    expect(sla.met?.value).toBe(0);
  });

  it("judges a maximum, and reports both bounds", () => {
    const sample = history({
      leads: [mqlLead("m1", [day(1)]), mqlLead("m2", [day(2)]), mqlLead("m3", [day(3)])],
      commitments: [target("marketing", "cap", "mql_count", { min: 1, max: 2 })],
    });
    const figures = group(run(sample, day(0), day(7)), "marketing:cap:2026-W45").figures;
    // 3 MQLs: ≥ 1 but not ≤ 2 → missed
    expect(figures.target?.value).toBe(1);
    expect(figures["target-max"]?.value).toBe(2);
    expect(figures.met?.value).toBe(0);
  });

  it("leaves a running period in progress and skips periods that have not started", () => {
    const sample = history({
      asOf: day(10),
      leads: [mqlLead("p1", [day(1)]), mqlLead("p2", [day(8)]), mqlLead("p3", [day(9)])],
      commitments: [target("marketing", "volume", "mql_count", { min: 2 })],
    });
    const result = run(sample, day(0), day(21));
    // W45 ended (1 MQL, missed); W46 runs until day 14 (2 so far, not judged); W47 not started
    expect(result.groups.map((entry) => entry.key)).toEqual([
      "marketing:volume:2026-W45",
      "marketing:volume:2026-W46",
    ]);
    const running = group(result, "marketing:volume:2026-W46").figures;
    expect(running.actual?.value).toBe(2);
    expect(running.met?.value).toBeNull();
    expect(totals(result)).toMatchObject({ "marketing:missed": 1, "marketing:in-progress": 1 });
  });

  it("has no data for a metric it cannot measure, and nothing without commitments", () => {
    const unknown = history({ commitments: [target("sales", "odd", "meetings_held", { min: 3 })] });
    const result = run(unknown, day(0), day(7));
    expect(group(result, "sales:odd:2026-W45").figures.met?.value).toBeNull();
    expect(totals(result)["sales:no-data"]).toBe(1);
    const none = run(history(), day(0), day(7));
    expect(none.groups).toEqual([]);
    expect(totals(none)["marketing:met"]).toBe(0);
  });
});

describe("commitmentsFromAgreement", () => {
  it("reads both sides' commitments, marketing first, renaming the agreement's keys", () => {
    const agreement: Pick<Agreement, "commitments"> = {
      commitments: {
        sales: [
          {
            id: "outcomes-logged",
            label: "Outcomes logged within 5 days",
            metric: "outcome_logging_rate",
            per: "week",
            min: 0.95,
            within_days: 5,
          },
        ],
        marketing: [
          {
            id: "mql-to-sql",
            label: "MQL to SQL conversion",
            metric: "mql_to_sql_rate",
            per: "month",
            min: 0.25,
            warn_below: 0.2,
          },
          {
            id: "touched",
            label: "Touched",
            metric: "touched_within_sla_rate",
            per: "quarter",
            max: 1,
            step: "sdr-first-effort",
          },
        ],
      },
    };
    expect(commitmentsFromAgreement(agreement)).toEqual([
      {
        side: "marketing",
        id: "mql-to-sql",
        label: "MQL to SQL conversion",
        metric: "mql_to_sql_rate",
        per: "month",
        min: 0.25,
        warnBelow: 0.2,
      },
      {
        side: "marketing",
        id: "touched",
        label: "Touched",
        metric: "touched_within_sla_rate",
        per: "quarter",
        max: 1,
        step: "sdr-first-effort",
      },
      {
        side: "sales",
        id: "outcomes-logged",
        label: "Outcomes logged within 5 days",
        metric: "outcome_logging_rate",
        per: "week",
        min: 0.95,
        withinDays: 5,
      },
    ]);
  });
});
