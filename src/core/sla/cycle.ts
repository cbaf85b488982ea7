import type { ClockIssue } from "./clock-error.js";
import type { GoalSnapshot, WarningThreshold } from "./clock-event.js";

/**
 * What replaying a clock's log yields: its cycles, each explaining itself.
 *
 * Glossary
 * - cycle: one run of the step for the lead, from a start (or reset) to a stop, reset or cancel.
 *   Cycles are numbered from 0 in time order (index, for people) and identified by the seq of
 *   the event that opened them (id, for records and timer keys): a late-arriving start can
 *   renumber the cycles after it, but never change an id, so a sent warning stays attached to
 *   the cycle it was sent for.
 * - end: the instant a cycle ended, or `asOf` (the replay's now) while it is open. Elapsed figures
 *   are measured up to it.
 * - gross business time: business time of [start, end) on the calendars in force; paused business
 *   time: the part of it inside pauses; net (elapsedBusinessMs) = gross − paused. Only net counts
 *   towards the target. Calendar (wall-clock) time is reported beside it, paused part too.
 * - due: the earliest instant at which net business time reaches the target, with the pauses
 *   known so far. While a cycle is paused its due is unknown (null) — the clock stands still and
 *   the due moves later with every paused business minute — unless the target was already
 *   reached before the pause began. A never-opening calendar has no due either.
 * - breached: the due has come, i.e. `dueAt ≤ end`. A stop at the due instant itself is late: the
 *   target is used up at that instant, which is also when the scheduler fires the breach.
 * - within calendar: whether the calendar in force is open at `asOf`. Outside hours is not a
 *   pause; it is this separate flag. Null for ended cycles.
 */

export const cycleStates = [
  /** open, counting (or waiting for the calendar to open), due not reached */
  "running",
  /** open, a pause condition holds, due not reached */
  "paused",
  /** stopped before its due */
  "met",
  /** open and past its due; a breached cycle that pauses stays breached */
  "breached-open",
  /** stopped at or after its due; also a cycle reset after its due (a reset cannot undo a breach) */
  "breached-closed",
  /** cancelled, or reset before its due: neither met nor breached, excluded from attainment */
  "cancelled",
] as const;
export type CycleState = (typeof cycleStates)[number];

export const cycleEndings = ["stop", "reset", "cancel"] as const;
export type CycleEnding = (typeof cycleEndings)[number];

/** A stretch of a cycle with one calendar version and one pause status: the "why" of its figures. */
export interface CycleSegment {
  from: number;
  to: number;
  calendarRef: string;
  paused: boolean;
  /** business ms of the stretch on its calendar (counted towards gross; towards net unless paused) */
  businessMs: number;
}

/** One warning threshold of a cycle: when it is due under the goal in force, and if it was sent. */
export interface CycleWarning {
  threshold: WarningThreshold;
  /** warningKey(threshold) */
  key: string;
  /**
   * the instant net business time reaches the threshold under the goal in force; null while
   * paused before reaching it, when the threshold does not fit the goal (minutes before ≥
   * target), or when the goal in force no longer lists it
   */
  dueAt: number | null;
  notifiedAt: number | null;
  /** the due the scheduler acted on when it sent the warning */
  notifiedDueAt: number | null;
}

/**
 * The derived `recalculated` record: an admin's edit applied to this open cycle ("new and open
 * cycles"). Due instants are those known at `at` (null if the cycle was paused then).
 */
export interface Recalculation {
  at: number;
  seq: number;
  oldGoal: GoalSnapshot;
  newGoal: GoalSnapshot;
  oldCalendarRef: string;
  newCalendarRef: string;
  oldDueAt: number | null;
  newDueAt: number | null;
}

export interface Cycle {
  index: number;
  /** the seq of the start or reset event that opened the cycle */
  id: number;
  startedAt: number;
  startedBy: "start" | "reset";
  stoppedAt: number | null;
  endedBy: CycleEnding | null;
  /** the goal in force: the start's snapshot, or the last recalculation applied to the cycle */
  goal: GoalSnapshot;
  /** the calendar version in force at the cycle's end (or asOf) */
  calendarRef: string;
  state: CycleState;
  /** open and a pause condition holds; independent of breached */
  paused: boolean;
  /** the due came before the end, whatever happened after (pause, cancel) */
  breached: boolean;
  dueAt: number | null;
  /** = dueAt when breached: the computed instant the target was reached, for analytics */
  breachedAt: number | null;
  /**
   * when the scheduler recorded the breach (never before it noticed it). A recorded breach that
   * the facts no longer support (a stop that arrived late, a goal extended by recalculation)
   * stays a sent notification: the state follows the facts, and the breach is not sent again.
   */
  breachRecordedAt: number | null;
  grossBusinessMs: number;
  pausedBusinessMs: number;
  /** net business ms: gross − paused */
  elapsedBusinessMs: number;
  /** target − net, never below 0 */
  remainingBusinessMs: number;
  elapsedCalendarMs: number;
  pausedCalendarMs: number;
  withinCalendar: boolean | null;
  warnings: CycleWarning[];
  recalculations: Recalculation[];
  segments: CycleSegment[];
}

export interface ClockState {
  clockId: string;
  /** the replay's now: events after it are not yet known and were left out */
  asOf: number;
  cycles: Cycle[];
  /** pause conditions holding at asOf, sorted */
  pauseConditions: string[];
  /** events replay skipped, in time order */
  issues: ClockIssue[];
}
