import { describe, expect, it } from "vitest";
import { at, history, lead } from "./history-fixtures.js";
import type { MetricQuery, MetricResult } from "./metric.js";
import { computeMetric } from "./metric-registry.js";
import type {
  BusinessClock,
  LeadDecision,
  LeadHistory,
  PipelineHistory,
  SlaCycle,
} from "./pipeline-history.js";
import { DAY, HOUR, MINUTE } from "./statistics.js";

// Times are minutes after T0, Monday 2026-11-02 00:00 UTC (history-fixtures.ts).
const DAY_MINUTES = 24 * 60;

function run(metric: string, source: PipelineHistory, query: MetricQuery): MetricResult {
  const outcome = computeMetric(source, metric, query);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.result;
}

/** A lead created at T0 that became an MQL at each of `mqlAt` (minutes). */
function mqlLead(id: string, mqlAt: number[], overrides: Partial<LeadHistory> = {}): LeadHistory {
  return lead(id, {
    stages: [
      { stage: "new", at: at(0) },
      ...mqlAt.map((minutes) => ({ stage: "mql", at: at(minutes) })),
    ],
    ...overrides,
  });
}

function assigned(minutes: number, owner: string, team: string | null = null) {
  return { at: at(minutes), owner, team };
}

function decision(kind: LeadDecision["kind"], minutes: number): LeadDecision {
  return { kind, at: at(minutes), reason: null };
}

/** Business time on 09:00–17:00 UTC every day, nothing else. */
const officeHours: BusinessClock = {
  minutesBetween(from, to) {
    let total = 0;
    for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
      const open = Math.max(from, day + 9 * HOUR);
      const close = Math.min(to, day + 17 * HOUR);
      if (close > open) total += close - open;
    }
    return total / MINUTE;
  },
};

describe("speed-to-lead", () => {
  const firstDay = { from: at(0), to: at(DAY_MINUTES) };

  // Four touched leads (speeds 2, 5, 15, 60 minutes) and two untouched ones.
  const speeds = history({
    asOf: at(1000),
    leads: [
      // owned before its MQL moment: system delay 0, human delay 2
      mqlLead("a", [60], { assignments: [assigned(0, "ann")], touches: [at(62)] }),
      // system 1, human 4
      mqlLead("b", [100], { assignments: [assigned(101, "bob")], touches: [at(105)] }),
      // system 10, human 5
      mqlLead("c", [200], { assignments: [assigned(210, "ann")], touches: [at(215)] }),
      // system 30, human 30
      mqlLead("d", [300], { assignments: [assigned(330, "bob")], touches: [at(360)] }),
      // untouched, age 1000 − 400 = 600 minutes: past the 240-minute goal
      mqlLead("e", [400], { assignments: [assigned(400, "ann")] }),
      // untouched, age 1000 − 900 = 100 minutes: still inside the goal
      mqlLead("f", [900], { assignments: [assigned(900, "bob")] }),
      // MQL on the next day: outside the period
      mqlLead("g", [DAY_MINUTES], { touches: [at(DAY_MINUTES + 1)] }),
    ],
  });

  it("takes P50 as the mean of the middle two and P90 by linear interpolation", () => {
    const { total } = run("speed-to-lead", speeds, firstDay);
    // speeds 2, 5, 15, 60: P50 = (5 + 15) / 2 = 10;
    // P90 rank = 0.9 × (4 − 1) = 2.7 → 15 + 0.7 × (60 − 15) = 46.5
    expect(total["p50-minutes"]?.value).toBe(10);
    expect(total["p90-minutes"]?.value).toBeCloseTo(46.5, 10);
    expect(total["p50-minutes"]?.records).toEqual(["a", "b", "c", "d"]);
    // business time is calendar time on the fixture's clock
    expect(total["p50-business-minutes"]?.value).toBe(10);
    expect(total["p90-business-minutes"]?.value).toBeCloseTo(46.5, 10);
  });

  it("splits speed into system and human delay, system 0 for a lead owned before its MQL", () => {
    const { total } = run("speed-to-lead", speeds, firstDay);
    // system delays 0, 1, 10, 30: P50 = (1 + 10) / 2 = 5.5; P90 = 10 + 0.7 × (30 − 10) = 24
    expect(total["system-delay-p50-minutes"]?.value).toBe(5.5);
    expect(total["system-delay-p90-minutes"]?.value).toBeCloseTo(24, 10);
    // human delays 2, 4, 5, 30: P50 = (4 + 5) / 2 = 4.5; P90 = 5 + 0.7 × (30 − 5) = 22.5
    expect(total["human-delay-p50-minutes"]?.value).toBe(4.5);
    expect(total["human-delay-p90-minutes"]?.value).toBeCloseTo(22.5, 10);

    const owned = run("speed-to-lead", history({ leads: [speeds.leads[0]!] }), firstDay).total;
    expect(owned["system-delay-p50-minutes"]?.value).toBe(0);
    expect(owned["human-delay-p50-minutes"]?.value).toBe(2);
  });

  it("puts boundary speeds in the higher band: [0,5) [5,15) [15,60) [60,∞)", () => {
    const { total } = run("speed-to-lead", speeds, firstDay);
    // 2 → 0–5, 5 → 5–15, 15 → 15–60, 60 → 60+: one of four touched leads each
    for (const [band, id] of [
      ["band:0-5", "a"],
      ["band:5-15", "b"],
      ["band:15-60", "c"],
      ["band:60+", "d"],
    ] as const) {
      expect(total[band]).toEqual({
        value: 0.25,
        unit: "rate",
        numerator: 1,
        denominator: 4,
        // a rate lists its denominator; the band's own leads are under `<band>:leads`
        records: ["a", "b", "c", "d"],
      });
      expect(total[`${band}:leads`]?.records).toEqual([id]);
    }
  });

  it("counts untouched leads apart with their age, and only those past the goal as misses", () => {
    const { total } = run("speed-to-lead", speeds, firstDay);
    expect(total.touched).toMatchObject({ value: 4, records: ["a", "b", "c", "d"] });
    expect(total.untouched).toMatchObject({ value: 2, records: ["e", "f"] });
    // ages 600 and 100 minutes: median (600 + 100) / 2 = 350
    expect(total["untouched-age-p50-minutes"]?.value).toBe(350);
    // goal 240: a–d met; e (600 ≥ 240) missed; f (100 < 240) not decided yet → 4 / 5
    expect(total["within-goal"]).toMatchObject({
      value: 0.8,
      numerator: 4,
      denominator: 5,
      records: ["a", "b", "c", "d", "e"],
    });
    expect(total["met-goal"]).toMatchObject({ value: 4, records: ["a", "b", "c", "d"] });
    expect(total["missed-goal"]).toMatchObject({ value: 1, records: ["e"] });
  });

  it("measures business minutes on the clock, apart from calendar minutes", () => {
    const officeDays = history({
      asOf: at(DAY_MINUTES * 2 + 8 * 60), // Wednesday 08:00
      businessClock: officeHours,
      speedStep: { step: "sdr-first-effort", goalMinutes: 60 },
      leads: [
        // Monday 16:30 → Tuesday 09:30: calendar 17 h = 1020 min; business 30 + 30 = 60 min
        mqlLead("late", [16 * 60 + 30], { touches: [at(DAY_MINUTES + 9 * 60 + 30)] }),
        // Tuesday 10:00 → 10:20: 20 minutes either way
        mqlLead("quick", [DAY_MINUTES + 10 * 60], { touches: [at(DAY_MINUTES + 10 * 60 + 20)] }),
        // Tuesday 16:30, untouched at Wednesday 08:00: calendar age 930 min, business age 30
        mqlLead("evening", [DAY_MINUTES + 16 * 60 + 30]),
      ],
    });
    const { total } = run("speed-to-lead", officeDays, { from: at(0), to: at(DAY_MINUTES * 2) });
    // calendar 20, 1020 → P50 520; business 20, 60 → P50 40
    expect(total["p50-minutes"]?.value).toBe(520);
    expect(total["p50-business-minutes"]?.value).toBe(40);
    expect(total["untouched-age-p50-minutes"]?.value).toBe(930);
    // goal 60 business minutes: "quick" met; "late" touched exactly at the goal is a miss (as on
    // the SLA clock); "evening" has used 30 of its 60 business minutes, so it is not counted
    expect(total["within-goal"]).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(total["missed-goal"]?.records).toEqual(["late"]);
    expect(total["band:60+:leads"]?.records).toEqual(["late"]);
    expect(total["band:15-60:leads"]?.records).toEqual(["quick"]);
  });

  it("gives null, not 0, when there is nothing to measure", () => {
    const { total } = run("speed-to-lead", speeds, { from: at(-100), to: at(0) });
    expect(total["within-goal"]).toEqual({
      value: null,
      unit: "rate",
      numerator: 0,
      denominator: 0,
      records: [],
    });
    expect(total["band:0-5"]?.value).toBeNull();
    expect(total["p50-minutes"]?.value).toBeNull();
    expect(total["untouched-age-p50-minutes"]?.value).toBeNull();
    expect(total.touched?.value).toBe(0);

    const noSpeedStep = run("speed-to-lead", { ...speeds, speedStep: null }, firstDay).total;
    expect(noSpeedStep["within-goal"]?.value).toBeNull();
    expect(noSpeedStep["p50-minutes"]?.value).toBe(10);
  });

  it("ends system delay at a touch made before the assignment; never-assigned leads are not split", () => {
    const { total } = run(
      "speed-to-lead",
      history({
        leads: [
          // touched at 10, assigned at 20: system 10, human 0
          mqlLead("picked", [0], { assignments: [assigned(20, "ann")], touches: [at(10)] }),
          // touched at 30, never assigned: speed 30, no split
          mqlLead("orphan", [0], { touches: [at(30)] }),
        ],
      }),
      firstDay,
    );
    expect(total["system-delay-p50-minutes"]).toMatchObject({ value: 10, records: ["picked"] });
    expect(total["human-delay-p50-minutes"]?.value).toBe(0);
    // speeds 10, 30 → P50 20
    expect(total["p50-minutes"]?.value).toBe(20);
  });

  it("measures each qualification of a re-qualified lead on its own", () => {
    const { total } = run(
      "speed-to-lead",
      history({
        asOf: at(1000),
        // MQL at 0, recycled untouched, MQL again at 100, touched at 110
        leads: [
          mqlLead("twice", [0, 100], {
            decisions: [decision("recycle", 50)],
            touches: [at(110)],
          }),
        ],
      }),
      firstDay,
    );
    expect(total.touched?.records).toEqual(["twice"]);
    expect(total["p50-minutes"]?.value).toBe(10);
    // the first qualification ended untouched at the second MQL moment: age 100, not 1000
    expect(total.untouched?.records).toEqual(["twice"]);
    expect(total["untouched-age-p50-minutes"]?.value).toBe(100);
  });

  it("breaks down by the cycle's owner", () => {
    const result = run("speed-to-lead", speeds, { ...firstDay, by: "owner" });
    expect(result.by).toBe("owner");
    // ann: a (2), c (15) → P50 8.5; bob: b (5), d (60) → P50 32.5
    expect(
      result.groups.map((group) => [group.label, group.figures["p50-minutes"]?.value]),
    ).toEqual([
      ["ann", 8.5],
      ["bob", 32.5],
    ]);
    expect(result.groups[0]?.figures.untouched?.records).toEqual(["e"]);
  });
});

function slaCycle(
  leadId: string,
  overrides: Partial<SlaCycle> & Pick<SlaCycle, "state">,
): SlaCycle {
  return {
    leadId,
    step: "first-touch",
    cycle: 1,
    owner: null,
    team: null,
    source: null,
    segment: null,
    startedAt: at(0),
    dueAt: null,
    firstWarningAt: null,
    endedAt: null,
    goalMinutes: 240,
    elapsedBusinessMinutes: 0,
    ...overrides,
  };
}

describe("sla-attainment", () => {
  const firstDay = { from: at(0), to: at(DAY_MINUTES) };
  const cycles = history({
    asOf: at(3000),
    cycles: [
      slaCycle("met", { state: "met", endedAt: at(100), dueAt: at(240), team: "SDR" }),
      // breached on the first day, touched only on the second: stays on the first day
      slaCycle("late", { state: "breached", dueAt: at(50), endedAt: at(2000), team: "sdr " }),
      slaCycle("open-breach", { state: "breached", dueAt: at(200), team: "AE" }),
      slaCycle("cancelled", { state: "cancelled", endedAt: at(300), dueAt: at(400) }),
      slaCycle("running", { state: "running", dueAt: at(3100) }),
      // ended exactly at the period's end: outside [from, to)
      slaCycle("at-end", { state: "met", endedAt: at(DAY_MINUTES), dueAt: at(2000) }),
      slaCycle("follow", { state: "met", step: "follow-up", cycle: 7, endedAt: at(400) }),
      // breached before the period
      slaCycle("earlier", { state: "breached", dueAt: at(-10), endedAt: at(500) }),
    ],
  });

  it("is met ÷ (met + breached), cancelled excluded, with a figure per step", () => {
    const result = run("sla-attainment", cycles, firstDay);
    expect(result.records).toBe("cycles");
    // met: met, follow; breached: late, open-breach → 2 / 4
    expect(result.total.attainment).toEqual({
      value: 0.5,
      unit: "rate",
      numerator: 2,
      denominator: 4,
      // the cycles the rate is over: met ones, then breached ones
      records: [
        "met/first-touch#1",
        "follow/follow-up#7",
        "late/first-touch#1",
        "open-breach/first-touch#1",
      ],
    });
    expect(result.total.breached?.records).toEqual([
      "late/first-touch#1",
      "open-breach/first-touch#1",
    ]);
    expect(result.total.cancelled).toMatchObject({
      value: 1,
      records: ["cancelled/first-touch#1"],
    });
    // first-touch: 1 met of 1 + 2 → 1/3; follow-up: 1/1
    expect(result.total["step:first-touch"]?.value).toBeCloseTo(1 / 3, 12);
    expect(result.total["step:follow-up"]).toMatchObject({
      value: 1,
      numerator: 1,
      denominator: 1,
    });
  });

  it("filters to one step when asked", () => {
    const { total } = run("sla-attainment", cycles, { ...firstDay, step: "follow-up" });
    expect(total.attainment).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
    expect(total["step:first-touch"]).toBeUndefined();
  });

  it("has no rate when only cancelled cycles settled", () => {
    const { total } = run("sla-attainment", cycles, { from: at(250), to: at(350) });
    expect(total.cancelled?.value).toBe(1);
    expect(total.attainment).toMatchObject({ value: null, numerator: 0, denominator: 0 });
  });

  it("groups by the cycle's team, folded, with a (none) group", () => {
    const { groups } = run("sla-attainment", cycles, { ...firstDay, by: "team" });
    expect(
      groups.map((group) => [group.key, group.label, group.figures.attainment?.value]),
    ).toEqual([
      ["(none)", "(none)", 1], // cancelled (excluded) and follow (met) → 1/1
      ["ae", "AE", 0], // open-breach → 0/1
      ["sdr", "SDR", 0.5], // met, late → 1/2
    ]);
  });
});

describe("open-at-risk", () => {
  const cycles = history({
    asOf: at(1000),
    cycles: [
      // warned at 300, due at 600, still open now
      slaCycle("slow", { state: "breached", firstWarningAt: at(300), dueAt: at(600) }),
      // met at 450, before its warning at 500
      slaCycle("met-later", {
        state: "met",
        startedAt: at(100),
        firstWarningAt: at(500),
        dueAt: at(700),
        endedAt: at(450),
      }),
      // started at 500, warned at 900, due at 1200
      slaCycle("young", {
        state: "running",
        startedAt: at(500),
        firstWarningAt: at(900),
        dueAt: at(1200),
      }),
      // due exactly at 400, touched at 800
      slaCycle("due-at-400", {
        state: "breached",
        firstWarningAt: at(200),
        dueAt: at(400),
        endedAt: at(800),
      }),
      slaCycle("dropped", { state: "cancelled", firstWarningAt: at(100), endedAt: at(350) }),
    ],
  });

  it("looks at a past period's end as it was then", () => {
    const { total } = run("open-at-risk", cycles, { from: at(0), to: at(400) });
    // open at 400: slow, met-later (ends at 450), due-at-400 (ends at 800); young had not started,
    // dropped had ended
    expect(total.open?.records).toEqual([
      "slow/first-touch#1",
      "met-later/first-touch#1",
      "due-at-400/first-touch#1",
    ]);
    // slow: warned (300) not due (600) → at risk; due-at-400: due exactly at 400 → breached
    expect(total["at-risk"]?.records).toEqual(["slow/first-touch#1"]);
    expect(total.breached?.records).toEqual(["due-at-400/first-touch#1"]);
  });

  it("looks at now when the period ends later", () => {
    const { total } = run("open-at-risk", cycles, { from: at(0), to: at(5000) });
    expect(total.open?.value).toBe(2);
    expect(total["at-risk"]?.records).toEqual(["young/first-touch#1"]);
    expect(total.breached?.records).toEqual(["slow/first-touch#1"]);
  });
});

describe("stuck-leads", () => {
  const now = at(10 * DAY_MINUTES);
  const hoursAgo = (hours: number) => now - hours * HOUR;
  function inStage(
    id: string,
    stage: string,
    enteredHoursAgo: number,
    overrides: Partial<LeadHistory> = {},
  ) {
    return lead(id, {
      stages: [
        { stage: "new", at: at(0) },
        { stage, at: hoursAgo(enteredHoursAgo) },
      ],
      ...overrides,
    });
  }
  const leads = history({
    asOf: now,
    leads: [
      inStage("exactly-48", "new", 48, { owner: "ann" }),
      inStage("idle-49", "new", 49, { owner: "ann" }),
      inStage("active", "working", 72, { owner: "bob", lastActivityAt: hoursAgo(10) }),
      // last activity at the stage entry itself is not "since"
      inStage("idle-60", "working", 60, { owner: "bob", lastActivityAt: hoursAgo(60) }),
      inStage("touched", "working", 100, { owner: "bob", touches: [hoursAgo(5)] }),
      inStage("mql", "mql", 100, { owner: "ann" }),
    ],
  });

  it("counts leads idle in New or Working for more than 48 hours", () => {
    // a period far from now: stuck leads are a snapshot
    const result = run("stuck-leads", leads, { from: at(-5000), to: at(-4000) });
    expect(result.total.stuck).toEqual({
      value: 2,
      unit: "count",
      records: ["idle-49", "idle-60"],
    });
    // ages 49 and 60 hours → median 54.5
    expect(result.total["age-p50-hours"]?.value).toBe(54.5);
    expect(result.total["stage:new"]?.records).toEqual(["idle-49"]);
    expect(result.total["stage:working"]?.records).toEqual(["idle-60"]);
  });

  it("takes the stages and hours asked, and breaks down by owner", () => {
    const period = { from: at(0), to: now };
    expect(run("stuck-leads", leads, { ...period, stages: ["mql"] }).total.stuck?.records).toEqual([
      "mql",
    ]);
    expect(run("stuck-leads", leads, { ...period, stuckHours: 50 }).total.stuck?.records).toEqual([
      "idle-60",
    ]);
    const { groups } = run("stuck-leads", leads, { ...period, by: "owner" });
    expect(groups.map((group) => [group.label, group.figures.stuck?.records])).toEqual([
      ["ann", ["idle-49"]],
      ["bob", ["idle-60"]],
    ]);
  });

  it("has no median age when nothing is stuck", () => {
    const { total } = run("stuck-leads", history({ asOf: now }), { from: at(0), to: now });
    expect(total.stuck?.value).toBe(0);
    expect(total["age-p50-hours"]?.value).toBeNull();
  });
});

describe("outcome-logging", () => {
  const dayAt = (days: number) => days * DAY_MINUTES;
  const cohort = history({
    asOf: at(dayAt(10)),
    outcomeDays: 5,
    leads: [
      mqlLead("accepted", [0], { decisions: [decision("accept", dayAt(1))] }),
      // a recycle is an outcome too
      mqlLead("recycled", [0], { decisions: [decision("recycle", dayAt(4))] }),
      // deadline day 6; a rejection exactly then is late ("within 5 days" is [moment, moment + 5 d))
      mqlLead("late", [dayAt(1)], { decisions: [decision("reject", dayAt(6))] }),
      mqlLead("silent", [dayAt(2)]),
      // deadline day 10 = now: passed
      mqlLead("due-now", [dayAt(5)]),
      // deadline day 11: still ahead, although already decided
      mqlLead("young", [dayAt(6)], { decisions: [decision("accept", dayAt(6.5))] }),
    ],
  });

  it("is the share of MQLs past their deadline with an outcome logged before it", () => {
    const { total } = run("outcome-logging", cohort, { from: at(0), to: at(dayAt(10)) });
    // logged: accepted, recycled; past the deadline: those two, late, silent, due-now → 2 / 5
    expect(total.rate).toEqual({
      value: 0.4,
      unit: "rate",
      numerator: 2,
      denominator: 5,
      records: ["accepted", "recycled", "late", "silent", "due-now"],
    });
    expect(total.logged?.records).toEqual(["accepted", "recycled"]);
    expect(total["not-logged"]?.records).toEqual(["late", "silent", "due-now"]);
    expect(total.pending?.records).toEqual(["young"]);
  });

  it("has no rate while every deadline is ahead", () => {
    const { total } = run("outcome-logging", cohort, { from: at(dayAt(6)), to: at(dayAt(7)) });
    expect(total.rate).toMatchObject({ value: null, numerator: 0, denominator: 0 });
    expect(total.pending?.value).toBe(1);
  });
});
