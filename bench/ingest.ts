/**
 * Ingest throughput and latency, each lead fully processed: normalised, matched, scored,
 * qualified, routed, its clocks started with their timers, its notification in the outbox.
 *
 * - one lead per call from 8 concurrent clients: each call its own transaction, and through the
 *   group-commit queue the API uses (concurrent calls share a transaction, a result each);
 * - batches of 500 from 2 clients;
 * - latency at a steady 200 leads/s (one call per lead through the queue, arrivals every 5 ms):
 *   p50 and p99 from arrival to the committed transaction (routed, clocks started, notification
 *   in the outbox), right after the bulk phases, and again after a server CHECKPOINT has written
 *   them out (Baton's own latency, apart from the server's write-out); each run judged on its own.
 *
 * The grouped and batched phases also say what a lead costs the whole machine in CPU (from
 * /proc/stat on Linux: Node, and the server when it is local) and so the most leads/s its cores
 * could give; run on an otherwise idle machine.
 *
 * On in-memory PGlite and, when DATABASE_URL is set, on the server. Prints; asserts nothing.
 */

import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { sql } from "kysely";
import { ingestLead, ingestLeads } from "../src/app/ingest.js";
import { IngestQueue } from "../src/app/ingest-queue.js";
import type { DatabaseLocation } from "../src/db/database.js";
import {
  type BenchDatabase,
  benchLead,
  benchLocations,
  openBenchDatabase,
  percentile,
} from "./engine-setup.js";

const targets = { single: 1_000, batched: 10_000, p99: 50 };

async function fromClients(
  count: number,
  ingest: (lead: unknown) => Promise<{ ok: boolean }>,
): Promise<number> {
  let remaining = count;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (remaining-- > 0) {
        const result = await ingest(benchLead(Date.now()));
        if (!result.ok) throw new Error("a lead failed");
      }
    }),
  );
  return count / ((performance.now() - began) / 1000);
}

/**
 * Latency at a steady 200 leads/s: one call per lead through the queue, arrivals every 5 ms; p50
 * and p99 from arrival to the committed transaction (routed, clocks started, notification in the
 * outbox).
 */
async function steadyLatency(
  queue: IngestQueue,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const start = performance.now() + 10;
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const arrival = start + index * 5;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, arrival - performance.now())));
      const result = await queue.submit(benchLead(Date.now()), { actor: "bench" });
      if (!result.ok) throw new Error(result.error.message);
      latencies.push(performance.now() - arrival);
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/**
 * This machine's busy CPU time so far in ms, every process on it, from Linux's /proc/stat (user,
 * nice, system, irq and softirq; not steal, time the hypervisor gave to others); null elsewhere.
 * Divided by the leads of a phase, it says what a lead costs the machine whatever waits on what,
 * and so the most leads/s its cores could give. It counts whatever else runs, so it means
 * something on an otherwise idle machine; and work the server puts off (checkpoints) lands in
 * later phases, so the most leads/s is an upper bound.
 */
function machineBusyMs(): number | null {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1);
    const [user, nice, system, , , irq, softirq] = fields.map(Number);
    // clock ticks of 10 ms (USER_HZ is 100 on Linux)
    return (user! + nice! + system! + irq! + softirq!) * 10;
  } catch {
    return null;
  }
}

/** Whose CPU the machine's figure holds, or null when it would leave the database's out. */
function machineHolds(location: DatabaseLocation): string | null {
  if (location.kind !== "server") return "all of it Node's: PGlite runs in the process";
  const host = new URL(location.url).hostname;
  return ["127.0.0.1", "localhost", "[::1]", "::1", ""].includes(host)
    ? "Node and the local server"
    : null;
}

/** "X µs of this machine's CPU per lead, at most Y leads/s on its N cores", or "" off Linux. */
function machineCost(busyBefore: number | null, leads: number, holds: string | null): string {
  const after = machineBusyMs();
  // nothing counted (ticks are 10 ms): nothing to divide by; a remote server: not its CPU
  if (holds === null || busyBefore === null || after === null || after <= busyBefore) return "";
  const perLead = ((after - busyBefore) * 1000) / leads;
  const cores = availableParallelism();
  return `; the machine's CPU (${holds}) ${perLead.toFixed(0)} µs per lead, so at most ${Math.round((cores * 1e6) / perLead).toLocaleString("en-US")} leads/s on its ${cores} cores`;
}

/** Runs CHECKPOINT on the server and says how long it took (or why it could not). */
async function checkpointed(bench: BenchDatabase): Promise<string> {
  const began = performance.now();
  try {
    await sql`checkpoint`.execute(bench.db);
    return `after a CHECKPOINT of ${(performance.now() - began).toFixed(0)} ms`;
  } catch (error) {
    return `with no CHECKPOINT run (${(error as Error).message}: it needs a superuser, or the pg_checkpoint role from PostgreSQL 15)`;
  }
}

export async function runIngestBench(): Promise<void> {
  console.log("Ingest pipeline (normalise → match → score → qualify → route → clocks → outbox)");
  for (const location of benchLocations()) {
    const server = location.kind === "server";
    const bench = await openBenchDatabase(location);
    try {
      const single = server ? 6_000 : 1_000;
      const batched = server ? 20_000 : 4_000;
      // warm-up: compile the agreement, fill caches
      await ingestLeads(
        bench.engine,
        Array.from({ length: 50 }, () => benchLead(Date.now())),
        { actor: "bench" },
      );
      const directCount = single / 4;
      const directRate = await fromClients(directCount, (lead) =>
        ingestLead(bench.engine, lead, { actor: "bench" }),
      );
      const queue = new IngestQueue(bench.engine, {
        concurrency: Number(process.env.BATON_QUEUE_CONCURRENCY ?? 1),
      });
      const queuedBusy = machineBusyMs();
      const queuedRate = await fromClients(single, (lead) =>
        queue.submit(lead, { actor: "bench" }),
      );
      const queuedCost = machineCost(queuedBusy, single, machineHolds(location));

      let batches = batched / 500;
      const batchBegan = performance.now();
      // this process's CPU per batch: on a shared machine leads/s follow the load, this less so
      const batchCpu = process.cpuUsage();
      const batchBusy = machineBusyMs();
      await Promise.all(
        Array.from({ length: 2 }, async () => {
          while (batches-- > 0) {
            const results = await ingestLeads(
              bench.engine,
              Array.from({ length: 500 }, () => benchLead(Date.now())),
              { actor: "bench" },
            );
            if (!results.every((result) => result.ok)) throw new Error("a batch lead failed");
          }
        }),
      );
      const batchRate = batched / ((performance.now() - batchBegan) / 1000);
      const cpu = process.cpuUsage(batchCpu);
      const cpuPerBatch = (cpu.user + cpu.system) / 1000 / (batched / 500);
      const batchCost = machineCost(batchBusy, batched, machineHolds(location));

      const count = server ? 2_000 : 1_000;
      // Right after the bulk phases the server is still writing their pages out (its checkpoint,
      // and backends evicting dirty buffers), and commits can wait behind that I/O. The second run
      // follows a CHECKPOINT, which finishes that write-out (and puts off the next timed one): it
      // shows Baton's own latency, apart from the server's. Each run is judged on its own.
      const afterBulk = await steadyLatency(queue, count);
      const checkpoint = server ? await checkpointed(bench) : "in memory: no CHECKPOINT run";
      const steady = await steadyLatency(queue, count);
      const routed = await bench.db
        .selectFrom("leads")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("owner", "is not", null)
        .executeTakeFirstOrThrow();
      const outbox = await bench.db
        .selectFrom("notifications")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      const timers = await bench.db
        .selectFrom("timers")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      const ratio = (rate: number, target: number) => `${(rate / target).toFixed(2)}× target`;
      console.log(`  ${bench.name}:`);
      console.log(
        `    one lead per transaction, 8 clients:   ${directRate.toFixed(0).padStart(6)} leads/s (${directCount} leads)`,
      );
      console.log(
        `    one lead per call, 8 clients, grouped: ${queuedRate.toFixed(0).padStart(6)} leads/s (${single} leads; ${ratio(queuedRate, targets.single)} of ${targets.single} on the server${queuedCost})`,
      );
      console.log(
        `    batches of 500, 2 clients:             ${batchRate.toFixed(0).padStart(6)} leads/s (${batched} leads; ${ratio(batchRate, targets.batched)} of ${targets.batched} on the server; Node CPU ${cpuPerBatch.toFixed(0)} ms per batch${batchCost})`,
      );
      const verdict = (p99: number) =>
        server ? ` (target p99 < ${targets.p99} ms: ${p99 < targets.p99 ? "met" : "MISSED"})` : "";
      console.log(
        `    steady 200 leads/s for ${count / 200} s, right after the bulk phases: p50 ${afterBulk.p50.toFixed(1)} ms, p99 ${afterBulk.p99.toFixed(1)} ms${verdict(afterBulk.p99)}`,
      );
      console.log(
        `    steady 200 leads/s for ${count / 200} s, ${checkpoint}: p50 ${steady.p50.toFixed(1)} ms, p99 ${steady.p99.toFixed(1)} ms${verdict(steady.p99)}`,
      );
      console.log(
        `    written: ${routed.n} routed leads, ${timers.n} timers, ${outbox.n} outbox rows`,
      );
    } finally {
      await bench.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runIngestBench();
