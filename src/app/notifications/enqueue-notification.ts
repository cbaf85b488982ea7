import type { Kysely } from "kysely";
import type { NotificationChannel } from "../../db/notification-table.js";
import type { BatonDatabase } from "../../db/schema.js";
import { configuredChannels, type NotificationChannels } from "./notification-channels.js";

/** Something that happened that a person should hear about. */
export interface NotificationRequest {
  /** Unique per business event, e.g. `timer:<timer key>`: the same key never notifies twice. */
  key: string;
  /** lead_assigned, sla_warning, sla_breach, escalation, … */
  kind: string;
  recipient: { person?: string; email?: string; name?: string };
  subject: string;
  text: string;
  /** Structured facts for machine receivers (lead id, cycle, due time, …); JSON-serialisable. */
  data: Record<string, unknown>;
}

export interface EnqueueResult {
  /** Outbox rows written; rows whose dedupe key already existed are skipped, not counted. */
  written: number;
}

/**
 * Writes the outbox rows for one notification. Call it with the caller's transaction: the rows
 * commit or roll back with the change that caused them (the transactional outbox).
 */
export function enqueueNotification(
  trx: Kysely<BatonDatabase>,
  request: NotificationRequest,
  channels: NotificationChannels,
): Promise<EnqueueResult> {
  return enqueueNotifications(trx, [request], channels);
}

/**
 * One insert for many notifications: a webhook and a Slack row for each when those channels are
 * configured, an e-mail row when the recipient has an address and SMTP is configured. A key seen
 * before (`<key>:<channel>`) writes nothing, so a retried producer transaction is harmless.
 */
export async function enqueueNotifications(
  trx: Kysely<BatonDatabase>,
  requests: readonly NotificationRequest[],
  channels: NotificationChannels,
): Promise<EnqueueResult> {
  const rows = outboxRows(requests, channels);
  if (rows.length === 0) return { written: 0 };
  const result = await trx
    .insertInto("notifications")
    .values(rows)
    .onConflict((conflict) => conflict.column("dedupe_key").doNothing())
    .executeTakeFirst();
  return { written: Number(result.numInsertedOrUpdatedRows ?? 0n) };
}

/** The outbox rows for the requests: one per configured channel that can reach the recipient. */
export function outboxRows(
  requests: readonly NotificationRequest[],
  channels: NotificationChannels,
) {
  return requests.flatMap((request) =>
    configuredChannels(channels).flatMap((channel) => {
      const recipient = recipientFor(channel, request.recipient);
      if (channel === "email" && recipient === null) return [];
      return [
        {
          dedupe_key: `${request.key}:${channel}`,
          kind: request.kind,
          channel,
          recipient,
          subject: request.subject,
          body: request.text,
          payload: JSON.stringify({ recipient: request.recipient, data: request.data }),
        },
      ];
    }),
  );
}

function recipientFor(
  channel: NotificationChannel,
  recipient: NotificationRequest["recipient"],
): string | null {
  if (channel === "email") return recipient.email ?? null;
  return recipient.person ?? recipient.email ?? recipient.name ?? null;
}
