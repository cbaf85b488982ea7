import type { NotificationChannel } from "../../db/notification-table.js";

/**
 * Where notifications go. Each channel is optional; a missing one writes no outbox rows. Built
 * from the environment by `notificationChannelsFromEnvironment`, or in code (tests pass their
 * receivers' ports).
 */
export interface NotificationChannels {
  /** An HTTP endpoint that receives signed JSON (see webhook-signature.ts). */
  webhook?: { url: string; secret: string };
  /** A Slack incoming webhook (or anything that accepts its `{ text, blocks }` format). */
  slack?: { url: string };
  /** An SMTP server, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@mail.example.com`. */
  email?: { smtpUrl: string; from: string };
}

/** One problem with one environment variable, in words a person setting it can act on. */
export interface ChannelConfigurationError {
  variable: string;
  message: string;
  fix: string;
}

export type ChannelsOutcome =
  | { ok: true; channels: NotificationChannels }
  | { ok: false; errors: ChannelConfigurationError[] };

/** An HMAC key shorter than this is guessable; 32 random bytes in hex is the suggestion. */
export const minimumSecretLength = 16;

/**
 * Reads BATON_WEBHOOK_URL with BATON_WEBHOOK_SECRET, BATON_SLACK_WEBHOOK_URL, and BATON_SMTP_URL
 * with BATON_MAIL_FROM. Every malformed or half-configured channel is reported, not just the
 * first, so one run shows everything to fix.
 */
export function notificationChannelsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): ChannelsOutcome {
  const errors: ChannelConfigurationError[] = [];
  const channels: NotificationChannels = {};
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  const webhookUrl = value("BATON_WEBHOOK_URL");
  const webhookSecret = value("BATON_WEBHOOK_SECRET");
  if (webhookUrl !== undefined) {
    const url = checkUrl("BATON_WEBHOOK_URL", webhookUrl, ["http:", "https:"], errors);
    if (webhookSecret === undefined)
      errors.push({
        variable: "BATON_WEBHOOK_SECRET",
        message: "is not set, but BATON_WEBHOOK_URL is: webhooks are always signed",
        fix: "set it to a long random value shared with the receiver, e.g. the output of `openssl rand -hex 32`",
      });
    else if (webhookSecret.length < minimumSecretLength)
      errors.push({
        variable: "BATON_WEBHOOK_SECRET",
        message: `is ${webhookSecret.length} characters long; a signing secret needs at least ${minimumSecretLength}`,
        fix: "use a long random value, e.g. the output of `openssl rand -hex 32`",
      });
    else if (url) channels.webhook = { url, secret: webhookSecret };
  } else if (webhookSecret !== undefined) {
    errors.push({
      variable: "BATON_WEBHOOK_URL",
      message: "is not set, but BATON_WEBHOOK_SECRET is: there is nowhere to send webhooks",
      fix: "set BATON_WEBHOOK_URL to the receiver's https:// address, or unset BATON_WEBHOOK_SECRET",
    });
  }

  const slackUrl = value("BATON_SLACK_WEBHOOK_URL");
  if (slackUrl !== undefined) {
    const url = checkUrl("BATON_SLACK_WEBHOOK_URL", slackUrl, ["http:", "https:"], errors);
    if (url) channels.slack = { url };
  }

  const smtpUrl = value("BATON_SMTP_URL");
  const from = value("BATON_MAIL_FROM");
  if (smtpUrl !== undefined) {
    const url = checkUrl("BATON_SMTP_URL", smtpUrl, ["smtp:", "smtps:"], errors);
    if (from === undefined)
      errors.push({
        variable: "BATON_MAIL_FROM",
        message: "is not set, but BATON_SMTP_URL is: e-mail needs a sender",
        fix: 'set it to an address, e.g. "Baton <baton@example.com>"',
      });
    else if (mailDomain(from) === undefined)
      errors.push({
        variable: "BATON_MAIL_FROM",
        message: `"${from}" is not an e-mail address`,
        fix: 'write an address, optionally with a name: "baton@example.com" or "Baton <baton@example.com>"',
      });
    else if (url) channels.email = { smtpUrl: url, from };
  } else if (from !== undefined) {
    errors.push({
      variable: "BATON_SMTP_URL",
      message: "is not set, but BATON_MAIL_FROM is: there is no server to send e-mail through",
      fix: "set BATON_SMTP_URL, e.g. smtp://mail.example.com:587, or unset BATON_MAIL_FROM",
    });
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, channels };
}

/** The configured channels, in a fixed order. */
export function configuredChannels(channels: NotificationChannels): NotificationChannel[] {
  const list: NotificationChannel[] = [];
  if (channels.webhook) list.push("webhook");
  if (channels.slack) list.push("slack");
  if (channels.email) list.push("email");
  return list;
}

/** The domain of a sender such as `baton@example.com` or `Baton <baton@example.com>`. */
export function mailDomain(from: string): string | undefined {
  const address = /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from;
  return /^[^@\s<>]+@([^@\s<>]+\.[^@\s<>]+)$/.exec(address)?.[1];
}

function checkUrl(
  variable: string,
  value: string,
  protocols: readonly string[],
  errors: ChannelConfigurationError[],
): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    errors.push({
      variable,
      message: `"${redact(value)}" is not a URL`,
      fix: `write a full address starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    });
    return undefined;
  }
  if (!protocols.includes(parsed.protocol) || parsed.hostname === "") {
    errors.push({
      variable,
      message: `"${redact(value)}" ${parsed.hostname === "" ? "has no host" : `uses ${parsed.protocol}//`}`,
      fix: `write a full address starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
    });
    return undefined;
  }
  return value;
}

/** Error messages end up in logs: never repeat a password from a URL. */
function redact(value: string): string {
  return value.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}
