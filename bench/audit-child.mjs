/**
 * The audit half of bench/audit.ts, run in a process of its own so the peak resident set is the
 * audit's alone, as `baton audit` runs (the parent also generates the file and parses it twice).
 * Plain JavaScript, so it runs on the build (dist/) without a loader, as the CLI does; given the
 * sources, the parent runs it through tsx instead.
 * Usage: node audit-child.mjs MODULE FILE, MODULE being app/audit's path (dist or src).
 * Prints one JSON line: seconds, leads, peak RSS in bytes, and the heap in use at the end.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [module, file] = process.argv.slice(2);
if (module === undefined || file === undefined)
  throw new Error("usage: audit-child.mjs MODULE FILE");
const { auditExports } = await import(pathToFileURL(module).href);
const size = (await stat(file)).size;
const began = performance.now();
const outcome = await auditExports({
  files: [{ name: file, open: () => createReadStream(file), size }],
  mapping: null,
});
if (!outcome.ok) throw new Error(outcome.error.message);
console.log(
  JSON.stringify({
    seconds: (performance.now() - began) / 1000,
    leads: outcome.report.counts.leads,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
  }),
);
