import { describe, expect, it } from "vitest";
import { at, history, lead, opportunity } from "./history-fixtures.js";
import type { MetricQuery, MetricResult } from "./metric.js";
import { computeMetric } from "./metric-registry.js";
import { mqlCycles } from "./mql-cycles.js";
import type { LeadHistory, PipelineHistory } from "./pipeline-history.js";
import { volumeMetrics } from "./volume-metrics.js";

// Times are minutes after T0 = Monday 2026-11-02 00:00 UTC (history-fixtures.ts).
const DAY_MINUTES = 1440;
function day(days: number): number {
  return at(days * DAY_MINUTES);
}

/** the first week of the fixtures: [Mon 2026-11-02, Mon 2026-11-09) UTC */
const firstWeek: MetricQuery = { from: day(0), to: day(7) };

function compute(source: PipelineHistory, name: string, query: MetricQuery): MetricResult {
  const outcome = computeMetric(source, name, query);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.result;
}

/** a lead created at `created` minutes that entered each stage at the given minute */
function leadThrough(
  id: string,
  entries: [stage: string, minutes: number][],
  overrides: Partial<LeadHistory> = {},
): LeadHistory {
  const stages = entries.map(([stage, minutes]) => ({ stage, at: at(minutes) }));
  return lead(id, { createdAt: stages[0]!.at, stages, ...overrides });
}

function figure(result: MetricResult, name: string) {
  const found = result.total[name];
  if (found === undefined) throw new Error(`no figure ${name} in ${result.metric}`);
  return found;
}

function group(result: MetricResult, key: string) {
  const found = result.groups.find((entry) => entry.key === key);
  if (found === undefined) throw new Error(`no group ${key} in ${result.metric}`);
  return found;
}

describe("volume metrics", () => {
  it("registers the seven metrics of METRICS.md under their names, in order", () => {
    expect(volumeMetrics.map((metric) => metric.name)).toEqual([
      "mqls",
      "acceptance",
      "mql-to-sql",
      "stage-conversion",
      "lead-to-won",
      "rejection-mix",
      "recycle-rate",
    ]);
  });

  it("gives every rate null over an empty history, with numerator 0 and denominator 0", () => {
    const empty = history();
    for (const metric of volumeMetrics) {
      const result = compute(empty, metric.name, firstWeek);
      expect(result.records).toBe("leads");
      expect(result.by).toBeNull();
      const rates = Object.values(result.total).filter((entry) => entry.unit === "rate");
      const counts = Object.values(result.total).filter((entry) => entry.unit === "count");
      for (const rate of rates)
        expect(rate).toMatchObject({ value: null, numerator: 0, denominator: 0 });
      for (const count of counts) expect(count).toEqual({ value: 0, unit: "count", records: [] });
    }
    // stage order new, mql, working, sql, opportunity, won → 5 pairs × (cohort, flow)
    expect(Object.keys(compute(empty, "stage-conversion", firstWeek).total)).toHaveLength(10);
  });

  it("gives a null rate (not 0) when only the denominator is empty", () => {
    // one MQL in the week and no decision: decided = 0 ÷ 0, strict = 0 ÷ 1
    const source = history({
      asOf: day(20),
      leads: [
        leadThrough("a", [
          ["new", 0],
          ["mql", 60],
        ]),
      ],
    });
    const result = compute(source, "acceptance", firstWeek);
    expect(figure(result, "decided")).toEqual({
      value: null,
      unit: "rate",
      numerator: 0,
      denominator: 0,
      records: [],
    });
    expect(figure(result, "strict")).toMatchObject({ value: 0, numerator: 0, denominator: 1 });
  });
});

describe("mqls", () => {
  // Lead a: MQL at 60, recycled at 200, back to new, MQL again on day 2, accepted 100 minutes later.
  // Lead b: MQL at 300.
  const requalified = leadThrough(
    "a",
    [
      ["new", 0],
      ["mql", 60],
      ["new", 200],
      ["mql", 2 * DAY_MINUTES],
      ["working", 2 * DAY_MINUTES + 100],
    ],
    {
      decisions: [
        { kind: "recycle", at: at(200), reason: "timing" },
        { kind: "accept", at: at(2 * DAY_MINUTES + 100), reason: null },
      ],
    },
  );
  const source = history({
    leads: [
      requalified,
      leadThrough("b", [
        ["new", 0],
        ["mql", 300],
      ]),
    ],
  });

  it("counts a lead re-qualified after recycling as 2 MQL events and 1 lead", () => {
    // events: a@60, a@day 2, b@300 = 3; leads: a, b = 2
    const result = compute(source, "mqls", firstWeek);
    expect(figure(result, "events")).toEqual({ value: 3, unit: "count", records: ["a", "b"] });
    expect(figure(result, "leads")).toEqual({ value: 2, unit: "count", records: ["a", "b"] });
  });

  it("gives the second cycle's decision to the second cycle", () => {
    const [first, second] = mqlCycles(source).filter((cycle) => cycle.lead.id === "a");
    expect(first?.decision?.kind).toBe("recycle");
    expect(second?.decision?.kind).toBe("accept");
    // Day 0 alone: cohort a#0 (recycled → not accepted) and b (undecided) → strict 0 ÷ 2.
    const firstDay = compute(source, "acceptance", { from: day(0), to: day(1) });
    expect(figure(firstDay, "strict")).toMatchObject({ value: 0, numerator: 0, denominator: 2 });
    // Day 2 alone: cohort a#1, accepted 100 minutes after its moment → strict 1 ÷ 1.
    const thirdDay = compute(source, "acceptance", { from: day(2), to: day(3) });
    expect(figure(thirdDay, "strict")).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
    // Recycle rate on day 0: a#0 decided (its recycle) and recycled → 1 ÷ 1.
    const recycled = compute(source, "recycle-rate", { from: day(0), to: day(1) });
    expect(figure(recycled, "rate")).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
  });

  it("takes periods half-open: an MQL exactly at `from` is in, exactly at `to` is out", () => {
    const edges = history({
      leads: [
        leadThrough("at-from", [["mql", DAY_MINUTES]]),
        leadThrough("inside", [["mql", DAY_MINUTES + 1]]),
        leadThrough("at-to", [["mql", 2 * DAY_MINUTES]]),
      ],
    });
    const result = compute(edges, "mqls", { from: day(1), to: day(2) });
    expect(figure(result, "events")).toEqual({
      value: 2,
      unit: "count",
      records: ["at-from", "inside"],
    });
    const next = compute(edges, "mqls", { from: day(2), to: day(3) });
    expect(figure(next, "events").records).toEqual(["at-to"]);
  });

  it("groups sources that differ in case and spaces, labelled with the most frequent spelling", () => {
    const sources: [string, string | null][] = [
      ["l1", "Paid Search"],
      ["l2", " paid  search"],
      ["l3", "paid search"],
      ["l4", null],
      ["l5", "   "],
      ["l6", "Webinar"],
    ];
    const source = history({
      leads: sources.map(([id, value]) => leadThrough(id, [["mql", 10]], { source: value })),
    });
    const result = compute(source, "mqls", { ...firstWeek, by: "source" });
    expect(result.by).toBe("source");
    // " paid  search" trims and collapses to "paid search", so that spelling is seen twice
    // against once for "Paid Search" (seen first): the label is "paid search".
    expect(result.groups.map((entry) => [entry.key, entry.label])).toEqual([
      ["(none)", "(none)"],
      ["paid search", "paid search"],
      ["webinar", "Webinar"],
    ]);
    expect(group(result, "paid search").figures.leads?.records).toEqual(["l1", "l2", "l3"]);
    // no source and a blank source both have no value
    expect(group(result, "(none)").figures.leads?.records).toEqual(["l4", "l5"]);
    expect(figure(result, "leads").value).toBe(6);
  });

  it("breaks down by week in the workspace zone: Sunday 23:30 local is in the earlier week", () => {
    // New York is UTC−5 in November 2026 (DST ended on 1 November).
    // w0: Mon 2 Nov 10:00 local = 15:00 UTC = minute 900            → 2026-W45
    // w1: Sun 8 Nov 23:30 local = Mon 9 Nov 04:30 UTC = minute 10350 → 2026-W45 (W46 in UTC)
    // w2: Mon 9 Nov 00:30 local = 05:30 UTC = minute 10410           → 2026-W46
    const leads = [
      leadThrough("w0", [["mql", 900]]),
      leadThrough("w1", [["mql", 7 * DAY_MINUTES + 270]]),
      leadThrough("w2", [["mql", 7 * DAY_MINUTES + 330]]),
    ];
    const query: MetricQuery = { from: day(0), to: day(14), by: "week" };
    const local = compute(history({ timezone: "America/New_York", leads }), "mqls", query);
    // period keys go through the same case folding as other keys; the label keeps "W"
    expect(local.groups.map((entry) => [entry.label, entry.figures.events?.records])).toEqual([
      ["2026-W45", ["w0", "w1"]],
      ["2026-W46", ["w2"]],
    ]);
    const utc = compute(history({ timezone: "UTC", leads }), "mqls", query);
    expect(utc.groups.map((entry) => [entry.label, entry.figures.events?.value])).toEqual([
      ["2026-W45", 1],
      ["2026-W46", 2],
    ]);
  });
});

describe("acceptance", () => {
  // acceptanceDays 5; period [day 0, day 7); as of day 8.
  // a1 MQL day 0, accepted exactly at its deadline (day 5)     → strict yes, decided accepted
  // a2 MQL day 0, accepted at day 5 + 1 minute (late)           → strict no,  decided accepted
  // a3 MQL day 0, rejected at minute 60                         → strict no,  decided rejected
  // a4 MQL day 6, undecided, deadline day 11 after as-of        → strict no,  pending
  // a5 MQL day 0, undecided, deadline day 5 passed              → strict no
  // a6 MQL day 4 and again day 5, undecided: the first cycle is closed by the second (not
  //    pending though its deadline day 9 is after as-of); the second's deadline day 10 → pending
  const source = history({
    asOf: day(8),
    acceptanceDays: 5,
    leads: [
      leadThrough("a1", [["mql", 0]], {
        decisions: [{ kind: "accept", at: day(5), reason: null }],
      }),
      leadThrough("a2", [["mql", 0]], {
        decisions: [{ kind: "accept", at: day(5) + 60_000, reason: null }],
      }),
      leadThrough("a3", [["mql", 0]], {
        decisions: [{ kind: "reject", at: at(60), reason: "no-budget" }],
      }),
      leadThrough("a4", [["mql", 6 * DAY_MINUTES]]),
      leadThrough("a5", [["mql", 0]]),
      leadThrough("a6", [
        ["mql", 4 * DAY_MINUTES],
        ["new", 4 * DAY_MINUTES + 10],
        ["mql", 5 * DAY_MINUTES],
      ]),
    ],
  });
  const result = compute(source, "acceptance", firstWeek);

  it("decided: accepted ÷ (accepted + rejected) by decision time", () => {
    // decisions in the week: a1, a2 accepted; a3 rejected → 2 ÷ 3
    expect(figure(result, "decided")).toEqual({
      value: 2 / 3,
      unit: "rate",
      numerator: 2,
      denominator: 3,
      records: ["a1", "a2", "a3"],
    });
    expect(figure(result, "accepted")).toEqual({ value: 2, unit: "count", records: ["a1", "a2"] });
  });

  it("strict: accepted by the deadline ÷ the cohort; undecided and late count as not accepted", () => {
    // cohort: a1, a2, a3, a4, a5, a6#0, a6#1 = 7 cycles; accepted by deadline: a1 → 1 ÷ 7
    expect(figure(result, "strict")).toMatchObject({
      value: 1 / 7,
      numerator: 1,
      denominator: 7,
      records: ["a1", "a2", "a3", "a4", "a5", "a6"],
    });
    expect(figure(result, "pending")).toEqual({ value: 2, unit: "count", records: ["a4", "a6"] });
  });

  it("places decided cycles at their decision and cohort cycles at their MQL moment", () => {
    // Period [day 5, day 7): decisions a1 (day 5) and a2 (day 5 + 1 min) → decided 2 ÷ 2;
    // cohort a4 (day 6), a6#1 (day 5) → strict 0 ÷ 2.
    const late = compute(source, "acceptance", { from: day(5), to: day(7) });
    expect(figure(late, "decided")).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
    expect(figure(late, "strict")).toMatchObject({ value: 0, numerator: 0, denominator: 2 });
    // by day: day 0 holds the decision of a3 and the cohort a1, a2, a3, a5 (strict 1 ÷ 4);
    // day 5 holds the decisions of a1 and a2 and the cohort a6#1.
    const daily = compute(source, "acceptance", { ...firstWeek, by: "day" });
    const day0 = group(daily, "2026-11-02").figures;
    expect(day0.decided).toMatchObject({ numerator: 0, denominator: 1 });
    expect(day0.strict).toMatchObject({ value: 0.25, numerator: 1, denominator: 4 });
    const day5 = group(daily, "2026-11-07").figures;
    expect(day5.decided).toMatchObject({ numerator: 2, denominator: 2 });
    expect(day5.strict).toMatchObject({ numerator: 0, denominator: 1 });
    expect(day5.pending?.records).toEqual(["a6"]);
  });
});

describe("mql-to-sql", () => {
  // s1 reaches SQL exactly 3 days after its MQL, s2 3 days and 1 minute after, s3 never.
  const source = history({
    leads: [
      leadThrough("s1", [
        ["mql", 0],
        ["sql", 3 * DAY_MINUTES],
      ]),
      leadThrough("s2", [
        ["mql", 0],
        ["sql", 3 * DAY_MINUTES + 1],
      ]),
      leadThrough("s3", [["mql", 0]]),
    ],
  });

  it("counts SQLs reached ever by default", () => {
    const result = compute(source, "mql-to-sql", firstWeek);
    expect(figure(result, "rate")).toEqual({
      value: 2 / 3,
      unit: "rate",
      numerator: 2,
      denominator: 3,
      records: ["s1", "s2", "s3"],
    });
    expect(figure(result, "sql").records).toEqual(["s1", "s2"]);
  });

  it("cuts off an SQL later than L days when withinDays is given (L days inclusive)", () => {
    const result = compute(source, "mql-to-sql", { ...firstWeek, withinDays: 3 });
    // s1 at exactly 3 days counts, s2 one minute later does not → 1 ÷ 3
    expect(figure(result, "rate")).toMatchObject({ value: 1 / 3, numerator: 1, denominator: 3 });
    expect(figure(result, "sql").records).toEqual(["s1"]);
  });
});

describe("stage-conversion", () => {
  // Period: the first week. Pair mql → working:
  // p  MQL day −1 (before), working day 1     → a flow entry into working only
  // u  MQL day −2 (before), working day 3     → a flow entry into working only
  // q  MQL day 2, working day 8 (after)       → cohort converted, no flow entry into working
  // r  MQL day 3, never working               → cohort not converted
  const source = history({
    leads: [
      leadThrough("p", [
        ["mql", -1 * DAY_MINUTES],
        ["working", 1 * DAY_MINUTES],
      ]),
      leadThrough("u", [
        ["mql", -2 * DAY_MINUTES],
        ["working", 3 * DAY_MINUTES],
      ]),
      leadThrough("q", [
        ["mql", 2 * DAY_MINUTES],
        ["working", 8 * DAY_MINUTES],
      ]),
      leadThrough("r", [["mql", 3 * DAY_MINUTES]]),
    ],
  });

  it("gives cohort and flow different answers on one history", () => {
    const result = compute(source, "stage-conversion", firstWeek);
    // cohort: entries into mql in the week q, r; q later entered working → 1 ÷ 2
    expect(figure(result, "mql>working:cohort")).toEqual({
      value: 0.5,
      unit: "rate",
      numerator: 1,
      denominator: 2,
      records: ["q", "r"],
    });
    // flow: entries into working in the week p, u (2) ÷ entries into mql q, r (2) → 1
    expect(figure(result, "mql>working:flow")).toEqual({
      value: 1,
      unit: "rate",
      numerator: 2,
      denominator: 2,
      records: ["q", "r", "p", "u"],
    });
    // no entries into new in the week (the leads start at mql): 0 ÷ 0
    expect(figure(result, "new>mql:flow")).toMatchObject({
      value: null,
      numerator: 2,
      denominator: 0,
    });
  });

  it("applies withinDays to the cohort: q entered working 6 days after its MQL", () => {
    const within5 = compute(source, "stage-conversion", { ...firstWeek, withinDays: 5 });
    expect(figure(within5, "mql>working:cohort")).toMatchObject({
      value: 0,
      numerator: 0,
      denominator: 2,
    });
    const within6 = compute(source, "stage-conversion", { ...firstWeek, withinDays: 6 });
    expect(figure(within6, "mql>working:cohort")).toMatchObject({ numerator: 1, denominator: 2 });
  });

  it("counts stage entries, not leads", () => {
    // v enters mql on day 1, falls back to new, enters mql again on day 2, working on day 3:
    // cohort: both mql entries are followed by the working entry → 2 ÷ 2
    // flow:   1 entry into working ÷ 2 entries into mql → 1 ÷ 2
    // new>mql: the new entry on day 1 is followed by mql on day 2 → cohort 1 ÷ 1; flow 2 ÷ 1
    const twice = history({
      leads: [
        leadThrough("v", [
          ["mql", DAY_MINUTES],
          ["new", DAY_MINUTES + 30],
          ["mql", 2 * DAY_MINUTES],
          ["working", 3 * DAY_MINUTES],
        ]),
      ],
    });
    const result = compute(twice, "stage-conversion", firstWeek);
    expect(figure(result, "mql>working:cohort")).toMatchObject({
      numerator: 2,
      denominator: 2,
      records: ["v"],
    });
    expect(figure(result, "mql>working:flow")).toMatchObject({
      value: 0.5,
      numerator: 1,
      denominator: 2,
    });
    expect(figure(result, "new>mql:cohort")).toMatchObject({ numerator: 1, denominator: 1 });
    expect(figure(result, "new>mql:flow")).toMatchObject({
      value: 2,
      numerator: 2,
      denominator: 1,
    });
  });
});

describe("stage-conversion with a stage named twice in the stage order", () => {
  // An agreement whose accept and sales-qualify lead to one stage: the order names sql twice.
  // x: mql day 1, sql day 2, opportunity day 3; y: mql day 2, sql day 4 (no opportunity)
  const named = history({
    stageOrder: ["new", "mql", "sql", "sql", "opportunity", "won"],
    leads: [
      leadThrough("x", [
        ["mql", DAY_MINUTES],
        ["sql", 2 * DAY_MINUTES],
        ["opportunity", 3 * DAY_MINUTES],
      ]),
      leadThrough("y", [
        ["mql", 2 * DAY_MINUTES],
        ["sql", 4 * DAY_MINUTES],
      ]),
    ],
  });

  it("counts the stage's entries in each pair it is part of", () => {
    const result = compute(named, "stage-conversion", firstWeek);
    // mql → sql: both MQL entries are followed by sql → 2 ÷ 2; flow 2 sql entries ÷ 2
    expect(figure(result, "mql>sql:cohort")).toMatchObject({ numerator: 2, denominator: 2 });
    expect(figure(result, "mql>sql:flow")).toMatchObject({ numerator: 2, denominator: 2 });
    // sql → sql: no sql entry is followed by another → 0 ÷ 2; flow 2 ÷ 2
    expect(figure(result, "sql>sql:cohort")).toMatchObject({ numerator: 0, denominator: 2 });
    expect(figure(result, "sql>sql:flow")).toMatchObject({ numerator: 2, denominator: 2 });
    // sql → opportunity: x's sql entry is followed by opportunity → 1 ÷ 2; flow 1 ÷ 2
    expect(figure(result, "sql>opportunity:cohort")).toMatchObject({
      numerator: 1,
      denominator: 2,
      records: ["x", "y"],
    });
    expect(figure(result, "sql>opportunity:flow")).toMatchObject({ numerator: 1, denominator: 2 });
  });
});

describe("lead-to-won", () => {
  // w1 MQL day 0, opportunity o1 (created day 1) won                 → won
  // w2 MQL day 0, opportunity o2 (created day 1) lost                → not won
  // w3 MQL day 0, no opportunity record, entered won on day 10       → won (stage fallback)
  // w5 MQL day 0, re-qualified day 8; opportunity o5 created day 9, won: it belongs to the
  //    second cycle (outside the week), so the first cycle is not won
  const source = history({
    leads: [
      leadThrough("w1", [["mql", 0]], { opportunityIds: ["o1"] }),
      leadThrough("w2", [["mql", 0]], { opportunityIds: ["o2"] }),
      leadThrough("w3", [
        ["mql", 0],
        ["won", 10 * DAY_MINUTES],
      ]),
      leadThrough(
        "w5",
        [
          ["mql", 0],
          ["new", 60],
          ["mql", 8 * DAY_MINUTES],
        ],
        { opportunityIds: ["o5"] },
      ),
    ],
    opportunities: [
      opportunity("o1", { leadId: "w1", createdAt: day(1), closedAt: day(20), outcome: "won" }),
      opportunity("o2", { leadId: "w2", createdAt: day(1), closedAt: day(20), outcome: "lost" }),
      opportunity("o5", { leadId: "w5", createdAt: day(9), closedAt: day(20), outcome: "won" }),
    ],
  });

  it("counts the cohort's cycles whose opportunity was won (or the lead entered won)", () => {
    const result = compute(source, "lead-to-won", firstWeek);
    // won: w1, w3 of w1, w2, w3, w5 → 2 ÷ 4
    expect(figure(result, "rate")).toEqual({
      value: 0.5,
      unit: "rate",
      numerator: 2,
      denominator: 4,
      records: ["w1", "w2", "w3", "w5"],
    });
    expect(figure(result, "won").records).toEqual(["w1", "w3"]);
    // the second week holds w5's second cycle, whose opportunity o5 was won → 1 ÷ 1
    const second = compute(source, "lead-to-won", { from: day(7), to: day(14) });
    expect(figure(second, "rate")).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
  });
});

describe("rejection-mix", () => {
  // In the week: x1 reject no-budget, x2 disqualify no-budget, x3 reject without a reason,
  // x4 disqualify competitor; x5's accept and recycle are not rejections; x6 rejected on day 7
  // (outside). x1 and x2 come from paid search, the others have no source.
  const source = history({
    leads: [
      lead("x1", {
        source: "Paid Search",
        decisions: [{ kind: "reject", at: at(10), reason: "no-budget" }],
      }),
      lead("x2", {
        source: "paid search",
        decisions: [{ kind: "disqualify", at: at(20), reason: "no-budget" }],
      }),
      lead("x3", { decisions: [{ kind: "reject", at: at(30), reason: null }] }),
      lead("x4", { decisions: [{ kind: "disqualify", at: at(40), reason: "competitor" }] }),
      lead("x5", {
        decisions: [
          { kind: "accept", at: at(50), reason: null },
          { kind: "recycle", at: at(60), reason: null },
        ],
      }),
      lead("x6", { decisions: [{ kind: "reject", at: day(7), reason: "competitor" }] }),
    ],
  });

  it("counts rejections by reason, with shares and the ones without a reason", () => {
    const result = compute(source, "rejection-mix", firstWeek);
    expect(figure(result, "rejections")).toEqual({
      value: 4,
      unit: "count",
      records: ["x1", "x2", "x3", "x4"],
    });
    expect(figure(result, "reason:no-budget")).toEqual({
      value: 2,
      unit: "count",
      records: ["x1", "x2"],
    });
    expect(figure(result, "reason:competitor")).toMatchObject({ value: 1, records: ["x4"] });
    // shares: no-budget 2 ÷ 4, competitor 1 ÷ 4
    expect(figure(result, "share:no-budget")).toMatchObject({
      value: 0.5,
      numerator: 2,
      denominator: 4,
    });
    expect(figure(result, "share:competitor")).toMatchObject({ value: 0.25, numerator: 1 });
    expect(figure(result, "no-reason")).toEqual({ value: 1, unit: "count", records: ["x3"] });
  });

  it("breaks down by source with every reason in every group", () => {
    const result = compute(source, "rejection-mix", { ...firstWeek, by: "source" });
    const paid = group(result, "paid search").figures;
    expect(paid["share:no-budget"]).toMatchObject({ value: 1, numerator: 2, denominator: 2 });
    expect(paid["reason:competitor"]).toEqual({ value: 0, unit: "count", records: [] });
    expect(paid["no-reason"]?.value).toBe(0);
    const none = group(result, "(none)").figures;
    // x3 (no reason) and x4 (competitor): competitor 1 ÷ 2, no-reason 1
    expect(none["share:competitor"]).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(none["no-reason"]?.records).toEqual(["x3"]);
  });

  it("puts a rejection with the owner assigned at its instant", () => {
    // y is assigned to Ana at 0 and to Ben at 100; rejected at 50 → Ana; z rejected at 150 → Ben
    const assignments = [
      { at: at(0), owner: "Ana", team: "sdr" },
      { at: at(100), owner: "Ben", team: "sdr" },
    ];
    const owned = history({
      leads: [
        lead("y", {
          owner: "Ben",
          assignments,
          decisions: [{ kind: "reject", at: at(50), reason: "spam" }],
        }),
        lead("z", {
          owner: "Ben",
          assignments,
          decisions: [{ kind: "reject", at: at(150), reason: "spam" }],
        }),
      ],
    });
    const result = compute(owned, "rejection-mix", { ...firstWeek, by: "owner" });
    expect(result.groups.map((entry) => [entry.label, entry.figures.rejections?.records])).toEqual([
      ["Ana", ["y"]],
      ["Ben", ["z"]],
    ]);
  });
});

describe("recycle-rate", () => {
  // Period: the first week.
  // r1 MQL day 0, recycled at 60 (timing): its first decision     → decided and recycled
  // r2 MQL day 0, accepted at 60, recycled day 8 (outside)        → decided only
  // r3 MQL day 0, recycled at 120 without a reason                → decided and recycled, no reason
  // r4 MQL day 0, rejected at 60 (no-budget)                      → decided only
  // r5 MQL day −3, accepted day −2, recycled day 1 (timing)       → recycled only
  const source = history({
    leads: [
      leadThrough("r1", [["mql", 0]], {
        decisions: [{ kind: "recycle", at: at(60), reason: "timing" }],
      }),
      leadThrough("r2", [["mql", 0]], {
        decisions: [
          { kind: "accept", at: at(60), reason: null },
          { kind: "recycle", at: day(8), reason: "timing" },
        ],
      }),
      leadThrough("r3", [["mql", 0]], {
        decisions: [{ kind: "recycle", at: at(120), reason: null }],
      }),
      leadThrough("r4", [["mql", 0]], {
        decisions: [{ kind: "reject", at: at(60), reason: "no-budget" }],
      }),
      leadThrough("r5", [["mql", -3 * DAY_MINUTES]], {
        decisions: [
          { kind: "accept", at: day(-2), reason: null },
          { kind: "recycle", at: day(1), reason: "timing" },
        ],
      }),
    ],
  });

  it("divides recycles in the period by decisions in the period, per reason", () => {
    const result = compute(source, "recycle-rate", firstWeek);
    // recycled r1, r3, r5 (3) ÷ decided r1, r2, r3, r4 (4)
    expect(figure(result, "rate")).toEqual({
      value: 0.75,
      unit: "rate",
      numerator: 3,
      denominator: 4,
      records: ["r1", "r2", "r3", "r4"],
    });
    expect(figure(result, "recycled").records).toEqual(["r1", "r3", "r5"]);
    // timing: r1, r5 → 2 ÷ 4; no reason: r3
    expect(figure(result, "reason:timing")).toMatchObject({
      value: 0.5,
      numerator: 2,
      denominator: 4,
    });
    expect(figure(result, "no-reason")).toEqual({ value: 1, unit: "count", records: ["r3"] });
    // "no-budget" is a rejection reason, not a recycle reason
    expect(result.total["reason:no-budget"]).toBeUndefined();
  });

  it("has no rate for a period with recycles but no decisions", () => {
    // second week: r2's recycle on day 8, no decision → 1 ÷ 0 has no rate
    const result = compute(source, "recycle-rate", { from: day(7), to: day(14) });
    expect(figure(result, "rate")).toMatchObject({ value: null, numerator: 1, denominator: 0 });
  });
});
