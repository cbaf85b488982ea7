import { abortableSleep } from "../app/abortable-sleep.js";
import type { Engine } from "../app/engine.js";
import type { NotificationChannels } from "../app/notifications/notification-channels.js";
import { remindOverdueItems } from "../app/review/action-items.js";
import { type DeliveredPack, deliverDueReviews } from "../app/review/review-delivery.js";

/**
 * The worker's review loop: every `intervalMs` it generates and delivers the review packs that
 * have come due (once per period per review, whatever the number of workers: see
 * app/review/review-delivery.ts) and reminds the owners of overdue action items (once per item
 * per day). A pack is due at a minute of the week, so a look every 30 s delivers it within half
 * a minute; the durable timers table is kept for SLA clocks, whose lateness matters in
 * milliseconds.
 */

export interface ReviewLoopOptions {
  engine: Engine;
  channels: NotificationChannels;
  signal: AbortSignal;
  /** between looks (default 30 s) */
  intervalMs?: number;
  publicUrl?: string | undefined;
  /** several workers share a server: see DeliveryOptions.exclusive */
  exclusive?: boolean;
  onDelivered?: (pack: DeliveredPack) => void;
  log?: (line: string) => void;
}

export interface ReviewLoopSummary {
  packs: number;
  reminders: number;
}

export const defaultReviewIntervalMs = 30_000;

/** One look: due packs, then overdue reminders. Errors are the caller's to report. */
export async function reviewTick(
  options: Pick<ReviewLoopOptions, "engine" | "channels" | "publicUrl" | "exclusive" | "log">,
): Promise<{ delivered: DeliveredPack[]; reminded: number }> {
  const delivered = await deliverDueReviews(options.engine, options.channels, {
    publicUrl: options.publicUrl,
    ...(options.exclusive === undefined ? {} : { exclusive: options.exclusive }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  const reminders = await remindOverdueItems(options.engine, options.channels, {
    publicUrl: options.publicUrl,
  });
  return { delivered, reminded: reminders.reminded };
}

/** Runs until `signal` aborts; a failed look is logged and the next one tries again. */
export async function runReviewLoop(options: ReviewLoopOptions): Promise<ReviewLoopSummary> {
  const intervalMs = options.intervalMs ?? defaultReviewIntervalMs;
  const log = options.log ?? ((line: string) => console.error(line));
  const summary: ReviewLoopSummary = { packs: 0, reminders: 0 };
  while (!options.signal.aborted) {
    try {
      const tick = await reviewTick({ ...options, log });
      summary.packs += tick.delivered.length;
      summary.reminders += tick.reminded;
      for (const pack of tick.delivered) options.onDelivered?.(pack);
    } catch (error) {
      log(`review delivery: ${error instanceof Error ? error.message : String(error)}`);
    }
    await abortableSleep(intervalMs, options.signal);
  }
  return summary;
}
