import type { ClockEventOf, Unsequenced, WarningThreshold } from "./clock-event.js";
import type { ClockState, Cycle } from "./cycle.js";

/**
 * What a durable scheduler must hold for one clock, and what to record when it wakes up.
 *
 * The scheduler (outside the core) keeps one row per pending timer, keyed by `key`, replaces the
 * set whenever the clock's log changes, and on waking replays the log and appends fireDue's
 * events in the same transaction that claims the rows. Because the events themselves mark a
 * threshold or breach as sent, replaying after a crash, or on a second worker, finds nothing
 * left to fire: each fires at most once per cycle, even after a recalculation moves it.
 *
 * Rules
 * - Breach: for an open cycle whose due is known and whose breach is not yet recorded; and for
 *   a cycle that ended breached (stopped or reset after its due) without a record, which happens
 *   only when no worker ran at the due. Cancelled cycles never fire.
 * - Warnings: for an open cycle not breached at `now`, each threshold of the goal in force not
 *   yet sent whose instant is known. Once the breach is due, unsent warnings are superseded: the
 *   breach notice says more than a late "75 % used" would.
 * - Never back-dated: a fired event is recorded at `now`; the instant it was due travels with it
 *   (`dueAt`, `breachedAt`), so a recalculation that puts a breach in the past yields a breach
 *   recorded now with its computed instant kept for analytics.
 */

interface TimerBase {
  /** `${clockId}:${cycle}:breach` or `${clockId}:${cycle}:warn:${warningKey}`: the idempotency key */
  key: string;
  /** the cycle's id (the seq of the event that opened it) */
  cycle: number;
  /** when it is due; may already be past (overdue) */
  at: number;
}

export type PendingTimer =
  | (TimerBase & { kind: "breach" })
  | (TimerBase & { kind: "warn"; threshold: WarningThreshold });

export function pendingTimers(clock: ClockState, now: number): PendingTimer[] {
  const timers: PendingTimer[] = [];
  for (const cycle of clock.cycles) {
    const prefix = `${clock.clockId}:${cycle.id}`;
    const open = cycle.stoppedAt === null;
    if (
      cycle.breachRecordedAt === null &&
      cycle.dueAt !== null &&
      (open || cycle.state === "breached-closed")
    )
      timers.push({ key: `${prefix}:breach`, kind: "breach", cycle: cycle.id, at: cycle.dueAt });
    if (!open || breachDue(cycle, now)) continue;
    for (const warning of cycle.warnings) {
      if (warning.notifiedAt !== null || warning.dueAt === null) continue;
      timers.push({
        key: `${prefix}:warn:${warning.key}`,
        kind: "warn",
        cycle: cycle.id,
        at: warning.dueAt,
        threshold: warning.threshold,
      });
    }
  }
  return timers.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function breachDue(cycle: Cycle, now: number): boolean {
  return cycle.dueAt !== null && cycle.dueAt <= now;
}

/** What the scheduler appends: a warn or breach record, given its `seq` by the store. */
export type FiredClockEvent = Unsequenced<ClockEventOf<"warn"> | ClockEventOf<"breach">>;

/**
 * The warn and breach events to append for every pending timer due at or before `now`, in due
 * order, each recorded at `now`. Empty when nothing is due, so calling it again after appending
 * its events yields nothing new. `clock` must be replayed from the current log; its `asOf` may be
 * earlier than `now` when no event has arrived since.
 */
export function fireDue(clock: ClockState, now: number): FiredClockEvent[] {
  const fired: FiredClockEvent[] = [];
  for (const timer of pendingTimers(clock, now)) {
    if (timer.at > now) break;
    if (timer.kind === "breach")
      fired.push({ type: "breach", at: now, cycle: timer.cycle, breachedAt: timer.at });
    else
      fired.push({
        type: "warn",
        at: now,
        cycle: timer.cycle,
        threshold: timer.threshold,
        dueAt: timer.at,
      });
  }
  return fired;
}
