import { DateTime } from "luxon";
import { DAY } from "../metrics/statistics.js";

/**
 * The period a plan covers, read from words (`next-quarter`) or a date range, in the workspace
 * zone, and the Monday-start weeks it is planned in. See index.ts for why a period that has begun
 * is planned from now on.
 */

export const namedPeriods = ["this-month", "next-month", "this-quarter", "next-quarter"] as const;
export type NamedPeriod = (typeof namedPeriods)[number];

export interface PlanWeek {
  /** [start, end), clipped to the planned part of the period */
  start: number;
  end: number;
  /** the share of a whole week it covers: calendar days ÷ 7 (a 3-day stub is 3/7) */
  fraction: number;
}

export interface PlanPeriod {
  /** the period as asked (`next-quarter`, `2027-01-01..2027-04-01`) */
  label: string;
  /** the whole period, half-open [from, to) */
  from: number;
  to: number;
  /** where planning starts: `from`, or now for a period that has begun */
  planFrom: number;
  weeks: PlanWeek[];
  /** the planned part's length in weeks: calendar days ÷ 7 */
  weekCount: number;
}

export type PlanPeriodError = { code: "invalid_period"; field: "period"; message: string };

const rangePattern = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

/** Calendar days between two instants in the zone (a DST day of 23 or 25 hours is one day). */
function calendarDays(from: number, to: number): number {
  return Math.round((to - from) / DAY);
}

/**
 * The period of `text` in `timezone` as of `now`: named periods are the calendar month or quarter
 * containing now (this-) or after it (next-); a range `YYYY-MM-DD..YYYY-MM-DD` runs from 00:00 of
 * the first date to 00:00 of the second, which is excluded, as every Baton period. A period that
 * has ended cannot be planned.
 */
export function resolvePlanPeriod(
  text: string,
  timezone: string,
  now: number,
): { ok: true; value: PlanPeriod } | { ok: false; error: PlanPeriodError } {
  const asked = text.trim();
  const local = DateTime.fromMillis(now, { zone: timezone });
  let start: DateTime;
  let end: DateTime;
  const range = rangePattern.exec(asked);
  if (range !== null) {
    start = DateTime.fromISO(range[1]!, { zone: timezone }).startOf("day");
    end = DateTime.fromISO(range[2]!, { zone: timezone }).startOf("day");
    const bad = !start.isValid ? range[1] : !end.isValid ? range[2] : undefined;
    if (bad !== undefined)
      return invalid(`period '${text}': ${bad} is not a calendar date (YYYY-MM-DD)`);
    if (end <= start)
      return invalid(
        `period '${text}' is empty: the second date must be after the first (the second is excluded, as in every Baton period)`,
      );
  } else if ((namedPeriods as readonly string[]).includes(asked)) {
    const unit = asked.endsWith("quarter") ? "quarter" : "month";
    start = local.startOf(unit);
    if (asked.startsWith("next-"))
      start = start.plus(unit === "quarter" ? { months: 3 } : { months: 1 });
    end = start.plus(unit === "quarter" ? { months: 3 } : { months: 1 });
  } else
    return invalid(
      `period '${text}' is not one Baton plans: use ${namedPeriods.join(", ")} or a date range YYYY-MM-DD..YYYY-MM-DD (end excluded)`,
    );
  const from = start.toMillis();
  const to = end.toMillis();
  if (to <= now)
    return invalid(
      `period '${text}' (${start.toISODate()} to ${end.toISODate()}, excluded) has ended; plan a period that ends after now (${local.toISODate()})`,
    );
  const planFrom = Math.max(from, now);
  const weeks = weeksOf(planFrom, to, timezone);
  return {
    ok: true,
    value: {
      label: asked,
      from,
      to,
      planFrom,
      weeks,
      weekCount: weeks.reduce((total, week) => total + week.fraction, 0),
    },
  };
}

function invalid(message: string): { ok: false; error: PlanPeriodError } {
  return { ok: false, error: { code: "invalid_period", field: "period", message } };
}

/**
 * Monday-start weeks of the zone covering [from, to), the first and last clipped. A week's
 * fraction counts calendar days, with a part-day (planning from now, mid-day) as its share of 24 h.
 */
export function weeksOf(from: number, to: number, timezone: string): PlanWeek[] {
  const weeks: PlanWeek[] = [];
  let weekStart = DateTime.fromMillis(from, { zone: timezone }).startOf("week");
  while (weekStart.toMillis() < to) {
    const weekEnd = weekStart.plus({ weeks: 1 });
    const start = Math.max(weekStart.toMillis(), from);
    const end = Math.min(weekEnd.toMillis(), to);
    // whole days by the calendar, so DST weeks stay 7 days; a part-day by its hours
    const dayStart = DateTime.fromMillis(start, { zone: timezone }).startOf("day").toMillis();
    const partOfFirstDay = start - dayStart;
    const days = calendarDays(dayStart, end) - partOfFirstDay / DAY;
    weeks.push({ start, end, fraction: days / 7 });
    weekStart = weekEnd;
  }
  return weeks;
}
