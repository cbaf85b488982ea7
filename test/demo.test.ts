import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../src/app/engine.js";
import { getPack, listPacks } from "../src/app/review/review-packs.js";
import { type DemoReport, seedDemo } from "../src/app/seed-demo.js";
import { seedDemoReview } from "../src/app/seed-demo-review.js";
import { processIo } from "../src/cli/io.js";
import { runCli } from "../src/cli/program.js";
import { loadAgreement } from "../src/core/agreement/load-agreement.js";
import { migrate } from "../src/db/migrate.js";
import { fireDueTimers } from "../src/worker/scheduler.js";
import { timerPort } from "../src/worker/timer-port.js";
import { exampleAgreementYaml } from "./app/engine-fixture.js";
import { createTestDatabase, type TestDatabase } from "./db/test-database.js";

/**
 * The demo company played through the engine: the ledger holds real breaches, reasoned
 * rejections and closed deals; the same seed gives the same company; a database with data is
 * refused. Forty days is the shortest history in which deals get won and lost.
 */
const end = Date.parse("2026-03-16T15:00:00Z");
let yaml: string;
const opened: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  opened.push(test);
  const migrated = await migrate(test.db);
  if (!migrated.ok) throw new Error(migrated.error);
  return test;
}

async function seed(
  test: TestDatabase,
  options: { seed: number; days: number; append?: boolean; end?: number },
) {
  return seedDemo({
    db: test.db,
    timers: timerPort,
    fireDueTimers,
    end,
    agreementYaml: yaml,
    ...options,
  });
}

async function stages(test: TestDatabase) {
  const rows = await sql<{ stage: string; count: number }>`
    select stage, count(*)::int as count from leads group by stage order by stage`.execute(test.db);
  return Object.fromEntries(rows.rows.map((row) => [row.stage, row.count]));
}

let quarter: TestDatabase;
let report: DemoReport;
beforeAll(async () => {
  yaml = await exampleAgreementYaml();
  quarter = await freshDatabase();
  const result = await seed(quarter, { seed: 5, days: 40 });
  if (!result.ok) throw new Error(result.error.message);
  report = result.report;
}, 240_000);
afterAll(async () => {
  for (const test of opened) await test.drop();
});

describe("seedDemo", () => {
  it("records what the report counts, with breaches fired by the schedule", async () => {
    const leads = await sql<{ count: number }>`select count(*)::int as count from leads`.execute(
      quarter.db,
    );
    expect(report.leads).toBeGreaterThan(200);
    expect(leads.rows[0]!.count).toBe(report.leads);
    const breaches = await sql<{ at: Date; stream_id: string }>`
      select occurred_at as at, stream_id from events
      where type = 'clock.event' and data->'event'->>'type' = 'breach'`.execute(quarter.db);
    expect(breaches.rows.length).toBe(report.breaches);
    expect(report.breaches).toBeGreaterThan(0);
    expect(report.warnings).toBeGreaterThan(report.breaches);
    // both clocks breach: marketing's qualification window and the SDR's first effort
    const steps = new Set(breaches.rows.map((row) => row.stream_id.split("/")[1]));
    expect([...steps].sort()).toEqual(["mql-qualification", "sdr-first-effort"]);
    // history stays in the past
    expect(breaches.rows.every((row) => row.at.getTime() <= end)).toBe(true);
    expect(report.mqls).toBeGreaterThan(0);
    expect(report.mqls).toBeLessThan(report.leads);
    // the engine refuses few planned steps (the plan does not know every routing outcome)
    const skipped = Object.values(report.skipped).reduce((sum, count) => sum + count, 0);
    expect(skipped).toBeLessThan(report.leads / 100);
  });

  it("gives every rejection and disqualification an approved reason, notes where required", async () => {
    const loaded = loadAgreement(yaml);
    if (!loaded.ok) throw new Error("the example agreement does not load");
    const approved = new Map(
      loaded.agreement.reasons!.rejection!.map((reason) => [reason.id, reason]),
    );
    const rows = await sql<{ data: { reason?: string; note?: string; action: string } }>`
      select data from events where type = 'lead.stage_changed'
        and data->>'action' in ('reject', 'disqualify')`.execute(quarter.db);
    expect(rows.rows.length).toBe(report.rejections + report.disqualifications);
    expect(report.rejections).toBeGreaterThan(0);
    for (const { data } of rows.rows) {
      const reason = approved.get(data.reason ?? "");
      expect(reason, JSON.stringify(data)).toBeDefined();
      if (reason!.note_required) expect(data.note).toBeTruthy();
    }
  });

  it("hands most MQLs over with marketing's context, and some without", async () => {
    // the latest context check of each lead handed to sales (the commitment's population)
    const rows = await sql<{ missing: number; count: number }>`
      select jsonb_array_length(checked.data->'missing') as missing, count(*)::int as count
      from leads
      join lateral (
        select data from events
        where workspace = leads.workspace and stream_type = 'lead' and stream_id = leads.id
          and type = 'lead.context_checked'
        order by id desc limit 1) as checked on true
      where leads.owner is not null
      group by 1`.execute(quarter.db);
    const complete = rows.rows.find((row) => row.missing === 0)?.count ?? 0;
    const all = rows.rows.reduce((total, row) => total + row.count, 0);
    expect(all).toBeGreaterThan(50);
    // around the 95 % the example agreement commits marketing to overall, and not every lead
    expect(complete / all).toBeGreaterThan(0.85);
    expect(complete).toBeLessThan(all);
  });

  it("keeps marketing's context when a rep accepts: the rep adds only what was missing", async () => {
    const rows = await sql<{ given: number; replaced: number; added: number }>`
      select
        count(*) filter (where created.data->'fields' ? 'message_used')::int as given,
        count(*) filter (where created.data->'fields' ? 'message_used'
          and changed.data->'fields' ? 'message_used')::int as replaced,
        count(*) filter (where not created.data->'fields' ? 'message_used'
          and changed.data->'fields' ? 'message_used')::int as added
      from events as changed
      join events as created on created.stream_id = changed.stream_id
        and created.type = 'lead.created'
      where changed.type = 'lead.fields_changed'`.execute(quarter.db);
    const { given, replaced, added } = rows.rows[0]!;
    // reps accept leads both with and without marketing's context
    expect(given).toBeGreaterThan(0);
    expect(added).toBeGreaterThan(0);
    expect(replaced).toBe(0);
  });

  it("opens opportunities and closes some won with an amount and some lost with a reason", async () => {
    const closed = await sql<{ outcome: string; amount: string | null; data: { reason?: string } }>`
      select outcome, amount, data from opportunities where outcome is not null`.execute(
      quarter.db,
    );
    const won = closed.rows.filter((row) => row.outcome === "won");
    const lost = closed.rows.filter((row) => row.outcome === "lost");
    expect(won.length).toBe(report.wins);
    expect(lost.length).toBe(report.losses);
    expect(won.length).toBeGreaterThan(0);
    expect(lost.length).toBeGreaterThan(0);
    expect(won.every((row) => Number(row.amount) > 0)).toBe(true);
    expect(
      lost.every((row) =>
        ["price", "competitor", "no_decision", "product_gap", "other"].includes(
          row.data.reason ?? "",
        ),
      ),
    ).toBe(true);
  });

  it("builds the same company from the same seed, and another from another seed", async () => {
    const [first, second, other] = [
      await freshDatabase(),
      await freshDatabase(),
      await freshDatabase(),
    ];
    const a = await seed(first, { seed: 9, days: 3 });
    const b = await seed(second, { seed: 9, days: 3 });
    const c = await seed(other, { seed: 10, days: 3 });
    if (!a.ok || !b.ok || !c.ok) throw new Error("seeding failed");
    const { elapsedMs: _a, transactions: _ta, ...countsA } = a.report;
    const { elapsedMs: _b, transactions: _tb, ...countsB } = b.report;
    expect(countsB).toEqual(countsA);
    expect(await stages(second)).toEqual(await stages(first));
    expect(
      c.report.leads === a.report.leads &&
        c.report.mqls === a.report.mqls &&
        c.report.touches === a.report.touches,
    ).toBe(false);
  }, 120_000);

  it("gives the same company at any hour of a day: a later seeding only adds what came since", async () => {
    const [morning, evening] = [await freshDatabase(), await freshDatabase()];
    const day = Math.floor(end / 86_400_000) * 86_400_000;
    const early = await seed(morning, { seed: 11, days: 2, end: day + 10 * 3_600_000 });
    const late = await seed(evening, { seed: 11, days: 2, end: day + 16 * 3_600_000 });
    if (!early.ok || !late.ok) throw new Error("seeding failed");
    const emails = async (test: TestDatabase, until: number) =>
      (
        await sql<{ email: string }>`
          select data->'fields'->>'email' as email from leads
          where created_at <= ${new Date(until)} order by 1`.execute(test.db)
      ).rows.map((row) => row.email);
    const morningLeads = await emails(morning, day + 10 * 3_600_000);
    expect(morningLeads.length).toBeGreaterThan(0);
    expect(await emails(evening, day + 10 * 3_600_000)).toEqual(morningLeads);
    expect(late.report.leads).toBeGreaterThan(early.report.leads);
  }, 120_000);

  it("holds a joint review: two packs, the earlier one's action items and decision carried into the latest", async () => {
    const engine = createEngine({
      db: quarter.db,
      now: () => end,
      timers: timerPort,
      notifications: { enqueue: () => [] },
    });
    const seeded = await seedDemoReview(engine);
    expect(seeded).toEqual({ packs: 2, actionItems: 3 });
    const packs = await listPacks(engine, {});
    expect(packs.map((pack) => pack.review)).toEqual([
      "joint-revenue-review",
      "joint-revenue-review",
    ]);
    const [latest, earlier] = [...packs].sort((a, b) => b.period.from - a.period.from);
    // consecutive periods of the two-week cadence
    expect(earlier!.period.to).toBe(latest!.period.from);
    expect(latest!.period.to - latest!.period.from).toBeGreaterThan(13 * 86_400_000);
    const stored = await getPack(engine, latest!.id);
    if (!stored.ok) throw new Error(stored.error.message);
    const carried = stored.value.pack.actionItems;
    expect(carried.map((entry) => entry.item.status).sort()).toEqual([
      "done",
      "in_progress",
      "open",
    ]);
    expect(carried.every((entry) => entry.fromLastReview)).toBe(true);
    // only the unfinished item past its date is overdue
    expect(carried.filter((entry) => entry.overdue).map((entry) => entry.item.owner)).toEqual([
      "maria",
    ]);
    expect(stored.value.pack.decisions.map((decision) => decision.reviewPackId)).toEqual([
      earlier!.id,
    ]);
  });

  it("refuses a database that already has leads, unless asked to add to it", async () => {
    const before = await stages(quarter);
    const refused = await seed(quarter, { seed: 6, days: 1 });
    expect(refused).toMatchObject({ ok: false, error: { code: "not_empty" } });
    expect(!refused.ok && refused.error.message).toMatch(/already holds \d+ leads/);
    expect(await stages(quarter)).toEqual(before);
    const added = await seed(quarter, { seed: 6, days: 1, append: true });
    if (!added.ok) throw new Error(added.error.message);
    const after = await stages(quarter);
    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((sum, n) => sum + n, 0);
    expect(total(after)).toBe(total(before) + added.report.leads);
  }, 60_000);
});

it("baton demo seeds a fresh embedded data folder and refuses to seed it twice", async () => {
  const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-demo-cli-")) };
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      argv,
      {
        stdout: (text) => out.push(text),
        stderr: (text) => err.push(text),
        readText: processIo.readText,
      },
      env,
    );
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  };
  const seeded = await run("demo", "--days", "7", "--json");
  expect(seeded.code).toBe(0);
  const result = JSON.parse(seeded.stdout);
  expect(result).toMatchObject({ ok: true, report: { days: 7 } });
  expect(result.report.leads).toBeGreaterThan(0);
  expect(Date.parse(result.report.to)).toBeLessThanOrEqual(Date.now());
  // every person of the example agreement can sign in, with the role their team implies
  const roles = Object.fromEntries(
    (result.users as { id: string; role: string }[]).map((user) => [user.id, user.role]),
  );
  expect(roles).toMatchObject({
    riley: "admin",
    maria: "marketing",
    mo: "marketing",
    sam: "sales_manager",
    dana: "sales_manager",
    alex: "rep",
    casey: "rep",
    emery: "rep",
  });
  const again = await run("demo", "--days", "7");
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/not_empty/);
  expect((await run("demo", "--days", "0")).code).toBe(2);
}, 120_000);
