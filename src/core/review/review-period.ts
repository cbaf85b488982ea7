import { DateTime } from "luxon";

/**
 * The periods a review pack covers, in the workspace time zone (METRICS.md: periods are half-open
 * `[from, to)`, weeks start Monday 00:00).
 *
 * Terms and decisions
 * - cadence: an agreement review's `every` — week, 2 weeks, month or quarter.
 * - last complete period: the latest period of the cadence that ends at or before the instant
 *   asked (a pack generated on Monday 09:00 covers the week that ended at Monday 00:00).
 * - previous period: the period of the same cadence right before it (the month before, not the
 *   same number of milliseconds before: months and DST weeks differ in length).
 * - 2-week periods: they start on the Mondays an even number of weeks after Monday 1970-01-05
 *   (ISO week 1970-W02), counted in local calendar days. That is the parity of the ISO week number
 *   (periods start on even ISO weeks) until a 53-week ISO year; a plain "even ISO week" rule would
 *   give two odd weeks in a row there (2026-W53, 2027-W01) and one 1-week period, whereas the
 *   continuous count keeps every period two weeks long (after 2026-W53 they start on odd weeks).
 * - `--period` words: this-week, last-week, this-month, last-month, this-quarter, last-quarter,
 *   last-2-weeks (the two whole weeks before the current week, whatever the 2-week cadence's
 *   parity), or `YYYY-MM-DD..YYYY-MM-DD`: from 00:00 of the first date to 00:00 of the second,
 *   the second date excluded (`2026-11-01..2026-12-01` is November). A "this-" period is still
 *   running; its pack says so through commitments in progress.
 */

export const reviewCadences = ["week", "2 weeks", "month", "quarter"] as const;
export type ReviewCadence = (typeof reviewCadences)[number];

export const periodWords = [
  "this-week",
  "last-week",
  "this-month",
  "last-month",
  "this-quarter",
  "last-quarter",
  "last-2-weeks",
] as const;
export type PeriodWord = (typeof periodWords)[number];

export interface ReviewPeriod {
  /** epoch ms, included */
  from: number;
  /** epoch ms, excluded */
  to: number;
  /** how people name it: 2026-W45, 2026-W45–W46, 2026-11, 2026-Q4, 2026-11-01..2026-12-01 */
  label: string;
}

export interface ReviewPeriods {
  period: ReviewPeriod;
  previous: ReviewPeriod;
}

export interface PeriodError {
  code: "invalid_period";
  message: string;
}

/** Monday 1970-01-05, the anchor of 2-week periods (see the file comment). */
const FORTNIGHT_ANCHOR = { year: 1970, month: 1, day: 5 };

function local(instant: number, timezone: string): DateTime {
  return DateTime.fromMillis(instant, { zone: timezone });
}

function weekLabel(start: DateTime): string {
  return `${start.weekYear}-W${String(start.weekNumber).padStart(2, "0")}`;
}

function labelOf(start: DateTime, unit: ReviewCadence): string {
  switch (unit) {
    case "week":
      return weekLabel(start);
    case "2 weeks": {
      const second = start.plus({ weeks: 1 });
      return `${weekLabel(start)}–${second.weekYear === start.weekYear ? "" : `${second.weekYear}-`}W${String(second.weekNumber).padStart(2, "0")}`;
    }
    case "month":
      return start.toFormat("yyyy-LL");
    case "quarter":
      return `${start.year}-Q${start.quarter}`;
  }
}

const steps = {
  week: { weeks: 1 },
  "2 weeks": { weeks: 2 },
  month: { months: 1 },
  quarter: { quarters: 1 },
} as const;

/** Whole weeks from the anchor Monday to the Monday `monday`, by local calendar date. */
function weeksSinceAnchor(monday: DateTime): number {
  const date = DateTime.fromObject(
    { year: monday.year, month: monday.month, day: monday.day },
    { zone: "UTC" },
  );
  const anchor = DateTime.fromObject(FORTNIGHT_ANCHOR, { zone: "UTC" });
  return Math.round(date.diff(anchor, "days").days / 7);
}

/** The start of the cadence period holding `at` (local midnight of its first day). */
function periodStart(at: DateTime, unit: ReviewCadence): DateTime {
  switch (unit) {
    case "week":
      return at.startOf("week");
    case "2 weeks": {
      const monday = at.startOf("week");
      const odd = ((weeksSinceAnchor(monday) % 2) + 2) % 2 === 1;
      return odd ? monday.minus({ weeks: 1 }).startOf("day") : monday;
    }
    case "month":
      return at.startOf("month");
    case "quarter":
      return at.startOf("quarter");
  }
}

function periodFrom(start: DateTime, unit: ReviewCadence): ReviewPeriod {
  // startOf("day") after plus/minus: a DST change moves no boundary off local midnight.
  const end = start.plus(steps[unit]).startOf("day");
  return { from: start.toMillis(), to: end.toMillis(), label: labelOf(start, unit) };
}

/** The period of the cadence right before `period` (which must be one of its periods). */
export function previousPeriod(
  period: ReviewPeriod,
  cadence: ReviewCadence,
  timezone: string,
): ReviewPeriod {
  const start = local(period.from, timezone).minus(steps[cadence]).startOf("day");
  return periodFrom(start, cadence);
}

/** The cadence period holding `instant`, and the one before it. */
export function currentPeriod(
  cadence: ReviewCadence,
  instant: number,
  timezone: string,
): ReviewPeriods {
  const period = periodFrom(periodStart(local(instant, timezone), cadence), cadence);
  return { period, previous: previousPeriod(period, cadence, timezone) };
}

/** The last period of the cadence complete at `instant`, and the one before it. */
export function lastCompletePeriod(
  cadence: ReviewCadence,
  instant: number,
  timezone: string,
): ReviewPeriods {
  const running = periodStart(local(instant, timezone), cadence);
  const start = running.minus(steps[cadence]).startOf("day");
  // For 2 weeks the running period's start is on the cadence's parity, so is this one.
  const period = periodFrom(start, cadence);
  return { period, previous: previousPeriod(period, cadence, timezone) };
}

const explicitPattern = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

function dateAt(text: string, timezone: string): DateTime | null {
  const parsed = DateTime.fromISO(text, { zone: timezone });
  return parsed.isValid ? parsed.startOf("day") : null;
}

/**
 * A `--period` value relative to `now`: one of `periodWords`, or `YYYY-MM-DD..YYYY-MM-DD`
 * (end date excluded). The previous period of an explicit range is the same number of local days
 * right before it.
 */
export function parsePeriod(
  text: string,
  now: number,
  timezone: string,
): { ok: true; value: ReviewPeriods } | { ok: false; error: PeriodError } {
  const value = text.trim().toLowerCase();
  switch (value) {
    case "this-week":
      return { ok: true, value: currentPeriod("week", now, timezone) };
    case "last-week":
      return { ok: true, value: lastCompletePeriod("week", now, timezone) };
    case "this-month":
      return { ok: true, value: currentPeriod("month", now, timezone) };
    case "last-month":
      return { ok: true, value: lastCompletePeriod("month", now, timezone) };
    case "this-quarter":
      return { ok: true, value: currentPeriod("quarter", now, timezone) };
    case "last-quarter":
      return { ok: true, value: lastCompletePeriod("quarter", now, timezone) };
    case "last-2-weeks": {
      const monday = local(now, timezone).startOf("week");
      const start = monday.minus({ weeks: 2 }).startOf("day");
      const period = periodFrom(start, "2 weeks");
      const previous = periodFrom(start.minus({ weeks: 2 }).startOf("day"), "2 weeks");
      return { ok: true, value: { period, previous } };
    }
  }
  const match = explicitPattern.exec(value);
  if (match === null)
    return {
      ok: false,
      error: {
        code: "invalid_period",
        message: `period '${text}' is not one of ${periodWords.join(", ")}, nor a date range written YYYY-MM-DD..YYYY-MM-DD (end date excluded, e.g. 2026-11-01..2026-12-01 for November)`,
      },
    };
  const start = dateAt(match[1]!, timezone);
  const end = dateAt(match[2]!, timezone);
  const bad = start === null ? match[1] : end === null ? match[2] : undefined;
  if (bad !== undefined || start === null || end === null)
    return {
      ok: false,
      error: {
        code: "invalid_period",
        message: `period '${text}': ${bad} is not a calendar date; write YYYY-MM-DD`,
      },
    };
  if (end <= start)
    return {
      ok: false,
      error: {
        code: "invalid_period",
        message: `period '${text}' is empty: the end date is excluded, so it must be after the start date (${match[1]}..${start.plus({ days: 1 }).toISODate()} covers one day)`,
      },
    };
  const days = Math.round(
    DateTime.fromObject({ year: end.year, month: end.month, day: end.day }, { zone: "UTC" }).diff(
      DateTime.fromObject(
        { year: start.year, month: start.month, day: start.day },
        { zone: "UTC" },
      ),
      "days",
    ).days,
  );
  const before = start.minus({ days }).startOf("day");
  return {
    ok: true,
    value: {
      period: { from: start.toMillis(), to: end.toMillis(), label: `${match[1]}..${match[2]}` },
      previous: {
        from: before.toMillis(),
        to: start.toMillis(),
        label: `${before.toISODate()}..${match[1]}`,
      },
    },
  };
}

/** Today's date (YYYY-MM-DD) in the zone, for `isOverdue`. */
export function localDate(instant: number, timezone: string): string {
  return local(instant, timezone).toISODate()!;
}
