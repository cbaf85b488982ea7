import type { ClockState, Cycle, CycleState } from "./cycle.js";

/**
 * The figures SLA-CLOCKS.md "Reporting" asks of one clock, and SLA attainment over any set of
 * cycles (one clock, or every clock of a step, team, rep or segment, gathered by the caller).
 */

export interface ClockSummary {
  cycles: number;
  /** the last cycle's state; null before the first start */
  state: CycleState | null;
  /** the last cycle is breached (open or closed) */
  breached: boolean;
  /**
   * some cycle ran past its due, even one later cancelled or reset, or had a breach recorded
   * (notified) before a recalculation extended its goal: an escalation that happened stays a
   * fact of the lead's history
   */
  everBreached: boolean;
  /** a cycle is open and counting (breached or not) */
  running: boolean;
  /** a cycle is open and a pause condition holds */
  paused: boolean;
  /** the last cycle was stopped (met or breached) and none is open */
  completed: boolean;
  /** for the open cycle; null when none is open */
  withinCalendar: boolean | null;
  elapsedBusinessMs: number | null;
  remainingBusinessMs: number | null;
  elapsedCalendarMs: number | null;
  dueAt: number | null;
}

export function clockSummary(clock: ClockState): ClockSummary {
  const last = clock.cycles[clock.cycles.length - 1];
  const open = last !== undefined && last.stoppedAt === null ? last : undefined;
  return {
    cycles: clock.cycles.length,
    state: last?.state ?? null,
    breached: last?.state === "breached-open" || last?.state === "breached-closed",
    everBreached: clock.cycles.some((cycle) => cycle.breached || cycle.breachRecordedAt !== null),
    running: open !== undefined && !open.paused,
    paused: open?.paused ?? false,
    completed: last?.endedBy === "stop",
    withinCalendar: open?.withinCalendar ?? null,
    elapsedBusinessMs: open?.elapsedBusinessMs ?? null,
    remainingBusinessMs: open?.remainingBusinessMs ?? null,
    elapsedCalendarMs: open?.elapsedCalendarMs ?? null,
    dueAt: open?.dueAt ?? null,
  };
}

export interface Attainment {
  met: number;
  breached: number;
  /** met ÷ (met + breached); null when no cycle is decided yet */
  rate: number | null;
}

/**
 * SLA attainment = met ÷ (met + breached). A breached open cycle counts as breached (it can no
 * longer be met); running and paused cycles are undecided and cancelled ones excluded.
 */
export function slaAttainment(cycles: readonly Cycle[]): Attainment {
  let met = 0;
  let breached = 0;
  for (const cycle of cycles) {
    if (cycle.state === "met") met++;
    else if (cycle.state === "breached-open" || cycle.state === "breached-closed") breached++;
  }
  return { met, breached, rate: met + breached === 0 ? null : met / (met + breached) };
}
