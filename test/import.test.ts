import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/cli/open-store.js";
import { cliRunner } from "./cli-runner.js";

/**
 * `baton import` on an embedded data folder, as a user runs it: the example agreement is
 * proposed and signed first, then messy exports are imported, checked, re-imported.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const folder = mkdtempSync(join(tmpdir(), "baton-import-"));
const env = { BATON_DATA_DIR: join(folder, "data") };

const baton = cliRunner(env);

interface StoredLead {
  system: string | null;
  external_id: string | null;
  created_at: Date;
  data: {
    fields: Record<string, unknown>;
    company: Record<string, unknown>;
    sourceCreatedAt: number | null;
  };
}

async function storedLeads(system?: string): Promise<StoredLead[]> {
  const store = await openStore(env);
  try {
    let query = store.db
      .selectFrom("leads")
      .select(["system", "external_id", "created_at", "data"])
      .orderBy("external_id");
    if (system !== undefined) query = query.where("system", "=", system);
    return (await query.execute()) as StoredLead[];
  } finally {
    await store.close();
  }
}

function errorRows(file: string): string[][] {
  const text = readFileSync(file, "utf8");
  expect(text.startsWith("\ufeff")).toBe(true);
  return parse(text.slice(1), { delimiter: ";", relax_column_count: true }) as string[][];
}

/**
 * A HubSpot contacts export saved by Excel on Windows: Windows-1252, `;`-delimited, CRLF, a
 * quoted newline, a blank e-mail, repeated rows, a date and a number that do not parse, and two
 * columns the agreement does not declare.
 */
const hubspotLines = [
  "Record ID;First Name;Last Name;Email;Company Name;Original Source;Create Date;Number of Employees;Lifecycle Stage;Favourite colour",
  "101;Zoë;Müller;zoe@acme.example;Acme;ORGANIC_SEARCH;2026-03-01 09:30;1.200;lead;blue",
  '102;Ana;"Ruiz\r\n(Jr)";ana@beta.example;Beta;PAID_SEARCH;2026-03-02 10:00;50;lead;red',
  "103;Bo;Li;;Gamma;;2026-03-03 11:00;;lead;green",
  "104;Cy;Wu;ZOE@acme.example;Acme;;2026-03-04 12:00;;lead;",
  "101;Zoë;Müller;other@acme.example;Acme;;;;;",
  "105;Di;Ng;di@delta.example;Delta Café;REFERRALS;not a date;10;lead;",
  "106;Ed;Ox;ed@epsilon.example;Epsilon;OFFLINE;03/05/2026 9:15 AM;lots;lead;",
  "107;Fay;Po;fay@phi.example;Phi €;DIRECT_TRAFFIC;2026-03-06 08:00;5;lead;",
];
const hubspotFile = join(folder, "hubspot contacts.csv");

beforeAll(async () => {
  writeFileSync(hubspotFile, iconv.encode(`${hubspotLines.join("\r\n")}\r\n`, "win1252"));
  expect((await baton("agreement", "propose", example, "--by", "riley")).code).toBe(0);
  expect((await baton("agreement", "approve", "1", "--by", "maria")).code).toBe(0);
  const active = await baton(
    "agreement",
    "approve",
    "1",
    "--by",
    "sam",
    "--mode",
    "new_cycles_only",
  );
  expect(active.stdout).toMatch(/version 1 is active/);
}, 60_000);

describe("baton import", () => {
  it("checks a messy export with --dry-run and stores nothing", async () => {
    const dry = await baton("import", hubspotFile, "--dry-run");
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(
      /dry run, nothing stored: 8 rows read; 3 would be imported, 2 repeated in the file, 3 bad/,
    );
    expect(await storedLeads()).toEqual([]);
    expect(errorRows(`${hubspotFile}.errors.csv`).map((row) => row.slice(0, 2))).toEqual([
      ["line", "kind"],
      ["5", "bad"],
      ["6", "duplicate"],
      ["7", "duplicate"],
      ["8", "bad"],
      ["9", "bad"],
    ]);
  }, 60_000);

  it("refuses the whole file with --all-or-nothing when one row is bad", async () => {
    const refused = await baton("import", hubspotFile, "--all-or-nothing", "--json");
    expect(refused.code).toBe(1);
    const { report } = JSON.parse(refused.stdout) as { report: Record<string, unknown> };
    expect(report).toMatchObject({ mode: "all-or-nothing", stored: false, bad: 3, created: 0 });
    expect(await storedLeads()).toEqual([]);
  }, 60_000);

  it("imports the good rows, says what it understood, and writes the bad ones with their lines", async () => {
    const imported = await baton("import", hubspotFile);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toMatch(
      /with preset hubspot \(detected from its columns Record ID, Email/,
    );
    expect(imported.stdout).toMatch(
      /encoding: Windows-1252; delimiter: semicolon; system: hubspot/,
    );
    expect(imported.stdout).toMatch(/Number of Employees +→ company\.employees/);
    expect(imported.stdout).toMatch(/Email +→ fields\.email \(required\)/);
    expect(imported.stdout).toMatch(
      /Lifecycle Stage: the agreement declares no field fields\.lifecycle_stage/,
    );
    expect(imported.stdout).toMatch(/Favourite colour: not in the mapping/);
    expect(imported.stdout).toMatch(
      /8 rows read: 3 created, 0 updated, 2 duplicate \(2 repeated in the file, 0 imported before\), 3 bad/,
    );
    expect(imported.stdout).toContain(`${hubspotFile}.errors.csv`);

    const leads = await storedLeads();
    expect(leads.map((lead) => [lead.system, lead.external_id])).toEqual([
      ["hubspot", "101"],
      ["hubspot", "102"],
      ["hubspot", "107"],
    ]);
    const [zoe, ana, fay] = leads;
    expect(zoe?.data.fields).toMatchObject({
      first_name: "Zoë",
      last_name: "Müller",
      email: "zoe@acme.example",
      source: "website",
    });
    expect(zoe?.data.company).toMatchObject({ name: "Acme", employees: 1200 });
    expect(zoe?.data.sourceCreatedAt).toBe(Date.parse("2026-03-01T09:30:00Z"));
    expect(ana?.data.fields).toMatchObject({ last_name: "Ruiz\n(Jr)", source: "paid_search" });
    expect(fay?.data.company).toMatchObject({ name: "Phi €", employees: 5 });
    expect(fay?.data.fields).not.toHaveProperty("lifecycle_stage");

    const rows = errorRows(`${hubspotFile}.errors.csv`);
    expect(rows[0]).toEqual([
      "line",
      "kind",
      "column",
      "field",
      "reason",
      ...hubspotLines[0]!.split(";"),
    ]);
    const byLine = rows.slice(1).map((row) => row.slice(0, 5));
    expect(byLine).toEqual([
      [
        "5",
        "bad",
        "Email",
        "fields.email",
        "Email is blank and the mapping marks it required; fill it in or remove the row",
      ],
      [
        "6",
        "duplicate",
        "Email",
        "fields.email",
        "duplicate of line 2 (same e-mail zoe@acme.example); imported once",
      ],
      [
        "7",
        "duplicate",
        "Record ID",
        "externalId",
        "duplicate of line 2 (same id 101); imported once",
      ],
      [
        "8",
        "bad",
        "Create Date",
        "createdAt",
        expect.stringMatching(/^'not a date' matches none of the date formats/),
      ],
      [
        "9",
        "bad",
        "Number of Employees",
        "company.employees",
        expect.stringMatching(/^'lots' is not a number/),
      ],
    ]);
    // the original values follow, decoded
    expect(rows.find((row) => row[0] === "8")?.slice(5)).toEqual(hubspotLines[6]!.split(";"));
  }, 60_000);

  it("re-importing the same file is all duplicates", async () => {
    const again = await baton("import", hubspotFile, "--json", "--progress");
    expect(again.code).toBe(1);
    const { report, errorsFile } = JSON.parse(again.stdout) as {
      report: Record<string, unknown>;
      errorsFile: string;
    };
    expect(report).toMatchObject({
      created: 0,
      updated: 0,
      duplicate: 5,
      duplicates: { inFile: 2, alreadyImported: 3 },
      bad: 3,
      encoding: "windows-1252",
    });
    expect(errorsFile).toBe(`${hubspotFile}.errors.csv`);
    expect(again.stderr).toMatch(/importing 100% \(8 rows\)/);
    expect((await storedLeads()).length).toBe(3);
  }, 60_000);

  it("imports a tab-delimited UTF-8 file with a BOM through a mapping file, all or nothing", async () => {
    const file = join(folder, "webinar.tsv");
    writeFileSync(
      file,
      `\ufeff${[
        "Ref\tMail\tPersona\tSigned up\tSource",
        "w-1\tjo@omega.example\tyes\t31/12/2025 18:00\tWebinar",
        "w-2\tkim@sigma.example\tno\t01/01/2026\tweb",
      ].join("\r\n")}`,
    );
    const mapping = join(folder, "webinar.yaml");
    writeFileSync(
      mapping,
      [
        "system: webinar-tool",
        "timezone: Europe/London",
        "dates: [DD/MM/YYYY HH:mm, DD/MM/YYYY]",
        "columns:",
        "  Ref: externalId",
        "  Mail: { to: fields.email, required: true }",
        "  Persona: fields.persona_match",
        "  Signed up: createdAt",
        "  Source: { to: fields.source, values: { Webinar: webinar, Web: website } }",
      ].join("\n"),
    );
    const imported = await baton("import", file, "--mapping", mapping, "--all-or-nothing");
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/with mapping .*webinar\.yaml/);
    expect(imported.stdout).toMatch(/UTF-8 with byte-order mark; delimiter: tab/);
    expect(imported.stdout).toMatch(/2 rows read: 2 created/);
    expect(imported.stdout).toMatch(/no error file written/);
    const leads = await storedLeads("webinar-tool");
    expect(
      leads.map((lead) => [
        lead.external_id,
        lead.data.fields.persona_match,
        lead.data.fields.source,
      ]),
    ).toEqual([
      ["w-1", true, "webinar"],
      ["w-2", false, "website"],
    ]);
    // 18:00 in London in winter is 18:00 UTC; a date alone is midnight there
    expect(leads.map((lead) => lead.data.sourceCreatedAt)).toEqual([
      Date.parse("2025-12-31T18:00:00Z"),
      Date.parse("2026-01-01T00:00:00Z"),
    ]);
  }, 60_000);

  it("reports a mapping file's mistakes at their lines and imports nothing", async () => {
    const mapping = join(folder, "broken.yaml");
    writeFileSync(
      mapping,
      ["columns:", "  Email: fields.email", "  Record ID: fields.record_id"].join("\n"),
    );
    const result = await baton("import", hubspotFile, "--mapping", mapping);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${mapping}:3:3 error columns.Record ID: the agreement declares no field fields.record_id`,
    );
    const typo = join(folder, "typo.yaml");
    writeFileSync(typo, ["columns:", "  Email: { to: fields.email, requird: true }"].join("\n"));
    const second = await baton("import", hubspotFile, "--mapping", typo);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /typo\.yaml:2:\d+ error columns\.Email\.requird: unknown key 'requird'; did you mean 'required'\?/,
    );
  }, 60_000);

  it("says what to do when the format cannot be told, and refuses wrong command lines", async () => {
    const plain = join(folder, "plain.csv");
    writeFileSync(plain, "email,name\na@x.example,A\n");
    const undetected = await baton("import", plain);
    expect(undetected.code).toBe(1);
    expect(undetected.stderr).toMatch(
      /neither a Salesforce Lead export nor a HubSpot contacts export/,
    );
    expect(undetected.stderr).toMatch(/fix: pass --preset salesforce\|hubspot, or a mapping file/);

    expect((await baton("import", plain, "--preset", "marketo")).code).toBe(2);
    expect((await baton("import", plain, "--preset", "hubspot", "--mapping", "x.yaml")).code).toBe(
      2,
    );
    const unknown = await baton("import", plain, "--dryrun");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--dryrun'/);
    expect((await baton("import", join(folder, "missing.csv"))).code).toBe(3);
    const help = await baton("import", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--all-or-nothing/);
  }, 60_000);
});
