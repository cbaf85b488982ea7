import type { Engine } from "../app/engine.js";
import { fireTimer, fireTimers } from "../app/fire-timer.js";
import {
  configuredChannels,
  type NotificationChannels,
} from "../app/notifications/notification-channels.js";
import type { DatabaseLocation } from "../db/database.js";
import { startDelivery } from "./notifications/index.js";
import { runReviewLoop } from "./review-delivery.js";
import { runScheduler, type SchedulerSummary } from "./scheduler.js";

/**
 * One worker: the durable scheduler firing SLA clocks through the engine, and notification
 * delivery from the outbox (when a channel is configured). Any number may run against one
 * PostgreSQL server; the embedded database is one process's, so there the worker runs inside it.
 */
export interface WorkerOptions {
  engine: Engine;
  location: DatabaseLocation;
  channels: NotificationChannels;
  workerId: string;
  signal: AbortSignal;
  log?: (line: string) => void;
  /** scheduled review packs and overdue reminders (default on, a look every 30 s); false: off */
  reviews?: { intervalMs?: number; publicUrl?: string | undefined } | false;
}

export async function runWorker(options: WorkerOptions): Promise<SchedulerSummary> {
  const { engine } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const delivery =
    configuredChannels(options.channels).length === 0
      ? undefined
      : await startDelivery({
          db: engine.db,
          location: options.location,
          channels: options.channels,
          onError: (error) =>
            log(`notification delivery: ${error instanceof Error ? error.message : String(error)}`),
        });
  if (delivery !== undefined && !delivery.ok)
    log(`notification delivery did not start: ${delivery.error}`);
  const reviews =
    options.reviews === false
      ? undefined
      : runReviewLoop({
          engine,
          channels: options.channels,
          signal: options.signal,
          log,
          // a server may have several workers; the embedded database is one process's
          exclusive: options.location.kind === "server",
          ...(options.reviews ?? {}),
        });
  try {
    return await runScheduler({
      db: engine.db,
      workerId: options.workerId,
      signal: options.signal,
      handle: async (trx, timer) => {
        await fireTimer(trx, engine, timer, engine.now());
      },
      handleBatch: async (trx, timers) => {
        await fireTimers(trx, engine, timers, engine.now());
      },
      report: (event) => {
        if (event.type === "dead" || event.type === "loop-error")
          log(`scheduler ${event.type}: ${event.error}`);
      },
    });
  } finally {
    await reviews;
    if (delivery?.ok) await delivery.delivery.stop();
  }
}
