import { DateTime } from "luxon";
import type { BusinessCalendar } from "./business-calendar.js";

/**
 * The end of the Nth business day after `start`: SLA-CLOCKS.md's reading of a goal written as
 * "N business days" ("until the end of the Nth business day"), which is not N × the day's hours.
 *
 * - A business day is a local date of the calendar with any open time.
 * - The day the clock starts counts as day 1 only when the clock starts before that day opens
 *   (a lead that arrives at 07:30 has the whole of today); a lead that arrives once the day has
 *   opened has until the end of the next business day, so nobody is handed a partial day.
 * - The end of a day is the end of its last open window (17:00 on a 09:00–17:00 day).
 *
 * Returns +∞ when the calendar has no N business days within ten years (a calendar that is
 * closed for good). Cost grows with N in days, never with minutes.
 */
export function endOfBusinessDays(calendar: BusinessCalendar, start: number, days: number): number {
  if (!Number.isInteger(days) || days < 1)
    throw new RangeError(`business days must be a whole number ≥ 1, got ${days}`);
  let date = DateTime.fromMillis(start, { zone: calendar.timezone }).startOf("day");
  let counted = 0;
  for (let step = 0; step < 3660; step++) {
    const next = date.plus({ days: 1 }).startOf("day");
    const open = calendar.openIntervals(date.toMillis(), next.toMillis());
    const first = open[0];
    const last = open[open.length - 1];
    if (first !== undefined && last !== undefined && last.to > start) {
      const partial = counted === 0 && first.from < start;
      if (!partial) counted++;
      if (counted === days) return last.to;
    }
    date = next;
  }
  return Number.POSITIVE_INFINITY;
}
