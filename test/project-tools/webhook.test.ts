import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../src/app/notifications/webhook-signature.js";
import { webhookTool } from "../../src/connectors/project-tools/index.js";
import {
  type FakeReceiver,
  pushedAt,
  sampleItem,
  sampleLink,
  sampleReviewTitle,
  startReceiver,
  startSilentServer,
} from "./fake-tools.js";

const secret = "actions-secret-0123456789abcdef";

let receiver: FakeReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const tool = () => webhookTool({ url: `${receiver.origin}/baton/actions?via=test`, secret });
const item = sampleItem();
const target = { item, link: sampleLink, reviewTitle: sampleReviewTitle };
/** 2026-12-04T15:30:00Z in unix seconds */
const seconds = 1_796_398_200;

describe("generic webhook: action_item.pushed", () => {
  it("posts the item signed like Baton's notification webhooks", async () => {
    receiver.status = 204;
    receiver.answer = "";
    const result = await tool().push(target, pushedAt);

    const eventId = `ai_7:${pushedAt}`;
    expect(result).toEqual({
      ok: true,
      reference: { tool: "webhook", key: eventId, at: pushedAt },
    });
    const request = receiver.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/baton/actions?via=test");
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["baton-event-id"]).toBe(eventId);
    expect(request.headers["baton-timestamp"]).toBe(String(seconds));
    expect(JSON.parse(request.body)).toEqual({
      type: "action_item.pushed",
      item: JSON.parse(JSON.stringify(item)),
      link: sampleLink,
      reviewTitle: sampleReviewTitle,
    });

    const check = (withSecret: string, body: string) =>
      verifyWebhookSignature({
        secret: withSecret,
        timestamp: request.headers["baton-timestamp"] as string,
        signature: request.headers["baton-signature"] as string,
        body,
        now: new Date(pushedAt + 30_000),
      });
    expect(check(secret, request.body)).toEqual({ ok: true });
    expect(check("another-secret-0123456789", request.body).ok).toBe(false);
    expect(check(secret, request.body.replace("ai_7", "ai_8")).ok).toBe(false);
  });

  it("sends null for an unknown link and review, and a new event id for a later push", async () => {
    receiver.status = 200;
    receiver.answer = "thanks";
    const result = await tool().push({ item }, pushedAt + 60_000);
    expect(result).toEqual({
      ok: true,
      reference: { tool: "webhook", key: `ai_7:${pushedAt + 60_000}`, at: pushedAt + 60_000 },
    });
    const body = JSON.parse(receiver.requests.at(-1)!.body);
    expect(body.link).toBeNull();
    expect(body.reviewTitle).toBeNull();
  });

  it("reports a refusal (4xx) with the start of the receiver's answer, never the secret", async () => {
    receiver.status = 422;
    receiver.answer = `unknown owner; your secret was ${secret}`;
    const result = await tool().push(target, pushedAt);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "rejected",
        status: 422,
        message:
          "The webhook receiver refused the request (HTTP 422): unknown owner; your secret was ***",
      },
    });
  });

  it("points at the secret when the receiver refuses the signature (401)", async () => {
    receiver.status = 401;
    receiver.answer = "bad signature";
    const result = await tool().push(target, pushedAt);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("rejected");
    expect(result.error.message).toContain("BATON_ACTIONS_WEBHOOK_SECRET");
  });

  it("treats a rate limit (429) as worth retrying, after the time the receiver asks for", async () => {
    receiver.status = 429;
    receiver.answer = "slow down";
    receiver.headers = { "retry-after": "30" };
    const result = await tool().push(target, pushedAt);
    receiver.headers = {};
    expect(result).toEqual({
      ok: false,
      error: {
        code: "unreachable",
        status: 429,
        message:
          "The webhook receiver is limiting requests (HTTP 429): slow down; try again in 30 s",
      },
    });
  });

  it("treats a 5xx as unreachable", async () => {
    receiver.status = 503;
    receiver.answer = "";
    const result = await tool().push(target, pushedAt);
    expect(result).toEqual({
      ok: false,
      error: {
        code: "unreachable",
        status: 503,
        message: "The webhook receiver failed (HTTP 503); try again later",
      },
    });
  });

  it("gives up on a receiver that never answers", async () => {
    const silent = await startSilentServer();
    try {
      const result = await webhookTool({ url: silent.origin, secret, timeoutMs: 100 }).push(
        target,
        pushedAt,
      );
      expect(silent.requests).toHaveLength(1);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe("unreachable");
    } finally {
      await silent.close();
    }
  });

  it("describes itself by host only (a hook's path can hold a token)", () => {
    expect(
      webhookTool({ url: "https://hooks.example.com/T0/B1/s3cr3t-path", secret }).describe(),
    ).toBe("webhook at hooks.example.com");
  });
});
