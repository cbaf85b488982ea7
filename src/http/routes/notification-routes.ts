import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { replayDead, replayNotification } from "../../app/notifications/index.js";
import type { NotificationChannels } from "../../app/notifications/notification-channels.js";
import { notificationChannels, notificationStatuses } from "../../db/notification-table.js";
import type { RouteContext } from "../app.js";
import { HttpError } from "../http-error.js";
import { decodeCursor, encodeCursor, errors, Limit, page } from "../schemas.js";

const NotificationSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  channel: Type.Enum(notificationChannels),
  recipient: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  status: Type.Enum(notificationStatuses),
  attempts: Type.Integer(),
  replays: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  deliveredAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  deadAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

/** The outbox for admins: what was sent, what failed and why, and replaying it. */
export async function registerNotificationRoutes(
  app: FastifyInstance,
  { engine, options }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/api/notifications/channels",
    {
      config: { access: "notifications.manage" },
      schema: {
        tags: ["notifications"],
        summary: "Which delivery channels are configured, and where each sends (never a secret)",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                channel: Type.Enum(notificationChannels),
                configured: Type.Boolean(),
                target: Type.Union([Type.String(), Type.Null()], {
                  description: "the receiver's host, or the e-mail sender and server host",
                }),
                variables: Type.Array(Type.String(), {
                  description: "the environment variables that configure the channel",
                }),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => ({ items: channelSummaries(options.notificationChannels ?? {}) }),
  );

  typed.get(
    "/api/notifications",
    {
      config: { access: "notifications.manage" },
      schema: {
        tags: ["notifications"],
        summary: "Notifications in the outbox, newest first, filtered by status and channel",
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(notificationStatuses)),
          channel: Type.Optional(Type.Enum(notificationChannels)),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: page(NotificationSchema), ...errors(401, 403, 422) },
      },
    },
    async (request) => {
      const query = request.query;
      let select = engine.db.selectFrom("notifications").selectAll();
      if (query.status !== undefined) select = select.where("status", "=", query.status);
      if (query.channel !== undefined) select = select.where("channel", "=", query.channel);
      if (query.cursor !== undefined) {
        const [value, id] = decodeCursor(query.cursor);
        const at = String(value);
        if (Number.isNaN(Date.parse(at)))
          throw new HttpError(
            "invalid_request",
            "cursor is not one this API returned; start again without it",
          );
        select = select.where((eb) =>
          eb.or([
            eb("created_at", "<", new Date(at)),
            eb.and([eb("created_at", "=", new Date(at)), eb("id", "<", id)]),
          ]),
        );
      }
      const rows = await select
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(query.limit + 1)
        .execute();
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({
          id: row.id,
          kind: row.kind,
          channel: row.channel,
          recipient: row.recipient,
          subject: row.subject,
          status: row.status,
          attempts: row.attempts,
          replays: row.replays,
          lastError: row.last_error,
          createdAt: row.created_at.toISOString(),
          deliveredAt: row.delivered_at?.toISOString() ?? null,
          deadAt: row.dead_at?.toISOString() ?? null,
        })),
        nextCursor:
          rows.length > query.limit && last
            ? encodeCursor(last.created_at.toISOString(), last.id)
            : null,
      };
    },
  );

  typed.post(
    "/api/notifications/:id/replay",
    {
      config: { access: "notifications.manage" },
      schema: {
        tags: ["notifications"],
        summary: "Send a dead or delivered notification again, with the same event id",
        params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
        response: {
          200: Type.Object({ id: Type.String(), status: Type.Literal("pending") }),
          ...errors(401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const outcome = await replayNotification(engine.db, request.params.id);
      if (outcome.ok) return { id: outcome.id, status: "pending" as const };
      if (outcome.error === "not-found")
        throw new HttpError("not_found", `there is no notification '${request.params.id}'`);
      throw new HttpError(
        "notification_in_flight",
        `notification ${outcome.id} is ${outcome.status} and on its way already; replay only dead or delivered ones`,
      );
    },
  );

  typed.post(
    "/api/notifications/replay-dead",
    {
      config: { access: "notifications.manage" },
      schema: {
        tags: ["notifications"],
        summary: "Send every dead notification again (after a receiver is fixed)",
        response: {
          200: Type.Object({ replayed: Type.Array(Type.String()) }),
          ...errors(401, 403),
        },
      },
    },
    async () => ({ replayed: await replayDead(engine.db) }),
  );
}

/**
 * The configured channels for people: a receiver's host only, since webhook paths and SMTP URLs
 * can carry tokens and passwords.
 */
export function channelSummaries(channels: NotificationChannels) {
  const host = (url: string) => {
    try {
      return new URL(url).host;
    } catch {
      return null;
    }
  };
  return [
    {
      channel: "webhook" as const,
      configured: channels.webhook !== undefined,
      target: channels.webhook === undefined ? null : host(channels.webhook.url),
      variables: ["BATON_WEBHOOK_URL", "BATON_WEBHOOK_SECRET"],
    },
    {
      channel: "slack" as const,
      configured: channels.slack !== undefined,
      target: channels.slack === undefined ? null : host(channels.slack.url),
      variables: ["BATON_SLACK_WEBHOOK_URL"],
    },
    {
      channel: "email" as const,
      configured: channels.email !== undefined,
      target:
        channels.email === undefined
          ? null
          : `${channels.email.from} via ${host(channels.email.smtpUrl) ?? "the SMTP server"}`,
      variables: ["BATON_SMTP_URL", "BATON_MAIL_FROM"],
    },
  ];
}
