import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhookSignature } from "./webhook-signature.js";

const secret = "whsec-0123456789abcdef";
const signedAt = new Date("2026-03-09T14:00:00.000Z");
const timestamp = Math.floor(signedAt.getTime() / 1000);
const body = '{"id":"4b7c…","kind":"sla_breach"}';
const signature = signWebhook(secret, timestamp, body);

function check(overrides: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) {
  return verifyWebhookSignature({
    secret,
    timestamp: String(timestamp),
    signature,
    body,
    now: signedAt,
    ...overrides,
  });
}

describe("webhook signatures", () => {
  it("signs HMAC-SHA256 of '<timestamp>.<body>' in hex, as documented for receivers", () => {
    const expected = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    expect(signature).toBe(`v1=${expected}`);
    expect(check()).toEqual({ ok: true });
    expect(check({ body: Buffer.from(body) })).toEqual({ ok: true });
  });

  it("refuses a tampered body, another secret and a changed timestamp", () => {
    expect(check({ body: body.replace("breach", "warning") })).toMatchObject({
      ok: false,
      reason: "bad-signature",
    });
    expect(check({ secret: "another-secret-0123456789" })).toMatchObject({
      reason: "bad-signature",
    });
    expect(check({ timestamp: String(timestamp + 1) })).toMatchObject({ reason: "bad-signature" });
  });

  it("refuses a timestamp outside the tolerance, either way", () => {
    const later = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);
    expect(check({ now: later(300) })).toEqual({ ok: true });
    expect(check({ now: later(301) })).toMatchObject({ ok: false, reason: "stale-timestamp" });
    expect(check({ now: later(-301) })).toMatchObject({ reason: "stale-timestamp" });
    expect(check({ now: later(60), toleranceSeconds: 30 })).toMatchObject({
      reason: "stale-timestamp",
    });
  });

  it("refuses malformed or missing headers with a reason", () => {
    expect(check({ timestamp: undefined })).toMatchObject({ reason: "malformed-timestamp" });
    expect(check({ timestamp: "2026-03-09T14:00:00Z" })).toMatchObject({
      reason: "malformed-timestamp",
    });
    expect(check({ signature: undefined })).toMatchObject({ reason: "malformed-signature" });
    expect(check({ signature: "sha256=abc" })).toMatchObject({ reason: "malformed-signature" });
    expect(check({ signature: "v1=abc" })).toMatchObject({ reason: "malformed-signature" });
  });

  it("accepts any one of several v1 signatures (a secret being rotated)", () => {
    const old = signWebhook("the-old-secret-0123456", timestamp, body);
    expect(check({ signature: `${old}, ${signature}` })).toEqual({ ok: true });
    expect(check({ signature: `${old}` })).toMatchObject({ reason: "bad-signature" });
  });
});
