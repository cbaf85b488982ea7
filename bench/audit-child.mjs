/**
 * The audit half of bench/audit.ts, run in a process of its own so the peak resident set is the
 * audit's alone, as `baton audit` runs (the parent also generates the file and parses it twice).
 * Plain JavaScript, so it runs on the build (dist/) without a loader, as the CLI does; given the
 * sources, the parent runs it through tsx instead.
 * Usage: node audit-child.mjs MODULE FILE [--floor COUNT], MODULE being app/audit's path (dist
 * or src).
 * Prints one JSON line: seconds, leads, peak RSS in bytes, and the heap in use at the end.
 * With `--floor COUNT` (FILE a small sample) it times only making and keeping COUNT lead records
 * of the shape the audit keeps, copied from the sample's (see below).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const usage = "usage: audit-child.mjs MODULE FILE [--floor COUNT]";
const [module, file, mode, count] = process.argv.slice(2);
if (module === undefined || file === undefined) throw new Error(usage);
if (mode !== undefined && mode !== "--floor") throw new Error(`${usage}: unknown option ${mode}`);
if (mode === "--floor" && !/^[1-9]\d*$/.test(count ?? ""))
  throw new Error(`${usage}: COUNT is a positive whole number, not '${count ?? ""}'`);
const { auditExports } = await import(pathToFileURL(module).href);
const size = (await stat(file)).size;
const audit = () =>
  auditExports({
    files: [{ name: file, open: () => createReadStream(file), size }],
    mapping: null,
  });

/**
 * A fresh copy of a lead record as the audit keeps it: every object and list it holds allocated
 * anew (the shared empty lists stay shared, as the row reader shares them), the id a new string.
 */
function copyLead(lead, serial) {
  const copied = (list) => (list.length === 0 ? list : list.map((entry) => ({ ...entry })));
  return {
    ...lead,
    id: `${lead.id}-${serial}`,
    stages: copied(lead.stages),
    assignments: copied(lead.assignments),
    touches: lead.touches.length === 0 ? lead.touches : lead.touches.slice(),
    decisions: copied(lead.decisions),
    marketingTouches: copied(lead.marketingTouches),
    opportunityIds:
      lead.opportunityIds.length === 0 ? lead.opportunityIds : [...lead.opportunityIds],
  };
}

if (mode === "--floor") {
  // The floor under the audit's time: COUNT lead records of the shape the audit keeps, copied
  // round robin from FILE's (a small sample) and all kept, with no reading and no metrics.
  const sample = await audit();
  if (!sample.ok) throw new Error(sample.error.message);
  const leads = sample.history.leads;
  const total = Number(count);
  const kept = new Array(total);
  const began = performance.now();
  for (let index = 0; index < total; index++)
    kept[index] = copyLead(leads[index % leads.length], index);
  console.log(
    JSON.stringify({
      seconds: (performance.now() - began) / 1000,
      leads: kept.length,
      peakRss: process.resourceUsage().maxRSS * 1024,
      heapUsed: process.memoryUsage().heapUsed,
    }),
  );
  process.exit(0);
}

const began = performance.now();
const outcome = await audit();
if (!outcome.ok) throw new Error(outcome.error.message);
console.log(
  JSON.stringify({
    seconds: (performance.now() - began) / 1000,
    leads: outcome.report.counts.leads,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapUsed: process.memoryUsage().heapUsed,
  }),
);
