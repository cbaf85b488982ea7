import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ingestLead } from "../src/app/ingest.js";
import { openStore } from "../src/cli/open-store.js";
import { cliRunner } from "./cli-runner.js";

/**
 * `baton metrics` on an embedded data folder: the agreement is activated through the CLI, three
 * leads arrive through the engine (two hot ones from the website and a webinar, one cold), and
 * the command prints the catalogue, a table and JSON.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-metrics-cli-")) };
const baton = cliRunner(env);

beforeAll(async () => {
  expect((await baton("agreement", "propose", example, "--by", "riley")).code).toBe(0);
  expect((await baton("agreement", "approve", "1", "--by", "maria")).code).toBe(0);
  expect(
    (await baton("agreement", "approve", "1", "--by", "sam", "--mode", "new_cycles_only")).code,
  ).toBe(0);
  const store = await openStore(env);
  try {
    let serial = 0;
    for (const [source, hot] of [
      ["website", true],
      ["webinar", true],
      ["website", false],
    ] as const) {
      serial += 1;
      const result = await ingestLead(
        store.engine,
        {
          fields: {
            email: `buyer${serial}@bigco${serial}.com`,
            country: hot ? "US" : "FR",
            persona_match: hot,
            source,
          },
          company: { name: `BigCo ${serial}`, employees: hot ? 500 : 5, industry: "software" },
          activities: hot
            ? [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }]
            : [],
        },
        { actor: "api:test" },
      );
      if (!result.ok) throw new Error(result.error.message);
    }
  } finally {
    await store.close();
  }
}, 60_000);

it("lists the metrics without a name", async () => {
  const listed = await baton("metrics");
  expect(listed.code).toBe(0);
  expect(listed.stdout).toMatch(/^mqls\s+MQLs$/m);
  expect(listed.stdout).toMatch(/^acceptance\s+MQL→SAL acceptance$/m);
});

it("prints a metric as a table: a row per group, Total, a column per figure", async () => {
  const table = await baton("metrics", "mqls", "--by", "source");
  expect(table.code, table.stderr).toBe(0);
  const lines = table.stdout.split("\n");
  expect(lines[0]).toMatch(
    /^MQLs · \d{4}-\d\d-\d\d \d\d:\d\d to .* \(America\/New_York\) · by source$/,
  );
  expect(lines[2]).toMatch(/^source\s+leads\s+events$/);
  // the two hot leads qualified, one per source; the cold one did not
  expect(table.stdout).toMatch(/^webinar\s+1\s+1$/m);
  expect(table.stdout).toMatch(/^website\s+1\s+1$/m);
  expect(table.stdout).toMatch(/^Total\s+2\s+2$/m);
  // a rate with its counts: nobody has decided yet, 0 of 2 accepted strictly
  const acceptance = await baton("metrics", "acceptance");
  expect(acceptance.stdout).toMatch(/^Total\s+— \(0\/0\)\s+0\.0 % \(0\/2\)\s+2\s+0$/m);
});

it("prints JSON, and refuses unknown metrics and flags with the usage exit code", async () => {
  const json = await baton("metrics", "mqls", "--json");
  expect(JSON.parse(json.stdout)).toMatchObject({
    ok: true,
    result: { metric: "mqls", total: { leads: { value: 2 } } },
  });
  const unknown = await baton("metrics", "mqlz");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/unknown_metric: unknown metric 'mqlz'/);
  expect(unknown.stderr).toMatch(/fix: run `baton metrics` for the list/);
  const period = await baton("metrics", "mqls", "--from", "2026-03-10", "--to", "2026-03-09");
  expect(period.code).toBe(2);
  expect(period.stderr).toMatch(/invalid_period/);
  const by = await baton("metrics", "mqls", "--by", "colour");
  expect(by).toMatchObject({ code: 2 });
  expect(by.stderr).toMatch(/--by 'colour' is not a breakdown/);
  const days = await baton("metrics", "mql-to-sql", "--within-days", "-3");
  expect(days.stderr).toMatch(/--within-days '-3' is not a positive number/);
});
