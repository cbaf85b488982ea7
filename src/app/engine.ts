import { randomUUID } from "node:crypto";
import type { RawBuilder, Transaction } from "kysely";
import type { BatonDatabase } from "../db/schema.js";
import { AgreementRegistry } from "./agreement-registry.js";
import type { Database } from "./ledger-store.js";

/**
 * What every use case runs with: the database, the workspace, and the injectable edges (time,
 * ids, timers, notifications), so tests fix the clock and ids, and the worker and the API share
 * one engine.
 *
 * Glossary
 * - workspace: one company's data; every row and event carries it.
 * - timer port: where SLA timers go (the durable scheduler's table, src/worker/timers.ts).
 * - notification port: the transactional outbox; requests written in the use case's transaction
 *   are delivered after it commits, and never when it rolls back.
 */

export interface ScheduledTimer {
  key: string;
  kind: string;
  streamId: string;
  /** epoch ms */
  dueAt: number;
  payload: Record<string, unknown>;
}

/**
 * Ports answer with the statements to run: the unit of work runs them with its own writes, in
 * one round trip, in the use case's transaction.
 */
export interface TimerPort {
  /** arms the timers (a key armed before moves) */
  schedule(timers: readonly ScheduledTimer[]): RawBuilder<unknown>[];
  /** cancels the clocks' pending timers other than `keep` */
  cancelOthers(streamIds: readonly string[], keep: readonly string[]): RawBuilder<unknown>[];
}

export interface NotificationRequest {
  /** unique per business event, so a retried transaction never enqueues twice */
  key: string;
  kind: string;
  recipient: { person?: string; email?: string; name?: string };
  subject: string;
  text: string;
  data: Record<string, unknown>;
}

export interface NotificationPort {
  enqueue(requests: readonly NotificationRequest[]): RawBuilder<unknown>[];
}

export interface EngineOptions {
  db: Database;
  workspace?: string;
  /** epoch ms; defaults to Date.now */
  now?: () => number;
  /** ids for leads, opportunities, accounts; defaults to a prefix and 16 hex digits, 60 bits random */
  newId?: (prefix: string) => string;
  timers: TimerPort;
  notifications: NotificationPort;
}

export interface Engine {
  db: Database;
  workspace: string;
  now: () => number;
  newId: (prefix: string) => string;
  registry: AgreementRegistry;
  timers: TimerPort;
  notifications: NotificationPort;
}

export function createEngine(options: EngineOptions): Engine {
  const workspace = options.workspace ?? "default";
  return {
    db: options.db,
    workspace,
    now: options.now ?? Date.now,
    // 60 random bits from a v4 UUID (Node batches its entropy, unlike one randomBytes per id)
    newId:
      options.newId ?? ((prefix) => `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`),
    registry: new AgreementRegistry(workspace),
    timers: options.timers,
    notifications: options.notifications,
  };
}

/** PostgreSQL's "try again" errors: a deadlock or a serialisation failure. */
const retryable = new Set(["40P01", "40001"]);

/**
 * Runs `work` in a transaction, retrying it (a few times, with a short random pause) when the
 * server reports a deadlock or serialisation failure: the transaction rolled back whole, so
 * running it again is safe.
 */
export async function inTransaction<Result>(
  engine: Engine,
  work: (trx: Transaction<BatonDatabase>) => Promise<Result>,
): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await engine.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= 5 || typeof code !== "string" || !retryable.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
