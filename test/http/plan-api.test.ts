import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLead } from "../../src/app/ingest.js";
import { actOnLead } from "../../src/app/lead-actions.js";
import { as, createHttpFixture, type HttpFixture } from "./http-fixture.js";

/**
 * GET /api/plan in memory. Story (Monday 2026-03-09, 10:00 in New York): two hot website leads
 * qualify; the first is accepted, sales-qualified, converted and won at 30,000. Rates over the
 * trailing window (the ledger's first 7 days): MQL→SQL 1/2, SQL→opportunity 1/1, win rate 1/1, deal size 30,000. A target
 * of 300,000 over the ten Monday weeks from 6 April needs 10 won, 10 opportunities, 10 SQLs and
 * 20 MQLs: 2 MQLs a week.
 */
let fixture: HttpFixture;
const tenWeeks = "2026-04-06..2026-06-15";

beforeAll(async () => {
  fixture = await createHttpFixture();
  const leads: { id: string; owner: string }[] = [];
  for (const serial of [1, 2]) {
    const result = await ingestLead(
      fixture.engine,
      {
        system: "web-form",
        externalId: `plan-api-${serial}`,
        fields: {
          email: `buyer${serial}@planapi${serial}.com`,
          country: "US",
          persona_match: true,
          source: "website",
        },
        company: { name: `PlanApi ${serial}`, employees: 500, industry: "software" },
        activities: [
          { type: "form_submit", at: fixture.clock.now - 60_000, fields: { form: "demo" } },
        ],
      },
      { actor: "api:test" },
    );
    if (!result.ok || result.stage !== "mql") throw new Error(`lead ${serial} did not qualify`);
    leads.push({ id: result.leadId, owner: result.owner?.id ?? "" });
  }
  const first = leads[0]!;
  const act = async (action: Record<string, unknown>, extra = {}) => {
    const done = await actOnLead(fixture.engine, {
      leadId: first.id,
      action: { actor: { id: first.owner, role: "rep" }, ...action } as never,
      ...extra,
    });
    if (!done.ok) throw new Error(done.error.message);
  };
  fixture.advance(30);
  await act({
    type: "accept",
    context: { message_used: "pricing angle", account_context: "expanding EU team" },
    feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
  });
  await act({ type: "qualify_sales" });
  await act({ type: "convert" }, { opportunity: { stage: "discovery", amount: 30_000 } });
  fixture.advance(60);
  await act({ type: "win" }, { amount: 30_000 });
  fixture.advance(60);
}, 60_000);
afterAll(async () => fixture?.close());

const get = (url: string, role: keyof HttpFixture["users"] = "viewer") =>
  fixture.app.inject({ method: "GET", url, headers: as(fixture.users[role]) });

describe("plan API", () => {
  it("answers the funnel back from the target, per week, with the rates behind it", async () => {
    const response = await get(`/api/plan?target=300000&period=${tenWeeks}`);
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json();
    expect(plan.period).toMatchObject({
      label: tenWeeks,
      // 00:00 in New York (EDT, UTC−4)
      from: "2026-04-06T04:00:00.000Z",
      to: "2026-06-15T04:00:00.000Z",
      weekCount: 10,
    });
    // 180 days asked; the ledger is hours old, so the window is its shortest, 7 days
    expect(plan.window).toMatchObject({ trailingDays: 180, clippedToHistory: true });
    const lever = (name: string) =>
      plan.rates.levers.find((entry: { lever: string }) => entry.lever === name);
    expect(lever("mql-to-sql")).toMatchObject({ value: 0.5, numerator: 1, denominator: 2 });
    expect(lever("sql-to-opportunity")).toMatchObject({ value: 1, metric: "stage-conversion" });
    expect(lever("win-rate")).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
    expect(lever("deal-size").value).toBe(30_000);
    const needed = Object.fromEntries(
      plan.stages.map((stage: { stage: string; needed: number }) => [stage.stage, stage.needed]),
    );
    expect(needed.won).toBeCloseTo(10);
    expect(needed.opportunities).toBeCloseTo(10);
    expect(needed.sqls).toBeCloseTo(10);
    expect(needed.mqls).toBeCloseTo(20);
    expect(plan.weeks).toHaveLength(10);
    expect(plan.weeks[0]).toMatchObject({ start: "2026-04-06T04:00:00.000Z", fraction: 1 });
    expect(plan.weeks[0].needed.mqls).toBeCloseTo(2);
    expect(plan.weeks[9].cumulativeTarget).toBeCloseTo(300_000);
    // now: 2 MQLs in the week; × 0.5 × 1 × 1 × 30,000 × 10 weeks = 300,000, the target
    expect(plan.revenue.runRate).toBeCloseTo(300_000);
    expect(plan.revenue.gap).toBeCloseTo(0);
    // win rate is already 100 %: +5 points changes nothing
    const winRate = plan.sensitivity.find((entry: { lever: string }) => entry.lever === "win-rate");
    expect(winRate).toMatchObject({ before: 1, after: 1, fewerMqlsPerWeek: 0 });
    expect(plan.missing).toEqual([]);
    expect(plan.by).toBeNull();
    expect(plan.groups).toEqual([]);
  });

  it("breaks the plan down by source, and says what is missing for a source", async () => {
    const response = await get(
      `/api/plan?target=300000&period=${tenWeeks}&by=source&trailingDays=30`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json();
    expect(plan.by).toBe("source");
    expect(plan.window.trailingDays).toBe(30);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]).toMatchObject({ key: "website", share: 1, missing: null });
    expect(plan.groups[0].plan.target).toBeCloseTo(300_000);
  });

  it("refuses a bad period, target or breakdown with the field to fix", async () => {
    const period = await get("/api/plan?target=1000&period=someday");
    expect(period.statusCode).toBe(400);
    expect(period.json().error).toMatchObject({ code: "invalid_period", field: "period" });
    expect(period.json().error.message).toContain("next-quarter");
    const ended = await get("/api/plan?target=1000&period=2025-01-01..2025-04-01");
    expect(ended.statusCode).toBe(400);
    expect(ended.json().error.message).toContain("has ended");
    const target = await get("/api/plan?target=0&period=next-quarter");
    expect(target.statusCode).toBe(422);
    const missing = await get("/api/plan?period=next-quarter");
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.message).toContain("target");
    const by = await get("/api/plan?target=1000&period=next-quarter&by=owner");
    expect(by.statusCode).toBe(422);
  });

  it("is open to every role that reads reviews, and to nobody signed out", async () => {
    for (const role of ["admin", "marketing", "sales_manager", "rep", "viewer"] as const)
      expect((await get(`/api/plan?target=1000&period=${tenWeeks}`, role)).statusCode).toBe(200);
    const anonymous = await fixture.app.inject({
      method: "GET",
      url: `/api/plan?target=1000&period=${tenWeeks}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
