/**
 * One scheduler worker process for test/worker/scheduler-processes.test.ts: opens the server in
 * DATABASE_URL with the test's schema (BATON_TEST_SCHEMA) first on its search_path, prints
 * `{"ready":true}` once connected, fires timers into the ledger until SIGTERM, then prints its
 * summary as one JSON line and exits.
 */
import { sql } from "kysely";
import { openDatabase } from "../../src/db/database.js";
import { runScheduler } from "../../src/worker/scheduler.js";
import { recordBreach } from "./record-breach.js";

const url = process.env.DATABASE_URL;
const schema = process.env.BATON_TEST_SCHEMA;
const workerId = process.env.BATON_WORKER_ID ?? `worker-${process.pid}`;
if (!url || !schema) {
  console.error("fixture-worker: set DATABASE_URL and BATON_TEST_SCHEMA");
  process.exit(2);
}

const db = await openDatabase({ kind: "server", url }, { searchPath: schema });
await sql`select 1`.execute(db);
const controller = new AbortController();
process.once("SIGTERM", () => controller.abort());
console.log(JSON.stringify({ ready: true, workerId }));
const summary = await runScheduler({
  db,
  workerId,
  handle: recordBreach,
  signal: controller.signal,
});
console.log(JSON.stringify({ summary, workerId }));
await db.destroy();
