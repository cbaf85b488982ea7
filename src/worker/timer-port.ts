import { sql } from "kysely";
import type { TimerPort } from "../app/engine.js";
import { recordsetStatements } from "../db/recordset.js";
import { pendingTimer } from "./timers.js";

/**
 * The engine's timer port on the durable schedule (table `timers`): a clock's timers are upserted
 * by key (a fired one is never re-armed, as in timers.ts) and its other pending timers cancelled,
 * with the use case's writes, so a timer exists exactly when the clock events that asked for it
 * do.
 */
export const timerPort: TimerPort = {
  schedule(timers) {
    return recordsetStatements(
      {
        table: "timers",
        columns: {
          key: "text",
          kind: "text",
          stream_id: "text",
          due_at: "timestamptz",
          payload: "jsonb",
        },
        conflict: {
          keys: ["key"],
          update: [
            "due_at",
            "kind",
            "stream_id",
            "payload",
            "cancelled_at = null",
            "failed_at = null",
            "attempts = 0",
            "last_error = null",
          ],
          where: "timers.fired_at is null",
        },
      },
      timers.map((timer) => ({
        key: timer.key,
        kind: timer.kind,
        stream_id: timer.streamId,
        due_at: new Date(timer.dueAt),
        payload: timer.payload,
      })),
    );
  },
  cancelOthers(streamIds, keep) {
    if (streamIds.length === 0) return [];
    return [
      sql`update timers set cancelled_at = now()
        where stream_id = any(${[...streamIds]}::text[]) and ${pendingTimer}
          and not (key = any(${[...keep]}::text[]))`,
    ];
  },
};
