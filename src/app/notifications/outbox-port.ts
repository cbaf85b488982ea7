import { recordsetStatements } from "../../db/recordset.js";
import type { NotificationPort } from "../engine.js";
import { outboxRows } from "./enqueue-notification.js";
import type { NotificationChannels } from "./notification-channels.js";

/**
 * The engine's notification port on the transactional outbox: requests become `notifications`
 * rows (one per configured channel) written with the use case's own writes, so they commit or
 * roll back with it, and are delivered by the worker after the commit (src/worker/notifications).
 * A key written before writes nothing.
 */
export function outboxPort(options: { channels: NotificationChannels }): NotificationPort {
  return {
    enqueue(requests) {
      return recordsetStatements(
        {
          table: "notifications",
          columns: {
            dedupe_key: "text",
            kind: "text",
            channel: "text",
            recipient: "text",
            subject: "text",
            body: "text",
            payload: "jsonb",
          },
          conflict: { keys: ["dedupe_key"], update: "nothing" },
        },
        outboxRows(requests, options.channels).map((row) => ({
          ...row,
          payload: JSON.parse(row.payload) as unknown,
        })),
      );
    },
  };
}
