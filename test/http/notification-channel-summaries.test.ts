import { describe, expect, it } from "vitest";
import { channelSummaries } from "../../src/http/routes/notification-routes.js";

describe("channelSummaries (GET /api/notifications/channels)", () => {
  it("lists every channel, unconfigured ones without a target", () => {
    const summaries = channelSummaries({});
    expect(summaries.map((entry) => [entry.channel, entry.configured, entry.target])).toEqual([
      ["webhook", false, null],
      ["slack", false, null],
      ["email", false, null],
    ]);
    expect(summaries[2]!.variables).toEqual(["BATON_SMTP_URL", "BATON_MAIL_FROM"]);
  });

  it("shows only hosts and the sender, never a path, token, secret or password", () => {
    const summaries = channelSummaries({
      webhook: {
        url: "https://hooks.example.com/baton?token=abc",
        secret: "s3cret-signing-key-1234",
      },
      slack: { url: "https://hooks.slack.example/services/T000/B000/XXXX" },
      email: {
        smtpUrl: "smtps://user:hunter2@mail.example.com:465",
        from: "Baton <baton@example.com>",
      },
    });
    expect(summaries.map((entry) => entry.target)).toEqual([
      "hooks.example.com",
      "hooks.slack.example",
      "Baton <baton@example.com> via mail.example.com:465",
    ]);
    const text = JSON.stringify(summaries);
    for (const secret of ["abc", "s3cret", "XXXX", "hunter2", "user:"])
      expect(text).not.toContain(secret);
  });
});
