import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  enqueueNotifications,
  type NotificationChannels,
  type NotificationRequest,
} from "../../src/app/notifications/index.js";
import { migrate } from "../../src/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";

const channels: NotificationChannels = {
  webhook: { url: "https://hooks.acme.test/baton", secret: "0123456789abcdef0123" },
  slack: { url: "https://hooks.slack.test/services/X" },
  email: { smtpUrl: "smtp://127.0.0.1:2525", from: "baton@acme.test" },
};

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  const outcome = await migrate(test.db);
  if (!outcome.ok) throw new Error(outcome.error);
});
afterAll(async () => {
  await test.drop();
});

function breach(key: string, recipient: NotificationRequest["recipient"]): NotificationRequest {
  return {
    key,
    kind: "sla_breach",
    recipient,
    subject: "SLA breached",
    text: "Acme Corp waited 61 minutes.",
    data: { lead: "lead-7", step: "mql-qualification" },
  };
}

describe("enqueueing notifications", () => {
  it("writes a row per configured channel, e-mail only for recipients with an address", async () => {
    const result = await test.db
      .transaction()
      .execute((trx) =>
        enqueueNotifications(
          trx,
          [
            breach("timer:a", { person: "rep-ada", email: "ada@acme.test" }),
            breach("timer:b", { person: "rep-bob" }),
          ],
          channels,
        ),
      );
    expect(result).toEqual({ written: 5 });
    const rows = await test.db
      .selectFrom("notifications")
      .select(["dedupe_key", "channel", "recipient", "status", "attempts", "payload"])
      .orderBy("dedupe_key")
      .execute();
    expect(rows.map((row) => [row.dedupe_key, row.recipient, row.status])).toEqual([
      ["timer:a:email", "ada@acme.test", "pending"],
      ["timer:a:slack", "rep-ada", "pending"],
      ["timer:a:webhook", "rep-ada", "pending"],
      ["timer:b:slack", "rep-bob", "pending"],
      ["timer:b:webhook", "rep-bob", "pending"],
    ]);
    expect(rows[0]?.payload).toEqual({
      recipient: { person: "rep-ada", email: "ada@acme.test" },
      data: { lead: "lead-7", step: "mql-qualification" },
    });
  });

  it("skips keys seen before and writes nothing without channels", async () => {
    const again = await test.db
      .transaction()
      .execute((trx) =>
        enqueueNotifications(
          trx,
          [breach("timer:a", { email: "ada@acme.test" }), breach("timer:c", {})],
          channels,
        ),
      );
    expect(again).toEqual({ written: 2 });
    const none = await test.db
      .transaction()
      .execute((trx) => enqueueNotifications(trx, [breach("timer:d", {})], {}));
    expect(none).toEqual({ written: 0 });
  });
});
