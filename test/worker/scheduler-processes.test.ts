import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { fireDueTimers, type SchedulerSummary } from "../../src/worker/scheduler.js";
import { cancelTimers, scheduleTimers } from "../../src/worker/timers.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";
import { recordBreach } from "./record-breach.js";

/**
 * Concurrent connections and several worker processes on one PostgreSQL server, as in production.
 * Server only: PGlite is one connection in one process, so nothing there runs concurrently.
 */

const fixture = fileURLToPath(new URL("./fixture-worker.ts", import.meta.url));

interface Worker {
  child: ChildProcess;
  /** The worker's last JSON line: its summary after a clean stop. */
  summary: Promise<SchedulerSummary | undefined>;
}

const everyWorker: Worker[] = [];
const databases: TestDatabase[] = [];

afterAll(async () => {
  // Even after a failure: no worker may outlive the suite or hold the schema being dropped.
  for (const worker of everyWorker)
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill("SIGKILL");
  for (const database of databases) await database.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  const outcome = await migrate(database.db);
  if (!outcome.ok) throw new Error(outcome.error);
  return database;
}

/** Spawns `count` fixture workers and resolves once every one is connected. */
async function startWorkers(schema: string, count: number): Promise<Worker[]> {
  return Promise.all(
    Array.from({ length: count }, (_, index) => {
      const child = spawn(process.execPath, ["--import", "tsx", fixture], {
        env: { ...process.env, BATON_TEST_SCHEMA: schema, BATON_WORKER_ID: `worker-${index}` },
        stdio: ["ignore", "pipe", "inherit"],
      });
      const lines = createInterface({ input: child.stdout! });
      let last: string | undefined;
      let markReady!: () => void;
      const ready = new Promise<void>((resolve, reject) => {
        const tooSlow = setTimeout(
          () => reject(new Error(`worker-${index} not ready after 30 s`)),
          30_000,
        );
        markReady = () => {
          clearTimeout(tooSlow);
          resolve();
        };
        child.once("exit", (code, signal) =>
          reject(new Error(`worker-${index} exited before it was ready (${code ?? signal})`)),
        );
      });
      lines.on("line", (line) => {
        last = line;
        if (line.includes('"ready"')) markReady();
      });
      const summary = new Promise<SchedulerSummary | undefined>((resolve) =>
        child.once("exit", () => resolve(last ? JSON.parse(last).summary : undefined)),
      );
      const worker = { child, summary };
      everyWorker.push(worker);
      return ready.then(() => worker);
    }),
  );
}

/** Waits until no pending timer is left, or throws after `timeoutMs`. */
async function waitUntilAllFired(database: TestDatabase, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await sql<{ n: number }>`
      select count(*)::int as n from timers
      where fired_at is null and cancelled_at is null and failed_at is null`.execute(database.db);
    if (pending.rows[0]?.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending.rows[0]?.n} timers still pending`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Asks every worker still running to stop (it finishes its batch) and collects the summaries. */
async function stopWorkers(workers: Worker[]) {
  for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill("SIGTERM");
  return Promise.all(workers.map((worker) => worker.summary));
}

function timersDueOver(count: number, firstDueAt: number, windowMs: number, prefix: string) {
  return Array.from({ length: count }, (_, index) => ({
    key: `${prefix}-${index}/sdr-first-effort:1:breach`,
    kind: "breach",
    streamId: `${prefix}-${index}/sdr-first-effort`,
    dueAt: firstDueAt + Math.floor((index * windowMs) / count),
  }));
}

/** One row per timer: how many breach events it got and how late the first one was recorded. */
async function firings(database: TestDatabase) {
  const result = await sql<{ key: string; events: number; late_ms: number | null; fired: boolean }>`
    select t.key, count(e.id)::int as events, t.fired_at is not null as fired,
      min(extract(epoch from e.occurred_at) * 1000 - (e.data ->> 'dueAt')::float8)::float8 as late_ms
    from timers t
    left join events e on e.data ->> 'timerKey' = t.key and e.type = 'breach'
    group by t.key, t.fired_at`.execute(database.db);
  return result.rows;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

describe.skipIf(!process.env.DATABASE_URL)("the scheduler on a PostgreSQL server", () => {
  it("a timer being fired is skipped by other workers, and is neither rescheduled nor cancelled", async () => {
    const database = await freshDatabase();
    const other = await database.open();
    const dueAt = Date.now() - 1_000;
    await scheduleTimers(database.db, [
      { key: "race-1:breach", kind: "breach", streamId: "race-1", dueAt },
      { key: "race-2:breach", kind: "breach", streamId: "race-2", dueAt },
    ]);
    let enter!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((resolve) => {
      enter = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const noReports = { signal: new AbortController().signal, report: () => {} };
    const firing = fireDueTimers({
      ...noReports,
      db: database.db,
      workerId: "slow",
      handle: async (trx, timer) => {
        await recordBreach(trx, timer);
        enter();
        await released;
      },
    });
    await entered;

    // Both rows are locked by the slow worker: another worker skips them without waiting.
    const competing = await fireDueTimers({
      ...noReports,
      db: other,
      workerId: "fast",
      handle: recordBreach,
    });
    expect(competing.claimed).toBe(0);
    const settled: string[] = [];
    const rescheduling = scheduleTimers(other, [
      { key: "race-1:breach", kind: "breach", streamId: "race-1", dueAt: dueAt + 3_600_000 },
    ]).finally(() => settled.push("reschedule"));
    const cancelling = cancelTimers(other, { streamId: "race-2" }).finally(() =>
      settled.push("cancel"),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toEqual([]);
    release();

    expect(await firing).toMatchObject({ claimed: 2, fired: 2 });
    expect(await rescheduling).toEqual({ scheduled: 0 });
    expect(await cancelling).toEqual({ cancelled: 0 });
    const rows = await database.db
      .selectFrom("timers")
      .select(["key", "due_at", "fired_at", "cancelled_at"])
      .orderBy("key")
      .execute();
    expect(rows.map((row) => [row.key, row.due_at.getTime(), row.cancelled_at])).toEqual([
      ["race-1:breach", dueAt, null],
      ["race-2:breach", dueAt, null],
    ]);
    expect(rows.every((row) => row.fired_at !== null)).toBe(true);
  });

  it("4 workers fire 10,000 timers due over 10 s exactly once, each less than 1 s late", async () => {
    const database = await freshDatabase();
    const workers = await startWorkers(database.schema, 4);
    const timers = timersDueOver(10_000, Date.now() + 2_000, 10_000, "lead");
    expect(await scheduleTimers(database.db, timers)).toEqual({ scheduled: 10_000 });
    await waitUntilAllFired(database, 30_000);
    const summaries = await stopWorkers(workers);

    const rows = await firings(database);
    expect(rows).toHaveLength(10_000);
    expect(rows.filter((row) => row.events !== 1 || !row.fired)).toEqual([]);
    const totalEvents = await sql<{ n: number; keys: number }>`
      select count(*)::int as n, count(distinct data ->> 'timerKey')::int as keys
      from events where type = 'breach'`.execute(database.db);
    expect(totalEvents.rows[0]).toEqual({ n: 10_000, keys: 10_000 });
    expect(summaries.reduce((sum, summary) => sum + (summary?.fired ?? 0), 0)).toBe(10_000);

    const lateness = rows
      .map((row) => row.late_ms ?? Number.POSITIVE_INFINITY)
      .sort((a, b) => a - b);
    console.log(
      `10,000 timers, 4 workers: lateness p50 ${percentile(lateness, 0.5).toFixed(1)} ms, p99 ${percentile(lateness, 0.99).toFixed(1)} ms, max ${lateness.at(-1)?.toFixed(1)} ms; fired per worker ${summaries.map((summary) => summary?.fired).join(", ")}`,
    );
    expect(lateness[0]).toBeGreaterThanOrEqual(0);
    expect(lateness.at(-1)).toBeLessThan(1000);
  }, 60_000);

  it("a worker killed with SIGKILL mid-run loses no timer and duplicates none", async () => {
    const database = await freshDatabase();
    const workers = await startWorkers(database.schema, 4);
    const firstDueAt = Date.now() + 2_000;
    await scheduleTimers(database.db, timersDueOver(3_000, firstDueAt, 5_000, "killed"));
    await new Promise((resolve) => setTimeout(resolve, firstDueAt + 1_500 - Date.now()));
    const victim = workers[0]!;
    victim.child.kill("SIGKILL");
    // Mid-run: some timers fired already and some are still to come.
    const atKill = await sql<{ fired: number; pending: number }>`
      select count(fired_at)::int as fired, count(*) filter (where fired_at is null)::int as pending
      from timers`.execute(database.db);
    expect(atKill.rows[0]?.fired).toBeGreaterThan(0);
    expect(atKill.rows[0]?.pending).toBeGreaterThan(0);
    await waitUntilAllFired(database, 30_000);
    await stopWorkers(workers);

    expect(victim.child.signalCode).toBe("SIGKILL");
    const rows = await firings(database);
    expect(rows).toHaveLength(3_000);
    expect(rows.filter((row) => row.events !== 1 || !row.fired)).toEqual([]);
    const totalEvents = await sql<{ n: number }>`
      select count(*)::int as n from events where type = 'breach'`.execute(database.db);
    expect(totalEvents.rows[0]?.n).toBe(3_000);
  }, 60_000);
});
