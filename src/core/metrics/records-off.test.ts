import { describe, expect, it } from "vitest";
import { at, history, lead, opportunity } from "./history-fixtures.js";
import type { Figure, MetricResult } from "./metric.js";
import { computeMetric, metricNames } from "./metric-registry.js";
import type { SlaCycle } from "./pipeline-history.js";

/**
 * `records: false` or a number (MetricQuery): the same figures with no ids or only the first
 * ones, the number of records in `recordCount`.
 */

const slaCycle = (leadId: string, state: SlaCycle["state"], endedAt: number | null): SlaCycle => ({
  leadId,
  step: "sdr-first-effort",
  cycle: 1,
  owner: "Ann",
  team: null,
  source: "Web",
  segment: null,
  startedAt: at(60),
  dueAt: at(300),
  firstWarningAt: at(240),
  endedAt,
  state,
  goalMinutes: 240,
  elapsedBusinessMinutes: 0,
});

// A: MQL twice (recycled in between); B: rejected without a reason; C: converted and won;
// D: new and idle (stuck).
const sample = history({
  leads: [
    lead("A", {
      source: "Web",
      owner: "Ann",
      assignments: [{ at: at(0), owner: "Ann", team: null }],
      stages: [
        { stage: "new", at: at(0) },
        { stage: "mql", at: at(60) },
        { stage: "recycled", at: at(600) },
        { stage: "mql", at: at(3000) },
      ],
      touches: [at(90)],
      decisions: [{ kind: "recycle", at: at(600), reason: null }],
    }),
    lead("B", {
      source: "web ",
      stages: [
        { stage: "new", at: at(0) },
        { stage: "mql", at: at(100) },
        { stage: "disqualified", at: at(200) },
      ],
      decisions: [{ kind: "reject", at: at(200), reason: null }],
    }),
    lead("C", {
      source: "Email",
      owner: "Bo",
      stages: [
        { stage: "new", at: at(0) },
        { stage: "mql", at: at(10) },
        { stage: "sql", at: at(500) },
        { stage: "opportunity", at: at(900) },
      ],
      touches: [at(20)],
      decisions: [{ kind: "convert", at: at(900), reason: null }],
      opportunityIds: ["O1"],
    }),
    lead("D", { source: null, owner: "Bo" }),
  ],
  opportunities: [
    opportunity("O1", {
      leadId: "C",
      createdAt: at(900),
      closedAt: at(5000),
      outcome: "won",
      amount: 1000,
      source: "Email",
    }),
    opportunity("O2", { createdAt: at(100), closedAt: at(4000), outcome: "lost", amount: 500 }),
    opportunity("O3", { createdAt: at(200), amount: 300, source: "Web" }),
  ],
  cycles: [slaCycle("A", "met", at(90)), slaCycle("B", "breached", null)],
});

const period = { from: at(0), to: at(60 * 24 * 20) };

function compute(
  name: string,
  records: boolean | number | undefined,
  by?: "source" | "month",
): MetricResult {
  const outcome = computeMetric(sample, name, { ...period, by, target: 5000, records });
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.result;
}

/** The figure as a limit of `limit` ids must give it: the first ids, their number apart. */
function limited(figure: Figure, limit: number): Figure {
  return { ...figure, records: figure.records.slice(0, limit), recordCount: figure.records.length };
}

describe("records: false or a limit", () => {
  it("gives every metric's figures with the first ids only and their number, total and groups", () => {
    for (const [records, limit] of [
      [false, 0],
      [1, 1],
      [2, 2],
    ] as const)
      for (const name of metricNames())
        for (const by of [undefined, "source", "month"] as const) {
          const listed = compute(name, undefined, by);
          const cut = compute(name, records, by);
          const figures = (all: Record<string, Figure>) =>
            Object.fromEntries(
              Object.entries(all).map(([key, figure]) => [key, limited(figure, limit)]),
            );
          const expected = {
            ...listed,
            total: figures(listed.total),
            groups: listed.groups.map((group) => ({ ...group, figures: figures(group.figures) })),
          };
          expect(cut, `${name} by ${by}, records ${records}`).toEqual(expected);
        }
  });

  it("counts distinct leads where the ids would list each lead once", () => {
    const mqls = compute("mqls", false).total;
    // MQL moments in the period: A at 60 and 3000, B at 100, C at 10 → 4 events of 3 leads
    expect(mqls.events).toMatchObject({ value: 4, records: [], recordCount: 3 });
    expect(mqls.leads).toMatchObject({ value: 3, records: [], recordCount: 3 });
    // stuck at asOf (30 days): D is new and idle since T0; A, B and C left New
    // at most one id listed: the first MQL lead, A; the three counted
    expect(compute("mqls", 1).total.leads).toMatchObject({ records: ["A"], recordCount: 3 });
    expect(compute("stuck-leads", false).total.stuck).toMatchObject({
      value: 1,
      records: [],
      recordCount: 1,
    });
  });
});
