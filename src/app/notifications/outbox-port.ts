import type { NotificationPort } from "../engine.js";
import { enqueueNotifications } from "./enqueue-notification.js";
import type { NotificationChannels } from "./notification-channels.js";

/**
 * The engine's notification port on the transactional outbox: requests become `notifications`
 * rows in the use case's own transaction, one per configured channel, and are delivered by the
 * worker after the commit (src/worker/notifications).
 */
export function outboxPort(options: { channels: NotificationChannels }): NotificationPort {
  return {
    async enqueue(trx, requests) {
      if (requests.length === 0) return;
      await enqueueNotifications(trx, requests, options.channels);
    },
  };
}
