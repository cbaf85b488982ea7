import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { ScoringInput } from "../qualification/index.js";
import type { Assignee } from "../routing/index.js";
import {
  addConversion,
  emptyConversions,
  firstMqlMoment,
  firstMqlMoments,
  type MqlMoment,
  mqlStageOf,
  outcomeOf,
  scoringInputOf,
  scoringInstants,
  sqlStageOf,
} from "./backtest-qualification.js";
import {
  type BacktestClock,
  type BacktestInput,
  type BacktestLead,
  type BacktestReport,
  backtestReportVersion,
  type LeadList,
  type PoolLoad,
  type QualificationComparison,
  type QualificationFlip,
  type RepLoad,
  type RoutingComparison,
  type SlaComparison,
  type StepComparison,
} from "./backtest-report.js";
import { type RoutingTurn, simulateRouting } from "./backtest-routing.js";
import {
  backtestResolver,
  cycleFlip,
  cyclesIn,
  decided,
  leadAtOf,
  rewriteLog,
  slaAttainment,
} from "./backtest-sla.js";

const defaultExamples = 20;

/** A lead's first MQL moment as the later phases read it: when, and the total that met it. */
interface Qualified {
  at: number;
  total: number;
}
/** progress is reported every this many leads or clocks */
const progressEvery = 5_000;

/** Replays the window under both versions and compares them; see backtest-report.ts. */
export function runBacktest(input: BacktestInput): BacktestReport {
  const replay = startBacktest({ ...input, leadCount: input.leads.length });
  replay.add(input);
  return replay.finish(input);
}

/**
 * A backtest fed in batches, so a caller can replay the window while it still reads the rest:
 * `add` each batch of leads (in creation order, each batch after the earlier ones) with the
 * clocks of those leads, then `finish` with what routing needs. The report equals
 * `runBacktest`'s on the same leads and clocks.
 */
export interface BacktestReplay {
  add(batch: BacktestBatch): void;
  finish(context: Pick<BacktestInput, "carriedLoads" | "accountOpportunities">): BacktestReport;
}

export type BacktestBatch = Pick<BacktestInput, "leads" | "clocks">;

export type BacktestSetup = Omit<
  BacktestInput,
  "leads" | "clocks" | "carriedLoads" | "accountOpportunities"
> & {
  /** the window's lead count, for progress (null: unknown, progress counts without a total) */
  leadCount: number | null;
};

export function startBacktest(input: BacktestSetup): BacktestReplay {
  const examples = input.examples ?? defaultExamples;
  const { window, active, proposed } = input;
  const list = <Item>(): LeadList<Item> => ({ count: 0, items: [] });
  const add = <Item>(target: LeadList<Item>, item: Item) => {
    target.count++;
    if (target.items.length < examples) target.items.push(item);
  };

  // Qualification: the first MQL moment of each lead under each version.
  // kept lean (the whole score of 100,000 leads is memory the later phases never read)
  const before = new Map<string, Qualified>();
  const after = new Map<string, Qualified>();
  const initialBefore = active.compiled.lifecycle.initial;
  const initialAfter = proposed.compiled.lifecycle.initial;
  const mqlStage = { before: mqlStageOf(active.compiled), after: mqlStageOf(proposed.compiled) };
  const sqlStage = sqlStageOf(active.compiled);
  const qualification: QualificationComparison = {
    mqlStage,
    actualMqls: 0,
    before: { mqls: 0, conversions: emptyConversions() },
    after: { mqls: 0, conversions: emptyConversions() },
    newlyQualifying: { ...list<QualificationFlip>(), conversions: emptyConversions() },
    droppingOut: { ...list<QualificationFlip>(), conversions: emptyConversions() },
    momentChanged: 0,
  };
  // the same rules, thresholds, fields and initial stage qualify the same leads at the same
  // instants: score once
  const sameQualification =
    initialBefore === initialAfter &&
    canonical([active.compiled.agreement.qualification, active.compiled.agreement.fields]) ===
      canonical([proposed.compiled.agreement.qualification, proposed.compiled.agreement.fields]);
  // the same rules, groups, fields and initial stage give the same scores (thresholds aside)
  const scoresAlike =
    initialBefore === initialAfter &&
    canonical([scoringRulesOf(active.compiled), active.compiled.agreement.fields]) ===
      canonical([scoringRulesOf(proposed.compiled), proposed.compiled.agreement.fields]);
  // with other thresholds: score once and judge each score by both versions' thresholds
  const sameScoring = !sameQualification && scoresAlike;
  const leads: BacktestLead[] = [];
  const leadsById = new Map<string, BacktestLead>();
  const sla = slaComparer(input, leadsById, before, after, scoresAlike, list, add);
  const progress = (done: number) => input.progress?.("replay", done, input.leadCount ?? done);

  const qualify = (lead: BacktestLead) => {
    if (leads.length % progressEvery === 0) progress(leads.length);
    leads.push(lead);
    leadsById.set(lead.id, lead);
    const instants = scoringInstants(lead, window.to);
    const inputBefore = scoringInputOf(lead, initialBefore);
    const inputAfter =
      initialAfter === initialBefore ? inputBefore : scoringInputOf(lead, initialAfter);
    let mqlBefore: MqlMoment | null;
    let mqlAfter: MqlMoment | null;
    if (sameScoring) {
      const moments = firstMqlMoments(active.compiled, proposed.compiled, inputBefore, instants);
      mqlBefore = moments.before;
      mqlAfter = moments.after;
    } else {
      mqlBefore = firstMqlMoment(active.compiled, inputBefore, instants);
      mqlAfter = sameQualification
        ? mqlBefore
        : firstMqlMoment(proposed.compiled, inputAfter, instants);
    }
    if (lead.stages.some((entry) => entry.stage === mqlStage.before && entry.at < window.to))
      qualification.actualMqls++;
    const outcome = outcomeOf(lead, sqlStage);
    if (mqlBefore !== null) {
      before.set(lead.id, { at: mqlBefore.at, total: mqlBefore.score.total });
      qualification.before.mqls++;
      addConversion(qualification.before.conversions, outcome);
    }
    if (mqlAfter !== null) {
      after.set(lead.id, { at: mqlAfter.at, total: mqlAfter.score.total });
      qualification.after.mqls++;
      addConversion(qualification.after.conversions, outcome);
    }
    if (mqlBefore !== null && mqlAfter !== null && mqlBefore.at !== mqlAfter.at)
      qualification.momentChanged++;
    if ((mqlBefore === null) === (mqlAfter === null)) return;
    // the flip is explained at the qualifying version's MQL moment, under both versions
    const at = (mqlAfter ?? mqlBefore)!.at;
    const scoreBefore =
      mqlBefore?.score ?? active.compiled.qualification.scoreLead(inputBefore, at);
    // with the same scoring rules, the active score at that instant judged by the proposal's
    // thresholds is the proposal's score
    const scoreAfter =
      mqlAfter?.score ??
      (sameScoring && mqlBefore !== null
        ? proposed.compiled.qualification.rejudge(mqlBefore.score)
        : proposed.compiled.qualification.scoreLead(inputAfter, at));
    const flip: QualificationFlip = {
      leadId: lead.id,
      mqlAtBefore: mqlBefore?.at ?? null,
      mqlAtAfter: mqlAfter?.at ?? null,
      at,
      scoreBefore: scoreBefore.total,
      scoreAfter: scoreAfter.total,
      reasons: [...(mqlAfter === null ? scoreAfter.mql.reasons : scoreBefore.mql.reasons)],
      ...outcome,
    };
    const target = mqlAfter !== null ? qualification.newlyQualifying : qualification.droppingOut;
    add(target, flip);
    addConversion(target.conversions, outcome);
  };

  return {
    add(batch) {
      for (const lead of batch.leads) qualify(lead);
      for (const clock of batch.clocks) sla.add(clock);
    },
    finish(context) {
      progress(leads.length);
      const total = leads.length;
      const routing = compareRouting(
        { ...input, ...context, leads },
        leadsById,
        before,
        after,
        list,
        add,
      );
      return {
        version: backtestReportVersion,
        window: {
          from: new Date(window.from).toISOString(),
          to: new Date(window.to).toISOString(),
        },
        active: { number: active.number, name: active.compiled.agreement.name },
        proposed: { number: proposed.number, name: proposed.compiled.agreement.name },
        leads: total,
        examples,
        qualification,
        sla: sla.finish(),
        routing,
        notes: [
          "Both versions are replayed over the same stored facts; fields are the leads' current values.",
          "MQL moment: the first instant (creation or an activity) the score meets the MQL threshold; one per lead.",
          "SLA cycles keep their actual starts, pauses and stops; only goals and calendars change.",
          "Newly qualifying leads have no clock history for their new MQL; their cycles are not invented.",
          "Routing starts each version from a fresh rotation; loads fall when a lead actually closed.",
        ],
      };
    },
  };
}

/** The SLA comparison, fed one clock at a time (its lead replayed before it). */
function slaComparer(
  input: BacktestSetup,
  leadsById: ReadonlyMap<string, BacktestLead>,
  before: ReadonlyMap<string, Qualified>,
  after: ReadonlyMap<string, Qualified>,
  /** both versions score alike (startBacktest): only thresholds may differ */
  scoresAlike: boolean,
  list: <Item>() => LeadList<Item>,
  add: <Item>(target: LeadList<Item>, item: Item) => void,
): { add(clock: BacktestClock): void; finish(): SlaComparison } {
  const { window, active, proposed } = input;
  const proposedSteps = new Map(proposed.compiled.clockSteps.map((step) => [step.step.id, step]));
  const activeSteps = new Set(active.compiled.clockSteps.map((step) => step.step.id));
  const resolve = backtestResolver(input.resolveCalendar, proposed.compiled.calendars);
  const mqlStage = mqlStageOf(active.compiled);
  const steps = new Map<
    string,
    StepComparison & { decidedAfter: { met: number; breached: number } }
  >();
  const stepOf = (id: string) => {
    let step = steps.get(id);
    if (step === undefined) {
      const removed = !proposedSteps.has(id);
      step = {
        step: id,
        status: removed ? "removed" : "unchanged",
        cycles: 0,
        before: { met: 0, breached: 0, rate: null },
        after: removed ? null : { met: 0, breached: 0, rate: null },
        metToBreached: list(),
        breachedToMet: list(),
        notStarted: list(),
        noGoal: list(),
        decidedAfter: { met: 0, breached: 0 },
      };
      steps.set(id, step);
    }
    return step;
  };
  // Scores under the proposal, per lead, for goals that read lead.score. A cycle that starts at
  // qualification starts at a lead's MQL moment, whose total the qualification phase kept: the
  // proposal's own moment, or the active one's when both versions score alike (same rules and
  // fields, same initial stage: only thresholds may differ). Other instants are scored, the
  // scoring input built on the first (most goals never read the score).
  const proposedScore = (lead: BacktestLead) => {
    const proposedMoment = after.get(lead.id);
    const activeMoment = scoresAlike ? before.get(lead.id) : undefined;
    let scoringInput: ScoringInput | undefined;
    return (at: number) => {
      if (proposedMoment?.at === at) return proposedMoment.total;
      if (activeMoment?.at === at) return activeMoment.total;
      scoringInput ??= scoringInputOf(lead, proposed.compiled.lifecycle.initial);
      return proposed.compiled.qualification.scoreLead(scoringInput, at).total;
    };
  };
  // A step measured the same way, with the same scores, gives the same cycles: replay once.
  const sameScores =
    canonical([active.compiled.agreement.qualification, active.compiled.agreement.fields]) ===
    canonical([proposed.compiled.agreement.qualification, proposed.compiled.agreement.fields]);
  const unchangedSteps = new Set(
    active.compiled.clockSteps
      .filter(
        (step) =>
          measuredBy(active.compiled, step.step) ===
          measuredBy(proposed.compiled, proposedSteps.get(step.step.id)?.step),
      )
      .map((step) => step.step.id),
  );
  const proposedNumber = proposed.number ?? 0;
  const compare = (clock: BacktestClock) => {
    const step = stepOf(clock.step);
    const cyclesBefore = cyclesIn(clock.events, input.resolveCalendar, window, clock.id);
    if (cyclesBefore === undefined || cyclesBefore.size === 0) return;
    const beforeCycles = [...cyclesBefore.values()];
    step.cycles += beforeCycles.length;
    const attainment = slaAttainment(beforeCycles);
    step.before.met += attainment.met;
    step.before.breached += attainment.breached;
    const proposedStep = proposedSteps.get(clock.step);
    const lead = leadsById.get(clock.leadId);
    if (proposedStep === undefined || lead === undefined) return;
    // a lead the proposal does not qualify never starts a step that starts at qualification
    const startsAtQualification = proposedStep.step.start_on.some(
      (trigger) => trigger === `enter:${mqlStage}` || trigger === "assigned",
    );
    if (startsAtQualification && before.has(lead.id) && !after.has(lead.id)) {
      for (const cycle of beforeCycles) add(step.notStarted, `${clock.id}#${cycle.id}`);
      return;
    }
    if (sameScores && unchangedSteps.has(clock.step)) {
      step.decidedAfter.met += attainment.met;
      step.decidedAfter.breached += attainment.breached;
      return;
    }
    const rewritten = rewriteLog(
      clock,
      proposedStep,
      leadAtOf(lead, proposedScore(lead)),
      proposedNumber,
    );
    if (!rewritten.ok) {
      for (const cycle of rewritten.cycles) add(step.noGoal, `${clock.id}#${cycle}`);
      return;
    }
    const cyclesAfter = cyclesIn(rewritten.events, resolve, window, clock.id);
    if (cyclesAfter === undefined) return;
    for (const cycleBefore of beforeCycles) {
      const cycleAfter = cyclesAfter.get(cycleBefore.id);
      if (cycleAfter === undefined) continue;
      const outcomeAfter = decided(cycleAfter);
      if (outcomeAfter !== undefined) step.decidedAfter[outcomeAfter]++;
      const outcomeBefore = decided(cycleBefore);
      if (outcomeBefore === "met" && outcomeAfter === "breached")
        add(step.metToBreached, cycleFlip(clock, cycleBefore, cycleAfter));
      if (outcomeBefore === "breached" && outcomeAfter === "met")
        add(step.breachedToMet, cycleFlip(clock, cycleBefore, cycleAfter));
    }
  };
  const finish = (): SlaComparison => {
    const rate = (met: number, breached: number) =>
      met + breached === 0 ? null : met / (met + breached);
    const result: StepComparison[] = [];
    for (const { decidedAfter, ...step } of steps.values()) {
      step.before.rate = rate(step.before.met, step.before.breached);
      if (step.after !== null) {
        step.after = { ...decidedAfter, rate: rate(decidedAfter.met, decidedAfter.breached) };
        step.status = unchangedSteps.has(step.step) ? "unchanged" : "changed";
      }
      result.push(step);
    }
    result.sort((a, b) => a.step.localeCompare(b.step));
    const cyclesWithoutLog = list<string>();
    for (const leadId of after.keys()) if (!before.has(leadId)) add(cyclesWithoutLog, leadId);
    return {
      steps: result,
      addedSteps: [...proposedSteps.keys()].filter((id) => !activeSteps.has(id)).sort(),
      cyclesWithoutLog,
    };
  };
  return { add: compare, finish };
}

function compareRouting(
  input: BacktestSetup & Pick<BacktestInput, "leads" | "carriedLoads" | "accountOpportunities">,
  leadsById: ReadonlyMap<string, BacktestLead>,
  before: ReadonlyMap<string, Qualified>,
  after: ReadonlyMap<string, Qualified>,
  list: <Item>() => LeadList<Item>,
  add: <Item>(target: LeadList<Item>, item: Item) => void,
): RoutingComparison {
  const byAccount = new Map<string, { openedAt: number; closedAt: number | null }[]>();
  for (const opportunity of input.accountOpportunities) {
    const known = byAccount.get(opportunity.accountId);
    if (known === undefined) byAccount.set(opportunity.accountId, [opportunity]);
    else known.push(opportunity);
  }
  const hasOpenOpportunity = (accountId: string, at: number) =>
    (byAccount.get(accountId) ?? []).some(
      (opportunity) =>
        opportunity.openedAt <= at && (opportunity.closedAt === null || opportunity.closedAt > at),
    );
  const turnsOf = (moments: ReadonlyMap<string, Qualified>, stage: string): RoutingTurn[] =>
    [...moments.entries()]
      .map(([leadId, moment]) => ({
        lead: leadsById.get(leadId)!,
        at: moment.at,
        score: moment.total,
        stage,
      }))
      .sort((a, b) => a.at - b.at || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0));
  input.progress?.("routing", 0, before.size + after.size);
  const simulatedBefore = simulateRouting(
    input.active.compiled,
    turnsOf(before, mqlStageOf(input.active.compiled)),
    input.carriedLoads,
    hasOpenOpportunity,
  );
  input.progress?.("routing", before.size, before.size + after.size);
  const simulatedAfter = simulateRouting(
    input.proposed.compiled,
    turnsOf(after, mqlStageOf(input.proposed.compiled)),
    input.carriedLoads,
    hasOpenOpportunity,
  );
  input.progress?.("routing", before.size + after.size, before.size + after.size);

  const actual = new Map<string, number>();
  for (const lead of input.leads)
    for (const assignment of lead.assignments)
      if (
        assignment.cause === "routing" &&
        assignment.owner.kind === "rep" &&
        assignment.at >= input.window.from &&
        assignment.at < input.window.to
      )
        actual.set(assignment.owner.id, (actual.get(assignment.owner.id) ?? 0) + 1);

  const reps = new Set([
    ...Object.keys(input.active.compiled.agreement.people),
    ...Object.keys(input.proposed.compiled.agreement.people),
  ]);
  const repLoads: RepLoad[] = [];
  for (const rep of [...reps].sort()) {
    const row: RepLoad = {
      rep,
      actual: actual.get(rep) ?? 0,
      before: {
        assigned: simulatedBefore.assigned.get(rep) ?? 0,
        capExclusions: simulatedBefore.capExclusions.get(rep) ?? 0,
      },
      after: {
        assigned: simulatedAfter.assigned.get(rep) ?? 0,
        capExclusions: simulatedAfter.capExclusions.get(rep) ?? 0,
      },
    };
    // people who never route (approvers, managers) stay out of the table
    if (
      row.actual +
        row.before.assigned +
        row.after.assigned +
        row.before.capExclusions +
        row.after.capExclusions >
      0
    )
      repLoads.push(row);
  }
  const poolIds = new Set([...simulatedBefore.pools.keys(), ...simulatedAfter.pools.keys()]);
  const pools: PoolLoad[] = [...poolIds].sort().map((pool) => ({
    pool,
    before: simulatedBefore.pools.get(pool) ?? { assigned: 0, overflowed: 0 },
    after: simulatedAfter.pools.get(pool) ?? { assigned: 0, overflowed: 0 },
  }));
  const queueIds = new Set([...simulatedBefore.queues.keys(), ...simulatedAfter.queues.keys()]);
  const queues = [...queueIds].sort().map((queue) => ({
    queue,
    before: simulatedBefore.queues.get(queue) ?? 0,
    after: simulatedAfter.queues.get(queue) ?? 0,
  }));
  const name = (assignee: Assignee) =>
    assignee.kind === "rep" ? assignee.id : `queue ${assignee.id}`;
  const reassigned = list<{ leadId: string; before: string; after: string }>();
  const ordered = [...simulatedBefore.assignees.keys()].sort(
    (a, b) => before.get(a)!.at - before.get(b)!.at || (a < b ? -1 : 1),
  );
  for (const leadId of ordered) {
    const was = simulatedBefore.assignees.get(leadId)!;
    const now = simulatedAfter.assignees.get(leadId);
    if (now === undefined || name(was) === name(now)) continue;
    add(reassigned, { leadId, before: name(was), after: name(now) });
  }
  return { reps: repLoads, pools, queues, reassigned };
}

/**
 * What a step's cycles are measured by, in a canonical form: the step, and the calendars,
 * regions, teams and people its goals may resolve to. Stored versions come back from jsonb with
 * their keys reordered, so keys are sorted.
 */
function measuredBy(compiled: CompiledAgreement, step: unknown): string {
  const { agreement } = compiled;
  return canonical([
    step,
    agreement.calendars,
    agreement.regions,
    agreement.teams,
    agreement.people,
  ]);
}

/** A qualification section without its thresholds: what decides a lead's score. */
function scoringRulesOf(compiled: CompiledAgreement): unknown {
  const { thresholds: _thresholds, ...rules } = compiled.agreement.qualification;
  return rules;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
