import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A fresh store for a test that starts the real `baton` processes: a new database on the
 * PostgreSQL server when DATABASE_URL is set (so runs never see each other's data), otherwise
 * an embedded folder. Sets DATABASE_URL or BATON_DATA_DIR in `env`; `cleanup` drops it all.
 */
export async function freshServerStore(
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), `baton-${prefix}-`));
  const base = process.env.DATABASE_URL;
  if (!base) {
    env.BATON_DATA_DIR = join(folder, "data");
    return { folder, cleanup: () => rm(folder, { recursive: true, force: true }) };
  }
  const database = `baton_${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${database}`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  env.DATABASE_URL = url.toString();
  return {
    folder,
    cleanup: async () => {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
