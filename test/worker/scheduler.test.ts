import { sql, type Transaction } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import type { BatonDatabase } from "../../src/db/schema.js";
import {
  backoffDelayMs,
  fireDueTimers,
  runScheduler,
  type SchedulerOptions,
  type SchedulerReport,
  type Timer,
} from "../../src/worker/scheduler.js";
import { scheduleTimers } from "../../src/worker/timers.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";
import { recordBreach } from "./record-breach.js";

/** A fixed reference time for the tests that pass the scheduler a clock. */
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

async function eventsOf(streamId: string) {
  return test.db
    .selectFrom("events")
    .selectAll()
    .where("stream_id", "=", streamId)
    .orderBy("id")
    .execute();
}

function options(overrides: Partial<SchedulerOptions> = {}): SchedulerOptions {
  return {
    db: test.db,
    workerId: "test",
    handle: recordBreach,
    signal: new AbortController().signal,
    report: () => {},
    ...overrides,
  };
}

describe("fireDueTimers", () => {
  it("fires a due timer once: its handler's write and fired_at commit together", async () => {
    await scheduleTimers(test.db, [
      { key: "s1:1:breach", kind: "breach", streamId: "s1", dueAt: t0, payload: { cycle: 1 } },
    ]);
    const seen: Timer[] = [];
    const first = await fireDueTimers(
      options({
        now: () => t0,
        handle: async (trx, timer) => {
          seen.push(timer);
          await recordBreach(trx, timer);
        },
      }),
    );
    expect(first).toMatchObject({ claimed: 1, fired: 1, failed: 0, retried: 0 });
    expect(seen).toEqual([
      {
        id: expect.any(String),
        key: "s1:1:breach",
        kind: "breach",
        streamId: "s1",
        dueAt: t0,
        payload: { cycle: 1 },
        attempts: 0,
      },
    ]);
    const second = await fireDueTimers(options({ now: () => t0 + 60_000 }));
    expect(second.claimed).toBe(0);
    expect(await eventsOf("s1")).toHaveLength(1);
    const row = await test.db
      .selectFrom("timers")
      .select("fired_at")
      .where("key", "=", "s1:1:breach")
      .executeTakeFirstOrThrow();
    expect(row.fired_at?.getTime()).toBe(t0);
  });

  it("does not fire a timer before it is due, to the millisecond", async () => {
    await scheduleTimers(test.db, [{ key: "s2:1:warn", kind: "warn", streamId: "s2", dueAt: t0 }]);
    const early = await fireDueTimers(options({ now: () => t0 - 1 }));
    expect(early).toMatchObject({ claimed: 0, nextDueInMs: 1 });
    expect((await fireDueTimers(options({ now: () => t0 }))).fired).toBe(1);
  });

  it("on the database's clock, leaves a future timer alone and says when it falls due", async () => {
    await scheduleTimers(test.db, [
      { key: "s3:1:breach", kind: "breach", streamId: "s3", dueAt: Date.now() + 60_000 },
    ]);
    const outcome = await fireDueTimers(options());
    expect(outcome.claimed).toBe(0);
    expect(outcome.nextDueInMs).toBeGreaterThan(50_000);
    expect(outcome.nextDueInMs).toBeLessThanOrEqual(60_000);
  });

  it("claims in due order, at most batchSize per transaction", async () => {
    await scheduleTimers(
      test.db,
      [3, 1, 4, 2, 5].map((minute) => ({
        key: `s4:${minute}`,
        kind: "breach",
        streamId: "s4",
        dueAt: t0 + minute * 60_000,
      })),
    );
    const order: string[] = [];
    const handle = async (_trx: Transaction<BatonDatabase>, timer: Timer) => {
      order.push(timer.key);
    };
    const first = await fireDueTimers(
      options({ now: () => t0 + 10 * 60_000, batchSize: 3, handle }),
    );
    expect(first).toMatchObject({ claimed: 3, nextDueInMs: undefined });
    await fireDueTimers(options({ now: () => t0 + 10 * 60_000, batchSize: 3, handle }));
    expect(order).toEqual(["s4:1", "s4:2", "s4:3", "s4:4", "s4:5"]);
  });

  it("retries a failing handler with backoff, then marks it dead; the rest of the batch commits", async () => {
    await scheduleTimers(
      test.db,
      ["a", "b", "c"].map((name, index) => ({
        key: `s5:${name}`,
        kind: "breach",
        streamId: "s5",
        dueAt: t0 + index,
      })),
    );
    const reports: SchedulerReport[] = [];
    const failing = async (trx: Transaction<BatonDatabase>, timer: Timer) => {
      await recordBreach(trx, timer);
      if (timer.key === "s5:b") throw new Error("webhook answered 503");
    };
    const run = (at: number) =>
      fireDueTimers(
        options({
          now: () => at,
          handle: failing,
          maxAttempts: 3,
          retryDelayMs: (attempts) => attempts * 10_000,
          report: (event) => reports.push(event),
        }),
      );

    expect(await run(t0 + 10)).toMatchObject({ claimed: 3, fired: 2, retried: 1, failed: 0 });
    const events = await eventsOf("s5");
    expect(events.map((event) => (event.data as { timerKey: string }).timerKey)).toEqual([
      "s5:a",
      "s5:c",
    ]);
    const timer = () =>
      test.db.selectFrom("timers").selectAll().where("key", "=", "s5:b").executeTakeFirstOrThrow();
    expect(await timer()).toMatchObject({
      attempts: 1,
      last_error: "test, attempt 1: webhook answered 503",
      fired_at: null,
      failed_at: null,
    });
    expect((await timer()).due_at.getTime()).toBe(t0 + 10 + 10_000);

    // Not due again until the backoff has passed.
    expect((await run(t0 + 10 + 9_999)).claimed).toBe(0);
    expect(await run(t0 + 10 + 10_000)).toMatchObject({ claimed: 1, retried: 1 });
    expect((await timer()).due_at.getTime()).toBe(t0 + 10 + 10_000 + 20_000);
    expect(await run(t0 + 60_000)).toMatchObject({ claimed: 1, failed: 1, retried: 0 });
    expect(await timer()).toMatchObject({
      attempts: 3,
      last_error: "test, attempt 3: webhook answered 503",
      fired_at: null,
    });
    expect((await timer()).failed_at?.getTime()).toBe(t0 + 60_000);
    expect((await run(t0 + 3_600_000)).claimed).toBe(0);
    expect(await eventsOf("s5")).toHaveLength(2);
    expect(reports.map((report) => report.type)).toEqual([
      "fired",
      "fired",
      "retry",
      "retry",
      "dead",
    ]);
    expect(reports.at(-1)).toMatchObject({
      type: "dead",
      attempts: 3,
      error: "webhook answered 503",
    });
  });

  it("recovers a handler that swallowed a database error: only that timer is retried", async () => {
    await scheduleTimers(test.db, [
      { key: "s6:a", kind: "breach", streamId: "s6", dueAt: t0 },
      { key: "s6:b", kind: "breach", streamId: "s6", dueAt: t0 + 1 },
    ]);
    const outcome = await fireDueTimers(
      options({
        now: () => t0 + 10,
        handle: async (trx, timer) => {
          await recordBreach(trx, timer);
          if (timer.key === "s6:a")
            await sql`select 1 / 0`.execute(trx).catch(() => "swallowed, transaction aborted");
        },
      }),
    );
    expect(outcome).toMatchObject({ fired: 1, retried: 1 });
    expect(
      (await eventsOf("s6")).map((event) => (event.data as { timerKey: string }).timerKey),
    ).toEqual(["s6:b"]);
  });
});

describe("backoffDelayMs", () => {
  it("doubles from one second, caps at an hour and jitters by ±25 %", () => {
    expect([1, 2, 3, 4].map((attempts) => backoffDelayMs(attempts, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(backoffDelayMs(40, () => 0.5)).toBe(3_600_000);
    expect(backoffDelayMs(1, () => 0)).toBe(750);
    expect(backoffDelayMs(1, () => 0.999_999)).toBe(1250);
  });
});

describe("runScheduler", () => {
  it("fires timers on an idle loop well under a second late, never early, and stops on abort", async () => {
    const controller = new AbortController();
    const fired: { dueAt: number; firedAt: number }[] = [];
    const start = Date.now();
    const dueTimes = [250, 400, 550, 700, 850].map((offset) => start + offset);
    await scheduleTimers(
      test.db,
      dueTimes.map((dueAt, index) => ({
        key: `s7:${index}`,
        kind: "breach",
        streamId: "s7",
        dueAt,
      })),
    );
    const loop = runScheduler(
      options({
        signal: controller.signal,
        report: (event) => {
          if (event.type !== "fired") return;
          fired.push({ dueAt: event.timer.dueAt, firedAt: event.firedAt });
          if (fired.length === dueTimes.length) controller.abort();
        },
      }),
    );
    const stopAnyway = setTimeout(() => controller.abort(), 10_000);
    const summary = await loop;
    clearTimeout(stopAnyway);
    expect(summary).toEqual({ fired: 5, failed: 0, retried: 0 });
    const events = await eventsOf("s7");
    expect(events).toHaveLength(5);
    for (const event of events) {
      const late = event.occurred_at.getTime() - (event.data as { dueAt: number }).dueAt;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    }
  });

  it("returns promptly when aborted while asleep", async () => {
    const controller = new AbortController();
    const loop = runScheduler(options({ signal: controller.signal, pollIntervalMs: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = Date.now();
    controller.abort();
    expect(await loop).toEqual({ fired: 0, failed: 0, retried: 0 });
    expect(Date.now() - abortedAt).toBeLessThan(1000);
  });

  it("reports a failing batch and keeps looping instead of throwing", async () => {
    const controller = new AbortController();
    const reports: SchedulerReport[] = [];
    const loop = runScheduler(
      options({
        signal: controller.signal,
        pollIntervalMs: 20,
        // A broken clock: every batch fails before it claims anything.
        now: () => Number.NaN,
        report: (event) => {
          reports.push(event);
          if (reports.length === 2) controller.abort();
        },
      }),
    );
    expect(await loop).toEqual({ fired: 0, failed: 0, retried: 0 });
    expect(reports.map((report) => report.type)).toEqual(["loop-error", "loop-error"]);
  });
});
