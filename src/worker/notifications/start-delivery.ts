import type { Kysely } from "kysely";
import { sql } from "kysely";
import PgBoss from "pg-boss";
import {
  configuredChannels,
  type NotificationChannels,
} from "../../app/notifications/notification-channels.js";
import type { DatabaseLocation } from "../../db/database.js";
import type { NotificationChannel } from "../../db/notification-table.js";
import type { BatonDatabase } from "../../db/schema.js";
import { bossDatabase } from "./boss-database.js";
import { type ChannelSender, channelSenders } from "./channel-senders.js";
import { type DeliveryJob, relayPendingNotifications } from "./relay.js";

export interface DeliveryOptions {
  /** Baton's database; delivery reads and updates the outbox through it. */
  db: Kysely<BatonDatabase>;
  /**
   * Where `db` points. On a server pg-boss opens its own small pool to the same URL; on PGlite it
   * goes through `db` (see boss-database.ts), since the embedded database is one connection.
   */
  location: DatabaseLocation;
  channels: NotificationChannels;
  /** pg-boss's tables live in this schema (default `baton_boss`); created on first start. */
  bossSchema?: string;
  /** Attempts per delivery before the notification is dead (default 8). */
  maxAttempts?: number;
  /**
   * Base of the exponential backoff, in whole seconds (default 30). pg-boss waits a random time
   * between d·2^(n-1) and d·2^n before retry n (its `retryBackoff` includes the jitter).
   */
  retryDelaySeconds?: number;
  /** One attempt's time limit (HTTP response, SMTP conversation); default 10 s. */
  timeoutSeconds?: number;
  /** How often committed outbox rows are handed to pg-boss (default 1000 ms). */
  relayIntervalMs?: number;
  /** How often idle workers look for due jobs and retries (default 2 s; pg-boss allows ≥ 0.5). */
  pollingIntervalSeconds?: number;
  /** Concurrent deliveries per channel in this process (default 2). */
  workersPerChannel?: number;
  /** The clock webhook timestamps are signed with (default: the system clock). */
  now?: () => Date;
  /** Errors that are nobody's request: a failed relay pass, pg-boss's own errors. */
  onError?: (error: unknown) => void;
}

export interface Delivery {
  /** Runs one relay pass now (the loop also runs it every relayIntervalMs); returns rows queued. */
  relay(): Promise<number>;
  /** Stops relaying and fetching, waits for attempts in flight, closes the SMTP pool. */
  stop(): Promise<void>;
}

export type StartDeliveryOutcome = { ok: true; delivery: Delivery } | { ok: false; error: string };

/** pg-boss queue names; the dead-letter queue collects jobs whose last attempt failed. */
export const deliveryQueues = {
  webhook: "baton-notification-webhook",
  slack: "baton-notification-slack",
  email: "baton-notification-email",
  dead: "baton-notification-dead",
} as const satisfies Record<NotificationChannel | "dead", string>;

/** A failed attempt, thrown only to tell pg-boss to retry; the outbox row has the details. */
class AttemptFailed extends Error {
  override name = "AttemptFailed";
}

/**
 * Starts notification delivery in this process: pg-boss (its schema created or migrated on
 * start), one worker per configured channel, a dead-letter worker, and the relay loop. Several
 * processes may run it against one database. Expected start-up failures (database unreachable)
 * are returned, not thrown.
 */
export async function startDelivery(options: DeliveryOptions): Promise<StartDeliveryOutcome> {
  const { db } = options;
  const schema = options.bossSchema ?? "baton_boss";
  const maxAttempts = options.maxAttempts ?? 8;
  const retryDelay = options.retryDelaySeconds ?? 30;
  const timeoutSeconds = options.timeoutSeconds ?? 10;
  const relayIntervalMs = options.relayIntervalMs ?? 1000;
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  const workersPerChannel = options.workersPerChannel ?? 2;
  const onError =
    options.onError ?? ((error: unknown) => console.error("notification delivery:", error));
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    return { ok: false, error: `maxAttempts must be a whole number ≥ 1, not ${maxAttempts}` };
  if (!Number.isInteger(retryDelay) || retryDelay < 1)
    return { ok: false, error: `retryDelaySeconds must be a whole number ≥ 1, not ${retryDelay}` };

  const channels = configuredChannels(options.channels);
  const senders = channelSenders(options.channels, {
    timeoutSeconds,
    now: options.now ?? (() => new Date()),
  });
  const queueOptions = {
    retryLimit: maxAttempts - 1,
    retryDelay,
    retryBackoff: true,
    // Past this an attempt counts as lost (a crashed worker) and pg-boss retries it.
    expireInSeconds: Math.max(60, timeoutSeconds * 3),
    deadLetter: deliveryQueues.dead,
  };

  const boss = new PgBoss({
    schema,
    ...(options.location.kind === "server"
      ? { connectionString: options.location.url, max: workersPerChannel * 3 + 2 }
      : { db: bossDatabase(db) }),
    // Delivery needs no cron; without it pg-boss skips its clock-skew monitor too.
    schedule: false,
  });
  boss.on("error", onError);
  const closeSenders = () => {
    for (const sender of Object.values(senders)) sender.close();
  };
  try {
    await boss.start();
    await boss.createQueue(deliveryQueues.dead, { name: deliveryQueues.dead });
    for (const channel of channels) {
      const name = deliveryQueues[channel];
      await boss.createQueue(name, { name, ...queueOptions });
      // createQueue keeps an existing queue's options; a changed configuration must apply.
      await boss.updateQueue(name, { name, ...queueOptions });
    }
  } catch (error) {
    closeSenders();
    await boss.stop({ graceful: false }).catch(() => {});
    return { ok: false, error: `could not start pg-boss in schema ${schema}: ${messageOf(error)}` };
  }

  const workerIds = new Map<NotificationChannel, string[]>();
  for (const channel of channels) {
    const sender = senders[channel];
    if (!sender) continue;
    const ids: string[] = [];
    for (let index = 0; index < workersPerChannel; index++)
      ids.push(
        await boss.work<DeliveryJob>(
          deliveryQueues[channel],
          { pollingIntervalSeconds, batchSize: 1 },
          async (jobs) => {
            for (const job of jobs) await attempt(db, sender, job.data.notificationId);
          },
        ),
      );
    workerIds.set(channel, ids);
  }
  await boss.work<DeliveryJob>(
    deliveryQueues.dead,
    { pollingIntervalSeconds, includeMetadata: true },
    async (jobs) => {
      for (const job of jobs) await markDead(db, job.data.notificationId, job.output);
    },
  );

  const relay = async () => {
    const result = await relayPendingNotifications(db, boss, {
      channels,
      limit: 500,
      job: (channel, notificationId) => ({
        name: deliveryQueues[channel],
        data: { notificationId },
        ...queueOptions,
      }),
    });
    // Wake the channel's idle workers instead of waiting for their next poll.
    for (const channel of result.channels)
      for (const id of workerIds.get(channel) ?? []) boss.notifyWorker(id);
    return result.queued;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();
  const loop = () => {
    pass = relay()
      .then(
        () => {},
        (error) => onError(error),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, relayIntervalMs);
      });
  };
  loop();

  return {
    ok: true,
    delivery: {
      relay,
      async stop() {
        if (stopped) return;
        stopped = true;
        clearTimeout(timer);
        await pass;
        await boss.stop({ graceful: true, wait: true, timeout: (timeoutSeconds + 5) * 1000 });
        closeSenders();
      },
    },
  };
}

/**
 * One delivery attempt. A row no longer `queued` is skipped: it was delivered by an earlier
 * duplicate job, or replayed and re-queued under a new job. Throws only to make pg-boss retry.
 */
async function attempt(
  db: Kysely<BatonDatabase>,
  sender: ChannelSender,
  notificationId: string,
): Promise<void> {
  const notification = await db
    .selectFrom("notifications")
    .selectAll()
    .where("id", "=", notificationId)
    .executeTakeFirst();
  if (notification?.status !== "queued") return;
  const outcome = await sender.send(notification);
  await db
    .updateTable("notifications")
    .set((eb) => ({
      attempts: eb("attempts", "+", 1),
      ...(outcome.ok
        ? { status: "delivered" as const, delivered_at: sql<Date>`now()` }
        : { last_error: outcome.error }),
    }))
    .where("id", "=", notificationId)
    .where("status", "=", "queued")
    .execute();
  if (!outcome.ok) throw new AttemptFailed(outcome.error);
}

/** The dead-letter job of a notification whose attempts are used up. */
async function markDead(
  db: Kysely<BatonDatabase>,
  notificationId: string,
  output: unknown,
): Promise<void> {
  // A job that expired (its worker died mid-attempt) never wrote last_error; pg-boss's is used.
  const fallback =
    typeof output === "object" && output !== null && "message" in output
      ? String(output.message)
      : "delivery failed";
  await db
    .updateTable("notifications")
    .set((eb) => ({
      status: "dead",
      dead_at: sql<Date>`now()`,
      last_error: eb.fn.coalesce("last_error", eb.val(fallback)),
    }))
    .where("id", "=", notificationId)
    .where("status", "=", "queued")
    .execute();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
