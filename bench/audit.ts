/**
 * `baton audit` on a generated 1,000,000-row HubSpot-style contacts export: wall time, peak
 * memory and the ratio to only parsing the same file with the faster of papaparse and csv-parse
 * (target: at most 3×; peak RSS under 1 GB). The audit runs in a process of its own
 * (audit-child.mjs), three times, so its peak resident set is its own, not this process's, which
 * also wrote the file and parsed it twice; it runs the build when it is current, as `baton audit`
 * does (see auditModule). Then the floor under the ratio: only making and keeping as many lead
 * records of the shape the audit hands the metrics (PipelineHistory) as the file has rows, in a
 * child too, with no reading and no metrics. Prints; asserts nothing.
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "csv-parse";
import Papa from "papaparse";
import { writeHubspotExport } from "../test/audit-export-generator.js";

const rows = Number(process.env.BATON_AUDIT_ROWS ?? 1_000_000);
const targets = { ratio: 3, rssBytes: 1024 ** 3 };
const runs = 3;

interface ChildAudit {
  seconds: number;
  leads: number;
  peakRss: number;
  heapUsed: number;
}

/**
 * Where the child imports the audit from: the build, as `baton audit` runs it (no loader), when
 * dist/app/audit.js is at least as new as every source file; else the sources through this
 * process's loader (tsx), which adds its own memory (about 80–100 MB here) to the peak.
 */
async function auditModule(): Promise<{ module: string; loader: string[]; from: string }> {
  const root = new URL("..", import.meta.url).pathname;
  const built = join(root, "dist/app/audit.js");
  const newest = async (folder: string): Promise<number> => {
    let latest = 0;
    for (const entry of await readdir(folder, { withFileTypes: true, recursive: true }))
      if (entry.isFile() && entry.name.endsWith(".ts"))
        latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    return latest;
  };
  const builtAt = await stat(built).then(
    (found) => found.mtimeMs,
    () => 0,
  );
  if (builtAt > 0 && builtAt >= (await newest(join(root, "src"))))
    return { module: built, loader: [], from: "the build (dist/), as `baton audit` runs" };
  return {
    module: join(root, "src/app/audit.ts"),
    loader: process.execArgv,
    from: "the sources through tsx (dist/ is missing or older than src/: `npm run build` first to measure what `baton audit` runs); the loader adds to the peak",
  };
}

/** One audit in a new process (with `floor`, only the records of `floor` leads: see the child). */
async function auditInChild(
  file: string,
  source: { module: string; loader: string[] },
  floor?: number,
): Promise<ChildAudit> {
  const child = new URL("./audit-child.mjs", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      ...source.loader,
      child,
      source.module,
      file,
      ...(floor === undefined ? [] : ["--floor", String(floor)]),
    ],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as ChildAudit;
}

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
    const source = await auditModule();
    const audits: ChildAudit[] = [];
    for (let run = 0; run < runs; run++) audits.push(await auditInChild(file, source));
    // The floor: only making and keeping the lead records the metrics read, as many as the file
    // has rows, copied from a small sample's; no reading, no metrics.
    const sample = join(folder, "sample.csv");
    await writeHubspotExport(sample, Math.min(rows, 10_000));
    const floors: number[] = [];
    for (let run = 0; run < runs; run++)
      floors.push((await auditInChild(sample, source, rows)).seconds);
    const floor = floors.sort((a, b) => a - b)[Math.floor(floors.length / 2)]!;
    const bare = Math.min(papa.seconds, csv.seconds);
    const rate = (entry: { seconds: number }) =>
      `${Math.round(rows / entry.seconds).toLocaleString("en-US")} rows/s`;
    const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
    const seconds = audits.map((audit) => audit.seconds).sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)]!;
    const peak = Math.max(...audits.map((audit) => audit.peakRss));
    console.log(`  file                ${mb(size)}`);
    console.log(`  audit runs from     ${source.from}`);
    console.log(`  papaparse (parse)   ${papa.seconds.toFixed(2)} s  ${rate(papa)}`);
    console.log(`  csv-parse (parse)   ${csv.seconds.toFixed(2)} s  ${rate(csv)}`);
    for (const [index, audit] of audits.entries())
      console.log(
        `  audit, run ${index + 1}        ${audit.seconds.toFixed(2)} s  ${rate(audit)}  (${audit.leads.toLocaleString("en-US")} leads; peak RSS ${mb(audit.peakRss)}, heap at the end ${mb(audit.heapUsed)})`,
      );
    console.log(
      `  ratio to bare parse ${(median / bare).toFixed(2)}× on the median run (target ≤ ${targets.ratio}×) ${median / bare <= targets.ratio ? "met" : "MISSED"}`,
    );
    console.log(
      `  records alone       ${floor.toFixed(2)} s  (median of ${runs}: making and keeping ${rows.toLocaleString("en-US")} lead records of the audit's shape, copied from a sample's, no reading, no metrics) = ${(floor / bare).toFixed(2)}× the bare parse, the floor under the ratio while the audit hands the metrics one object per lead`,
    );
    console.log(
      `  peak RSS            ${mb(peak)}, the highest of the runs (target < 1024 MB) ${peak < targets.rssBytes ? "met" : "MISSED"}`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAuditBench();
