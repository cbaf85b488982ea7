import nodemailer from "nodemailer";
import {
  mailDomain,
  type NotificationChannels,
} from "../../app/notifications/notification-channels.js";
import type { NotificationChannel } from "../../db/notification-table.js";
import {
  emailMessage,
  type OutboxNotification,
  slackMessage,
  webhookRequest,
} from "./channel-messages.js";

/** One delivery attempt's result: a refusal or a network failure is a value, not an exception. */
export type AttemptOutcome = { ok: true } | { ok: false; error: string };

export interface ChannelSender {
  send(notification: OutboxNotification): Promise<AttemptOutcome>;
  close(): void;
}

/** A sender per configured channel; each attempt gives up after `timeoutSeconds`. */
export function channelSenders(
  channels: NotificationChannels,
  settings: { timeoutSeconds: number; now: () => Date },
): Partial<Record<NotificationChannel, ChannelSender>> {
  const senders: Partial<Record<NotificationChannel, ChannelSender>> = {};
  const timeoutMs = settings.timeoutSeconds * 1000;
  const { webhook, slack, email } = channels;
  if (webhook)
    senders.webhook = {
      send: (notification) => {
        const request = webhookRequest(notification, webhook.secret, settings.now());
        return post(webhook.url, request.body, request.headers, timeoutMs);
      },
      close() {},
    };
  if (slack)
    senders.slack = {
      send: (notification) =>
        post(
          slack.url,
          JSON.stringify(slackMessage(notification)),
          { "Content-Type": "application/json", "Baton-Event-Id": notification.id },
          timeoutMs,
        ),
      close() {},
    };
  if (email) {
    const transport = nodemailer.createTransport({
      url: email.smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    // Checked when the channels were read; the fallback only keeps the type honest.
    const domain = mailDomain(email.from) ?? "baton.invalid";
    senders.email = {
      async send(notification) {
        if (!notification.recipient) return { ok: false, error: "the notification has no address" };
        try {
          await transport.sendMail(emailMessage(notification, email.from, domain));
          return { ok: true };
        } catch (error) {
          return { ok: false, error: `SMTP: ${messageOf(error)}` };
        }
      },
      close: () => transport.close(),
    };
  }
  return senders;
}

/** POSTs JSON; anything but a 2xx (redirects included) within the time limit is a failure. */
async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  try {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (response.ok) return { ok: true };
    const detail = text.trim().slice(0, 200);
    return { ok: false, error: `HTTP ${response.status}${detail ? `: ${detail}` : ""}` };
  } catch (error) {
    if (error instanceof Error && error.name === "TimeoutError")
      return { ok: false, error: `no response within ${timeoutMs / 1000} s` };
    return { ok: false, error: messageOf(error) };
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and hides the reason (ECONNREFUSED, …) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
