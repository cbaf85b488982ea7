/**
 * `baton audit` on a generated 1,000,000-row HubSpot-style contacts export: wall time, peak
 * memory (the process's maximum resident set size) and the ratio to only parsing the same file
 * with the faster of papaparse and csv-parse (target: at most 3×; peak RSS under 1 GB).
 * Prints; asserts nothing.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse";
import Papa from "papaparse";
import { auditExports } from "../src/app/audit.js";
import { writeHubspotExport } from "../test/audit-export-generator.js";

const rows = Number(process.env.BATON_AUDIT_ROWS ?? 1_000_000);
const targets = { ratio: 3, rssBytes: 1024 ** 3 };

async function timed(run: () => Promise<number>): Promise<{ seconds: number; count: number }> {
  const began = performance.now();
  const count = await run();
  return { seconds: (performance.now() - began) / 1000, count };
}

async function csvParseCount(file: string): Promise<number> {
  let count = 0;
  for await (const _ of createReadStream(file).pipe(parse({ relax_column_count: true }))) count++;
  return count;
}

function papaparseCount(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let count = 0;
    Papa.parse(createReadStream(file) as unknown as File, {
      step: () => {
        count++;
      },
      complete: () => resolve(count),
      error: reject,
    });
  });
}

export async function runAuditBench(): Promise<void> {
  console.log(`baton audit of a ${rows.toLocaleString("en-US")}-row HubSpot-style export`);
  const folder = await mkdtemp(join(tmpdir(), "baton-audit-bench-"));
  try {
    const file = join(folder, "contacts.csv");
    await writeHubspotExport(file, rows);
    const size = (await stat(file)).size;
    const papa = await timed(() => papaparseCount(file));
    const csv = await timed(() => csvParseCount(file));
    const audit = await timed(async () => {
      const outcome = await auditExports({
        files: [{ name: file, open: () => createReadStream(file), size }],
        mapping: null,
      });
      if (!outcome.ok) throw new Error(outcome.error.message);
      return outcome.report.counts.leads;
    });
    const peak = process.resourceUsage().maxRSS * 1024;
    const bare = Math.min(papa.seconds, csv.seconds);
    const rate = (entry: { seconds: number }) =>
      `${Math.round(rows / entry.seconds).toLocaleString("en-US")} rows/s`;
    console.log(`  file                ${(size / 1024 ** 2).toFixed(0)} MB`);
    console.log(`  papaparse (parse)   ${papa.seconds.toFixed(2)} s  ${rate(papa)}`);
    console.log(`  csv-parse (parse)   ${csv.seconds.toFixed(2)} s  ${rate(csv)}`);
    console.log(
      `  audit               ${audit.seconds.toFixed(2)} s  ${rate(audit)}  (${audit.count.toLocaleString("en-US")} leads)`,
    );
    console.log(
      `  ratio to bare parse ${(audit.seconds / bare).toFixed(2)}× (target ≤ ${targets.ratio}×) ${audit.seconds / bare <= targets.ratio ? "met" : "MISSED"}`,
    );
    console.log(
      `  peak RSS            ${(peak / 1024 ** 2).toFixed(0)} MB (target < 1024 MB) ${peak < targets.rssBytes ? "met" : "MISSED"}`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAuditBench();
