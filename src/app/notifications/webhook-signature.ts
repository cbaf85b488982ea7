import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Baton's webhook signature. Every webhook carries three headers:
 * - `Baton-Event-Id`: the notification id; the same on every retry and replay (de-duplicate by it);
 * - `Baton-Timestamp`: when this attempt was signed, in unix seconds;
 * - `Baton-Signature`: `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>`.
 * Signing the timestamp with the body lets a receiver refuse a captured request replayed later.
 */
export const webhookHeaders = {
  eventId: "baton-event-id",
  timestamp: "baton-timestamp",
  signature: "baton-signature",
} as const;

/** Five minutes either way, for clock skew between Baton and the receiver. */
export const defaultToleranceSeconds = 300;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${hmac(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { ok: true }
  | {
      ok: false;
      reason: "malformed-timestamp" | "malformed-signature" | "stale-timestamp" | "bad-signature";
      message: string;
    };

/**
 * Checks a received webhook. `body` must be the raw bytes as received (re-serialised JSON may
 * differ); `timestamp` and `signature` are the header values as received, or undefined when
 * absent; `now` is the receiver's clock. The header may hold several comma-separated `v1=`
 * values (a sender rotating its secret); any one matching is enough. Comparison is constant-time.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string | Buffer;
  now: Date;
  toleranceSeconds?: number;
}): SignatureCheck {
  const { secret, timestamp, signature, now } = input;
  const tolerance = input.toleranceSeconds ?? defaultToleranceSeconds;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
    return {
      ok: false,
      reason: "malformed-timestamp",
      message: "Baton-Timestamp is missing or not unix seconds",
    };
  const candidates = (signature ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.startsWith("v1="))
    .map((part) => part.slice(3));
  if (candidates.length === 0 || candidates.some((hex) => !/^[0-9a-f]{64}$/i.test(hex)))
    return {
      ok: false,
      reason: "malformed-signature",
      message: "Baton-Signature is missing or not v1=<64 hex digits>",
    };
  const seconds = Number(timestamp);
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - seconds);
  if (skew > tolerance)
    return {
      ok: false,
      reason: "stale-timestamp",
      message: `Baton-Timestamp is ${skew} s away from now; at most ${tolerance} s is accepted`,
    };
  const expected = Buffer.from(hmac(secret, seconds, input.body), "hex");
  const matches = candidates.some((hex) => {
    const given = Buffer.from(hex, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches
    ? { ok: true }
    : { ok: false, reason: "bad-signature", message: "Baton-Signature does not match the body" };
}

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}
