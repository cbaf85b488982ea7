import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proposeAgreement } from "../../src/app/agreements.js";
import { ingestLead } from "../../src/app/ingest.js";
import { exampleAgreementYaml } from "../app/engine-fixture.js";
import { as, createHttpFixture, type HttpFixture } from "./http-fixture.js";

/**
 * The backtest API in memory: under the example agreement (version 1) a lead scoring 90 and one
 * scoring 70 qualify on Monday 9 March 2026, 10:00 in New York; version 2 raises the MQL
 * threshold to 80, so exactly the 70 drops out.
 */
let fixture: HttpFixture;
let raised = "";
const leads: Record<string, string> = {};
const window = "from=2026-03-01T00:00:00Z";

beforeAll(async () => {
  fixture = await createHttpFixture();
  raised = (await exampleAgreementYaml()).replace(
    "mql: { score: 60, min_groups: { fit: 20 } }",
    "mql: { score: 80, min_groups: { fit: 20 } }",
  );
  const demo = [{ type: "form_submit", at: fixture.clock.now - 60_000, fields: { form: "demo" } }];
  for (const [name, fields, company] of [
    [
      "hot",
      { email: "ada@bigco.com", country: "US", persona_match: true },
      { employees: 500, industry: "software" },
    ],
    ["warm", { email: "bo@midco.com", country: "US" }, { employees: 250 }],
  ] as const) {
    const result = await ingestLead(
      fixture.engine,
      { system: "web-form", externalId: name, fields, company, activities: demo },
      { actor: "api:test" },
    );
    if (!result.ok) throw new Error(result.error.message);
    leads[name] = result.leadId;
  }
  const proposed = await proposeAgreement(fixture.engine, { yaml: raised, actor: "riley" });
  if (!proposed.ok || proposed.value.number !== 2) throw new Error("version 2 was not proposed");
  fixture.advance(60);
}, 60_000);
afterAll(async () => fixture?.close());

describe("backtest API", () => {
  it("answers a proposed version's backtest to every reader, the same figures each time", async () => {
    const response = await fixture.app.inject({
      method: "GET",
      url: `/api/agreements/2/backtest?${window}`,
      headers: as(fixture.users.viewer),
    });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({
      version: 1,
      window: { from: "2026-03-01T00:00:00.000Z" },
      active: { number: 1 },
      proposed: { number: 2 },
      leads: 2,
      qualification: { before: { mqls: 2 }, after: { mqls: 1 } },
    });
    expect(report.qualification.droppingOut.items).toEqual([
      expect.objectContaining({ leadId: leads.warm, scoreBefore: 70, mqlAtAfter: null }),
    ]);
    const again = await fixture.app.inject({
      method: "GET",
      url: `/api/agreements/2/backtest?${window}`,
      headers: as(fixture.users.rep),
    });
    expect(again.json()).toEqual(report);
  });

  it("backtests a draft posted as YAML without proposing it", async () => {
    const response = await fixture.app.inject({
      method: "POST",
      url: "/api/agreements/backtest",
      headers: as(fixture.users.marketing),
      payload: { yaml: raised, from: "2026-03-01T00:00:00Z", examples: 0 },
    });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.proposed.number).toBeNull();
    // counts stay exact when no ids are listed
    expect(report.qualification.droppingOut).toMatchObject({ count: 1, items: [] });
    const versions = await fixture.app.inject({
      method: "GET",
      url: "/api/agreements",
      headers: as(fixture.users.viewer),
    });
    expect(versions.json().items).toHaveLength(2);
  });

  it("refuses an invalid draft with located issues, an unknown version and an empty window", async () => {
    const invalid = await fixture.app.inject({
      method: "POST",
      url: "/api/agreements/backtest",
      headers: as(fixture.users.admin),
      payload: { yaml: raised.replace("score: 80", "score: eighty") },
    });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().error).toMatchObject({ code: "invalid_agreement" });
    expect(invalid.json().error.issues[0].line).toBeGreaterThan(200);
    const unknown = await fixture.app.inject({
      method: "GET",
      url: "/api/agreements/9/backtest",
      headers: as(fixture.users.viewer),
    });
    expect(unknown.statusCode).toBe(404);
    const empty = await fixture.app.inject({
      method: "GET",
      url: "/api/agreements/2/backtest?from=2026-03-09T00:00:00Z&to=2026-03-01T00:00:00Z",
      headers: as(fixture.users.viewer),
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.code).toBe("invalid_period");
  });

  it("lets only proposers backtest drafts", async () => {
    const response = await fixture.app.inject({
      method: "POST",
      url: "/api/agreements/backtest",
      headers: as(fixture.users.rep),
      payload: { yaml: raised },
    });
    expect(response.statusCode).toBe(403);
  });
});
