import type { Selectable } from "kysely";
import { signWebhook } from "../../app/notifications/webhook-signature.js";
import type { NotificationTable } from "../../db/notification-table.js";

/** An outbox row as the delivery side reads it. */
export type OutboxNotification = Selectable<NotificationTable>;

/** What the outbox's `payload` column holds (written by enqueueNotifications). */
interface Payload {
  recipient: Record<string, unknown>;
  data: Record<string, unknown>;
}

function payloadOf(notification: OutboxNotification): Payload {
  const payload = (notification.payload ?? {}) as Partial<Payload>;
  return { recipient: payload.recipient ?? {}, data: payload.data ?? {} };
}

/**
 * The webhook body and its headers (see webhook-signature.ts). The body is serialised once and
 * signed as sent; `now` is this attempt's time, so a retry carries a fresh timestamp.
 */
export function webhookRequest(
  notification: OutboxNotification,
  secret: string,
  now: Date,
): { body: string; headers: Record<string, string> } {
  const { recipient, data } = payloadOf(notification);
  const body = JSON.stringify({
    id: notification.id,
    kind: notification.kind,
    occurredAt: notification.created_at.toISOString(),
    recipient,
    subject: notification.subject,
    text: notification.body,
    data,
  });
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "Baton-Event-Id": notification.id,
      "Baton-Timestamp": String(timestamp),
      "Baton-Signature": signWebhook(secret, timestamp, body),
    },
  };
}

/**
 * A Slack incoming-webhook message: `text` is the fallback for notifications and old clients,
 * `blocks` the layout. Slack does not de-duplicate, so the event id is shown in the context line
 * (and sent as the Baton-Event-Id header for proxies that do).
 */
export function slackMessage(notification: OutboxNotification): {
  text: string;
  blocks: unknown[];
} {
  const subject = truncate(notification.subject, 150);
  return {
    text: `${escapeSlack(subject)}: ${escapeSlack(truncate(notification.body, 2000))}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: subject } },
      {
        type: "section",
        text: { type: "mrkdwn", text: escapeSlack(truncate(notification.body, 2900)) },
      },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: `${escapeSlack(notification.kind)} · event ${notification.id}` },
        ],
      },
    ],
  };
}

/**
 * The e-mail for an outbox row. The Message-ID is derived from the event id, so every retry and
 * replay carries the same one and a mailbox (or a person's filter) can drop duplicates.
 */
export function emailMessage(
  notification: OutboxNotification,
  from: string,
  domain: string,
): {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers: Record<string, string>;
} {
  // a notification may carry an HTML rendering (a review pack): sent as the HTML part beside
  // the text, which stays the whole message for text-only readers
  const data = (notification.payload as { data?: { html?: unknown } } | null)?.data;
  const html = typeof data?.html === "string" ? data.html : undefined;
  return {
    from,
    to: notification.recipient ?? "",
    subject: notification.subject,
    text: notification.body,
    ...(html !== undefined ? { html } : {}),
    messageId: `<${notification.id}@${domain}>`,
    headers: { "Baton-Event-Id": notification.id, "Baton-Kind": notification.kind },
  };
}

/** Slack's mrkdwn gives &, < and > meaning (links, mentions); user text must not. */
function escapeSlack(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
