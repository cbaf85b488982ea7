import { sql } from "kysely";
import type { Agreement } from "../core/agreement/agreement-schema.js";
import { applyEvent, emptyProjectionSet } from "../core/ledger/projection.js";
import { AgreementRegistry } from "./agreement-registry.js";
import type { Database } from "./ledger-store.js";
import { flushProjections, storedEventOf } from "./ledger-store.js";

/**
 * `baton rebuild`: recomputes every projection of a workspace from its events, in one
 * transaction (readers see the old rows until it commits, and a failure changes nothing). The
 * fold is the same one the live path uses (core/ledger/projection.ts).
 *
 * Not projections, and left alone: `ingest_requests` (a record of deliveries), the scheduler's
 * timers and the notification outbox (work in progress, not state derived from facts).
 */

export interface RebuildReport {
  events: number;
  leads: number;
  opportunities: number;
  accounts: number;
  clocks: number;
  agreementVersions: number;
  milliseconds: number;
}

const pageSize = 5000;

export async function rebuildProjections(
  db: Database,
  workspace: string,
  options: { onProgress?: (events: number) => void; clock?: () => number } = {},
): Promise<RebuildReport> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`baton-rebuild:${workspace}`}))`.execute(trx);
    // Writers lock the routing row; holding it keeps ingest out while the projections are replaced.
    await sql`lock table leads, opportunities, accounts, clocks, routing_state, rep_loads, agreement_versions, agreement_approvals in share row exclusive mode`.execute(
      trx,
    );
    const set = emptyProjectionSet();
    const registry = new AgreementRegistry(workspace);
    let after = 0;
    let count = 0;
    for (;;) {
      const rows = await trx
        .selectFrom("events")
        .selectAll()
        .where("workspace", "=", workspace)
        .where("id", ">", String(after))
        .orderBy("id")
        .limit(pageSize)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const event = storedEventOf(row);
        if (event.type === "agreement.proposed")
          registry.remember(event.data.number, event.data.parsed as Agreement);
        applyEvent(set, event);
      }
      count += rows.length;
      after = Number(rows[rows.length - 1]!.id);
      options.onProgress?.(count);
    }
    for (const table of [
      "leads",
      "opportunities",
      "accounts",
      "clocks",
      "routing_state",
      "rep_loads",
    ] as const)
      await trx.deleteFrom(table).where("workspace", "=", workspace).execute();
    await trx.deleteFrom("agreement_approvals").where("workspace", "=", workspace).execute();
    await trx.deleteFrom("agreement_versions").where("workspace", "=", workspace).execute();
    const report = {
      events: count,
      leads: set.touched.leads.size,
      opportunities: set.touched.opportunities.size,
      accounts: set.touched.accounts.size,
      clocks: set.touched.clocks.size,
      agreementVersions: set.touched.agreements.size,
    };
    // versions first: approvals reference them
    await flushProjections(trx, workspace, set, registry);
    return { ...report, milliseconds: Math.round(clock() - started) };
  });
}
