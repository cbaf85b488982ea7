import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { type Kysely, sql } from "kysely";
import { approveAgreement, proposeAgreement } from "../src/app/agreements.js";
import { createEngine, type Engine } from "../src/app/engine.js";
import { outboxPort } from "../src/app/notifications/outbox-port.js";
import { type DatabaseLocation, describeLocation, openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import type { BatonDatabase } from "../src/db/schema.js";
import { timerPort } from "../src/worker/timer-port.js";

/**
 * A fresh, migrated database for one benchmark with the example agreement active: in-memory
 * PGlite, or a new schema on the server (dropped by `close`). The engine writes real timers and
 * real outbox rows, as in production.
 */
export interface BenchDatabase {
  name: string;
  db: Kysely<BatonDatabase>;
  engine: Engine;
  close(): Promise<void>;
}

export function benchLocations(): DatabaseLocation[] {
  const url = process.env.DATABASE_URL;
  return [{ kind: "memory" }, ...(url ? [{ kind: "server" as const, url }] : [])];
}

export async function openBenchDatabase(
  location: DatabaseLocation,
  options: { yaml?: (example: string) => string; now?: () => number } = {},
): Promise<BenchDatabase> {
  const schema = `baton_bench_${randomBytes(5).toString("hex")}`;
  const db = await openDatabase(location, { searchPath: schema });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  const migrated = await migrate(db);
  if (!migrated.ok) throw new Error(migrated.error);
  const engine = createEngine({
    db,
    timers: timerPort,
    notifications: outboxPort({
      channels: { webhook: { url: "http://127.0.0.1:9/hook", secret: "bench" } },
    }),
    ...(options.now ? { now: options.now } : {}),
  });
  const example = await readFile(new URL("../examples/agreement.yaml", import.meta.url), "utf8");
  const proposed = await proposeAgreement(engine, {
    yaml: options.yaml ? options.yaml(example) : example,
    actor: "bench",
  });
  if (!proposed.ok) throw new Error(proposed.error.message);
  await approveAgreement(engine, { number: proposed.value.number, approver: "maria" });
  await approveAgreement(engine, {
    number: proposed.value.number,
    approver: "sam",
    mode: "new_cycles_only",
  });
  return {
    name: location.kind === "server" ? "PostgreSQL server" : describeLocation(location),
    db,
    engine,
    async close() {
      await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
    },
  };
}

let serial = 0;
/** A lead that qualifies (so it is scored, routed, clocked and notified), unique per call. */
export function benchLead(at: number) {
  serial += 1;
  return {
    system: "bench",
    externalId: `bench-${process.pid}-${serial}`,
    fields: {
      email: `person${serial}@company${serial}.com`,
      first_name: "Pat",
      country: serial % 3 === 0 ? "CA" : "US",
      persona_match: true,
      source: "website",
    },
    company: {
      name: `Company ${serial}`,
      domain: `company${serial}.com`,
      employees: 400,
      industry: "software",
    },
    activities: [{ type: "form_submit" as const, at: at - 60_000, fields: { form: "demo" } }],
  };
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
