import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../src/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "./test-database.js";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.drop();
});

describe("migrate", () => {
  it("finds the numbered migrations in order", async () => {
    const names = (await readMigrations()).map((migration) => migration.name);
    expect(names[0]).toBe("0001-ledger-and-agreements.sql");
    expect(names).toEqual([...names].sort());
  });

  it("applies every migration once; a second run applies nothing", async () => {
    const first = await migrate(test.db);
    expect(first.ok).toBe(true);
    expect(first.results.map((result) => result.status)).toEqual(
      first.results.map(() => "applied"),
    );
    const second = await migrate(test.db);
    expect(second.ok).toBe(true);
    expect(second.results.every((result) => result.status === "already-applied")).toBe(true);
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = ${test.schema} order by table_name`.execute(test.db);
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      "accounts",
      "action_items",
      "agreement_approvals",
      "agreement_versions",
      "api_tokens",
      "audit_log",
      "baton_migrations",
      "clocks",
      "events",
      "ingest_requests",
      "leads",
      "notifications",
      "opportunities",
      "rep_loads",
      "review_decisions",
      "review_packs",
      "routing_state",
      "sessions",
      "timers",
      "users",
    ]);
  });

  it("is safe when two connections migrate a fresh schema at once", async () => {
    const fresh = await createTestDatabase();
    const [one, two] = [await fresh.open(), await fresh.open()];
    const extra = [
      ...(await readMigrations()),
      { name: "9001-concurrent.sql", sql: "create table concurrent_probe (id integer);" },
    ];
    const outcomes = await Promise.all([migrate(one, extra), migrate(two, extra)]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const applied = outcomes.flatMap((outcome) =>
      outcome.results.filter((result) => result.name === "9001-concurrent.sql"),
    );
    expect(applied.map((result) => result.status).sort()).toEqual(["already-applied", "applied"]);
    await fresh.drop();
  });

  it("returns a failed migration as a value, rolls it back and skips the rest", async () => {
    const outcome = await migrate(test.db, [
      { name: "9002-broken.sql", sql: "create table half_done (id integer); select nonsense;" },
      { name: "9003-after.sql", sql: "create table after_broken (id integer);" },
    ]);
    expect(outcome.ok).toBe(false);
    expect(outcome.results.map((result) => result.status)).toEqual(["failed", "not-run"]);
    if (!outcome.ok) expect(outcome.error).toMatch(/^9002-broken\.sql: .*nonsense/);
    const leftovers = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = ${test.schema} and table_name in ('half_done', 'after_broken')`.execute(
      test.db,
    );
    expect(leftovers.rows).toEqual([]);
  });
});
