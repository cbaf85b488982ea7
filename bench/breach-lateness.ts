/**
 * Breach lateness: how long after its due time a breach reaches the ledger, with 100,000 open
 * timers (pending, due tomorrow) in the table and two scheduler loops firing. Two cases: 2,000
 * timers spread over 3 s (steady load) and 2,000 due at one instant (a burst: the last one's
 * lateness is the time to drain it). Runs on in-memory PGlite, and on the server too when
 * DATABASE_URL is set (in a fresh schema, dropped afterwards). Prints figures; asserts nothing.
 */
import { randomBytes } from "node:crypto";
import { type Kysely, sql, type Transaction } from "kysely";
import { type DatabaseLocation, describeLocation, openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import type { BatonDatabase } from "../src/db/schema.js";
import { runScheduler, type Timer } from "../src/worker/scheduler.js";
import { scheduleTimers } from "../src/worker/timers.js";

const openTimers = 100_000;
const firedPerCase = 2_000;
const loops = 2;

async function recordBreach(trx: Transaction<BatonDatabase>, timer: Timer): Promise<void> {
  await trx
    .insertInto("events")
    .values({
      workspace: "bench",
      stream_type: "clock",
      stream_id: timer.streamId,
      type: "breach",
      actor: "scheduler",
      occurred_at: sql<Date>`clock_timestamp()`,
      agreement_version: null,
      explanation: null,
      data: JSON.stringify({ timerKey: timer.key, dueAt: timer.dueAt }),
      idempotency_key: null,
    })
    .execute();
}

/** Schedules the case's timers, runs the loops until every one fired, returns lateness in ms. */
async function fireCase(
  db: Kysely<BatonDatabase>,
  name: string,
  dueAt: (index: number, first: number) => number,
): Promise<{ lateness: number[]; seconds: number }> {
  const first = Date.now() + 1_000;
  await scheduleTimers(
    db,
    Array.from({ length: firedPerCase }, (_, index) => ({
      key: `${name}-${index}:breach`,
      kind: "breach",
      streamId: `${name}-${index}`,
      dueAt: dueAt(index, first),
    })),
  );
  const controller = new AbortController();
  let fired = 0;
  const began = performance.now();
  // Bounded: whatever happens, the case stops after 40 s and prints what it has.
  const giveUp = setTimeout(() => controller.abort(), 40_000);
  await Promise.all(
    Array.from({ length: loops }, (_, index) =>
      runScheduler({
        db,
        workerId: `bench-${index}`,
        handle: recordBreach,
        signal: controller.signal,
        report: (event) => {
          if (event.type === "fired" && ++fired === firedPerCase) controller.abort();
          else if (event.type === "loop-error" || event.type === "dead")
            console.error(`  ${event.type}: ${event.error}`);
        },
      }),
    ),
  );
  clearTimeout(giveUp);
  const seconds = (performance.now() - began) / 1000;
  const rows = await sql<{ late_ms: number }>`
    select (extract(epoch from occurred_at) * 1000 - (data ->> 'dueAt')::float8)::float8 as late_ms
    from events where stream_id like ${`${name}-%`}`.execute(db);
  return { lateness: rows.rows.map((row) => row.late_ms).sort((a, b) => a - b), seconds };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function benchOn(location: DatabaseLocation): Promise<void> {
  const schema = `baton_bench_${randomBytes(6).toString("hex")}`;
  const db = await openDatabase(location, { searchPath: schema });
  try {
    await sql`create schema ${sql.id(schema)}`.execute(db);
    const migrated = await migrate(db);
    if (!migrated.ok) throw new Error(migrated.error);
    const seedBegan = performance.now();
    await sql`
      insert into timers (key, kind, stream_id, due_at)
      select 'open-' || n || ':breach', 'breach', 'open-' || n,
             now() + interval '1 day' + n * interval '1 second'
      from generate_series(1, ${openTimers}::int) as n`.execute(db);
    await sql`analyze timers`.execute(db);
    const seedMs = performance.now() - seedBegan;
    console.log(
      `${describeLocation(location)}: ${openTimers.toLocaleString("en-US")} open timers seeded in ${seedMs.toFixed(0)} ms; ${loops} scheduler loops in this process`,
    );
    console.log(
      `${"case".padEnd(36)}${"fired".padStart(7)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}${"seconds".padStart(9)}`,
    );
    const cases = [
      {
        label: "2,000 due over 3 s",
        name: "spread",
        dueAt: (index: number, first: number) => first + Math.floor((index * 3_000) / firedPerCase),
      },
      {
        label: "2,000 due at one instant (burst)",
        name: "burst",
        dueAt: (_index: number, first: number) => first,
      },
    ];
    for (const { label, name, dueAt } of cases) {
      const { lateness, seconds } = await fireCase(db, name, dueAt);
      console.log(
        `${label.padEnd(36)}${String(lateness.length).padStart(7)}${percentile(lateness, 0.5).toFixed(1).padStart(9)}${percentile(lateness, 0.99).toFixed(1).padStart(9)}${(lateness.at(-1) ?? Number.NaN).toFixed(1).padStart(9)}${seconds.toFixed(1).padStart(9)}`,
      );
    }
  } finally {
    if (location.kind === "server") await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
  }
}

export async function runBreachLatenessBench(): Promise<void> {
  console.log("breach lateness — due time → breach event in the ledger (target p99 < 1,000 ms)");
  await benchOn({ kind: "memory" });
  const url = process.env.DATABASE_URL;
  if (url) await benchOn({ kind: "server", url });
  else console.log("(set DATABASE_URL to run it on a PostgreSQL server too)");
}

if (import.meta.url === `file://${process.argv[1]}`) await runBreachLatenessBench();
