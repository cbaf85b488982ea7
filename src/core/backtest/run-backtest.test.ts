import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileAgreement } from "../agreement/compile-agreement.js";
import { loadAgreement } from "../agreement/load-agreement.js";
import type { Activity } from "../lead/lead.js";
import type { ClockEvent } from "../sla/index.js";
import type { BacktestClock, BacktestInput, BacktestLead } from "./backtest-report.js";
import { runBacktest, startBacktest } from "./run-backtest.js";

/**
 * Scenarios with answers worked out by hand from the example agreement (examples/agreement.yaml):
 * fit = employees ≥ 200 (20) + US (10) + persona (15) + software (10), capped at 50; a demo form
 * is 40 (intent, cap 40); a pricing page view 10 (behaviour, cap 40, max 30 per rule);
 * MQL at 60 with fit ≥ 20. North-American leads go to na-sdr: alex (weight 2), blair, dana.
 */
const exampleYaml = readFileSync(
  new URL("../../../examples/agreement.yaml", import.meta.url),
  "utf8",
);

function compiled(yaml: string) {
  const loaded = loadAgreement(yaml);
  if (!loaded.ok) throw new Error(loaded.issues.map((issue) => issue.message).join("\n"));
  return compileAgreement(loaded.agreement);
}

function edited(from: string, to: string): string {
  expect(exampleYaml).toContain(from);
  return exampleYaml.replace(from, to);
}

const active = compiled(exampleYaml);
const minute = 60_000;
/** Monday 2 March 2026 15:00 UTC = 10:00 in New York (EST): inside the SDRs' hours. */
const monday = Date.parse("2026-03-02T15:00:00Z");
const day = 86_400_000;
const window = { from: Date.parse("2026-03-01T00:00:00Z"), to: Date.parse("2026-03-07T00:00:00Z") };

const strongFit = { employees: 850, industry: "software" };
const usPersona = { country: "US", region: "na", persona_match: true };

function lead(
  id: string,
  createdAt: number,
  options: {
    fields?: BacktestLead["fields"];
    company?: BacktestLead["company"];
    activities?: Activity[];
    mqlAt?: number;
    sql?: boolean;
    opportunity?: BacktestLead["opportunity"];
  } = {},
): BacktestLead {
  const stages: { stage: string; at: number; open: boolean }[] = [
    { stage: "new", at: createdAt, open: true },
  ];
  if (options.mqlAt !== undefined) stages.push({ stage: "mql", at: options.mqlAt, open: true });
  if (options.sql === true)
    stages.push({ stage: "sql", at: (options.mqlAt ?? createdAt) + day, open: true });
  return {
    id,
    createdAt,
    fields: options.fields ?? usPersona,
    company: options.company ?? strongFit,
    activities: options.activities ?? [],
    accountId: null,
    accountOwner: null,
    stages,
    assignments: [],
    opportunity: options.opportunity ?? null,
  };
}

const demo = (at: number): Activity => ({ type: "form_submit", at, fields: { form: "demo" } });

function input(proposedYaml: string, parts: Partial<BacktestInput>): BacktestInput {
  return {
    window,
    active: { number: 1, compiled: active },
    proposed: { number: 2, compiled: compiled(proposedYaml) },
    leads: [],
    clocks: [],
    carriedLoads: [],
    accountOpportunities: [],
    resolveCalendar: (ref) => active.calendars.get(ref.slice(0, ref.lastIndexOf("@"))),
    ...parts,
  };
}

describe("qualification", () => {
  // a: fit 50 + demo 40 = 90; b: fit 50 + demo 40 + three pricing views 30 = 120;
  // c: fit 50 alone; d: fit 20 + 10 (200 employees, US) + demo 40 = 70
  const leads = [
    lead("a", monday, { activities: [demo(monday + 5 * minute)], mqlAt: monday + 5 * minute }),
    lead("b", monday, {
      activities: [
        demo(monday + 10 * minute),
        ...[1, 2, 3].map(
          (n): Activity => ({
            type: "page_view",
            at: monday + 10 * minute,
            fields: { url: `https://acme.example/pricing?v=${n}` },
          }),
        ),
      ],
      mqlAt: monday + 10 * minute,
      sql: true,
      opportunity: { id: "opp-b", openedAt: monday + 2 * day, outcome: "won", amount: 12_000 },
    }),
    lead("c", monday + day, {
      sql: true,
      opportunity: { id: "opp-c", openedAt: monday + 3 * day, outcome: "won", amount: 5_000 },
    }),
    lead("d", monday + day, {
      fields: { country: "US", region: "na" },
      company: { employees: 200 },
      activities: [demo(monday + day + 30 * minute)],
      mqlAt: monday + day + 30 * minute,
    }),
  ];

  it("raising the MQL threshold to 95 drops exactly a (90) and d (70), with their scores", () => {
    const report = runBacktest(
      input(
        edited(
          "mql: { score: 60, min_groups: { fit: 20 } }",
          "mql: { score: 95, min_groups: { fit: 20 } }",
        ),
        {
          leads,
        },
      ),
    );
    const { qualification } = report;
    expect(qualification.actualMqls).toBe(3);
    expect(qualification.before.mqls).toBe(3);
    expect(qualification.after.mqls).toBe(1);
    expect(qualification.newlyQualifying.count).toBe(0);
    expect(qualification.droppingOut.items.map((flip) => flip.leadId)).toEqual(["a", "d"]);
    const [a, d] = qualification.droppingOut.items;
    expect(a).toMatchObject({
      mqlAtBefore: monday + 5 * minute,
      mqlAtAfter: null,
      scoreBefore: 90,
      scoreAfter: 90,
      opportunity: false,
    });
    expect(d).toMatchObject({ mqlAtBefore: monday + day + 30 * minute, scoreBefore: 70 });
    expect(a?.reasons.join(" ")).toContain("95");
    // b stays: it reached SQL and a won 12,000 opportunity, under both versions
    expect(qualification.after.conversions).toEqual({
      leads: 1,
      reachedSql: 1,
      opportunity: 1,
      won: 1,
      wonAmount: 12_000,
    });
    expect(qualification.droppingOut.conversions.won).toBe(0);
  });

  it("scores once when only thresholds change, with the answer of scoring under each version", () => {
    const raised = edited(
      "mql: { score: 60, min_groups: { fit: 20 } }",
      "mql: { score: 95, min_groups: { fit: 20 } }",
    );
    // a relabelled group changes no score but makes the rules differ: each version scores alone
    const relabelled = raised.replace(
      "fit: { cap: 50, label: Firmographic fit }",
      "fit: { cap: 50, label: Fit }",
    );
    expect(relabelled).not.toBe(raised);
    const once = runBacktest(input(raised, { leads })).qualification;
    const twice = runBacktest(input(relabelled, { leads })).qualification;
    expect(once).toEqual(twice);
    expect(once.droppingOut.items.map((flip) => flip.leadId)).toEqual(["a", "d"]);
  });

  it("lowering it to 50 newly qualifies exactly c, at creation, with its actual conversion", () => {
    const report = runBacktest(
      input(
        edited(
          "mql: { score: 60, min_groups: { fit: 20 } }",
          "mql: { score: 50, min_groups: { fit: 20 } }",
        ),
        {
          leads,
        },
      ),
    );
    const { newlyQualifying } = report.qualification;
    expect(newlyQualifying.items.map((flip) => flip.leadId)).toEqual(["c"]);
    expect(newlyQualifying.items[0]).toMatchObject({
      mqlAtBefore: null,
      mqlAtAfter: monday + day,
      scoreAfter: 50,
      reachedSql: true,
      won: true,
      amount: 5_000,
    });
    expect(newlyQualifying.conversions).toEqual({
      leads: 1,
      reachedSql: 1,
      opportunity: 1,
      won: 1,
      wonAmount: 5_000,
    });
    // c has no clock history for an MQL it never had: reported, not invented
    expect(report.sla.cyclesWithoutLog).toEqual({ count: 1, items: ["c"] });
  });

  it("keeps counts exact while cutting example lists", () => {
    const report = runBacktest({
      ...input(
        edited(
          "mql: { score: 60, min_groups: { fit: 20 } }",
          "mql: { score: 95, min_groups: { fit: 20 } }",
        ),
        {
          leads,
        },
      ),
      examples: 1,
    });
    expect(report.qualification.droppingOut.count).toBe(2);
    expect(report.qualification.droppingOut.items.map((flip) => flip.leadId)).toEqual(["a"]);
  });
});

/** the goal snapshot of a stored mql-qualification start under the example (version 1) */
const qualificationGoal = {
  goalId: "within-60-minutes",
  agreementVersion: 1,
  targetMs: 60 * minute,
  calendarRef: "always@1",
};

describe("SLA", () => {
  /** mql-qualification cycles stopped after the given minutes */
  const clock = (leadId: string, stopAfter: number, seq: number): BacktestClock => ({
    id: `${leadId}/mql-qualification`,
    leadId,
    step: "mql-qualification",
    events: [
      { type: "start", at: monday, seq, goal: qualificationGoal },
      { type: "stop", at: monday + stopAfter * minute, seq: seq + 1 },
    ] satisfies ClockEvent[],
  });
  const leads = ["fast", "middle", "slow"].map((id) => lead(id, monday));
  const clocks = [clock("fast", 20, 10), clock("middle", 45, 20), clock("slow", 90, 30)];

  it("shortening the qualification goal to 30 minutes breaches exactly the 45-minute cycle", () => {
    const report = runBacktest(
      input(
        edited(
          "{ id: within-60-minutes, target_minutes: 60, calendar: always }",
          "{ id: within-30-minutes, target_minutes: 30, calendar: always }",
        ),
        { leads, clocks },
      ),
    );
    const step = report.sla.steps.find((known) => known.step === "mql-qualification")!;
    expect(step.status).toBe("changed");
    expect(step.cycles).toBe(3);
    expect(step.before).toEqual({ met: 2, breached: 1, rate: 2 / 3 });
    expect(step.after).toEqual({ met: 1, breached: 2, rate: 1 / 3 });
    expect(step.breachedToMet.count).toBe(0);
    expect(step.metToBreached.items).toEqual([
      {
        clockId: "middle/mql-qualification",
        leadId: "middle",
        cycle: 20,
        startedAt: monday,
        before: {
          state: "met",
          goal: "within-60-minutes",
          targetMinutes: 60,
          dueAt: monday + 60 * minute,
        },
        after: {
          state: "breached-closed",
          goal: "within-30-minutes",
          targetMinutes: 30,
          dueAt: monday + 30 * minute,
        },
      },
    ]);
  });

  it("reports a step the proposal removes, with its cycles measured only before", () => {
    const withoutStep = exampleYaml.replace(
      / {4}- id: mql-qualification\n[\s\S]*?(?= {4}- id: sdr-first-effort)/,
      "",
    );
    expect(withoutStep).not.toContain("id: mql-qualification");
    const report = runBacktest(input(withoutStep, { leads, clocks }));
    const step = report.sla.steps.find((known) => known.step === "mql-qualification")!;
    expect(step).toMatchObject({ status: "removed", cycles: 3, after: null });
    expect(step.before).toEqual({ met: 2, breached: 1, rate: 2 / 3 });
  });
});

describe("SLA goals that read the score", () => {
  // sdr-first-effort picks demo-request (60 min) at score ≥ 90, else four business hours. hot:
  // fit 50 + demo 40 = 90; warm: fit 50 + one pricing view 10 = 60; both qualify on Monday at
  // 10:00 in New York. late: hot's score, its cycle started ten minutes after its MQL moment
  // (the score is worked out at the start, not taken from the qualification phase).
  const pricing = (at: number): Activity => ({
    type: "page_view",
    at,
    fields: { url: "https://acme.example/pricing" },
  });
  const leads = [
    lead("hot", monday, { activities: [demo(monday)], mqlAt: monday }),
    lead("warm", monday, { activities: [pricing(monday)], mqlAt: monday }),
    lead("late", monday, { activities: [demo(monday)], mqlAt: monday }),
  ];
  const started = { hot: monday, warm: monday, late: monday + 10 * minute };
  const clocks = leads.map(
    (known, n): BacktestClock => ({
      id: `${known.id}/sdr-first-effort`,
      leadId: known.id,
      step: "sdr-first-effort",
      events: [
        {
          type: "start",
          at: started[known.id as keyof typeof started],
          seq: 10 * n,
          goal: {
            goalId: known.id === "warm" ? "four-business-hours" : "demo-request",
            agreementVersion: 1,
            targetMs: (known.id === "warm" ? 240 : 60) * minute,
            calendarRef: "always@1",
          },
        },
        {
          type: "stop",
          at: started[known.id as keyof typeof started] + 45 * minute,
          seq: 10 * n + 1,
        },
      ] satisfies ClockEvent[],
    }),
  );

  it("halving demo-request breaches the 45-minute cycles of the leads scoring 90, not warm's", () => {
    const report = runBacktest(
      input(
        edited(
          "when: lead.score >= 90\n          target_minutes: 60",
          "when: lead.score >= 90\n          target_minutes: 30",
        ),
        { leads, clocks },
      ),
    );
    const step = report.sla.steps.find((known) => known.step === "sdr-first-effort")!;
    expect(step.before).toEqual({ met: 3, breached: 0, rate: 1 });
    expect(step.after).toEqual({ met: 1, breached: 2, rate: 1 / 3 });
    expect(step.metToBreached.items.map((flip) => [flip.leadId, flip.after.goal])).toEqual([
      ["hot", "demo-request"],
      ["late", "demo-request"],
    ]);
  });
});

describe("routing", () => {
  // four MQLs, Monday to Thursday at 10:00 in New York, none closing in the window
  const leads = [0, 1, 2, 3].map((n) =>
    lead(`r${n + 1}`, monday + n * day, {
      activities: [demo(monday + n * day)],
      mqlAt: monday + n * day,
    }),
  );

  it("under the version in force, round robin by weight gives alex, blair, dana, alex", () => {
    // smooth weighted round robin, weights 2/1/1 (total 4), ties to the member listed first:
    // (2,1,1) → alex → (−2,1,1); (0,2,2) → blair → (0,−2,2); (2,−1,3) → dana → (2,−1,−1);
    // (4,0,0) → alex
    const report = runBacktest(input(exampleYaml, { leads }));
    const rows = Object.fromEntries(report.routing.reps.map((row) => [row.rep, row.before]));
    expect(rows).toEqual({
      alex: { assigned: 2, capExclusions: 0 },
      blair: { assigned: 1, capExclusions: 0 },
      dana: { assigned: 1, capExclusions: 0 },
    });
    expect(report.routing.reassigned.count).toBe(0);
    expect(report.routing.pools).toEqual([
      {
        pool: "na-sdr",
        before: { assigned: 4, overflowed: 0 },
        after: { assigned: 4, overflowed: 0 },
      },
    ]);
  });

  it("a cap of 1 on alex moves exactly the fourth lead, and counts alex excluded three times", () => {
    const report = runBacktest(
      input(edited("- { rep: alex, weight: 2 }", "- { rep: alex, weight: 2, cap: 1 }"), { leads }),
    );
    const rows = Object.fromEntries(report.routing.reps.map((row) => [row.rep, row.after]));
    // alex takes turn 1 and is at cap (1/1) for turns 2–4. A skipped member is reset to 0 and
    // the others shifted so the weights still sum to 0: (−2,1,1) → (0,0,0) → +w (0,1,1) →
    // blair → (0,−1,1); turn 3: (0,0,2) → dana → (0,0,0); turn 4: (0,1,1) → blair
    expect(rows).toEqual({
      alex: { assigned: 1, capExclusions: 3 },
      blair: { assigned: 2, capExclusions: 0 },
      dana: { assigned: 1, capExclusions: 0 },
    });
    expect(report.routing.reassigned).toEqual({
      count: 1,
      items: [{ leadId: "r4", before: "alex", after: "blair" }],
    });
  });

  it("a lead's actual close frees the rep's capacity", () => {
    const closing = leads.map((known) =>
      known.id === "r1"
        ? {
            ...known,
            stages: [
              ...known.stages,
              { stage: "disqualified", at: monday + 2 * day + minute, open: false },
            ],
          }
        : known,
    );
    const report = runBacktest(
      input(edited("- { rep: alex, weight: 2 }", "- { rep: alex, weight: 2, cap: 1 }"), {
        leads: closing,
      }),
    );
    // r1 (alex) closes after turn 3 and before turn 4: alex is at cap at turns 2 and 3 only
    const alex = report.routing.reps.find((row) => row.rep === "alex")!;
    expect(alex.after.capExclusions).toBe(2);
  });

  it("open leads carried into the window count against caps", () => {
    const report = runBacktest(
      input(edited("- { rep: alex, weight: 2 }", "- { rep: alex, weight: 2, cap: 1 }"), {
        leads,
        carriedLoads: [{ rep: "alex", closesAt: null }],
      }),
    );
    const alex = report.routing.reps.find((row) => row.rep === "alex")!;
    expect(alex.after).toEqual({ assigned: 0, capExclusions: 4 });
  });
});

describe("batches", () => {
  // leads that flip, cycles that breach and turns that move, fed whole or lead by lead
  const leads = [0, 1, 2, 3, 4, 5].map((n) =>
    lead(`lead-${n}`, monday + n * minute, {
      // lead-0, 2, 4: fit 50 + demo 40 = 90 (drops at 95); lead-1, 3, 5: + pricing 10 = 100
      activities: [
        demo(monday + n * minute),
        ...(n % 2 === 1
          ? [
              {
                type: "page_view",
                at: monday + n * minute,
                fields: { url: "https://acme.example/pricing" },
              } satisfies Activity,
            ]
          : []),
      ],
      mqlAt: monday + n * minute,
    }),
  );
  // every lead's qualification cycle (from creation) stops after 45 minutes: met in 60,
  // breached in 30
  const clocks = leads.map(
    (known, n): BacktestClock => ({
      id: `${known.id}/mql-qualification`,
      leadId: known.id,
      step: "mql-qualification",
      events: [
        { type: "start", at: known.createdAt, seq: 10 * n, goal: qualificationGoal },
        { type: "stop", at: known.createdAt + 45 * minute, seq: 10 * n + 1 },
      ] satisfies ClockEvent[],
    }),
  );
  const proposal = edited(
    "mql: { score: 60, min_groups: { fit: 20 } }",
    "mql: { score: 95, min_groups: { fit: 20 } }",
  )
    .replace(
      "{ id: within-60-minutes, target_minutes: 60, calendar: always }",
      "{ id: within-30-minutes, target_minutes: 30, calendar: always }",
    )
    .replace("- { rep: alex, weight: 2 }", "- { rep: alex, weight: 2, cap: 1 }");

  it("fed lead by lead, the replay reports exactly what it reports on the whole window", () => {
    const whole = runBacktest(input(proposal, { leads, clocks, examples: 2 }));
    // the scenario has work in every part, so the comparison below compares something
    expect(whole.qualification.droppingOut.count).toBe(3);
    expect(whole.qualification.droppingOut.items.map((flip) => flip.leadId)).toEqual([
      "lead-0",
      "lead-2",
    ]);
    const step = whole.sla.steps.find((known) => known.step === "mql-qualification")!;
    expect(step.metToBreached.count).toBe(6);
    expect(step.metToBreached.items.map((flip) => flip.leadId)).toEqual(["lead-0", "lead-1"]);
    expect(whole.routing.reassigned.count).toBeGreaterThan(0);

    const progress: [string, number, number][] = [];
    const { leads: _leads, clocks: _clocks, ...context } = input(proposal, {});
    const replay = startBacktest({
      ...context,
      examples: 2,
      leadCount: leads.length,
      progress: (phase, done, total) => progress.push([phase, done, total]),
    });
    for (const known of leads)
      replay.add({ leads: [known], clocks: clocks.filter((item) => item.leadId === known.id) });
    expect(replay.finish(context)).toEqual(whole);
    expect(progress[0]).toEqual(["replay", 0, 6]);
    expect(progress).toContainEqual(["replay", 6, 6]);
  });
});
