import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLead } from "../../src/app/ingest.js";
import { actOnLead } from "../../src/app/lead-actions.js";
import { planTarget } from "../../src/app/plan.js";
import type { StageNeed } from "../../src/core/planning/index.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  hotLead as sharedHotLead,
} from "./engine-fixture.js";

/**
 * The reverse funnel over the engine's own ledger, on PGlite and (with DATABASE_URL) on the
 * server. Leads go through the real pipeline; the plan's figures are worked out by hand from
 * the story below (Monday 2026-03-09, 10:00 in New York; every lead is hot and qualifies):
 *
 *   website W1–W6: W1–W4 accepted and sales-qualified; W1–W3 converted from SQL;
 *                  W1 won 40,000, W2 won 60,000, W3 lost; W5, W6 untouched
 *   webinar B1–B4: B1, B2 accepted; B1 sales-qualified, converted and won 20,000
 *
 * Over the window ending now (180 days asked; the ledger is hours old, so 7 days): 10 MQL events;
 * MQL→SQL 5/10; SQL→opportunity 4/5; win rate 3/4 (decided); mean won amount 120,000 ÷ 3 = 40,000.
 */
let fixture: EngineFixture;
const leads: Record<string, { id: string; owner: string }> = {};
let serial = 0;

function hotLead(source: string) {
  serial += 1;
  return sharedHotLead(fixture, `plan-${serial}`, { source });
}

async function act(name: string, action: Record<string, unknown>, extra = {}) {
  const lead = leads[name]!;
  const result = await actOnLead(fixture.engine, {
    leadId: lead.id,
    action: { actor: { id: lead.owner, role: "rep" }, ...action } as never,
    ...extra,
  });
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
}

const accept = {
  type: "accept",
  context: { message_used: "pricing angle", account_context: "expanding EU team" },
  feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
};

async function win(name: string, amount: number) {
  await act(name, { type: "convert" }, { opportunity: { stage: "discovery", amount } });
  fixture.advance(30);
  await act(name, { type: "win" }, { amount });
}

function stage(stages: StageNeed[], name: StageNeed["stage"]): StageNeed {
  return stages.find((entry) => entry.stage === name)!;
}

beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  const story: [string, string][] = [
    ...["W1", "W2", "W3", "W4", "W5", "W6"].map((name): [string, string] => [name, "website"]),
    ...["B1", "B2", "B3", "B4"].map((name): [string, string] => [name, "webinar"]),
  ];
  for (const [name, source] of story) {
    const result = await ingestLead(fixture.engine, hotLead(source), { actor: "api:test" });
    if (!result.ok) throw new Error(result.error.message);
    if (result.stage !== "mql") throw new Error(`${name} did not qualify: ${result.stage}`);
    leads[name] = { id: result.leadId, owner: result.owner?.id ?? "" };
  }
  fixture.advance(30);
  for (const name of ["W1", "W2", "W3", "W4", "B1", "B2"]) await act(name, accept);
  fixture.advance(30);
  for (const name of ["W1", "W2", "W3", "W4", "B1"]) await act(name, { type: "qualify_sales" });
  fixture.advance(30);
  await win("W1", 40_000);
  await win("W2", 60_000);
  await act("W3", { type: "convert" }, { opportunity: { stage: "discovery", amount: 30_000 } });
  await act("W3", { type: "lose", reason: "price" });
  await win("B1", 20_000);
  fixture.advance(60);
}, 120_000);
afterAll(async () => fixture.test.drop());

describe("the reverse-funnel plan over the ledger", () => {
  it("plans next quarter from the measured rates, with the run rate and its gap", async () => {
    const outcome = await planTarget(fixture.engine, { target: 1_200_000, period: "next-quarter" });
    if (!outcome.ok) throw new Error(outcome.error.message);
    const { plan, window, trailingDays } = outcome.value;
    expect(trailingDays).toBe(180);
    // the ledger began a few hours ago: the window starts with it, but spans at least 7 days
    expect(window).toMatchObject({ clippedToHistory: true });
    expect(window.to - window.from).toBe(7 * 86_400_000);
    const levers = plan.rates.levers;
    expect(levers["mql-to-sql"]).toMatchObject({ value: 0.5, numerator: 5, denominator: 10 });
    expect(levers["sql-to-opportunity"]).toMatchObject({ numerator: 4, denominator: 5 });
    expect(levers["win-rate"]).toMatchObject({ value: 0.75, numerator: 3, denominator: 4 });
    expect(levers["deal-size"].value).toBeCloseTo(40_000);
    expect(plan.rates.mqlEvents).toBe(10);
    // next quarter in New York: 1 April to 1 July 2026, 91 days = 13 weeks
    expect(plan.period.weekCount).toBeCloseTo(13);
    expect(new Date(plan.period.from).toISOString()).toBe("2026-04-01T04:00:00.000Z");
    // 1,200,000 ÷ 40,000 = 30 won; ÷ 0.75 = 40 opportunities; ÷ 0.8 = 50 SQLs; ÷ 0.5 = 100 MQLs
    expect(stage(plan.stages, "won").needed).toBeCloseTo(30);
    expect(stage(plan.stages, "opportunities").needed).toBeCloseTo(40);
    expect(stage(plan.stages, "sqls").needed).toBeCloseTo(50);
    expect(stage(plan.stages, "mqls").needed).toBeCloseTo(100);
    expect(stage(plan.stages, "mqls").neededPerWeek).toBeCloseTo(100 / 13);
    // now: 10 MQLs in the 7-day window = 10 a week; × 0.5 × 0.8 × 0.75 × 40,000 = 120,000 a
    // week, 1,560,000 over 13 weeks: 360,000 over the target
    expect(stage(plan.stages, "mqls").runRatePerWeek).toBeCloseTo(10);
    expect(stage(plan.stages, "mqls").gapPerWeek).toBeCloseTo(100 / 13 - 10);
    expect(plan.revenue.runRate).toBeCloseTo(1_560_000);
    expect(plan.revenue.gap).toBeCloseTo(-360_000);
    expect(plan.missing).toEqual([]);
    // +5 points of MQL→SQL: 50 ÷ 0.55 = 90.91 MQLs, 9.09 fewer over 13 weeks
    const mqlToSql = plan.sensitivity.find((entry) => entry.lever === "mql-to-sql")!;
    expect(mqlToSql.fewerMqlsPerWeek).toBeCloseTo((100 - 50 / 0.55) / 13);
  });

  it("plans each source's share of the target at its own rates", async () => {
    const outcome = await planTarget(fixture.engine, {
      target: 1_200_000,
      period: "next-quarter",
      by: "source",
    });
    if (!outcome.ok) throw new Error(outcome.error.message);
    const groups = Object.fromEntries(outcome.value.groups.map((group) => [group.key, group]));
    expect(Object.keys(groups).sort()).toEqual(["webinar", "website"]);
    // website: 6 MQLs, 4/6 to SQL, 3/4 to opportunity, 2/3 won, 50,000 a deal → 3,888.89 a week;
    // webinar: 4 MQLs, 1/4, 1/1, 1/1, 20,000 → 777.78 a week; shares 5/6 and 1/6
    expect(groups.website!.share).toBeCloseTo(5 / 6);
    expect(groups.webinar!.share).toBeCloseTo(1 / 6);
    const website = groups.website!.plan!;
    expect(website.rates.levers["deal-size"].value).toBeCloseTo(50_000);
    // 1,000,000 ÷ 50,000 = 20 won ÷ 2/3 = 30 ÷ 3/4 = 40 SQLs ÷ 2/3 = 60 MQLs
    expect(stage(website.stages, "mqls").needed).toBeCloseTo(60);
    const webinar = groups.webinar!.plan!;
    // 200,000 ÷ 20,000 = 10 won = 10 opportunities = 10 SQLs ÷ 1/4 = 40 MQLs
    expect(stage(webinar.stages, "mqls").needed).toBeCloseTo(40);
  });

  it("takes what this quarter has won so far off the target", async () => {
    const outcome = await planTarget(fixture.engine, { target: 500_000, period: "this-quarter" });
    if (!outcome.ok) throw new Error(outcome.error.message);
    const { plan } = outcome.value;
    // W1, W2 and B1 won 120,000 this quarter; planning runs from now to 1 April
    expect(plan.target.wonSoFar).toBe(120_000);
    expect(plan.remaining).toBe(380_000);
    expect(plan.period.planFrom).toBe(fixture.clock.now);
    expect(stage(plan.stages, "won").needed).toBeCloseTo(380_000 / 40_000);
  });

  it("says there is no data in a window that holds none, and refuses bad input", async () => {
    // the window of the last 0.01 day (14.4 minutes) holds no MQL and no close
    const empty = await planTarget(fixture.engine, {
      target: 100_000,
      period: "next-month",
      trailingDays: 0.01,
    });
    if (!empty.ok) throw new Error(empty.error.message);
    expect(empty.value.plan.missing).toContain(
      "no data for mean deal size in the trailing window (no won deal with an amount)",
    );
    expect(empty.value.plan.stages.map((entry) => entry.needed)).toEqual([null, null, null, null]);
    expect(empty.value.plan.revenue.runRate).toBeNull();

    expect(await planTarget(fixture.engine, { target: 0, period: "next-quarter" })).toMatchObject({
      ok: false,
      error: { code: "invalid_request", field: "target" },
    });
    expect(
      await planTarget(fixture.engine, { target: 1, period: "next-quarter", trailingDays: 99_999 }),
    ).toMatchObject({ ok: false, error: { code: "invalid_request", field: "trailingDays" } });
    expect(await planTarget(fixture.engine, { target: 1, period: "last-year" })).toMatchObject({
      ok: false,
      error: { code: "invalid_period", field: "period" },
    });
  });
});
