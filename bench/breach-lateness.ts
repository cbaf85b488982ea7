/**
 * Breach lateness: how long after its due instant a clock's breach reaches the ledger, with
 * 100,000 other clocks open (leads in New, their timers due later), fired by two worker loops
 * running the engine's handler (`fireTimers`, as `baton worker` does).
 *
 * The measured clocks are real: 2,000 leads ingested "an hour ago" (the example's 60-minute
 * qualification goal on the 24/7 calendar) so their breaches fall due over 3 s once the loops
 * run; their earlier warnings fire first, as they would. Lateness = the breach event's time −
 * the computed breach instant. On in-memory PGlite and, when DATABASE_URL is set, on the server.
 * Prints; asserts nothing.
 */
import { sql } from "kysely";
import { fireTimers } from "../src/app/fire-timer.js";
import { ingestLeads } from "../src/app/ingest.js";
import { runScheduler } from "../src/worker/scheduler.js";
import { benchLocations, openBenchDatabase, percentile } from "./engine-setup.js";

const openClocks = Number(process.env.BATON_BENCH_OPEN_CLOCKS ?? 100_000);
const measured = 2_000;
const windowMs = 3_000;

function coldLeads(count: number, prefix: string) {
  return Array.from({ length: count }, (_, index) => ({
    system: "bench",
    externalId: `${prefix}-${index}`,
    fields: { email: `${prefix}${index}@example${index % 100}.com`, country: "DE" },
    company: { name: `Example ${index % 100}` },
  }));
}

export async function runBreachLatenessBench(): Promise<void> {
  console.log(
    `Breach lateness with ${openClocks.toLocaleString("en-US")} open clocks, 2 worker loops (target p99 < 1,000 ms)`,
  );
  for (const location of benchLocations()) {
    const clock = { now: Date.now() };
    const bench = await openBenchDatabase(location, { now: () => clock.now });
    try {
      const seedBegan = performance.now();
      for (let done = 0; done < openClocks; done += 1000) {
        clock.now = Date.now();
        await ingestLeads(
          bench.engine,
          coldLeads(Math.min(1000, openClocks - done), `open${done}`),
          {
            actor: "bench",
          },
        );
      }
      const seedSeconds = (performance.now() - seedBegan) / 1000;

      const firstDue = Date.now() + 4_000;
      for (let batch = 0; batch < 10; batch++) {
        clock.now = firstDue - 3_600_000 + (batch * windowMs) / 10;
        await ingestLeads(bench.engine, coldLeads(measured / 10, `measured${batch}`), {
          actor: "bench",
        });
      }
      const controller = new AbortController();
      const giveUp = setTimeout(() => controller.abort(), 60_000);
      const loops = Array.from({ length: 2 }, (_, index) =>
        runScheduler({
          db: bench.db,
          workerId: `bench-${index}`,
          signal: controller.signal,
          handle: async (trx, timer) => {
            await fireTimers(trx, bench.engine, [timer], Date.now());
          },
          handleBatch: async (trx, timers) => {
            await fireTimers(trx, bench.engine, timers, Date.now());
          },
          report: (event) => {
            if (event.type === "dead" || event.type === "loop-error")
              console.error(`  ${event.type}: ${event.error}`);
          },
        }),
      );
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const done = await sql<{ n: number }>`
          select count(*)::int as n from clocks
          where lead_id in (select id from leads where external_id like 'measured%')
            and breach_recorded_at is not null`.execute(bench.db);
        if (done.rows[0]!.n >= measured || controller.signal.aborted) break;
      }
      controller.abort();
      clearTimeout(giveUp);
      await Promise.all(loops);
      const rows = await sql<{ late_ms: number }>`
        select (extract(epoch from e.occurred_at) * 1000 - (e.data -> 'event' ->> 'breachedAt')::float8)::float8 as late_ms
        from events e
        where e.stream_type = 'clock' and e.data -> 'event' ->> 'type' = 'breach'`.execute(
        bench.db,
      );
      const lateness = rows.rows.map((row) => row.late_ms).sort((a, b) => a - b);
      const pending = await sql<{ n: number }>`
        select count(*)::int as n from timers where fired_at is null and cancelled_at is null`.execute(
        bench.db,
      );
      console.log(
        `  ${bench.name}: ${lateness.length} breaches due over ${windowMs / 1000} s: p50 ${percentile(lateness, 0.5).toFixed(1)} ms, p99 ${percentile(lateness, 0.99).toFixed(1)} ms, max ${(lateness.at(-1) ?? Number.NaN).toFixed(1)} ms  (${(1000 / percentile(lateness, 0.99)).toFixed(1)}× under the target; ${pending.rows[0]!.n.toLocaleString("en-US")} timers still pending; seeding the open clocks took ${seedSeconds.toFixed(0)} s)`,
      );
    } finally {
      await bench.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runBreachLatenessBench();
