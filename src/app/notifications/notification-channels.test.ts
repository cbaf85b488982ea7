import { describe, expect, it } from "vitest";
import { mailDomain, notificationChannelsFromEnvironment } from "./notification-channels.js";

const secret = "0123456789abcdef0123456789abcdef";

describe("notification channels from the environment", () => {
  it("configures nothing when nothing is set", () => {
    expect(notificationChannelsFromEnvironment({})).toEqual({ ok: true, channels: {} });
  });

  it("reads every channel", () => {
    expect(
      notificationChannelsFromEnvironment({
        BATON_WEBHOOK_URL: "https://hooks.acme.test/baton",
        BATON_WEBHOOK_SECRET: secret,
        BATON_SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T000/B000/XXXX",
        BATON_SMTP_URL: "smtp://127.0.0.1:2525",
        BATON_MAIL_FROM: "Baton <baton@acme.test>",
      }),
    ).toEqual({
      ok: true,
      channels: {
        webhook: { url: "https://hooks.acme.test/baton", secret },
        slack: { url: "https://hooks.slack.com/services/T000/B000/XXXX" },
        email: { smtpUrl: "smtp://127.0.0.1:2525", from: "Baton <baton@acme.test>" },
      },
    });
  });

  it("names each malformed or half-set variable, says what is wrong and what to do", () => {
    const outcome = notificationChannelsFromEnvironment({
      BATON_WEBHOOK_URL: "hooks.acme.test/baton",
      BATON_WEBHOOK_SECRET: "short",
      BATON_SLACK_WEBHOOK_URL: "ftp://files.acme.test/",
      BATON_SMTP_URL: "smtp://user:hunter2@mail.acme.test:587",
      BATON_MAIL_FROM: "Baton",
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors.map((error) => [error.variable, error.message])).toEqual([
      ["BATON_WEBHOOK_URL", '"hooks.acme.test/baton" is not a URL'],
      ["BATON_WEBHOOK_SECRET", "is 5 characters long; a signing secret needs at least 16"],
      ["BATON_SLACK_WEBHOOK_URL", '"ftp://files.acme.test/" uses ftp://'],
      ["BATON_MAIL_FROM", '"Baton" is not an e-mail address'],
    ]);
    for (const error of outcome.errors) expect(error.fix).not.toBe("");
  });

  it("refuses a channel configured by halves", () => {
    const outcome = notificationChannelsFromEnvironment({
      BATON_WEBHOOK_URL: "https://hooks.acme.test/baton",
      BATON_MAIL_FROM: "baton@acme.test",
    });
    expect(outcome.ok ? [] : outcome.errors.map((error) => error.variable)).toEqual([
      "BATON_WEBHOOK_SECRET",
      "BATON_SMTP_URL",
    ]);
  });

  it("never repeats a password from a URL in a message", () => {
    const outcome = notificationChannelsFromEnvironment({
      BATON_SMTP_URL: "http://user:hunter2@mail.acme.test",
      BATON_MAIL_FROM: "baton@acme.test",
    });
    expect(outcome.ok).toBe(false);
    expect(JSON.stringify(outcome)).not.toContain("hunter2");
    expect(JSON.stringify(outcome)).toContain("user:***@");
  });

  it("finds the domain of a sender, with or without a display name", () => {
    expect(mailDomain("baton@acme.test")).toBe("acme.test");
    expect(mailDomain("Baton Alerts <alerts@mail.acme.test>")).toBe("mail.acme.test");
    expect(mailDomain("Baton")).toBeUndefined();
    expect(mailDomain("baton@localhost")).toBeUndefined();
  });
});
