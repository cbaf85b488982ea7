import type { ColumnType, Generated } from "kysely";

/** The ways Baton delivers a notification; one outbox row per channel. */
export const notificationChannels = ["webhook", "slack", "email"] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

/**
 * pending: committed, not yet handed to the job queue; queued: a delivery job exists;
 * delivered: a receiver accepted it; dead: every attempt failed (a replay makes it pending again).
 */
export const notificationStatuses = ["pending", "queued", "delivered", "dead"] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/** The outbox (src/db/migrations/0003-notifications.sql). `id` is the event id receivers see. */
export interface NotificationTable {
  id: Generated<string>;
  /** `<producer key>:<channel>`: a retried producer transaction writes the row once. */
  dedupe_key: string;
  kind: string;
  channel: NotificationChannel;
  /** A person id or name for webhook and Slack rows, the address for e-mail rows. */
  recipient: string | null;
  subject: string;
  body: string;
  /** jsonb `{ recipient, data }`: written as JSON text, read back parsed. */
  payload: ColumnType<unknown, string, string>;
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  replays: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  queued_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  dead_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}
