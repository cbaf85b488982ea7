/**
 * The part of a business calendar a clock needs, and how one cycle measures time when its
 * calendar changes part-way (an owner change, or a calendar edit applied to open cycles).
 *
 * The calendar module's `BusinessTime` (and so every compiled calendar) satisfies ClockCalendar
 * structurally; the clock declares only what it calls, so it can be tested with hand-written
 * calendars and never imports more of the calendar module than this shape.
 *
 * Glossary
 * - business time: milliseconds during which the calendar is open; intervals are half-open.
 * - pause: an interval during which the clock does not run; business time inside it does not
 *   count. Closed (out-of-hours) time is not a pause.
 * - piece: a stretch of a cycle measured on one calendar version. A cycle's pieces follow each
 *   other without gaps: the first starts at the cycle's start, the last never ends.
 */

export interface Interval {
  from: number;
  to: number;
}

export interface ClockCalendar {
  /** business ms in [from, to), less the business ms inside the pauses */
  elapsed(from: number, to: number, pauses?: readonly Interval[]): number;
  /** the earliest t with elapsed(start, t, pauses) = targetMs; +∞ when never reached */
  due(start: number, targetMs: number, pauses?: readonly Interval[]): number;
  isOpen(at: number): boolean;
}

/** Finds the calendar a ref names; undefined when there is none (an error for the replay). */
export type ResolveCalendar = (calendarRef: string) => ClockCalendar | undefined;

export interface CalendarPiece {
  from: number;
  /** the next piece's `from`, or +∞ */
  to: number;
  calendarRef: string;
  calendar: ClockCalendar;
}

/**
 * Pieces from calendar switches in time order (the first at the cycle's start). Of several
 * switches at one instant the last wins, as it was appended last.
 */
export function calendarPieces(
  switches: readonly { from: number; calendarRef: string; calendar: ClockCalendar }[],
): CalendarPiece[] {
  const kept = switches.filter((entry, index) => switches[index + 1]?.from !== entry.from);
  return kept.map((entry, index) => ({
    from: entry.from,
    to: kept[index + 1]?.from ?? Number.POSITIVE_INFINITY,
    calendarRef: entry.calendarRef,
    calendar: entry.calendar,
  }));
}

/** The piece in force at an instant; instants before the first piece belong to the first. */
export function pieceAt(pieces: readonly CalendarPiece[], at: number): CalendarPiece {
  let found = pieces[0];
  if (found === undefined) throw new Error("a cycle always has at least one calendar piece");
  for (const piece of pieces) {
    if (piece.from > at) break;
    found = piece;
  }
  return found;
}

/**
 * The earliest t with net business time of [start, t) equal to targetMs, each piece measured on
 * its own calendar: within a piece the calendar's own `due` answers; when the target is not
 * reached by the piece's end, what that piece contributed is used up and the walk continues in
 * the next. +∞ when the target is never reached.
 */
export function piecewiseDue(
  pieces: readonly CalendarPiece[],
  start: number,
  targetMs: number,
  pauses: readonly Interval[],
): number {
  let cursor = start;
  let remaining = targetMs;
  for (const piece of pieces) {
    if (piece.to <= cursor) continue;
    const due = piece.calendar.due(cursor, remaining, pauses);
    if (due <= piece.to) return due;
    remaining -= piece.calendar.elapsed(cursor, piece.to, pauses);
    cursor = piece.to;
  }
  return Number.POSITIVE_INFINITY;
}
