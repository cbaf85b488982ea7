import { PDFParse } from "pdf-parse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, createHttpFixture, type HttpFixture, signIn } from "../http/http-fixture.js";
import { type HttpReceiver, startHttpReceiver } from "../notifications/receivers.js";

/**
 * The review API in memory (app.inject) on the HTTP fixture: packs generated, listed and read
 * in every format (the PDF printed by the machine's Chromium), decisions, action items through
 * their life, and a push to a project tool — a signed webhook received by a real HTTP server,
 * configured from the environment as `baton serve` would be.
 */

const secret = "review-actions-webhook-secret-0123";
let fixture: HttpFixture;
let receiver: HttpReceiver;

beforeAll(async () => {
  receiver = await startHttpReceiver(secret);
  process.env.BATON_ACTIONS_WEBHOOK_URL = `${receiver.baseUrl}/webhook`;
  process.env.BATON_ACTIONS_WEBHOOK_SECRET = secret;
  try {
    fixture = await createHttpFixture();
  } finally {
    delete process.env.BATON_ACTIONS_WEBHOOK_URL;
    delete process.env.BATON_ACTIONS_WEBHOOK_SECRET;
  }
}, 60_000);
afterAll(async () => {
  await fixture?.close();
  await receiver?.close();
});

describe("review packs over HTTP", () => {
  let packId: string;

  it("generates a pack on demand for the signed-in user and lists it with the cadences", async () => {
    const created = await fixture.app.inject({
      method: "POST",
      url: "/api/reviews",
      headers: as(fixture.users.marketing),
      payload: { review: "forecast", period: "2026-03-02..2026-03-09" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    packId = body.id;
    expect(body).toMatchObject({
      review: "forecast",
      trigger: "demand",
      generatedBy: "maria",
      period: { label: "2026-03-02..2026-03-09" },
    });
    expect(body.pack.version).toBe(1);
    expect(body.pack.period.from).toBe(Date.parse("2026-03-02T05:00:00Z"));

    const listed = await fixture.app.inject({
      method: "GET",
      url: "/api/reviews",
      headers: as(fixture.users.rep),
    });
    expect(listed.statusCode).toBe(200);
    const list = listed.json();
    expect(list.items.map((item: { id: string }) => item.id)).toEqual([packId]);
    expect(list.items[0].pack).toBeUndefined();
    expect(list.nextCursor).toBeNull();
    // forecast: weekly on Monday 09:00 New York; the fixture's clock is Monday 03-09 10:00, so
    // the next delivery is Monday 03-16 09:00 EDT
    const forecast = list.reviews.find((review: { id: string }) => review.id === "forecast");
    expect(forecast.nextDeliveryAt).toBe(Date.parse("2026-03-16T13:00:00Z"));

    const read = await fixture.app.inject({
      method: "GET",
      url: `/api/reviews/${packId}`,
      headers: as(fixture.users.viewer),
    });
    expect(read.statusCode).toBe(200);
    expect(read.json().pack).toEqual(body.pack);
  });

  it("refuses an unknown review, a bad period and an unknown pack with specific errors", async () => {
    const unknown = await fixture.app.inject({
      method: "POST",
      url: "/api/reviews",
      headers: as(fixture.users.admin),
      payload: { review: "weekly" },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({
      code: "not_found",
      reason: "unknown_review",
      known: ["forecast", "joint-revenue-review"],
    });
    const period = await fixture.app.inject({
      method: "POST",
      url: "/api/reviews",
      headers: as(fixture.users.admin),
      payload: { period: "2026-03-09..2026-03-02" },
    });
    expect(period.statusCode).toBe(400);
    expect(period.json().error.code).toBe("invalid_period");
    const missing = await fixture.app.inject({
      method: "GET",
      url: "/api/reviews/rp-none/pack.md",
      headers: as(fixture.users.admin),
    });
    expect(missing.statusCode).toBe(404);
  });

  it("serves the pack as Markdown, HTML and a PDF", async () => {
    const markdown = await fixture.app.inject({
      method: "GET",
      url: `/api/reviews/${packId}/pack.md`,
      headers: as(fixture.users.rep),
    });
    expect(markdown.statusCode).toBe(200);
    expect(markdown.headers["content-type"]).toMatch(/^text\/markdown/);
    expect(markdown.body).toMatch(/^# /);

    const html = await fixture.app.inject({
      method: "GET",
      url: `/api/reviews/${packId}/pack.html?download=true`,
      headers: as(fixture.users.rep),
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.headers["content-disposition"]).toMatch(
      /^attachment; filename="forecast-2026-03-02..2026-03-09.html"$/,
    );
    expect(html.body).toMatch(/<svg/);

    const pdf = await fixture.app.inject({
      method: "GET",
      url: `/api/reviews/${packId}/pack.pdf`,
      headers: as(fixture.users.rep),
    });
    expect(pdf.statusCode, pdf.body.slice(0, 300)).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const parser = new PDFParse({ data: new Uint8Array(pdf.rawPayload) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    const title = (
      await fixture.app.inject({
        method: "GET",
        url: `/api/reviews/${packId}`,
        headers: as(fixture.users.rep),
      })
    ).json().title as string;
    expect(text.replace(/\s+/g, " ")).toContain(title.split(",")[0]);
  }, 90_000);

  it("logs decisions with the pack", async () => {
    const logged = await fixture.app.inject({
      method: "POST",
      url: `/api/reviews/${packId}/decisions`,
      headers: as(fixture.users.sales_manager),
      payload: { text: "SDRs call inbound demo requests within the hour" },
    });
    expect(logged.statusCode, logged.body).toBe(201);
    expect(logged.json()).toMatchObject({ reviewPackId: packId, decidedBy: "sam" });
    const listed = await fixture.app.inject({
      method: "GET",
      url: `/api/reviews/${packId}/decisions`,
      headers: as(fixture.users.viewer),
    });
    expect(listed.json().items.map((decision: { text: string }) => decision.text)).toEqual([
      "SDRs call inbound demo requests within the hour",
    ]);
    const unknownPack = await fixture.app.inject({
      method: "POST",
      url: "/api/reviews/rp-none/decisions",
      headers: as(fixture.users.admin),
      payload: { text: "x" },
    });
    expect(unknownPack.statusCode).toBe(404);
  });
});

describe("action items over HTTP", () => {
  it("creates, lists, closes an item and pushes it to the configured webhook tool", async () => {
    const created = await fixture.app.inject({
      method: "POST",
      url: "/api/action-items",
      headers: as(fixture.users.marketing),
      payload: {
        title: "Tighten the webinar score",
        owner: "mo",
        dueOn: "2026-03-06",
        type: "definition_change",
        metric: "mql-to-sql",
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const item = created.json();
    // due Friday 03-06, and today is Monday 03-09 in New York
    expect(item).toMatchObject({ status: "open", overdue: true, reviewPackId: null });

    const invalid = await fixture.app.inject({
      method: "POST",
      url: "/api/action-items",
      headers: as(fixture.users.marketing),
      payload: { title: "x", owner: "nobody", dueOn: "2026-03-06", type: "content" },
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error).toMatchObject({ reason: "invalid_action_item", field: "owner" });

    const overdue = await fixture.app.inject({
      method: "GET",
      url: "/api/action-items?overdue=true&status=open&status=in_progress",
      headers: as(fixture.users.rep),
    });
    expect(overdue.json()).toMatchObject({ today: "2026-03-09" });
    expect(overdue.json().items.map((entry: { id: string }) => entry.id)).toEqual([item.id]);

    const tools = await fixture.app.inject({
      method: "GET",
      url: "/api/project-tools",
      headers: as(fixture.users.viewer),
    });
    expect(tools.json().tools).toEqual([
      { name: "webhook", description: expect.stringContaining("127.0.0.1") },
    ]);
    const notConfigured = await fixture.app.inject({
      method: "POST",
      url: `/api/action-items/${item.id}/push`,
      headers: as(fixture.users.marketing),
      payload: { tool: "jira" },
    });
    expect(notConfigured.statusCode).toBe(422);
    expect(notConfigured.json().error.reason).toBe("unknown_project_tool");

    // the receiver checks the signature's timestamp against its own clock
    fixture.clock.now = Date.now();
    const maria = { ...fixture.users.marketing, ...(await signIn(fixture.app, "maria")) };
    const sam = { ...fixture.users.sales_manager, ...(await signIn(fixture.app, "sam")) };
    const pushed = await fixture.app.inject({
      method: "POST",
      url: `/api/action-items/${item.id}/push`,
      headers: as(maria),
      payload: { tool: "webhook" },
    });
    expect(pushed.statusCode, pushed.body).toBe(200);
    expect(pushed.json().pushedTo).toEqual([
      expect.objectContaining({ tool: "webhook", at: fixture.clock.now }),
    ]);
    const received = receiver.requests.filter((request) => request.verdict === "accepted");
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body).item.id).toBe(item.id);

    // a push the tool refuses (here a signature an hour old) is a 502 naming the tool's answer,
    // and the item keeps only the references of pushes that landed
    fixture.clock.now = Date.now() - 3_600_000;
    const refused = await fixture.app.inject({
      method: "POST",
      url: `/api/action-items/${item.id}/push`,
      headers: as(maria),
      payload: { tool: "webhook" },
    });
    expect(refused.statusCode, refused.body).toBe(502);
    expect(refused.json().error).toMatchObject({
      code: "push_failed",
      tool: "webhook",
      toolError: "rejected",
      toolStatus: 401,
    });
    const kept = await fixture.app.inject({
      method: "GET",
      url: "/api/action-items",
      headers: as(maria),
    });
    expect(kept.statusCode, kept.body).toBe(200);
    const after = kept.json().items.find((entry: { id: string }) => entry.id === item.id);
    expect(after.pushedTo).toHaveLength(1);
    fixture.clock.now = Date.now();

    const closed = await fixture.app.inject({
      method: "PATCH",
      url: `/api/action-items/${item.id}`,
      headers: as(sam),
      payload: { status: "done" },
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json()).toMatchObject({
      status: "done",
      overdue: false,
      closedAt: fixture.clock.now,
    });
    const empty = await fixture.app.inject({
      method: "PATCH",
      url: `/api/action-items/${item.id}`,
      headers: as(sam),
      payload: {},
    });
    expect(empty.statusCode).toBe(422);
  });
});
