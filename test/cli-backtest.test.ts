import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ingestLead } from "../src/app/ingest.js";
import { openStore } from "../src/cli/open-store.js";
import { activateExample } from "./app/engine-fixture.js";
import { cliRunner } from "./cli-runner.js";

/**
 * `baton agreement backtest` on an embedded folder: the example in force, two leads stored (a
 * score of 90 and one of 70, both MQLs), and a proposal that raises the MQL threshold to 80, so
 * exactly the 70 drops out.
 */
const root = new URL("../", import.meta.url).pathname;
const folder = mkdtempSync(join(tmpdir(), "baton-backtest-cli-"));
const env = { BATON_DATA_DIR: join(folder, "data") };
const baton = cliRunner(env);
const proposal = join(folder, "proposed.yaml");
const broken = join(folder, "broken.yaml");
let warm = "";

beforeAll(async () => {
  const example = readFileSync(join(root, "examples/agreement.yaml"), "utf8");
  const raised = example.replace(
    "mql: { score: 60, min_groups: { fit: 20 } }",
    "mql: { score: 80, min_groups: { fit: 20 } }",
  );
  expect(raised).not.toBe(example);
  writeFileSync(proposal, raised);
  writeFileSync(broken, raised.replace("score: 80", "score: eighty"));
  const store = await openStore(env);
  try {
    await activateExample(store.engine);
    const demo = [{ type: "form_submit", at: Date.now() - 3_600_000, fields: { form: "demo" } }];
    const hot = await ingestLead(
      store.engine,
      {
        system: "web-form",
        externalId: "hot",
        fields: { email: "ada@bigco.com", country: "US", persona_match: true },
        company: { name: "BigCo", domain: "bigco.com", employees: 500, industry: "software" },
        activities: demo,
      },
      { actor: "api:test" },
    );
    const warmLead = await ingestLead(
      store.engine,
      {
        system: "web-form",
        externalId: "warm",
        fields: { email: "bo@midco.com", country: "US" },
        company: { name: "MidCo", domain: "midco.com", employees: 250 },
        activities: demo,
      },
      { actor: "api:test" },
    );
    if (!hot.ok || !warmLead.ok) throw new Error("ingest failed");
    warm = warmLead.leadId;
  } finally {
    await store.close();
  }
}, 60_000);

it("prints the report as JSON: the 70 drops out, the 90 stays", async () => {
  const result = await baton("agreement", "backtest", proposal, "--json");
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout);
  expect(report).toMatchObject({
    version: 1,
    leads: 2,
    active: { number: 1 },
    proposed: { number: null },
    qualification: { before: { mqls: 2 }, after: { mqls: 1 }, actualMqls: 2 },
  });
  expect(
    report.qualification.droppingOut.items.map((flip: { leadId: string }) => flip.leadId),
  ).toEqual([warm]);
}, 60_000);

it("prints a readable report", async () => {
  const result = await baton("agreement", "backtest", proposal, "--from", "2020-01-01");
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/window 2020-01-01 → /);
  expect(result.stdout).toMatch(/MQLs: 2 → 1 \(actually qualified: 2/);
  expect(result.stdout).toMatch(/dropping out: 1 — actually reached SQL 0, opportunity 0, won 0/);
  expect(result.stdout).toContain(`${warm}  score 70 → 70`);
  expect(result.stdout).toMatch(/score 70 is 10 short of the MQL minimum of 80/);
  expect(result.stdout).toMatch(/sdr-first-effort \(unchanged\)/);
}, 60_000);

it("refuses an invalid proposal with located issues, and a malformed date", async () => {
  const invalid = await baton("agreement", "backtest", broken);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toMatch(/broken\.yaml:\d+:\d+/);
  const badDate = await baton("agreement", "backtest", proposal, "--from", "last week");
  expect(badDate.code).toBe(2);
  expect(badDate.stderr).toMatch(/--from 'last week' is not a date; write it as YYYY-MM-DD/);
}, 60_000);
