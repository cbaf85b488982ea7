import { DateTime } from "luxon";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import { weekdays } from "../../core/agreement/sections-schema.js";
import {
  currentPeriod,
  lastCompletePeriod,
  previousPeriod,
  type ReviewPeriods,
} from "../../core/review/review-period.js";

/**
 * Which review packs are due: for each review of the agreement (`reviews[]`), the last complete
 * period of its cadence and the instant its pack is delivered — the first of the review's `day`
 * at its `time`, in its calendar's zone, at or after the period's end (a weekly review on Monday
 * 09:00 delivers the week that ended at Monday 00:00 at 09:00 that morning).
 *
 * Periods are in the workspace zone (the agreement's `timezone`), like every metric period; only
 * the delivery instant is read in the review's calendar zone.
 *
 * Terms
 * - due run: the latest period whose delivery instant has come. A worker that was down when it
 *   came delivers it late rather than never; older periods are not caught up (the next pack
 *   carries their action items).
 */

export type AgreementReview = NonNullable<Agreement["reviews"]>[number];

export interface DueRun {
  review: AgreementReview;
  periods: ReviewPeriods;
  /** epoch ms: when this period's pack is delivered */
  deliverAt: number;
}

/** The review's delivery zone: its calendar's, or the workspace's when the calendar is unknown. */
export function reviewZone(agreement: Agreement, review: AgreementReview): string {
  return agreement.calendars[review.calendar]?.timezone ?? agreement.timezone;
}

/** The first `day` at `time` in `zone` at or after `instant`. */
export function nextDeliveryAt(
  instant: number,
  review: Pick<AgreementReview, "day" | "time">,
  zone: string,
): number {
  const [hour, minute] = review.time.split(":").map(Number) as [number, number];
  const weekday = weekdays.indexOf(review.day) + 1; // Luxon: Monday is 1
  let day = DateTime.fromMillis(instant, { zone }).startOf("day");
  for (let step = 0; step < 8; step++) {
    if (day.weekday === weekday) {
      const at = day.set({ hour, minute, second: 0, millisecond: 0 }).toMillis();
      if (at >= instant) return at;
    }
    day = day.plus({ days: 1 }).startOf("day");
  }
  throw new Error(`no ${review.day} within 8 days of ${new Date(instant).toISOString()}`);
}

/** The review's due run at `now`: the latest period whose delivery instant is at or before now. */
export function dueRun(agreement: Agreement, review: AgreementReview, now: number): DueRun {
  const zone = reviewZone(agreement, review);
  const last = lastCompletePeriod(review.every, now, agreement.timezone);
  const deliverAt = nextDeliveryAt(last.period.to, review, zone);
  if (deliverAt <= now) return { review, periods: last, deliverAt };
  const period = last.previous;
  const periods = {
    period,
    previous: previousPeriod(period, review.every, agreement.timezone),
  };
  return { review, periods, deliverAt: nextDeliveryAt(period.to, review, zone) };
}

/** Every review's due run at `now`. */
export function dueRuns(agreement: Agreement, now: number): DueRun[] {
  return (agreement.reviews ?? []).map((review) => dueRun(agreement, review, now));
}

/** The next delivery of the review after `now`: the last complete period's, or the running one's. */
export function nextDelivery(agreement: Agreement, review: AgreementReview, now: number): number {
  const zone = reviewZone(agreement, review);
  const last = lastCompletePeriod(review.every, now, agreement.timezone);
  const deliverAt = nextDeliveryAt(last.period.to, review, zone);
  if (deliverAt > now) return deliverAt;
  const running = currentPeriod(review.every, now, agreement.timezone);
  return nextDeliveryAt(running.period.to, review, zone);
}
