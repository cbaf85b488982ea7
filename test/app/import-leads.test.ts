import { afterAll, beforeAll, expect, it } from "vitest";
import { type ImportSource, importLeads, type RejectedRow } from "../../src/app/import-leads.js";
import { activateExample, createEngineFixture, type EngineFixture } from "./engine-fixture.js";

/**
 * The import use case on a fresh schema (PGlite, or the server when DATABASE_URL is set): rows in
 * several batches, duplicates across batches, a re-run, all or nothing.
 */
let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
}, 60_000);

afterAll(async () => {
  await fixture.test.drop();
});

function source(text: string, chunk = 7): ImportSource {
  const bytes = new TextEncoder().encode(text);
  return {
    name: "leads.csv",
    async *open() {
      for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
    },
  };
}

const salesforce = [
  "Id,FirstName,LastName,Email,Company,LeadSource,CreatedDate,NumberOfEmployees",
  "00Q1,Ana,Ruiz,ana@one.example,One,Web,2026-03-01T10:00:00Z,250",
  "00Q2,Bo,Li,bo@two.example,Two,Trade Show,2026-03-02T10:00:00Z,",
  "00Q3,Cy,Wu,cy@three.example,Three,,2026-03-03T10:00:00Z,12",
  "00Q1,Ana,Ruiz,ana@one.example,One,Web,2026-03-01T10:00:00Z,250",
  "00Q4,Di,Ng,di@four.example,Four,Partner Referral,yesterday,40",
  "00Q5,Ed,Ox,ed@five.example,Five,Web,2026-03-05T10:00:00Z,7",
].join("\n");

it("imports in batches, reports bad and repeated rows, and a re-run is all duplicates", async () => {
  const rejected: RejectedRow[] = [];
  const progress: number[] = [];
  const first = await importLeads(
    fixture.engine,
    source(salesforce),
    { mapping: { kind: "detect" }, batchSize: 2, onReject: (row) => void rejected.push(row) },
    (event) => {
      if (event.type === "rows") progress.push(event.rows);
    },
  );
  if (!first.ok) throw new Error(first.error.message);
  expect(first.report).toMatchObject({
    rows: 6,
    created: 4,
    duplicate: 1,
    bad: 1,
    stored: true,
    plan: { mapping: { name: "salesforce", origin: "detected" }, system: "salesforce" },
  });
  expect(rejected.map((row) => [row.line, row.kind, row.problems[0]?.field])).toEqual([
    [5, "duplicate", "externalId"],
    [6, "bad", "createdAt"],
  ]);
  expect(progress.length).toBeGreaterThan(1);
  const stored = await fixture.test.db
    .selectFrom("leads")
    .select(["external_id", "data"])
    .orderBy("external_id")
    .execute();
  expect(stored.map((row) => row.external_id)).toEqual(["00Q1", "00Q2", "00Q3", "00Q5"]);
  expect(stored[1]?.data).toMatchObject({ fields: { source: "event" } });
  const actors = await fixture.test.db
    .selectFrom("events")
    .select("actor")
    .where("stream_type", "=", "lead")
    .distinct()
    .execute();
  expect(actors.map((row) => row.actor)).toContain("import:leads.csv");

  const again = await importLeads(fixture.engine, source(salesforce), {
    mapping: { kind: "preset", preset: "salesforce" },
  });
  if (!again.ok) throw new Error(again.error.message);
  expect(again.report).toMatchObject({
    created: 0,
    updated: 0,
    duplicates: { inFile: 1, alreadyImported: 4 },
  });
}, 60_000);

it("stores nothing all-or-nothing when a row is bad, and everything when none is", async () => {
  const before = await fixture.test.db.selectFrom("leads").select("id").execute();
  const bad = ["Id,Email,LastName", "x1,one@six.example,A", "x2,,B"].join("\r\n");
  const refused = await importLeads(fixture.engine, source(bad), {
    mapping: { kind: "preset", preset: "salesforce" },
    allOrNothing: true,
  });
  expect(refused).toMatchObject({ ok: true, report: { stored: false, bad: 1, created: 0 } });
  expect(await fixture.test.db.selectFrom("leads").select("id").execute()).toHaveLength(
    before.length,
  );
  const good = await importLeads(fixture.engine, source(bad.replace(",,B", ",two@six.example,B")), {
    mapping: { kind: "preset", preset: "salesforce" },
    allOrNothing: true,
  });
  expect(good).toMatchObject({ ok: true, report: { stored: true, bad: 0, created: 2, rows: 2 } });
}, 60_000);

it("refuses to import before an agreement is active, and files it cannot read", async () => {
  const empty = await createEngineFixture();
  try {
    const outcome = await importLeads(empty.engine, source(salesforce), {
      mapping: { kind: "detect" },
    });
    expect(outcome).toMatchObject({ ok: false, error: { code: "no_active_agreement" } });
  } finally {
    await empty.test.drop();
  }
  const utf16 = await importLeads(
    fixture.engine,
    {
      name: "x.csv",
      open: async function* () {
        yield new Uint8Array([0xff, 0xfe, 0x41, 0]);
      },
    },
    { mapping: { kind: "detect" } },
  );
  expect(utf16).toMatchObject({ ok: false, error: { code: "unreadable_csv", reason: "utf16" } });
}, 60_000);
