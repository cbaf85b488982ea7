import { type Kysely, sql, type Transaction } from "kysely";
import type { BatonDatabase } from "../db/schema.js";

/**
 * Writing the durable schedule (table `timers`, migrations/0004-timers.sql). These run inside the
 * caller's transaction, beside the clock events that decided them, so a timer exists exactly when
 * the event that asked for it does.
 *
 * Glossary: a timer is *pending* until it is *fired* (its handler ran and committed), *cancelled*
 * (its cycle stopped) or *dead* (its handler failed too often). Its *key* is its identity.
 */
export type Queryable = Kysely<BatonDatabase> | Transaction<BatonDatabase>;

export interface TimerToSchedule {
  /** Identity, e.g. `lead-42/sdr-first-effort:7:breach`; scheduling a key again moves it. */
  key: string;
  /** What firing means to the handler, e.g. `warn`, `breach`, `escalation`. */
  kind: string;
  /** The clock (event stream) the timer belongs to; `cancelTimers` works per stream. */
  streamId: string;
  /** Epoch milliseconds. */
  dueAt: number;
  /** Stored as jsonb; `{}` when absent. */
  payload?: Readonly<Record<string, unknown>>;
}

/** Pending: the partial index `timers_pending_due` covers exactly these rows. */
export const pendingTimer = sql<boolean>`(fired_at is null and cancelled_at is null and failed_at is null)`;

/**
 * Arms the timers in one statement, whatever their number. A key already present is rescheduled:
 * new due time, kind, stream and payload, and a cancelled or dead timer is pending again (the
 * caller's schedule is the truth, and asking again is explicit). A fired timer is never re-armed,
 * even when its row is locked by a worker firing it right now: the upsert waits for that worker's
 * commit, then sees `fired_at` set. Returns how many timers are now pending from this call.
 */
export async function scheduleTimers(
  db: Queryable,
  timers: readonly TimerToSchedule[],
): Promise<{ scheduled: number }> {
  if (timers.length === 0) return { scheduled: 0 };
  // One statement may not touch a row twice (PostgreSQL refuses it): the last entry of a key wins.
  const byKey = new Map<string, TimerToSchedule>();
  for (const timer of timers) {
    if (!Number.isFinite(timer.dueAt))
      throw new Error(`timer ${timer.key}: dueAt must be epoch milliseconds, got ${timer.dueAt}`);
    byKey.delete(timer.key);
    byKey.set(timer.key, timer);
  }
  // The list travels as one jsonb parameter: no limit on the number of timers (bind parameters
  // stop at 65,535), and PGlite and the server read it the same way.
  const rows = JSON.stringify(
    [...byKey.values()].map((timer) => ({
      key: timer.key,
      kind: timer.kind,
      stream_id: timer.streamId,
      due_ms: Math.round(timer.dueAt),
      payload: timer.payload ?? {},
    })),
  );
  const result = await sql`
    insert into timers (key, kind, stream_id, due_at, payload)
    select t.key, t.kind, t.stream_id,
           timestamptz 'epoch' + t.due_ms * interval '1 millisecond', t.payload
    from jsonb_to_recordset(${rows}::jsonb)
      as t(key text, kind text, stream_id text, due_ms bigint, payload jsonb)
    on conflict (key) do update
      set due_at = excluded.due_at,
          kind = excluded.kind,
          stream_id = excluded.stream_id,
          payload = excluded.payload,
          cancelled_at = null,
          failed_at = null,
          attempts = 0,
          last_error = null
      where timers.fired_at is null`.execute(db);
  return { scheduled: Number(result.numAffectedRows ?? 0n) };
}

/**
 * Cancels the pending timers of one clock, except the keys still wanted (a cycle that stops keeps
 * none; a recalculation keeps the ones it reschedules). A timer being fired right now is not
 * cancelled: the update waits for the firing worker's commit and then finds it fired.
 */
export async function cancelTimers(
  db: Queryable,
  options: { streamId: string; exceptKeys?: readonly string[] },
): Promise<{ cancelled: number }> {
  const result = await sql`
    update timers set cancelled_at = now()
    where stream_id = ${options.streamId} and ${pendingTimer}
      and not (key = any(${[...(options.exceptKeys ?? [])]}::text[]))`.execute(db);
  return { cancelled: Number(result.numAffectedRows ?? 0n) };
}
