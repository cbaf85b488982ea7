import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLead } from "../../src/app/ingest.js";
import { as, createHttpFixture, type HttpFixture } from "./http-fixture.js";

/**
 * The metrics API in memory: three hot leads qualify at ingest on Monday 2026-03-09 (10:00 in
 * New York), two from the website and one from a webinar; a cold one never qualifies.
 */
let fixture: HttpFixture;
const owners = new Map<string, string>();
const day = "from=2026-03-09&to=2026-03-10";

let serial = 0;
function lead(source: string, hot = true) {
  serial += 1;
  return {
    system: "web-form",
    externalId: `api-metric-${serial}`,
    fields: {
      email: `buyer${serial}@bigco${serial}.com`,
      first_name: "Ada",
      country: hot ? "US" : "FR",
      persona_match: hot,
      source,
    },
    company: { name: `BigCo ${serial}`, employees: hot ? 500 : 5, industry: "software" },
    activities: hot
      ? [{ type: "form_submit", at: fixture.clock.now - 60_000, fields: { form: "demo" } }]
      : [],
  };
}

beforeAll(async () => {
  fixture = await createHttpFixture();
  for (const [source, hot] of [
    ["website", true],
    ["Website ", true],
    ["webinar", true],
    ["website", false],
  ] as const) {
    const result = await ingestLead(fixture.engine, lead(source, hot), { actor: "api:test" });
    if (!result.ok) throw new Error(result.error.message);
    owners.set(result.leadId, result.owner?.id ?? "");
  }
  fixture.advance(60);
}, 60_000);
afterAll(async () => fixture?.close());

const get = (url: string, role: keyof HttpFixture["users"] = "viewer") =>
  fixture.app.inject({ method: "GET", url, headers: as(fixture.users[role]) });

describe("metrics API", () => {
  it("lists every metric with its title and definition", async () => {
    const response = await get("/api/metrics");
    expect(response.statusCode).toBe(200);
    const metrics = response.json().metrics as { name: string; definition: string }[];
    expect(metrics.map((entry) => entry.name)).toContain("mqls");
    expect(metrics.find((entry) => entry.name === "mqls")!.definition).toMatch(/MQL moment/);
  });

  it("answers one metric broken down, with record counts and ids on request", async () => {
    const response = await get(`/api/metrics/mqls?${day}&by=source`);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    // 2026-03-09 00:00 in New York (EDT) is 04:00 UTC
    expect(body).toMatchObject({ metric: "mqls", by: "source", from: "2026-03-09T04:00:00.000Z" });
    // three MQLs; the cold lead never qualified
    expect(body.total.leads).toMatchObject({ value: 3, count: 3, records: [], unit: "count" });
    // "website" and "Website " fold into one group labelled with the most frequent spelling
    expect(
      body.groups.map(
        (group: { key: string; label: string; figures: { leads: { value: number } } }) => [
          group.key,
          group.label,
          group.figures.leads.value,
        ],
      ),
    ).toEqual([
      ["webinar", "webinar", 1],
      ["website", "website", 2],
    ]);
    // without records=true no id list is built, the count is still exact
    expect(body.total.leads).not.toHaveProperty("recordCount");
    const withIds = (await get(`/api/metrics/mqls?${day}&records=true`)).json();
    expect(withIds.total.leads.records).toHaveLength(3);
    expect(withIds.total.leads.count).toBe(3);
    // the overview's panels count the same records, without ids
    const overview = (await get(`/api/overview?${day}`)).json();
    expect(overview.current.mqls.total.leads).toMatchObject({ value: 3, count: 3, records: [] });
    expect(overview.current["mqls-by-source"].groups).toHaveLength(2);
    // a rate keeps its numerator and denominator
    const acceptance = (await get(`/api/metrics/acceptance?${day}`)).json();
    expect(acceptance.total.strict).toMatchObject({ value: 0, numerator: 0, denominator: 3 });
  });

  it("pages through the records behind a figure; a rep sees only their own", async () => {
    const first = await get(`/api/metrics/mqls/records?${day}&figure=leads&limit=2`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ kind: "leads", total: 3, nextOffset: 2 });
    expect(first.json().items[0]).toMatchObject({ name: "Ada", stage: "mql" });
    const rest = (
      await get(`/api/metrics/mqls/records?${day}&figure=leads&limit=2&offset=2`)
    ).json();
    expect(rest).toMatchObject({ nextOffset: null });
    expect(rest.items).toHaveLength(1);

    const group = (
      await get(`/api/metrics/mqls/records?${day}&by=source&figure=leads&group=website`)
    ).json();
    expect(group.total).toBe(2);
    expect(group.items.map((item: { source: string }) => item.source.trim().toLowerCase())).toEqual(
      ["website", "website"],
    );

    // alex (the rep) opens only the MQLs routed to them
    const mine = (await get(`/api/metrics/mqls/records?${day}&figure=leads`, "rep")).json();
    const expected = [...owners.values()].filter((owner) => owner === "alex").length;
    expect(mine.total).toBe(expected);
    // round robin spreads the three MQLs: alex holds some, not all
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(3);
    for (const item of mine.items) expect(owners.get(item.leadId)).toBe("alex");
  });

  it("refuses an unknown metric (404) and an unreadable or empty period (400)", async () => {
    const unknown = await get(`/api/metrics/mqlz?${day}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: "unknown_metric" });
    expect(unknown.json().error.message).toMatch(/known metrics: .*mqls/);

    const empty = await get("/api/metrics/mqls?from=2026-03-10&to=2026-03-09");
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error).toMatchObject({ code: "invalid_period", field: "from" });
    expect(empty.json().error.message).toMatch(/must be before to/);

    const unreadable = await get("/api/metrics/mqls?to=tomorrow");
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.json().error).toMatchObject({ code: "invalid_period", field: "to" });

    const figure = await get(`/api/metrics/mqls/records?${day}&figure=nope`);
    expect(figure.statusCode).toBe(404);
    expect(figure.json().error).toMatchObject({ code: "unknown_figure" });

    const by = await get(`/api/metrics/mqls?${day}&by=colour`);
    expect(by.statusCode).toBe(422);
  });
});
