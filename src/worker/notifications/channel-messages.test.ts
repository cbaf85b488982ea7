import { describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../app/notifications/webhook-signature.js";
import {
  emailMessage,
  type OutboxNotification,
  slackMessage,
  webhookRequest,
} from "./channel-messages.js";

const createdAt = new Date("2026-03-09T14:00:00.000Z");
const notification: OutboxNotification = {
  id: "0b6f2f4e-8f8a-4c1e-9d0b-6a1f1e2d3c4b",
  dedupe_key: "timer:sla-1:webhook",
  kind: "sla_breach",
  channel: "webhook",
  recipient: "rep-ada",
  subject: "SLA breached: Acme <Corp>",
  body: "Waited 61 min; see <https://evil.test|here> & @channel",
  payload: { recipient: { person: "rep-ada" }, data: { lead: "lead-7" } },
  status: "queued",
  attempts: 0,
  replays: 0,
  last_error: null,
  created_at: createdAt,
  queued_at: createdAt,
  delivered_at: null,
  dead_at: null,
};

describe("channel messages", () => {
  it("signs the webhook body as sent, with this attempt's timestamp", () => {
    const now = new Date("2026-03-09T14:05:00.000Z");
    const request = webhookRequest(notification, "0123456789abcdef", now);
    expect(JSON.parse(request.body)).toEqual({
      id: notification.id,
      kind: "sla_breach",
      occurredAt: "2026-03-09T14:00:00.000Z",
      recipient: { person: "rep-ada" },
      subject: "SLA breached: Acme <Corp>",
      text: "Waited 61 min; see <https://evil.test|here> & @channel",
      data: { lead: "lead-7" },
    });
    expect(request.headers["Baton-Event-Id"]).toBe(notification.id);
    expect(request.headers["Baton-Timestamp"]).toBe(String(now.getTime() / 1000));
    const check = verifyWebhookSignature({
      secret: "0123456789abcdef",
      timestamp: request.headers["Baton-Timestamp"],
      signature: request.headers["Baton-Signature"],
      body: request.body,
      now,
    });
    expect(check).toEqual({ ok: true });
  });

  it("escapes user text in Slack mrkdwn so it cannot link or mention", () => {
    const message = slackMessage(notification);
    expect(message.text).toBe(
      "SLA breached: Acme &lt;Corp&gt;: Waited 61 min; see &lt;https://evil.test|here&gt; &amp; @channel",
    );
    expect(message.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "SLA breached: Acme <Corp>" } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "Waited 61 min; see &lt;https://evil.test|here&gt; &amp; @channel",
        },
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `sla_breach · event ${notification.id}` }],
      },
    ]);
    const long = slackMessage({ ...notification, subject: "x".repeat(200) });
    expect(long.blocks[0]).toMatchObject({ text: { text: `${"x".repeat(149)}…` } });
  });

  it("derives the e-mail's Message-ID from the event id", () => {
    const mail = emailMessage(
      { ...notification, channel: "email", recipient: "ada@acme.test" },
      "Baton <baton@acme.test>",
      "acme.test",
    );
    expect(mail).toMatchObject({
      from: "Baton <baton@acme.test>",
      to: "ada@acme.test",
      subject: "SLA breached: Acme <Corp>",
      messageId: `<${notification.id}@acme.test>`,
      headers: { "Baton-Event-Id": notification.id },
    });
    expect(mail.html).toBeUndefined();
  });

  it("adds the HTML part a notification carries (a review pack), beside the text", () => {
    const html = "<!doctype html><title>Pack</title><p>MQLs 12</p>";
    const mail = emailMessage(
      {
        ...notification,
        channel: "email",
        recipient: "ada@acme.test",
        payload: { recipient: "ada@acme.test", data: { html } },
      },
      "Baton <baton@acme.test>",
      "acme.test",
    );
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(notification.body);
  });
});
