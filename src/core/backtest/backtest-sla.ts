import type { CompiledClockStep } from "../agreement/compile-agreement.js";
import type { FieldRecord } from "../lead/lead.js";
import {
  type ClockEvent,
  type Cycle,
  type ResolveCalendar,
  replayClock,
  slaAttainment,
} from "../sla/index.js";
import type { BacktestClock, BacktestLead, CycleFlip } from "./backtest-report.js";

/**
 * Calendar refs the proposed goals are measured on: `<calendar>@proposed`. They never reach a
 * store; the backtest's resolver answers them from the proposal's calendars and passes every
 * other ref to the caller's resolver (the stored versions).
 */
export const proposedRefSuffix = "@proposed";

export function backtestResolver(
  stored: ResolveCalendar,
  proposedCalendars: ReadonlyMap<string, unknown>,
): ResolveCalendar {
  return (ref) =>
    ref.endsWith(proposedRefSuffix)
      ? (proposedCalendars.get(
          ref.slice(0, -proposedRefSuffix.length),
        ) as ReturnType<ResolveCalendar>)
      : stored(ref);
}

/** The lead as a goal saw it at `at`: current fields, the stage and owner it had then. */
export interface LeadAt {
  fields: FieldRecord;
  company: FieldRecord;
  stageAt(at: number): string;
  ownerAt(at: number): string | undefined;
  scoreAt(at: number): number;
  createdAt: number;
}

export function leadAtOf(lead: BacktestLead, scoreAt: (at: number) => number): LeadAt {
  return {
    fields: lead.fields,
    company: lead.company,
    createdAt: lead.createdAt,
    scoreAt,
    stageAt(at) {
      let stage = lead.stages[0]?.stage ?? "";
      for (const entry of lead.stages) {
        if (entry.at > at) break;
        stage = entry.stage;
      }
      return stage;
    },
    ownerAt(at) {
      let owner: string | undefined;
      for (const assignment of lead.assignments) {
        if (assignment.at > at) break;
        owner = assignment.owner.kind === "rep" ? assignment.owner.id : undefined;
      }
      return owner;
    },
  };
}

export type RewriteResult = { ok: true; events: ClockEvent[] } | { ok: false; cycles: number[] };

/**
 * The clock's log as it would read under the proposed step: every start carries the proposed
 * goal for the lead as it stood then; calendar changes (an owner change) move to the proposed
 * goal's calendar for the new owner; warn and breach records and recalculations, which belong
 * to the old goals, are dropped. Cycles no proposed goal applies to are returned instead.
 */
export function rewriteLog(
  clock: BacktestClock,
  step: CompiledClockStep,
  lead: LeadAt,
  proposedVersion: number,
): RewriteResult {
  const ordered = [...clock.events].sort((a, b) => a.at - b.at || a.seq - b.seq);
  const events: ClockEvent[] = [];
  const failed: number[] = [];
  let cycleStart: number | undefined;
  const input = (at: number, startAt: number) => {
    const owner = lead.ownerAt(at);
    return {
      lead: {
        ...lead.fields,
        stage: lead.stageAt(at),
        score: lead.scoreAt(startAt),
        created_at: lead.createdAt,
      },
      company: lead.company,
      ...(owner === undefined ? {} : { owner }),
      startAt,
    };
  };
  for (const event of ordered) {
    switch (event.type) {
      case "start": {
        const goal = step.selectGoal(input(event.at, event.at));
        if (!goal.ok) {
          failed.push(event.seq);
          continue;
        }
        cycleStart = event.at;
        // the report compares met and breached, never warnings: without their thresholds the
        // replay does not work out when each warning falls due (as the stored logs are read)
        const { warnings: _warnings, ...snapshot } = goal.snapshot(
          proposedVersion,
          `${goal.calendar}${proposedRefSuffix}`,
        );
        events.push({ ...event, goal: snapshot });
        continue;
      }
      case "reset":
        cycleStart = event.at;
        events.push(event);
        continue;
      case "calendar-change": {
        if (cycleStart === undefined) continue;
        const goal = step.selectGoal(input(event.at, cycleStart));
        if (goal.ok) events.push({ ...event, calendarRef: `${goal.calendar}${proposedRefSuffix}` });
        continue;
      }
      case "recalculate":
      case "warn":
      case "breach":
        continue;
      default:
        events.push(event);
    }
  }
  return failed.length > 0 ? { ok: false, cycles: failed } : { ok: true, events };
}

/** Cycles of a replayed log that started in the window, by id. */
export function cyclesIn(
  events: readonly ClockEvent[],
  resolve: ResolveCalendar,
  window: { from: number; to: number },
  clockId: string,
): Map<number, Cycle> | undefined {
  const replayed = replayClock(events, resolve, window.to, clockId);
  if (!replayed.ok) return undefined;
  const cycles = new Map<number, Cycle>();
  for (const cycle of replayed.value.cycles)
    if (cycle.startedAt >= window.from && cycle.startedAt < window.to) cycles.set(cycle.id, cycle);
  return cycles;
}

export const decided = (cycle: Cycle): "met" | "breached" | undefined =>
  cycle.state === "met"
    ? "met"
    : cycle.state === "breached-open" || cycle.state === "breached-closed"
      ? "breached"
      : undefined;

export function cycleFlip(clock: BacktestClock, before: Cycle, after: Cycle): CycleFlip {
  const side = (cycle: Cycle) => ({
    state: cycle.state,
    goal: cycle.goal.goalId,
    targetMinutes: cycle.goal.targetMs / 60_000,
    dueAt: cycle.dueAt !== null && Number.isFinite(cycle.dueAt) ? cycle.dueAt : null,
  });
  return {
    clockId: clock.id,
    leadId: clock.leadId,
    cycle: before.id,
    startedAt: before.startedAt,
    before: side(before),
    after: side(after),
  };
}

export { slaAttainment };
