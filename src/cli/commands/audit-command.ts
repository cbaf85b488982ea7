import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { IANAZone } from "luxon";
import { type AuditSource, auditExports } from "../../app/audit.js";
import { type AuditMapping, parseAuditMapping } from "../../connectors/crm-export/audit-mapping.js";
import {
  type AuditReport,
  type FigureSummary,
  isAvailable,
  type MetricEntry,
} from "../../core/audit/audit-report.js";
import { formatNumber, formatRate, renderAuditHtml } from "../audit-html.js";
import { CliError, exitCodes } from "../exit-codes.js";
import { type CliIo, processIo, readableFileSize, reportMappingIssues } from "../io.js";
import type { Outcome } from "../program.js";

interface AuditCommandOptions {
  mapping?: string;
  json?: boolean;
  html?: string;
  asOf?: string;
  from?: string;
  timezone?: string;
  stuckHours?: string;
  progress?: boolean;
}

/**
 * `baton audit FILE…`: the Monday-morning gap report from CRM exports, with no server and no
 * setup. Prints what was understood of each file, then the red flags and the numbers; `--json`
 * prints the report (schema/audit-report.schema.json), `--html` writes a self-contained page.
 * Exit 0 when the audit ran (red flags are findings, not failures), 1 when a file is not an
 * export it can read or the mapping file is invalid, 3 when a file cannot be opened.
 */
export function registerAuditCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
): void {
  program
    .command("audit")
    .description(
      "audit CRM exports (Salesforce leads/opportunities, HubSpot contacts/deals, or any CSV with a mapping): stuck leads, MQL→SQL, reasons, speed to lead, sources, pipeline",
    )
    .argument("<files...>", "the CSV exports (UTF-8 or Windows-1252; , ; or tab delimited)")
    .option(
      "--mapping <file>",
      "an audit mapping file (YAML) for exports the audit does not recognise",
    )
    .option("--json", "print the report as JSON (schema/audit-report.schema.json)")
    .option("--html <file>", "also write the report as a self-contained HTML page")
    .option("--as-of <date>", "the instant to audit as of (default: the latest date in the data)")
    .option("--from <date>", "start of the audited period (default: the earliest created date)")
    .option("--timezone <zone>", "time zone of dates written without an offset (default UTC)")
    .option(
      "--stuck-hours <hours>",
      "hours without activity before a New/Working lead is stuck (default 48)",
    )
    .option("--progress", "show progress on stderr even when it is not a terminal")
    .action(async (files: string[], options: AuditCommandOptions) => {
      let mapping: AuditMapping | null = null;
      if (options.mapping !== undefined) {
        const parsed = parseAuditMapping(await io.readText(options.mapping), options.mapping);
        if (!parsed.ok) {
          reportMappingIssues(io, options.mapping, parsed.issues, options.json);
          return finish(exitCodes.invalid);
        }
        mapping = parsed.mapping;
      }
      if (options.timezone !== undefined && !IANAZone.isValidZone(options.timezone))
        throw new CliError(
          `--timezone ${options.timezone} is not a time zone`,
          exitCodes.usage,
          "use an IANA name such as America/New_York, Europe/London or UTC",
        );
      const asOf = instantOption("--as-of", options.asOf);
      const from = instantOption("--from", options.from);
      const stuckHours = options.stuckHours === undefined ? 48 : Number(options.stuckHours);
      if (!Number.isFinite(stuckHours) || stuckHours <= 0)
        throw new CliError(
          `--stuck-hours ${options.stuckHours} is not a number of hours`,
          exitCodes.usage,
          "pass a positive number, e.g. 48",
        );
      const sources: AuditSource[] = [];
      for (const file of files)
        sources.push({
          name: file,
          open: () => createReadStream(file),
          size: await readableFileSize(file),
        });
      if (options.html !== undefined) await writable(options.html);

      const progress = new AuditProgressBar(
        io,
        options.progress === true || (io === processIo && process.stderr.isTTY === true),
      );
      let outcome: Awaited<ReturnType<typeof auditExports>>;
      try {
        outcome = await auditExports(
          {
            files: sources,
            mapping,
            ...(asOf === undefined ? {} : { asOf }),
            ...(from === undefined ? {} : { from }),
            ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
            stuckHours,
          },
          (event) => progress.update(event.totalBytes, event.allBytes, event.rows),
        );
      } finally {
        progress.done();
      }
      if (!outcome.ok) {
        const error = outcome.error;
        if (options.json) io.stdout(JSON.stringify({ ok: false, error }, null, 2));
        io.stderr(`baton: ${error.message}\n  fix: ${error.hint}`);
        return finish(exitCodes.invalid);
      }
      const report = outcome.report;
      if (options.html !== undefined) {
        await writeFile(options.html, renderAuditHtml(report));
      }
      if (options.json) io.stdout(JSON.stringify(report, null, 2));
      else {
        for (const line of describeAudit(report)) io.stdout(line);
        if (options.html !== undefined) io.stdout(`\nHTML report: ${options.html}`);
      }
      return finish(exitCodes.ok);
    });
}

function instantOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(at))
    throw new CliError(
      `${name} ${text} is not a date`,
      exitCodes.usage,
      "write an ISO date such as 2026-11-30 or 2026-11-30T12:00:00Z",
    );
  return at;
}

async function writable(file: string): Promise<void> {
  try {
    await writeFile(file, "", { flag: "a" });
  } catch (error) {
    throw new CliError(
      `cannot write the HTML report ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      exitCodes.unreadable,
      "pass --html with a path in a writable folder",
    );
  }
}

/** Progress on stderr: a bar redrawn in place on a terminal; with --progress elsewhere, every 10 %. */
class AuditProgressBar {
  #lastStep = -1;
  #lastDraw = 0;
  #drawn = false;

  constructor(
    readonly io: CliIo,
    readonly enabled: boolean,
  ) {}

  update(bytes: number, total: number, rows: number): void {
    if (!this.enabled) return;
    const ratio = total > 0 ? Math.min(1, bytes / total) : 1;
    const percent = Math.floor(ratio * 100);
    const text = `auditing ${percent}% (${rows.toLocaleString("en-US")} rows of the current file)`;
    if (this.io === processIo && process.stderr.isTTY) {
      const now = Date.now();
      if (now - this.#lastDraw < 100 && percent < 100) return;
      this.#lastDraw = now;
      const filled = Math.round(ratio * 30);
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(30 - filled)}] ${text}\x1b[K`);
      this.#drawn = true;
      return;
    }
    const step = Math.floor(percent / 10);
    if (step === this.#lastStep) return;
    this.#lastStep = step;
    this.io.stderr(text);
  }

  done(): void {
    if (this.#drawn) process.stderr.write("\r\x1b[K");
  }
}

const marks = { flagged: "✗", clear: "✓", unknown: "?" } as const;

function total(entry: MetricEntry | undefined, figure: string): FigureSummary | undefined {
  return isAvailable(entry) ? entry.total[figure] : undefined;
}

function ratio(figure: FigureSummary | undefined): string {
  if (figure === undefined) return "–";
  return `${formatRate(figure.value)} (${figure.numerator ?? 0}/${figure.denominator ?? 0})`;
}

/** The terminal summary: what was understood, then red flags, then the numbers; one screen. */
export function describeAudit(report: AuditReport): string[] {
  const lines: string[] = [];
  lines.push(
    `baton audit — ${report.files.length} file${report.files.length === 1 ? "" : "s"}, ${formatNumber(report.counts.leads)} leads, ${formatNumber(report.counts.opportunities)} opportunities (${formatNumber(report.counts.joined)} joined to their lead)`,
    `  as of ${report.asOf.replace("T", " ").slice(0, 16)} UTC; period ${report.period.from.slice(0, 10)} to ${report.period.to.slice(0, 10)}; dates in ${report.timezone}`,
    "",
    "What was understood",
  );
  for (const file of report.files) {
    lines.push(
      `  ${file.file}: ${file.title}, ${file.detectedBy}`,
      `    ${file.encoding}, ${file.delimiter}-delimited; ${file.rows} rows, ${file.read} read, ${file.skipped.count} skipped`,
      `    columns used: ${file.columnsUsed.map((use) => `${use.column} → ${use.field}`).join(", ")}`,
    );
    if (file.columnsIgnored.length > 0)
      lines.push(`    columns ignored: ${file.columnsIgnored.join(", ")}`);
    const byColumn = new Map<string, string[]>();
    for (const entry of file.values) {
      const list = byColumn.get(entry.column) ?? [];
      list.push(
        `${entry.value} → ${entry.origin === "unmapped" ? "UNMAPPED" : entry.meaning}${entry.origin === "mapping file" ? " (mapping file)" : ""} (${entry.count})`,
      );
      byColumn.set(entry.column, list);
    }
    for (const [column, values] of byColumn) lines.push(`    ${column}: ${values.join("; ")}`);
    const unmapped = file.values.filter((entry) => entry.origin === "unmapped");
    if (unmapped.length > 0)
      lines.push(
        `    unmapped values (${unmapped.map((entry) => entry.value).join(", ")}) add no stage; map them under statuses:/stages: in a mapping file`,
      );
    lines.push(`    dates: ${file.dateFormats.join(" | ")}, without an offset in ${file.timezone}`);
    for (const failure of file.dateFailures)
      lines.push(
        `    ${failure.count} unreadable date(s) in ${failure.column}, e.g. '${failure.example}' at line ${failure.line} (left empty)`,
      );
    for (const reason of file.skipped.byReason)
      lines.push(`    skipped ${reason.count} row(s): ${reason.reason}`);
    for (const row of file.skipped.rows.slice(0, 5))
      lines.push(`      line ${row.line}: ${row.reason}`);
    if (file.skipped.rows.length > 5 || file.skipped.count > file.skipped.rows.length)
      lines.push(
        `      … and ${file.skipped.count - Math.min(5, file.skipped.rows.length)} more (--json lists the first ${file.skipped.rows.length})`,
      );
    if (file.stoppedAt !== null)
      lines.push(
        `    not read past line ${file.stoppedAt.line}: ${file.stoppedAt.message}`,
        `      fix: ${file.stoppedAt.hint}`,
      );
    for (const warning of file.warnings) lines.push(`    warning: ${warning}`);
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);

  lines.push("", "Red flags");
  for (const flag of report.flags) {
    lines.push(`  ${marks[flag.status]} ${flag.title}: ${flag.summary}`);
    for (const line of flag.evidence.slice(0, 4)) lines.push(`      ${line}`);
    if (flag.examples.length > 0) lines.push(`      e.g. ${flag.examples.join(", ")}`);
    if (flag.status === "flagged") lines.push(`      → ${flag.action}`);
  }

  const m = report.metrics;
  const speed = m["speed-to-lead"];
  const rows: [string, string][] = [
    [
      "MQLs",
      `${formatNumber(total(m.mqls, "leads")?.value)} leads, ${formatNumber(total(m.mqls, "events")?.value)} MQL events`,
    ],
    ["MQL→SQL", ratio(total(m["mql-to-sql"], "rate"))],
    [
      "Acceptance",
      `decided ${ratio(total(m.acceptance, "decided"))}; strict ${ratio(total(m.acceptance, "strict"))}`,
    ],
    ["Lead-to-won", ratio(total(m["lead-to-won"], "rate"))],
    [
      "Speed to lead",
      (total(speed, "touched")?.value ?? 0) === 0
        ? `no touches recorded (${formatNumber(total(speed, "untouched")?.value)} MQLs untouched)`
        : `P50 ${formatNumber(total(speed, "p50-minutes")?.value, 1)} min, P90 ${formatNumber(total(speed, "p90-minutes")?.value, 1)} min; within 4 h ${formatRate(total(speed, "within-goal")?.value)}; bands 0–5 ${formatRate(total(speed, "band:0-5")?.value)}, 5–15 ${formatRate(total(speed, "band:5-15")?.value)}, 15–60 ${formatRate(total(speed, "band:15-60")?.value)}, 60+ ${formatRate(total(speed, "band:60+")?.value)}; ${formatNumber(total(speed, "untouched")?.value)} untouched`,
    ],
    [
      "Stuck leads",
      `${formatNumber(total(m["stuck-leads"], "stuck")?.value)} (median age ${formatNumber(total(m["stuck-leads"], "age-p50-hours")?.value, 1)} h)`,
    ],
    [
      "Dispositions",
      `${formatNumber(total(m["rejection-mix"], "rejections")?.value)} rejections, ${formatNumber(total(m["rejection-mix"], "no-reason")?.value)} without a reason`,
    ],
    ["Outcome logging", `${ratio(total(m["outcome-logging"], "rate"))} within 5 days`],
    [
      "Win rate",
      `decided ${ratio(total(m["win-rate"], "decided"))}; cohort ${ratio(total(m["win-rate"], "cohort"))}`,
    ],
    [
      "Sales cycle",
      `won mean ${formatNumber(total(m["sales-cycle"], "won-mean-days")?.value, 1)} days, median ${formatNumber(total(m["sales-cycle"], "won-median-days")?.value, 1)}`,
    ],
    [
      "Pipeline velocity",
      `${formatNumber(total(m["pipeline-velocity"], "velocity")?.value, 2)} per day`,
    ],
    [
      "Marketing-sourced",
      `pipeline ${formatNumber(total(m["marketing-sourced"], "pipeline")?.value, 2)}, open ${formatNumber(total(m["marketing-sourced"], "open-pipeline")?.value, 2)}, revenue ${formatNumber(total(m["marketing-sourced"], "revenue")?.value, 2)}; ${formatNumber(total(m["marketing-sourced"], "no-source")?.value)} opportunities without a source`,
    ],
  ];
  lines.push("", "Numbers (METRICS.md definitions)");
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, text] of rows) lines.push(`  ${name.padEnd(width)}  ${text}`);
  const unavailable = Object.values(m).filter((entry) => !isAvailable(entry));
  if (unavailable.length > 0)
    lines.push(
      `  not from exports: ${unavailable.map((entry) => entry.metric).join(", ")} (--json says why; SLA attainment needs Baton's own data)`,
    );
  return lines;
}
