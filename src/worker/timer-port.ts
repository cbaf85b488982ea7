import { sql } from "kysely";
import type { TimerPort } from "../app/engine.js";
import { pendingTimer, scheduleTimers } from "./timers.js";

/**
 * The engine's timer port on the durable schedule (table `timers`): a clock's timers are upserted
 * by key and its other pending timers cancelled, in the use case's transaction, so a timer exists
 * exactly when the clock events that asked for it do. One statement each, whatever the batch.
 */
export const timerPort: TimerPort = {
  async schedule(trx, timers) {
    if (timers.length === 0) return;
    await scheduleTimers(
      trx,
      timers.map((timer) => ({
        key: timer.key,
        kind: timer.kind,
        streamId: timer.streamId,
        dueAt: timer.dueAt,
        payload: timer.payload,
      })),
    );
  },
  async cancelOthers(trx, streamIds, keep) {
    if (streamIds.length === 0) return;
    await sql`
      update timers set cancelled_at = now()
      where stream_id = any(${[...streamIds]}::text[]) and ${pendingTimer}
        and not (key = any(${[...keep]}::text[]))`.execute(trx);
  },
};
