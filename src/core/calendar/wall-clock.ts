import { IANAZone } from "luxon";

/**
 * Wall-clock arithmetic for one time zone: turning a local date and a local time of day into an
 * absolute instant (epoch ms) by the daylight-saving rules of SLA-CLOCKS.md.
 *
 * Glossary
 * - day index: a local calendar date counted as days since 1970-01-01 (day 0 is a Thursday).
 *   Dates are proleptic Gregorian; negative indexes are dates before 1970.
 * - local ms: a wall-clock reading written as if it were UTC, `dayIndex * dayMs + ms of day`.
 *   Subtracting the zone's UTC offset (ms east of Greenwich) gives the instant.
 * - gap: wall times skipped when clocks go forward (02:00–03:00 in New York in March).
 * - overlap: wall times that happen twice when clocks go back (01:00–02:00 in November).
 *
 * Luxon answers only one question here, "what is the offset at this instant?"; everything else
 * is integer arithmetic, so results never depend on the machine's time zone.
 */

export const minuteMs = 60_000;
export const hourMs = 3_600_000;
export const dayMs = 86_400_000;
export const minutesPerDay = 1440;

/** Which side of a window a wall time is: decides the instant chosen in an overlap. */
export type WindowEdge = "start" | "end";

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The inverse of daysFromCivil. */
export function civilFromDays(dayIndex: number): { year: number; month: number; day: number } {
  const z = dayIndex + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Monday … 6 = Sunday, the order of the agreement's `mon … sun` keys. */
export function weekdayOf(dayIndex: number): number {
  return (((dayIndex + 3) % 7) + 7) % 7;
}

/**
 * Offsets of one zone, and the conversion of wall times to instants.
 *
 * Every local date is converted with the offsets around that date (never one offset cached for
 * the whole calendar), sampled at whole UTC days: a date's instants all lie between the sample
 * one day before it and the sample two days after it (offsets stay within −12 h … +14 h). When
 * the two samples agree, the whole date has one offset and no further lookups are needed; when
 * they differ the date holds a transition, and each wall time is checked against both offsets.
 * This assumes no zone changes its offset twice within three days, which tzdb has never done.
 */
export class WallClock {
  private readonly zone: IANAZone;
  /** UTC offset in ms at `k * dayMs`, by k: each date needs two of them, neighbours share. */
  private readonly samples = new Map<number, number>();

  constructor(timezone: string) {
    this.zone = IANAZone.create(timezone);
  }

  /** UTC offset (ms east of Greenwich) in force at an instant. */
  offsetAt(at: number): number {
    return this.zone.offset(at) * minuteMs;
  }

  private sample(k: number): number {
    let offset = this.samples.get(k);
    if (offset === undefined) {
      offset = this.offsetAt(k * dayMs);
      this.samples.set(k, offset);
    }
    return offset;
  }

  /** Drops sampled offsets; they are only needed while a stretch of dates is being expanded. */
  forgetSamples(): void {
    this.samples.clear();
  }

  /**
   * The instant of a wall time on a local date. `minuteOfDay` may be 1440 (24:00), which is the
   * next date's 00:00, so a window ending at 24:00 always meets the next day's first instant.
   *
   * - In a gap the wall time is read with the offset before the transition, which moves it
   *   forward by the gap's length (02:30 → 03:30).
   * - In an overlap a window start takes the earlier instant and a window end the later one, so
   *   a window never loses time to the repeated hour.
   */
  toInstant(dayIndex: number, minuteOfDay: number, edge: WindowEdge): number {
    if (minuteOfDay >= minutesPerDay)
      return this.toInstant(dayIndex + 1, minuteOfDay - minutesPerDay, "start");
    const local = dayIndex * dayMs + minuteOfDay * minuteMs;
    const before = this.sample(dayIndex - 1);
    const after = this.sample(dayIndex + 2);
    if (before === after) return local - before;
    return this.resolveAcrossTransition(local, before, after, edge);
  }

  private resolveAcrossTransition(
    local: number,
    before: number,
    after: number,
    edge: WindowEdge,
  ): number {
    const withBefore = local - before;
    const withAfter = local - after;
    const beforeHolds = this.offsetAt(withBefore) === before;
    const afterHolds = this.offsetAt(withAfter) === after;
    if (beforeHolds && afterHolds) {
      // An overlap: the wall time happens twice.
      return edge === "start" ? Math.min(withBefore, withAfter) : Math.max(withBefore, withAfter);
    }
    if (beforeHolds) return withBefore;
    if (afterHolds) return withAfter;
    // A gap: the wall time never happens. The offset before the transition is the one in force
    // just before the reading with the larger offset.
    const larger = Math.max(before, after);
    return local - this.offsetAt(local - larger);
  }
}
