/**
 * The SLA clock's error vocabulary: one list of codes, so the outer layers can map each to an
 * HTTP status or exit code in one exhaustive switch.
 *
 * Two kinds of problem
 * - issue: one event in the log does not fit the clock at its place in time (a resume while
 *   nothing is paused, a stop with no cycle open). Replay skips that event, carries on and lists
 *   the issue: the log is append-only and fed by CRMs and webhooks, so one stray event must never
 *   make a lead's clock unreadable. checkClockEvent turns the same codes into a refusal before an
 *   event is appended.
 * - error: the clock cannot be computed at all (a calendar version that cannot be found).
 */
export const clockIssueCodes = [
  /** a start while a cycle is open: start triggers are "any of", so the first one wins */
  "already_running",
  /** a stop, reset or cancel with no open cycle */
  "no_open_cycle",
  /** a resume while no pause condition holds (or not the one named) */
  "resume_without_pause",
  /** a pause for a condition that already holds */
  "already_paused",
  /** a warn or breach record naming a cycle that had not started by the record's time */
  "unknown_cycle",
  /** a second warn for the same threshold, or a second breach, in one cycle */
  "already_recorded",
  /** two events with the same `at` and `seq`: their order, and so the replay, is ambiguous */
  "duplicate_sequence",
] as const;
export type ClockIssueCode = (typeof clockIssueCodes)[number];

export const clockErrorCodes = [
  ...clockIssueCodes,
  /** resolveCalendar knows no calendar for a ref found in the log */
  "unknown_calendar",
  /** checkClockEvent: an event dated after `now` cannot be appended yet */
  "event_in_future",
  /** checkClockEvent: a breach record before the cycle is due would silence the real breach */
  "breach_not_due",
  /** checkClockEvent: a warn record before its threshold is due, or for a threshold the goal lacks */
  "warning_not_due",
] as const;
export type ClockErrorCode = (typeof clockErrorCodes)[number];

export interface ClockError {
  code: ClockErrorCode;
  /** for logs and API answers: what is wrong, where in the log, and what to do */
  message: string;
}

/** A skipped event: which one, and why. */
export interface ClockIssue {
  code: ClockIssueCode;
  message: string;
  seq: number;
  at: number;
}

export type ClockResult<Value> = { ok: true; value: Value } | { ok: false; error: ClockError };

/** Instants in messages, read the same on every machine. */
export function formatInstant(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString() : String(at);
}
