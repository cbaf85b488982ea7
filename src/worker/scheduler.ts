import { type Kysely, sql, type Transaction } from "kysely";
import { abortableSleep } from "../app/abortable-sleep.js";
import type { BatonDatabase } from "../db/schema.js";
import { pendingTimer } from "./timers.js";

/**
 * The claim loop that fires durable timers, modelled on Graphile Worker, simpler: no queues, no
 * locked_by/locked_at columns. A worker claims due rows with `for update skip locked`, runs the
 * caller's handler for each inside a savepoint, sets `fired_at` in the same transaction and
 * commits. Exactly once follows: while the row lock is held no other worker sees the timer, after
 * the commit it is no longer pending, and a worker that dies mid-batch rolls back everything it
 * did (the handler's writes included), so another worker claims the rows again.
 *
 * Time is the database's: workers on several machines share one clock, so a skewed host can
 * neither fire early nor starve. Any number of loops may run, in one process or many; on PGlite
 * (one connection) they take turns.
 */

/** A pending timer as the handler sees it. */
export interface Timer {
  /** The row's identity; a string whatever the database returns for bigint. */
  id: string;
  key: string;
  kind: string;
  streamId: string;
  /** Epoch milliseconds. */
  dueAt: number;
  payload: unknown;
  /** Failed runs before this one. */
  attempts: number;
}

/**
 * Does the timer's work with `trx`, the transaction that marks it fired, and never with another
 * connection (on PGlite that waits forever for this one). Throwing asks for a retry: the
 * handler's writes are rolled back to its savepoint and the timer is pushed back with backoff.
 */
export type TimerHandler = (trx: Transaction<BatonDatabase>, timer: Timer) => Promise<void>;

/** What a loop tells its owner; times are epoch milliseconds on the database's clock. */
export type SchedulerReport =
  | { type: "fired"; workerId: string; timer: Timer; firedAt: number }
  | {
      type: "retry";
      workerId: string;
      timer: Timer;
      error: string;
      attempts: number;
      retryInMs: number;
    }
  | { type: "dead"; workerId: string; timer: Timer; error: string; attempts: number }
  | { type: "loop-error"; workerId: string; error: string; retryInMs: number };

export interface SchedulerOptions {
  db: Kysely<BatonDatabase>;
  /** Names this loop in reports and in `last_error`. */
  workerId: string;
  handle: TimerHandler;
  /**
   * Optional: does a whole claimed batch's work at once (set-based). If it throws, its writes are
   * rolled back and the batch is fired timer by timer with `handle`, so one bad timer fails alone.
   */
  handleBatch?: (trx: Transaction<BatonDatabase>, timers: readonly Timer[]) => Promise<void>;
  /** Abort to stop: the batch in progress finishes and commits first. */
  signal: AbortSignal;
  /** Timers claimed per transaction (default 50, see `defaults`). */
  batchSize?: number;
  /** Longest sleep between looks at the table (default 200 ms): bounds the lateness of timers
   *  scheduled by others, released by a crashed worker or pushed back by a retry. */
  pollIntervalMs?: number;
  /** Failed runs after which a timer is dead (`failed_at`; default 10). */
  maxAttempts?: number;
  /** A fixed clock for tests, in epoch ms; by default the database's `now()`. */
  now?: () => number;
  /** Delay before the next run after `attempts` failures (default `backoffDelayMs`). */
  retryDelayMs?: (attempts: number) => number;
  /** Default: dead timers and loop errors to stderr. */
  report?: (event: SchedulerReport) => void;
}

export interface SchedulerSummary {
  /** Timers whose handler committed. */
  fired: number;
  /** Timers that died (attempts reached `maxAttempts`). */
  failed: number;
  /** Failed runs pushed back for another attempt. */
  retried: number;
}

export interface BatchOutcome extends SchedulerSummary {
  claimed: number;
  /** How long until the next timer not claimed by anyone falls due, if one exists. */
  nextDueInMs: number | undefined;
}

/**
 * 50 per batch: each timer's savepoint is a subtransaction once its handler writes, and a server
 * backend caches 64 of them; a transaction holding more makes every other session's snapshots
 * slower ("suboverflow") until it commits.
 */
const defaults = { batchSize: 50, pollIntervalMs: 200, maxAttempts: 10 };

/** Exponential: 1 s, 2 s, 4 s … capped at one hour, each ±25 % so retries of a burst spread out. */
export function backoffDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(1000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Runs batches until `signal` aborts, sleeping until the next due timer (at most the poll
 *  interval) whenever nothing is due. Database errors are reported and retried, never thrown. */
export async function runScheduler(options: SchedulerOptions): Promise<SchedulerSummary> {
  const pollIntervalMs = options.pollIntervalMs ?? defaults.pollIntervalMs;
  const batchSize = options.batchSize ?? defaults.batchSize;
  const report = options.report ?? reportToStderr;
  const summary: SchedulerSummary = { fired: 0, failed: 0, retried: 0 };
  while (!options.signal.aborted) {
    let sleepMs: number;
    try {
      const batch = await fireDueTimers(options);
      summary.fired += batch.fired;
      summary.failed += batch.failed;
      summary.retried += batch.retried;
      if (batch.claimed === batchSize) continue;
      // Whole milliseconds, at least one: waking a hair early would only find nothing due.
      sleepMs = Math.min(
        pollIntervalMs,
        Math.max(1, Math.ceil(batch.nextDueInMs ?? pollIntervalMs)),
      );
    } catch (error) {
      sleepMs = pollIntervalMs;
      report({
        type: "loop-error",
        workerId: options.workerId,
        error: messageOf(error),
        retryInMs: sleepMs,
      });
    }
    await abortableSleep(sleepMs, options.signal);
  }
  return summary;
}

interface ClaimedRow {
  id: string | number;
  key: string;
  kind: string;
  stream_id: string;
  due_at: Date;
  payload: unknown;
  attempts: number;
}

/**
 * One transaction: claims up to `batchSize` due timers, fires each in its own savepoint (a failing
 * handler undoes only its own writes), records the results and commits. Throws only when the
 * database itself fails, and then the whole batch rolls back and stays pending.
 */
export async function fireDueTimers(options: SchedulerOptions): Promise<BatchOutcome> {
  const batchSize = options.batchSize ?? defaults.batchSize;
  const maxAttempts = options.maxAttempts ?? defaults.maxAttempts;
  const retryDelayMs = options.retryDelayMs ?? backoffDelayMs;
  const report = options.report ?? reportToStderr;
  const workerId = options.workerId;
  // null: the database's clock. Inside one transaction `now()` is its start, so the claim and the
  // wake-up query below agree on which timers were due.
  const fixedNow = options.now ? new Date(options.now()).toISOString() : null;
  const now = sql<Date>`coalesce(${fixedNow}::timestamptz, now())`;
  const clock = sql<Date>`coalesce(${fixedNow}::timestamptz, clock_timestamp())`;

  const outcome = await options.db.transaction().execute(async (trx) => {
    const claimed = await sql<ClaimedRow>`
      select id, key, kind, stream_id, due_at, payload, attempts from timers
      where ${pendingTimer} and due_at <= ${now}
      order by due_at
      limit ${batchSize}
      for update skip locked`.execute(trx);
    const timers = claimed.rows.map(timerOf);
    const fired: Timer[] = [];
    const failures: { timer: Timer; error: string }[] = [];
    let batched = false;
    if (options.handleBatch !== undefined && timers.length > 1) {
      await sql`savepoint batch`.execute(trx);
      try {
        await options.handleBatch(trx, timers);
        await sql`release savepoint batch`.execute(trx);
        fired.push(...timers);
        batched = true;
      } catch {
        await sql`rollback to savepoint batch`.execute(trx);
        await sql`release savepoint batch`.execute(trx);
      }
    }
    for (const timer of batched ? [] : timers) {
      await sql`savepoint timer`.execute(trx);
      try {
        await options.handle(trx, timer);
        // Inside the try: a handler that swallowed a database error left the transaction
        // aborted, and the release fails; rolling back to the savepoint recovers it.
        await sql`release savepoint timer`.execute(trx);
        fired.push(timer);
      } catch (error) {
        // Rolling back keeps the savepoint; releasing it too keeps the stack one deep.
        await sql`rollback to savepoint timer`.execute(trx);
        await sql`release savepoint timer`.execute(trx);
        failures.push({ timer, error: messageOf(error) });
      }
    }

    let firedAt = 0;
    if (fired.length > 0) {
      const marked = await sql<{ fired_at: Date }>`
        update timers set fired_at = ${clock}
        where id = any(${fired.map((timer) => timer.id)}::bigint[])
        returning fired_at`.execute(trx);
      firedAt = marked.rows[0]?.fired_at.getTime() ?? 0;
    }
    const retries: { timer: Timer; error: string; attempts: number; retryInMs: number }[] = [];
    const dead: { timer: Timer; error: string; attempts: number }[] = [];
    for (const { timer, error } of failures) {
      const attempts = timer.attempts + 1;
      const lastError = `${workerId}, attempt ${attempts}: ${error}`;
      if (attempts >= maxAttempts) {
        await sql`
          update timers set attempts = ${attempts}, last_error = ${lastError}, failed_at = ${clock}
          where id = ${timer.id}::bigint`.execute(trx);
        dead.push({ timer, error, attempts });
      } else {
        const retryInMs = Math.max(0, Math.round(retryDelayMs(attempts)));
        await sql`
          update timers set attempts = ${attempts}, last_error = ${lastError},
            due_at = ${clock} + ${retryInMs} * interval '1 millisecond'
          where id = ${timer.id}::bigint`.execute(trx);
        retries.push({ timer, error, attempts, retryInMs });
      }
    }

    // Only a short batch sleeps, so only then is the next due time worth a query. Timers due by
    // this transaction's `now()` but not claimed are locked by another worker: not ours to wait for.
    let nextDueInMs: number | undefined;
    if (timers.length < batchSize) {
      const next = await sql<{ in_ms: number | null }>`
        select (extract(epoch from min(due_at) - ${clock}) * 1000)::float8 as in_ms
        from timers where ${pendingTimer} and due_at > ${now}`.execute(trx);
      nextDueInMs = next.rows[0]?.in_ms ?? undefined;
    }
    return { timers, fired, firedAt, retries, dead, nextDueInMs };
  });

  // Reported after the commit: a report means the outcome is durable.
  for (const timer of outcome.fired)
    report({ type: "fired", workerId, timer, firedAt: outcome.firedAt });
  for (const retry of outcome.retries) report({ type: "retry", workerId, ...retry });
  for (const death of outcome.dead) report({ type: "dead", workerId, ...death });
  return {
    claimed: outcome.timers.length,
    fired: outcome.fired.length,
    failed: outcome.dead.length,
    retried: outcome.retries.length,
    nextDueInMs: outcome.nextDueInMs,
  };
}

function timerOf(row: ClaimedRow): Timer {
  return {
    id: String(row.id),
    key: row.key,
    kind: row.kind,
    streamId: row.stream_id,
    dueAt: row.due_at.getTime(),
    payload: row.payload,
    attempts: row.attempts,
  };
}

function reportToStderr(event: SchedulerReport): void {
  if (event.type === "dead")
    console.error(
      `baton scheduler ${event.workerId}: timer ${event.timer.key} is dead after ${event.attempts} attempts: ${event.error}`,
    );
  else if (event.type === "loop-error")
    console.error(
      `baton scheduler ${event.workerId}: ${event.error} (retrying in ${event.retryInMs} ms)`,
    );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
