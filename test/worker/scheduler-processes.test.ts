import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { fireDueTimers } from "../../src/worker/scheduler.js";
import { cancelTimers, scheduleTimers } from "../../src/worker/timers.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";
import { recordBreach } from "./record-breach.js";

/**
 * Concurrent connections on one PostgreSQL server, as in production. Server only: PGlite is one
 * connection in one process, so nothing there runs concurrently.
 */

const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  const outcome = await migrate(database.db);
  if (!outcome.ok) throw new Error(outcome.error);
  return database;
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
  // Worker processes firing real SLA clocks, 10,000 of them and under SIGKILL: clock-breaches.test.ts.
});
