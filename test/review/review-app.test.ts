import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotificationChannels } from "../../src/app/notifications/index.js";
import {
  addDecision,
  createActionItem,
  listActionItems,
  remindOverdueItems,
  updateActionItem,
} from "../../src/app/review/action-items.js";
import { deliverDueReviews } from "../../src/app/review/review-delivery.js";
import { generateReviewPack, getPack, listPacks } from "../../src/app/review/review-packs.js";
import { activateExample, createEngineFixture, type EngineFixture } from "../app/engine-fixture.js";

/**
 * The review on the database (PGlite, or the server with DATABASE_URL): packs generated and
 * stored, action items through their life, overdue reminders once a day, decisions carried into
 * the next pack, and scheduled packs stored and notified once per period however many callers
 * race for them. The fixture's clock is Monday 2026-03-09 14:00 UTC (10:00 in New York, EDT since
 * Sunday 03-08).
 */

// Channels only decide which outbox rows are written here; nothing is sent.
const channels: NotificationChannels = {
  webhook: { url: "http://127.0.0.1:9/webhook", secret: "review-test-secret-0123456789" },
  slack: { url: "http://127.0.0.1:9/slack" },
  email: { smtpUrl: "smtp://127.0.0.1:9", from: "Baton <baton@baton.test>" },
};

let fixture: EngineFixture;
beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
}, 60_000);
afterAll(async () => fixture?.test.drop());

async function outbox(kind: string) {
  return fixture.test.db
    .selectFrom("notifications")
    .select(["dedupe_key", "channel", "recipient", "subject", "body", "payload"])
    .where("kind", "=", kind)
    .orderBy("dedupe_key")
    .execute();
}

describe("review packs on demand", () => {
  it("generates last week's pack of a review, stores it and reads it back", async () => {
    const generated = await generateReviewPack(fixture.engine, {
      review: "forecast",
      period: "last-week",
      generatedBy: "riley",
    });
    if (!generated.ok) throw new Error(generated.error.message);
    const stored = generated.value;
    // Monday 03-02 00:00 EST (UTC−5) to Monday 03-09 00:00 EDT (UTC−4)
    expect(stored.period.from).toBe(Date.parse("2026-03-02T05:00:00Z"));
    expect(stored.period.to).toBe(Date.parse("2026-03-09T04:00:00Z"));
    expect(stored).toMatchObject({ review: "forecast", trigger: "demand", generatedBy: "riley" });
    expect(stored.pack.version).toBe(1);
    expect(stored.pack.review?.id).toBe("forecast");

    const read = await getPack(fixture.engine, stored.id);
    expect(read.ok && read.value.pack).toEqual(stored.pack);
    const listed = await listPacks(fixture.engine, { review: "forecast" });
    expect(listed.map((pack) => pack.id)).toContain(stored.id);
    expect(listed.find((pack) => pack.id === stored.id)?.period.label).toBe(
      stored.pack.period.label,
    );
  });

  it("refuses an unknown review and a malformed period, naming what is known", async () => {
    const review = await generateReviewPack(fixture.engine, { review: "weekly", generatedBy: "x" });
    expect(!review.ok && review.error).toMatchObject({
      code: "unknown_review",
      known: ["forecast", "joint-revenue-review"],
    });
    const period = await generateReviewPack(fixture.engine, {
      period: "last-fortnight",
      generatedBy: "x",
    });
    expect(!period.ok && period.error.code).toBe("invalid_period");
    expect((await getPack(fixture.engine, "rp-none")).ok).toBe(false);
  });
});

describe("action items", () => {
  it("validates, closes and reopens an item", async () => {
    const base = {
      title: "Fix the webinar form",
      owner: "maria",
      dueOn: "2026-03-20",
      type: "content",
    };
    const refusals = await Promise.all([
      createActionItem(fixture.engine, { ...base, owner: "nobody" }, "riley"),
      createActionItem(fixture.engine, { ...base, type: "budget" }, "riley"),
      createActionItem(fixture.engine, { ...base, dueOn: "2026-02-30" }, "riley"),
      createActionItem(fixture.engine, { ...base, metric: "happiness" }, "riley"),
      createActionItem(fixture.engine, { ...base, title: "  " }, "riley"),
      createActionItem(fixture.engine, { ...base, reviewPackId: "rp-none" }, "riley"),
    ]);
    expect(refusals.map((outcome) => !outcome.ok && outcome.error)).toEqual([
      expect.objectContaining({ code: "invalid_action_item", field: "owner" }),
      expect.objectContaining({ code: "invalid_action_item", field: "type" }),
      expect.objectContaining({ code: "invalid_action_item", field: "dueOn" }),
      expect.objectContaining({ code: "invalid_action_item", field: "metric" }),
      expect.objectContaining({ code: "invalid_action_item", field: "title" }),
      expect.objectContaining({ code: "invalid_action_item", field: "reviewPackId" }),
    ]);

    const created = await createActionItem(
      fixture.engine,
      { ...base, owner: "maria@acme.example", metric: "mql-to-sql", leadIds: ["lead-1"] },
      "riley",
    );
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value).toMatchObject({
      status: "open",
      closedAt: null,
      metric: "mql-to-sql",
      leadIds: ["lead-1"],
      createdAt: fixture.clock.now,
    });

    fixture.advance(60);
    const done = await updateActionItem(fixture.engine, created.value.id, { status: "done" });
    expect(done.ok && done.value).toMatchObject({ status: "done", closedAt: fixture.clock.now });
    fixture.advance(60);
    const again = await updateActionItem(fixture.engine, created.value.id, {
      status: "in_progress",
    });
    expect(again.ok && again.value).toMatchObject({ status: "in_progress", closedAt: null });
    const missing = await updateActionItem(fixture.engine, "ai-none", { status: "done" });
    expect(!missing.ok && missing.error.code).toBe("unknown_action_item");
    const bad = await updateActionItem(fixture.engine, created.value.id, { status: "finished" });
    expect(!bad.ok && bad.error).toMatchObject({ field: "status" });
  });

  it("reminds the owner of an overdue item once a day, until it is closed", async () => {
    const late = await createActionItem(
      fixture.engine,
      {
        title: "Call back the stuck demo requests",
        owner: "sam",
        dueOn: "2026-03-06",
        type: "process",
      },
      "riley",
    );
    if (!late.ok) throw new Error(late.error.message);
    const overdue = await listActionItems(fixture.engine, { overdue: true });
    expect(overdue.map((item) => item.id)).toEqual([late.value.id]);

    // webhook, Slack and Sam's e-mail
    expect(await remindOverdueItems(fixture.engine, channels)).toEqual({
      reminded: 1,
      notifications: 3,
    });
    expect(await remindOverdueItems(fixture.engine, channels)).toEqual({
      reminded: 0,
      notifications: 0,
    });
    const rows = await outbox("action_item_overdue");
    expect(rows.map((row) => row.channel).sort()).toEqual(["email", "slack", "webhook"]);
    expect(rows.find((row) => row.channel === "email")?.recipient).toBe("sam@acme.example");
    // 03-06 to 03-09 in New York
    expect(rows[0]?.body).toContain("3 days ago");

    fixture.advance(24 * 60);
    expect(await remindOverdueItems(fixture.engine, channels)).toEqual({
      reminded: 1,
      notifications: 3,
    });
    await updateActionItem(fixture.engine, late.value.id, { status: "dropped" });
    fixture.advance(24 * 60);
    expect(await remindOverdueItems(fixture.engine, channels)).toEqual({
      reminded: 0,
      notifications: 0,
    });
    expect(await outbox("action_item_overdue")).toHaveLength(6);
  });
});

describe("decisions and the next pack", () => {
  it("logs decisions with their pack and carries them and its action items into the next one", async () => {
    const earlier = await generateReviewPack(fixture.engine, {
      review: "joint-revenue-review",
      period: "2026-02-02..2026-02-16",
      generatedBy: "riley",
    });
    if (!earlier.ok) throw new Error(earlier.error.message);
    const decision = await addDecision(
      fixture.engine,
      earlier.value.id,
      "Webinar leads go to nurture before the SDRs",
      "maria",
    );
    if (!decision.ok) throw new Error(decision.error.message);
    expect(decision.value).toMatchObject({ reviewPackId: earlier.value.id, decidedBy: "maria" });
    const item = await createActionItem(
      fixture.engine,
      {
        title: "Re-score webinar attendees",
        owner: "mo",
        dueOn: "2026-04-01",
        type: "definition_change",
        reviewPackId: earlier.value.id,
      },
      "maria",
    );
    if (!item.ok) throw new Error(item.error.message);
    expect((await addDecision(fixture.engine, "rp-none", "x", "maria")).ok).toBe(false);
    expect(!(await addDecision(fixture.engine, earlier.value.id, " ", "maria")).ok).toBe(true);

    const next = await generateReviewPack(fixture.engine, {
      review: "joint-revenue-review",
      period: "2026-02-16..2026-03-02",
      generatedBy: "riley",
    });
    if (!next.ok) throw new Error(next.error.message);
    expect(next.value.pack.decisions.map((entry) => entry.text)).toEqual([
      "Webinar leads go to nurture before the SDRs",
    ]);
    const carried = next.value.pack.actionItems.find((entry) => entry.item.id === item.value.id);
    expect(carried).toMatchObject({ fromLastReview: true, overdue: false });
    // the earlier pack's own figures did not change
    const reread = await getPack(fixture.engine, earlier.value.id);
    expect(reread.ok && reread.value.pack.decisions).toEqual([]);
  });
});

describe("scheduled packs", () => {
  it("stores and notifies each review's due period once, however many callers race for it", async () => {
    // a pack asked for on demand does not take the scheduled delivery's place
    await generateReviewPack(fixture.engine, { review: "forecast", generatedBy: "riley" });
    const runs = await Promise.all([
      deliverDueReviews(fixture.engine, channels),
      deliverDueReviews(fixture.engine, channels),
      deliverDueReviews(fixture.engine, channels),
    ]);
    const again = await deliverDueReviews(fixture.engine, channels);
    expect(again).toEqual([]);
    const delivered = runs.flat();
    expect(delivered.map((pack) => pack.review).sort()).toEqual([
      "forecast",
      "joint-revenue-review",
    ]);

    const scheduled = await fixture.test.db
      .selectFrom("review_packs")
      .select(["review", "period_from", "period_to", "generated_by"])
      .where("trigger", "=", "schedule")
      .orderBy("review")
      .execute();
    // The clock is 2026-03-11 (two days advanced above). forecast: the week to Monday 03-09,
    // delivered 03-09 09:00. joint-revenue-review: 2-week periods start on even weeks after
    // 1970-01-05 (03-02 is one), so the last complete one is 02-16..03-02, delivered 03-02 10:00.
    expect(
      scheduled.map((row) => [
        row.review,
        row.period_from.toISOString(),
        row.period_to.toISOString(),
      ]),
    ).toEqual([
      ["forecast", "2026-03-02T05:00:00.000Z", "2026-03-09T04:00:00.000Z"],
      ["joint-revenue-review", "2026-02-16T05:00:00.000Z", "2026-03-02T05:00:00.000Z"],
    ]);

    const rows = await outbox("review_pack");
    const count = (review: string, channel: string) =>
      rows.filter((row) => row.channel === channel && row.dedupe_key.includes(`:${review}:`))
        .length;
    // forecast owners: sales (manager Sam), revops (manager Riley); the joint review adds
    // demand_gen (manager Maria)
    expect([
      count("forecast", "webhook"),
      count("forecast", "slack"),
      count("forecast", "email"),
    ]).toEqual([1, 1, 2]);
    expect([
      count("joint-revenue-review", "webhook"),
      count("joint-revenue-review", "slack"),
      count("joint-revenue-review", "email"),
    ]).toEqual([1, 1, 3]);
    expect(
      rows
        .filter((row) => row.channel === "email")
        .map((row) => row.recipient)
        .sort(),
    ).toEqual([
      "maria@acme.example",
      "riley@acme.example",
      "riley@acme.example",
      "sam@acme.example",
      "sam@acme.example",
    ]);
    const webhook = rows.find((row) => row.channel === "webhook")!;
    const data = (webhook.payload as { data: { pack: { version: number }; packId: string } }).data;
    expect(data.pack.version).toBe(1);
    const email = rows.find((row) => row.channel === "email")!;
    expect((email.payload as { data: { html: string } }).data.html).toMatch(/<html/i);
    expect(email.body).toContain(webhook.subject);
  });
});
