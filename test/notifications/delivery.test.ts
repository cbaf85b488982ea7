import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  enqueueNotification,
  type NotificationChannels,
  type NotificationRequest,
  replayDead,
  replayNotification,
  verifyWebhookSignature,
} from "../../src/app/notifications/index.js";
import { migrate } from "../../src/db/migrate.js";
import type { NotificationChannel } from "../../src/db/notification-table.js";
import { type Delivery, startDelivery } from "../../src/worker/notifications/index.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
  waitFor,
} from "./receivers.js";

const secret = "test-secret-0123456789abcdef";
const maxAttempts = 3;

let test: TestDatabase;
let http: HttpReceiver;
let smtp: SmtpReceiver;
let channels: NotificationChannels;
let delivery: Delivery;
let bossSchema: string;

beforeAll(async () => {
  test = await createTestDatabase();
  const outcome = await migrate(test.db);
  if (!outcome.ok) throw new Error(outcome.error);
  http = await startHttpReceiver(secret);
  smtp = await startSmtpReceiver();
  channels = {
    webhook: { url: `${http.baseUrl}/webhook`, secret },
    slack: { url: `${http.baseUrl}/slack` },
    email: { smtpUrl: smtp.url, from: "Baton <baton@baton.test>" },
  };
  bossSchema = `${test.schema}_boss`;
  const started = await startDelivery({
    db: test.db,
    location: test.location,
    channels,
    bossSchema,
    maxAttempts,
    // Short, so the retry tests take seconds: waits of 1–2 s, then 2–4 s.
    retryDelaySeconds: 1,
    timeoutSeconds: 2,
    relayIntervalMs: 100,
    pollingIntervalSeconds: 0.5,
  });
  if (!started.ok) throw new Error(started.error);
  delivery = started.delivery;
});

afterAll(async () => {
  await delivery?.stop();
  await http?.close();
  await smtp?.close();
  if (test) {
    await sql`drop schema if exists ${sql.id(bossSchema)} cascade`.execute(test.db);
    await test.drop();
  }
});

function request(key: string, overrides: Partial<NotificationRequest> = {}): NotificationRequest {
  return {
    key,
    kind: "lead_assigned",
    recipient: { person: "rep-ada", email: "ada@acme.test", name: "Ada" },
    subject: `Lead ${key} is yours`,
    text: "Acme Corp <VP Sales> asked for a demo & a call back.",
    data: { lead: key },
    ...overrides,
  };
}

async function rowsFor(key: string) {
  return test.db
    .selectFrom("notifications")
    .selectAll()
    .where("dedupe_key", "like", `${key}:%`)
    .orderBy("channel")
    .execute();
}

async function rowFor(key: string, channel: NotificationChannel) {
  return test.db
    .selectFrom("notifications")
    .selectAll()
    .where("dedupe_key", "=", `${key}:${channel}`)
    .executeTakeFirstOrThrow();
}

const webhookRequestsFor = (id: string) =>
  http.requests.filter((r) => r.path === "/webhook" && r.eventId === id);

describe("notification delivery", () => {
  it("delivers a committed notification once per channel, and nothing of a rolled-back one", async () => {
    await test.db
      .transaction()
      .execute(async (trx) => {
        await enqueueNotification(trx, request("rolled-back"), channels);
        throw new Error("the producer's change failed");
      })
      .catch(() => {});
    const written = await test.db
      .transaction()
      .execute((trx) => enqueueNotification(trx, request("lead-1"), channels));
    expect(written).toEqual({ written: 3 });

    await waitFor("lead-1 delivered on every channel", async () =>
      (await rowsFor("lead-1")).every((row) => row.status === "delivered"),
    );
    expect(await rowsFor("rolled-back")).toEqual([]);

    const rows = await rowsFor("lead-1");
    expect(rows.map((row) => [row.channel, row.attempts])).toEqual([
      ["email", 1],
      ["slack", 1],
      ["webhook", 1],
    ]);
    const webhookRow = await rowFor("lead-1", "webhook");
    const [received] = webhookRequestsFor(webhookRow.id);
    expect(webhookRequestsFor(webhookRow.id)).toHaveLength(1);
    expect(received?.verdict).toBe("accepted");
    expect(JSON.parse(received?.body ?? "")).toMatchObject({
      id: webhookRow.id,
      kind: "lead_assigned",
      occurredAt: webhookRow.created_at.toISOString(),
      subject: "Lead lead-1 is yours",
      text: "Acme Corp <VP Sales> asked for a demo & a call back.",
      data: { lead: "lead-1" },
    });
    expect(received?.headers["baton-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);

    const slackRow = await rowFor("lead-1", "slack");
    const slack = http.requests.filter((r) => r.path === "/slack" && r.eventId === slackRow.id);
    expect(slack).toHaveLength(1);
    const message = JSON.parse(slack[0]?.body ?? "") as { text: string; blocks: unknown[] };
    expect(message.text).toContain("&lt;VP Sales&gt;");
    expect(message.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Lead lead-1 is yours" },
    });

    const emailRow = await rowFor("lead-1", "email");
    const mails = smtp.messages.filter((m) => m.messageId === `<${emailRow.id}@baton.test>`);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe("Lead lead-1 is yours");
    expect(mails[0]?.to).toMatchObject({ text: "ada@acme.test" });
    expect(mails[0]?.text?.trim()).toBe("Acme Corp <VP Sales> asked for a demo & a call back.");
    expect(http.requests.some((r) => r.body.includes("rolled-back"))).toBe(false);
  });

  it("writes nothing for a producer key seen before, and delivers it once", async () => {
    const first = await test.db
      .transaction()
      .execute((trx) => enqueueNotification(trx, request("lead-2"), channels));
    const again = await test.db
      .transaction()
      .execute((trx) => enqueueNotification(trx, request("lead-2"), channels));
    expect([first.written, again.written]).toEqual([3, 0]);
    await waitFor("lead-2 delivered", async () =>
      (await rowsFor("lead-2")).every((row) => row.status === "delivered"),
    );
    const row = await rowFor("lead-2", "webhook");
    expect(webhookRequestsFor(row.id)).toHaveLength(1);
  });

  it("retries with growing delays, and declares a notification dead after the last attempt", async () => {
    const webhookOnly = { webhook: channels.webhook };
    await test.db.transaction().execute(async (trx) => {
      await enqueueNotification(trx, request("flaky", { data: { failTimes: 2 } }), webhookOnly);
      await enqueueNotification(trx, request("broken", { data: { failTimes: 1000 } }), webhookOnly);
    });
    const flaky = await rowFor("flaky", "webhook");
    const broken = await rowFor("broken", "webhook");
    await waitFor("flaky delivered and broken dead", async () => {
      const [f, b] = [await rowFor("flaky", "webhook"), await rowFor("broken", "webhook")];
      return f.status === "delivered" && b.status === "dead";
    });

    const attempts = webhookRequestsFor(flaky.id);
    expect(attempts.map((r) => r.verdict)).toEqual([
      "failed-on-purpose",
      "failed-on-purpose",
      "accepted",
    ]);
    // pg-boss waits between d·2^(n-1) and d·2^n (d = 1 s) before retry n, plus up to one poll
    // (0.5 s): the floors double. Only the floors are checked: jitter, polling and a loaded
    // machine may stretch the first wait past the second.
    const [first, second, third] = attempts.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(900);
    expect(third - second).toBeGreaterThanOrEqual(1900);
    const delivered = await rowFor("flaky", "webhook");
    expect(delivered.attempts).toBe(3);
    expect(delivered.last_error).toMatch(/^HTTP 500/);

    const dead = await rowFor("broken", "webhook");
    expect(dead.attempts).toBe(maxAttempts);
    expect(dead.dead_at).toBeInstanceOf(Date);
    expect(dead.last_error).toBe("HTTP 500: failed-on-purpose");
    expect(webhookRequestsFor(broken.id)).toHaveLength(maxAttempts);
  });

  it("replays a dead notification with the same event id once the receiver recovers", async () => {
    const broken = await rowFor("broken", "webhook");
    expect(broken.status).toBe("dead");
    http.recover();
    expect(await replayDead(test.db)).toEqual([broken.id]);
    await waitFor("broken delivered", async () => {
      return (await rowFor("broken", "webhook")).status === "delivered";
    });
    const replayed = await rowFor("broken", "webhook");
    expect(replayed).toMatchObject({ id: broken.id, replays: 1, attempts: 1, dead_at: null });
    expect(http.accepted.get("/webhook")?.has(broken.id)).toBe(true);
  });

  it("replays a delivered notification; the receivers drop the duplicate by its event id", async () => {
    const webhookRow = await rowFor("lead-1", "webhook");
    const emailRow = await rowFor("lead-1", "email");
    expect(await replayNotification(test.db, webhookRow.id)).toEqual({
      ok: true,
      id: webhookRow.id,
    });
    expect(await replayNotification(test.db, emailRow.id)).toEqual({ ok: true, id: emailRow.id });
    await waitFor("the replays delivered", async () => {
      const rows = [await rowFor("lead-1", "webhook"), await rowFor("lead-1", "email")];
      return rows.every((row) => row.status === "delivered" && row.replays === 1);
    });
    expect(webhookRequestsFor(webhookRow.id).map((r) => r.verdict)).toEqual([
      "accepted",
      "duplicate",
    ]);
    // A mailbox has no receiver code: the replay is a second message with the same Message-ID.
    const mails = smtp.messages.filter((m) => m.messageId === `<${emailRow.id}@baton.test>`);
    expect(mails).toHaveLength(2);
  });

  it("refuses to replay a notification that is on its way or does not exist", async () => {
    // A row the relay has queued (no job behind this one: it is written here directly).
    const pending = await test.db
      .insertInto("notifications")
      .values({
        dedupe_key: "on-its-way:webhook",
        kind: "lead_assigned",
        channel: "webhook",
        recipient: "rep-ada",
        subject: "On its way",
        body: "",
        payload: "{}",
        status: "queued",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const outcome = await replayNotification(test.db, pending.id);
    expect(outcome).toMatchObject({ ok: false, error: "not-finished", status: "queued" });
    expect(await replayNotification(test.db, "00000000-0000-4000-8000-000000000000")).toMatchObject(
      {
        ok: false,
        error: "not-found",
      },
    );
    expect(await replayNotification(test.db, "not-a-uuid")).toMatchObject({
      ok: false,
      error: "not-found",
    });
  });

  it("lets a receiver refuse a tampered body and a stale timestamp", async () => {
    const webhookRow = await rowFor("lead-2", "webhook");
    const [original] = webhookRequestsFor(webhookRow.id);
    if (!original) throw new Error("lead-2 was not delivered");
    const headers = {
      "content-type": "application/json",
      "baton-event-id": "11111111-1111-4111-8111-111111111111",
      "baton-timestamp": String(original.headers["baton-timestamp"]),
      "baton-signature": String(original.headers["baton-signature"]),
    };
    const tampered = original.body.replace("lead-2", "lead-9");
    const response = await fetch(`${http.baseUrl}/webhook`, {
      method: "POST",
      headers,
      body: tampered,
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe("refused: bad-signature");

    const signedAt = new Date(Number(headers["baton-timestamp"]) * 1000);
    const check = (body: string, now: Date) =>
      verifyWebhookSignature({
        secret,
        timestamp: headers["baton-timestamp"],
        signature: headers["baton-signature"],
        body,
        now,
        toleranceSeconds: 300,
      });
    expect(check(original.body, signedAt)).toEqual({ ok: true });
    expect(check(original.body, new Date(signedAt.getTime() + 301_000))).toMatchObject({
      ok: false,
      reason: "stale-timestamp",
    });
  });
});
