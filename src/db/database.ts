import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { PGliteDialect } from "./pglite-dialect.js";
import type { BatonDatabase } from "./schema.js";

/**
 * Where Baton keeps its data: a PostgreSQL server when `DATABASE_URL` is set, otherwise an
 * embedded PGlite in a folder (`BATON_DATA_DIR`, default `./.baton/`), or in memory for tests.
 */
export type DatabaseLocation =
  | { kind: "server"; url: string }
  | { kind: "embedded"; dataDir: string }
  | { kind: "memory" };

export interface DatabaseOptions {
  /** Every connection uses this schema first (tests isolate themselves this way). */
  searchPath?: string;
}

export function locationFromEnvironment(env: NodeJS.ProcessEnv = process.env): DatabaseLocation {
  if (env.DATABASE_URL) return { kind: "server", url: env.DATABASE_URL };
  return { kind: "embedded", dataDir: resolve(env.BATON_DATA_DIR || ".baton") };
}

export function describeLocation(location: DatabaseLocation): string {
  switch (location.kind) {
    case "server":
      return `PostgreSQL at ${redactPassword(location.url)}`;
    case "embedded":
      return `embedded PGlite in ${location.dataDir}`;
    case "memory":
      return "PGlite in memory";
  }
}

export async function openDatabase(
  location: DatabaseLocation,
  options: DatabaseOptions = {},
): Promise<Kysely<BatonDatabase>> {
  const searchPath = options.searchPath;
  if (searchPath !== undefined && !/^[a-z_][a-z0-9_]*$/.test(searchPath))
    throw new Error(`invalid schema name for search_path: ${searchPath}`);
  if (location.kind === "server") {
    const pool = new pg.Pool({
      connectionString: location.url,
      ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
    });
    // An idle connection the server ends (a restart, an administrator, a dropped database) is
    // reported here and left: the pool opens a new one for the next query. Without a listener
    // the error would end the process.
    pool.on("error", (error) => {
      console.error(`database: an idle connection was closed by the server (${error.message})`);
    });
    return new Kysely<BatonDatabase>({ dialect: new PostgresDialect({ pool }) });
  }
  if (location.kind === "embedded") await mkdir(location.dataDir, { recursive: true });
  const pglite = new PGlite(location.kind === "embedded" ? location.dataDir : undefined);
  await pglite.waitReady;
  if (searchPath) await pglite.exec(`set search_path to ${searchPath}`);
  return new Kysely<BatonDatabase>({ dialect: new PGliteDialect(pglite) });
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable DATABASE_URL)";
  }
}
