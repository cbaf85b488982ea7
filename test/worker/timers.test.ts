import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { fireDueTimers } from "../../src/worker/scheduler.js";
import { cancelTimers, scheduleTimers } from "../../src/worker/timers.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";

/** A fixed reference time: these tests pass the scheduler a clock instead of reading one. */
const t0 = Date.parse("2026-03-09T14:00:00.000Z");

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  const outcome = await migrate(test.db);
  if (!outcome.ok) throw new Error(outcome.error);
});
afterAll(async () => {
  await test?.drop();
});
beforeEach(async () => {
  await test.db.deleteFrom("timers").execute();
});

async function timerRow(key: string) {
  return test.db.selectFrom("timers").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
}

/** Fires whatever is due at `at` with a handler that does nothing. */
function fireAt(at: number) {
  return fireDueTimers({
    db: test.db,
    workerId: "test",
    handle: async () => {},
    signal: new AbortController().signal,
    now: () => at,
  });
}

describe("scheduleTimers", () => {
  it("stores a timer with its kind, stream, due time and payload", async () => {
    const outcome = await scheduleTimers(test.db, [
      {
        key: "lead-42/sdr-first-effort:7:breach",
        kind: "breach",
        streamId: "lead-42/sdr-first-effort",
        dueAt: t0,
        payload: { cycle: 7 },
      },
      { key: "lead-42/sdr-first-effort:7:warn", kind: "warn", streamId: "lead-42/x", dueAt: t0 },
    ]);
    expect(outcome).toEqual({ scheduled: 2 });
    const row = await timerRow("lead-42/sdr-first-effort:7:breach");
    expect(row).toMatchObject({
      kind: "breach",
      stream_id: "lead-42/sdr-first-effort",
      payload: { cycle: 7 },
      fired_at: null,
      cancelled_at: null,
      failed_at: null,
      attempts: 0,
    });
    expect(row.due_at.getTime()).toBe(t0);
    expect((await timerRow("lead-42/sdr-first-effort:7:warn")).payload).toEqual({});
  });

  it("reschedules a key scheduled again instead of adding a second timer", async () => {
    const timer = { key: "lead-1:1:breach", kind: "breach", streamId: "lead-1" };
    await scheduleTimers(test.db, [{ ...timer, dueAt: t0, payload: { goal: "4h" } }]);
    const first = await timerRow(timer.key);
    await scheduleTimers(test.db, [{ ...timer, dueAt: t0 + 60_000, payload: { goal: "2h" } }]);
    const second = await timerRow(timer.key);
    expect(second.id).toBe(first.id);
    expect(second.due_at.getTime()).toBe(t0 + 60_000);
    expect(second.payload).toEqual({ goal: "2h" });
    const count = await test.db
      .selectFrom("timers")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it("takes the last entry when one call names a key twice", async () => {
    const timer = { key: "lead-1:1:warn", kind: "warn", streamId: "lead-1" };
    const outcome = await scheduleTimers(test.db, [
      { ...timer, dueAt: t0 },
      { ...timer, dueAt: t0 + 5_000 },
    ]);
    expect(outcome).toEqual({ scheduled: 1 });
    expect((await timerRow(timer.key)).due_at.getTime()).toBe(t0 + 5_000);
  });

  it("never re-arms a fired timer", async () => {
    const timer = { key: "lead-2:1:breach", kind: "breach", streamId: "lead-2" };
    await scheduleTimers(test.db, [{ ...timer, dueAt: t0 }]);
    expect((await fireAt(t0)).fired).toBe(1);
    const fired = await timerRow(timer.key);
    const outcome = await scheduleTimers(test.db, [{ ...timer, dueAt: t0 + 3_600_000 }]);
    expect(outcome).toEqual({ scheduled: 0 });
    const after = await timerRow(timer.key);
    expect(after.due_at.getTime()).toBe(t0);
    expect(after.fired_at).toEqual(fired.fired_at);
    expect((await fireAt(t0 + 3_600_000)).claimed).toBe(0);
  });

  it("handles thousands of timers in one call (one jsonb parameter, no bind limit)", async () => {
    const timers = Array.from({ length: 20_000 }, (_, index) => ({
      key: `lead-${index}:1:breach`,
      kind: "breach",
      streamId: `lead-${index}`,
      dueAt: t0 + index,
    }));
    expect(await scheduleTimers(test.db, timers)).toEqual({ scheduled: 20_000 });
    expect((await timerRow("lead-19999:1:breach")).due_at.getTime()).toBe(t0 + 19_999);
  });

  it("does nothing for an empty list", async () => {
    expect(await scheduleTimers(test.db, [])).toEqual({ scheduled: 0 });
  });
});

describe("cancelTimers", () => {
  it("cancels a clock's pending timers except the keys still wanted", async () => {
    await scheduleTimers(test.db, [
      { key: "lead-3:1:warn", kind: "warn", streamId: "lead-3", dueAt: t0 },
      { key: "lead-3:1:breach", kind: "breach", streamId: "lead-3", dueAt: t0 + 1 },
      { key: "lead-3:1:escalation", kind: "escalation", streamId: "lead-3", dueAt: t0 + 2 },
      { key: "lead-4:1:breach", kind: "breach", streamId: "lead-4", dueAt: t0 },
    ]);
    expect(
      await cancelTimers(test.db, { streamId: "lead-3", exceptKeys: ["lead-3:1:breach"] }),
    ).toEqual({ cancelled: 2 });
    expect((await timerRow("lead-3:1:warn")).cancelled_at).toBeInstanceOf(Date);
    expect((await timerRow("lead-3:1:breach")).cancelled_at).toBeNull();
    expect((await timerRow("lead-4:1:breach")).cancelled_at).toBeNull();

    const fired = await fireAt(t0 + 10);
    expect(fired.fired).toBe(2);
    expect((await timerRow("lead-3:1:escalation")).fired_at).toBeNull();
  });

  it("cancels every pending timer of the clock without exceptions, and leaves fired ones alone", async () => {
    await scheduleTimers(test.db, [
      { key: "lead-5:1:warn", kind: "warn", streamId: "lead-5", dueAt: t0 },
      { key: "lead-5:1:breach", kind: "breach", streamId: "lead-5", dueAt: t0 + 60_000 },
    ]);
    await fireAt(t0);
    expect(await cancelTimers(test.db, { streamId: "lead-5" })).toEqual({ cancelled: 1 });
    const warn = await timerRow("lead-5:1:warn");
    expect(warn.fired_at).toBeInstanceOf(Date);
    expect(warn.cancelled_at).toBeNull();
  });

  it("lets a cancelled timer be scheduled again", async () => {
    const timer = { key: "lead-6:1:breach", kind: "breach", streamId: "lead-6" };
    await scheduleTimers(test.db, [{ ...timer, dueAt: t0 }]);
    await cancelTimers(test.db, { streamId: "lead-6" });
    expect((await fireAt(t0)).claimed).toBe(0);
    expect(await scheduleTimers(test.db, [{ ...timer, dueAt: t0 + 1_000 }])).toEqual({
      scheduled: 1,
    });
    expect((await fireAt(t0 + 1_000)).fired).toBe(1);
  });

  it("runs inside the caller's transaction and rolls back with it", async () => {
    await scheduleTimers(test.db, [
      { key: "lead-7:1:breach", kind: "breach", streamId: "lead-7", dueAt: t0 },
    ]);
    await expect(
      test.db.transaction().execute(async (trx) => {
        await cancelTimers(trx, { streamId: "lead-7" });
        await scheduleTimers(trx, [
          { key: "lead-7:2:breach", kind: "breach", streamId: "lead-7", dueAt: t0 },
        ]);
        throw new Error("the clock event failed to append");
      }),
    ).rejects.toThrow(/failed to append/);
    expect((await timerRow("lead-7:1:breach")).cancelled_at).toBeNull();
    const second = await test.db
      .selectFrom("timers")
      .select("id")
      .where("key", "=", "lead-7:2:breach")
      .executeTakeFirst();
    expect(second).toBeUndefined();
  });
});
