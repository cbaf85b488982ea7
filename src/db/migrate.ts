import { readdir, readFile } from "node:fs/promises";
import { type Kysely, sql } from "kysely";
import type { BatonDatabase } from "./schema.js";

/** A numbered plain-SQL file from src/db/migrations (copied beside the build by `npm run build`). */
export interface Migration {
  name: string;
  sql: string;
}

/** What happened to one migration in a run; the run stops at the first failure. */
export type MigrationResult =
  | { name: string; status: "applied" }
  | { name: string; status: "already-applied" }
  | { name: string; status: "failed"; error: string }
  | { name: string; status: "not-run" };

export type MigrateOutcome =
  | { ok: true; results: MigrationResult[] }
  | { ok: false; results: MigrationResult[]; error: string };

const migrationsFolder = new URL("./migrations/", import.meta.url);
const migrationName = /^\d{4}-[a-z0-9-]+\.sql$/;

/**
 * Any constant key works; this one is "baton" in ASCII. Every migration transaction takes it, so
 * two processes migrating one server serialise and the second finds the work done.
 */
const migrationLockKey = 0x626174_6f6e;

export async function readMigrations(folder: URL = migrationsFolder): Promise<Migration[]> {
  const names = (await readdir(folder)).filter((name) => migrationName.test(name)).sort();
  return Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(new URL(name, folder), "utf8") })),
  );
}

/**
 * Applies the migrations not yet recorded in `baton_migrations`, in name order, each in its own
 * transaction under an advisory lock. Never throws for an expected failure (a bad migration, a
 * lost connection): the outcome says which migration failed and why.
 */
export async function migrate(
  db: Kysely<BatonDatabase>,
  migrations?: readonly Migration[],
): Promise<MigrateOutcome> {
  const results: MigrationResult[] = [];
  let all: readonly Migration[];
  try {
    all = migrations ?? (await readMigrations());
    // Under the lock too: two first runs racing on `create table if not exists` can collide.
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(trx);
      await sql`create table if not exists baton_migrations (
        name text primary key,
        applied_at timestamptz not null default now()
      )`.execute(trx);
    });
  } catch (error) {
    return { ok: false, results, error: messageOf(error) };
  }
  for (const [index, migration] of all.entries()) {
    try {
      const status = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${migrationLockKey})`.execute(trx);
        const done = await trx
          .selectFrom("baton_migrations")
          .select("name")
          .where("name", "=", migration.name)
          .executeTakeFirst();
        if (done) return "already-applied" as const;
        await sql.raw(migration.sql).execute(trx);
        await trx.insertInto("baton_migrations").values({ name: migration.name }).execute();
        return "applied" as const;
      });
      results.push({ name: migration.name, status });
    } catch (error) {
      const message = messageOf(error);
      results.push({ name: migration.name, status: "failed", error: message });
      for (const rest of all.slice(index + 1)) results.push({ name: rest.name, status: "not-run" });
      return { ok: false, results, error: `${migration.name}: ${message}` };
    }
  }
  return { ok: true, results };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
