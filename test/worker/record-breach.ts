import { sql, type Transaction } from "kysely";
import type { BatonDatabase } from "../../src/db/schema.js";
import type { Timer } from "../../src/worker/scheduler.js";

/**
 * The handler the product will have, for the tests and the worker fixture: the breach goes into
 * the ledger in the transaction that fires the timer. `occurred_at` is the database's clock at the
 * insert, so `occurred_at − data.dueAt` is the timer's lateness.
 */
export async function recordBreach(trx: Transaction<BatonDatabase>, timer: Timer): Promise<void> {
  await trx
    .insertInto("events")
    .values({
      workspace: "acme",
      stream_type: "clock",
      stream_id: timer.streamId,
      type: timer.kind,
      actor: "scheduler",
      occurred_at: sql<Date>`clock_timestamp()`,
      agreement_version: null,
      explanation: null,
      data: JSON.stringify({ timerKey: timer.key, dueAt: timer.dueAt }),
      idempotency_key: null,
    })
    .execute();
}
