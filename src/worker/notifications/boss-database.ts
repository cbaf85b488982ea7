import { CompiledQuery, type Kysely } from "kysely";
import type PgBoss from "pg-boss";
import type { BatonDatabase } from "../../db/schema.js";

/**
 * pg-boss's `executeSql` port over a Kysely instance or transaction. On PGlite this is how
 * pg-boss reaches the one embedded connection: through Kysely's driver, which hands it to one
 * query or transaction at a time, so a pg-boss poll never lands inside a Baton transaction. Over a
 * transaction it lets the relay create jobs in the same commit as the outbox update. pg-boss
 * sends its set-up scripts (several statements, no parameters) the same way; the PGlite dialect
 * runs those with `exec`.
 */
export function bossDatabase(db: Kysely<BatonDatabase>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] | undefined) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: [...result.rows] };
    },
  };
}
