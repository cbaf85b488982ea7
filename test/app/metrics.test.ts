import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLead } from "../../src/app/ingest.js";
import { actOnLead } from "../../src/app/lead-actions.js";
import {
  metric,
  metricRecords,
  metricSet,
  refreshHistory,
  resolvePeriod,
} from "../../src/app/metrics.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  hotLead as sharedHotLead,
} from "./engine-fixture.js";

/**
 * Metrics over the engine's own ledger, on PGlite and (with DATABASE_URL) on the server: leads go
 * through the real pipeline (ingest, accept, reject, convert, win), then the figures are checked
 * against counts worked out by hand from the story below.
 *
 * Story (Monday 2026-03-09, 10:00 in New York; every hot lead qualifies at ingest):
 * - A (website): accepted +30 min, converted +60 (10,000), won +120
 * - B (website): rejected +30 min, wrong persona
 * - C (webinar): accepted +30 min
 * - D (outbound): untouched
 * - E (website): cold, never an MQL
 */
let fixture: EngineFixture;
const leads: Record<string, { id: string; owner: string }> = {};

let serial = 0;
function hotLead(source: string) {
  serial += 1;
  return sharedHotLead(fixture, `metric-${serial}`, { source });
}

async function ingest(name: string, lead: ReturnType<typeof hotLead>) {
  const result = await ingestLead(fixture.engine, lead, { actor: "api:test" });
  if (!result.ok) throw new Error(result.error.message);
  leads[name] = { id: result.leadId, owner: result.owner?.id ?? "" };
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

const day = { from: "2026-03-09", to: "2026-03-10" };

beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  await ingest("A", hotLead("website"));
  await ingest("B", hotLead("website"));
  await ingest("C", hotLead("webinar"));
  await ingest("D", hotLead("outbound"));
  const cold = hotLead("website");
  await ingest("E", {
    ...cold,
    fields: { ...cold.fields, persona_match: false, country: "FR" },
    company: { ...cold.company, employees: 5 },
    activities: [],
  });
  fixture.advance(30);
  await act("A", accept);
  await act("B", {
    type: "reject",
    reason: "wrong_persona",
    feedback: { next_action: "disqualify" },
  });
  await act("C", accept);
  fixture.advance(30);
  await act("A", { type: "convert" }, { opportunity: { stage: "discovery", amount: 10_000 } });
  fixture.advance(60);
  await act("A", { type: "win" }, { amount: 10_000 });
  fixture.advance(60);
}, 60_000);
afterAll(async () => fixture.test.drop());

describe("metrics over the ledger", () => {
  it("counts MQLs, acceptance, wins and lead-to-won by hand", async () => {
    const set = await metricSet(
      fixture.engine,
      ["mqls", "acceptance", "win-rate", "lead-to-won"],
      day,
    );
    if (!set.ok) throw new Error(set.error.message);
    const [mqls, acceptance, winRate, leadToWon] = set.value;
    // A, B, C, D qualified; E never did
    expect(mqls!.total.leads).toMatchObject({ value: 4 });
    expect(new Set(mqls!.total.leads!.records)).toEqual(
      new Set(["A", "B", "C", "D"].map((name) => leads[name]!.id)),
    );
    // decided: A and C accepted, B rejected → 2 ÷ 3; D is undecided and still pending
    expect(acceptance!.total.decided).toMatchObject({ numerator: 2, denominator: 3 });
    expect(acceptance!.total.decided!.value).toBeCloseTo(2 / 3);
    expect(acceptance!.total.pending).toMatchObject({ value: 1, records: [leads.D!.id] });
    // the one opportunity closed today was won: 1 ÷ 1
    expect(winRate!.total.decided).toMatchObject({ value: 1, numerator: 1, denominator: 1 });
    // of the four MQLs, A's opportunity was won: 1 ÷ 4
    expect(leadToWon!.total.rate).toMatchObject({ value: 0.25, numerator: 1, denominator: 4 });
  });

  it("breaks a metric down by source, with the agreement's time zone for dates", async () => {
    const result = await metric(fixture.engine, "mqls", { ...day, by: "source" });
    if (!result.ok) throw new Error(result.error.message);
    const bySource = Object.fromEntries(
      result.value.groups.map((group) => [group.key, group.figures.leads!.value]),
    );
    expect(bySource).toEqual({ outbound: 1, webinar: 1, website: 2 });
    // 2026-03-09 is 00:00 in New York (EDT, UTC−4) = 04:00 UTC
    expect(result.value.from).toBe(Date.parse("2026-03-09T04:00:00Z"));
    // the day before holds none of them
    const before = await metric(fixture.engine, "mqls", { from: "2026-03-08", to: "2026-03-09" });
    expect(before).toMatchObject({ ok: true, value: { total: { leads: { value: 0 } } } });
  });

  it("folds only the events stored since the last refresh", async () => {
    const first = await refreshHistory(fixture.engine);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.folded).toBe(0);
    await ingest("F", hotLead("webinar"));
    const second = await refreshHistory(fixture.engine);
    if (!second.ok) throw new Error(second.error.message);
    // F's creation, score, qualification, assignment, context check and its clocks' events
    expect(second.value.folded).toBeGreaterThanOrEqual(5);
    expect(second.value.report.orphaned).toBe(0);
    const mqls = await metric(fixture.engine, "mqls", day);
    expect(mqls).toMatchObject({ ok: true, value: { total: { leads: { value: 5 } } } });
  });

  it("opens a figure into its records, a page at a time, and a group's records", async () => {
    const page = await metricRecords(fixture.engine, "mqls", day, {
      figure: "leads",
      offset: 0,
      limit: 3,
    });
    if (!page.ok) throw new Error(page.error.message);
    expect(page.value).toMatchObject({ kind: "leads", total: 5, nextOffset: 3 });
    expect(page.value.items).toHaveLength(3);
    const rest = await metricRecords(fixture.engine, "mqls", day, {
      figure: "leads",
      offset: 3,
      limit: 3,
    });
    if (!rest.ok) throw new Error(rest.error.message);
    expect(rest.value.nextOffset).toBeNull();
    const all = [...page.value.items, ...rest.value.items].map((item) => item.leadId);
    expect(new Set(all)).toEqual(new Set(["A", "B", "C", "D", "F"].map((n) => leads[n]!.id)));

    const website = await metricRecords(
      fixture.engine,
      "mqls",
      { ...day, by: "source" },
      { figure: "leads", group: "Website", offset: 0, limit: 10 },
    );
    if (!website.ok) throw new Error(website.error.message);
    expect(website.value.group).toBe("website");
    expect(website.value.items.map((item) => item.leadId).sort()).toEqual(
      [leads.A!.id, leads.B!.id].sort(),
    );
    expect(website.value.items[0]).toMatchObject({ source: "website", name: "Ada" });

    const won = await metricRecords(fixture.engine, "win-rate", day, {
      figure: "decided",
      offset: 0,
      limit: 10,
    });
    if (!won.ok) throw new Error(won.error.message);
    expect(won.value.kind).toBe("opportunities");
    expect(won.value.items).toMatchObject([
      { leadId: leads.A!.id, amount: 10_000, outcome: "won", source: "website" },
    ]);

    // a rep sees only their own (and queued) leads behind a figure
    const owner = leads.A!.owner;
    const theirs = await metricRecords(fixture.engine, "mqls", day, {
      figure: "leads",
      offset: 0,
      limit: 10,
      ownedBy: owner,
    });
    if (!theirs.ok) throw new Error(theirs.error.message);
    const expected = ["A", "B", "C", "D", "F"].filter((n) => leads[n]!.owner === owner);
    expect(theirs.value.total).toBe(expected.length);
  });

  it("refuses unknown metrics, figures, groups and empty or unreadable periods", async () => {
    expect(await metric(fixture.engine, "mqlz", day)).toMatchObject({
      ok: false,
      error: { code: "unknown_metric" },
    });
    expect(
      await metricRecords(fixture.engine, "mqls", day, { figure: "nope", offset: 0, limit: 5 }),
    ).toMatchObject({ ok: false, error: { code: "unknown_figure", known: ["leads", "events"] } });
    expect(
      await metricRecords(fixture.engine, "mqls", day, {
        figure: "leads",
        group: "website",
        offset: 0,
        limit: 5,
      }),
    ).toMatchObject({ ok: false, error: { code: "unknown_group" } });
    expect(
      await metric(fixture.engine, "mqls", { from: "2026-03-10", to: "2026-03-09" }),
    ).toMatchObject({ ok: false, error: { code: "invalid_period", field: "from" } });
    expect(await metric(fixture.engine, "mqls", { from: "last week" })).toMatchObject({
      ok: false,
      error: { code: "invalid_period", field: "from" },
    });
  });

  it("computes a metric once per snapshot and query, and afresh once new events are stored", async () => {
    fixture.advance(1);
    const first = await metric(fixture.engine, "mqls", day);
    const again = await metric(fixture.engine, "mqls", day);
    if (!first.ok || !again.ok) throw new Error("mqls must compute");
    // nothing stored, the clock still: the same result object, not a recomputation
    expect(again.value).toBe(first.value);
    // another query on the same snapshot is its own result
    const bySource = await metric(fixture.engine, "mqls", { ...day, by: "source" });
    expect(bySource.ok && bySource.value).not.toBe(first.value);
    await ingest("G", hotLead("website"));
    const after = await metric(fixture.engine, "mqls", day);
    if (!after.ok) throw new Error(after.error.message);
    // A, B, C, D, F (previous test) and G: one more than before G
    expect(after.value.total.leads!.value).toBe(first.value.total.leads!.value! + 1);
  });
});

describe("periods", () => {
  const now = Date.parse("2026-03-09T14:00:00Z");
  it("reads dates at 00:00 in the zone, offset-less instants in the zone, and defaults to 30 days", () => {
    expect(resolvePeriod("2026-01-05", "2026-01-06", "America/New_York", now)).toEqual({
      ok: true,
      // EST, UTC−5
      value: { from: Date.parse("2026-01-05T05:00:00Z"), to: Date.parse("2026-01-06T05:00:00Z") },
    });
    expect(resolvePeriod("2026-03-09T09:00", undefined, "America/New_York", now)).toEqual({
      ok: true,
      value: { from: Date.parse("2026-03-09T13:00:00Z"), to: now },
    });
    expect(resolvePeriod(undefined, "2026-03-09T14:00:00Z", "UTC", now)).toEqual({
      ok: true,
      value: { from: now - 30 * 86_400_000, to: now },
    });
  });
});
