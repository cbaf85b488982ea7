import type { Kysely } from "kysely";
import type { NotificationStatus } from "../../db/notification-table.js";
import type { BatonDatabase } from "../../db/schema.js";

export type ReplayOutcome =
  | { ok: true; id: string }
  | { ok: false; error: "not-found" | "not-finished"; id: string; status?: NotificationStatus };

/**
 * Sends a dead or delivered notification again, with the same event id: the relay queues it like
 * a new one, and a receiver that already has it drops the duplicate. A notification still pending
 * or queued is refused (`not-finished`): it is on its way already.
 */
export async function replayNotification(
  db: Kysely<BatonDatabase>,
  id: string,
): Promise<ReplayOutcome> {
  if (!isUuid(id)) return { ok: false, error: "not-found", id };
  return db.transaction().execute(async (trx) => {
    const replayed = await trx
      .updateTable("notifications")
      .set((eb) => ({
        status: "pending",
        attempts: 0,
        replays: eb("replays", "+", 1),
        queued_at: null,
        delivered_at: null,
        dead_at: null,
      }))
      .where("id", "=", id)
      .where("status", "in", ["dead", "delivered"])
      .returning("id")
      .executeTakeFirst();
    if (replayed) return { ok: true, id };
    const current = await trx
      .selectFrom("notifications")
      .select("status")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!current) return { ok: false, error: "not-found", id };
    return { ok: false, error: "not-finished", id, status: current.status };
  });
}

/** Replays every dead notification (after a receiver is fixed); returns their ids. */
export async function replayDead(db: Kysely<BatonDatabase>): Promise<string[]> {
  const rows = await db
    .updateTable("notifications")
    .set((eb) => ({
      status: "pending",
      attempts: 0,
      replays: eb("replays", "+", 1),
      queued_at: null,
      dead_at: null,
    }))
    .where("status", "=", "dead")
    .returning("id")
    .execute();
  return rows.map((row) => row.id);
}

/** A malformed id would make PostgreSQL throw on the uuid cast; it simply names nothing. */
function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
