import { type Kysely, sql } from "kysely";
import type PgBoss from "pg-boss";
import type { NotificationChannel } from "../../db/notification-table.js";
import type { BatonDatabase } from "../../db/schema.js";
import { bossDatabase } from "./boss-database.js";

/** What a delivery job carries: only the outbox row's id, which is also the event id. */
export interface DeliveryJob {
  notificationId: string;
}

export interface RelaySettings {
  /** Only rows of these channels move; others wait for a worker that has them configured. */
  channels: readonly NotificationChannel[];
  /** The pg-boss job for a row of this channel. */
  job(channel: NotificationChannel, notificationId: string): PgBoss.JobInsert<DeliveryJob>;
  /** Rows per transaction. */
  limit: number;
}

/**
 * Hands committed `pending` rows to pg-boss and marks them `queued`, in one transaction: the jobs
 * and the status change commit together, so a crash leaves either both or neither, and no row is
 * queued twice. Rows locked by another worker's relay are skipped, not waited for. Returns the
 * channels that got jobs, so the caller can wake their workers.
 */
export async function relayPendingNotifications(
  db: Kysely<BatonDatabase>,
  boss: PgBoss,
  settings: RelaySettings,
): Promise<{ queued: number; channels: Set<NotificationChannel> }> {
  if (settings.channels.length === 0) return { queued: 0, channels: new Set() };
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("notifications")
      .select(["id", "channel"])
      .where("status", "=", "pending")
      .where("channel", "in", settings.channels)
      .orderBy("created_at")
      .orderBy("id")
      .limit(settings.limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (rows.length === 0) return { queued: 0, channels: new Set<NotificationChannel>() };
    await boss.insert(
      rows.map((row) => settings.job(row.channel, row.id)),
      { db: bossDatabase(trx) },
    );
    await trx
      .updateTable("notifications")
      .set({ status: "queued", queued_at: sql<Date>`now()` })
      .where(
        "id",
        "in",
        rows.map((row) => row.id),
      )
      .execute();
    return { queued: rows.length, channels: new Set(rows.map((row) => row.channel)) };
  });
}
