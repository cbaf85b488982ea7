import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { type DatabaseLocation, openDatabase } from "../../src/db/database.js";
import type { BatonDatabase } from "../../src/db/schema.js";

/**
 * A fresh schema for one test file: on the PostgreSQL server when DATABASE_URL is set, else in an
 * in-memory PGlite. Every connection's search_path starts with it, so test files never see each
 * other's tables; `drop()` removes it.
 */
export interface TestDatabase {
  location: DatabaseLocation;
  schema: string;
  open(): Promise<Kysely<BatonDatabase>>;
  db: Kysely<BatonDatabase>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  const schema = `baton_test_${randomBytes(6).toString("hex")}`;
  const location: DatabaseLocation = url ? { kind: "server", url } : { kind: "memory" };
  const opened: Kysely<BatonDatabase>[] = [];
  // In memory, every PGlite is its own database: later `open()` calls share the first one's.
  const db = await openDatabase(location, { searchPath: schema });
  opened.push(db);
  await sql`create schema ${sql.id(schema)}`.execute(db);
  return {
    location,
    schema,
    db,
    async open() {
      if (location.kind === "memory") return db;
      const another = await openDatabase(location, { searchPath: schema });
      opened.push(another);
      return another;
    },
    async drop() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      for (const handle of opened.reverse()) await handle.destroy();
    },
  };
}
