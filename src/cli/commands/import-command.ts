import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import type { Command } from "commander";
import { IANAZone } from "luxon";
import {
  type ImportPlan,
  type ImportProgress,
  type ImportReport,
  importLeads,
  type MappingChoice,
  type RejectedRow,
} from "../../app/import-leads.js";
import { parseMapping } from "../../connectors/csv/csv-mapping.js";
import { isPresetName, presetNames } from "../../connectors/csv/csv-presets.js";
import type { CsvDelimiter } from "../../connectors/csv/csv-reader.js";
import { csvLine } from "../../connectors/csv/csv-writer.js";
import { formatIssue, type LocatedIssue } from "../../core/agreement/agreement-issue.js";
import { CliError, exitCodes } from "../exit-codes.js";
import { type CliIo, processIo, readableFileSize, reportMappingIssues } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

interface ImportCommandOptions {
  mapping?: string;
  preset?: string;
  errors?: string;
  dryRun?: boolean;
  allOrNothing?: boolean;
  timezone?: string;
  batchSize?: string;
  progress?: boolean;
  json?: boolean;
}

/** `baton import FILE`: leads from a CSV export, through a mapping file or a preset. */
export function registerImportCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("import")
    .description(
      "import leads from a CSV file: a Salesforce or HubSpot export, or any file with a mapping",
    )
    .argument("<file>", "the CSV file (UTF-8 or Windows-1252; , ; or tab delimited)")
    .option("--mapping <file>", "a mapping file (YAML): which column becomes which field")
    .option(
      "--preset <name>",
      `a built-in mapping: ${presetNames.join(" or ")} (detected from the header when neither this nor --mapping is given)`,
    )
    .option("--errors <file>", "where bad and duplicate rows go (default: <file>.errors.csv)")
    .option("--dry-run", "check every row and report; store nothing")
    .option(
      "--all-or-nothing",
      "check every row first and import only when none is bad (the file is read twice)",
    )
    .option("--timezone <zone>", "time zone for dates without an offset (overrides the mapping's)")
    .option("--batch-size <rows>", "rows per transaction (default 500)")
    .option("--progress", "show progress on stderr even when it is not a terminal")
    .option("--json", "print the plan and the report as JSON")
    .action(async (file: string, options: ImportCommandOptions) => {
      const choice = await mappingChoice(options, io);
      if (!choice.ok) {
        reportMappingIssues(io, options.mapping, choice.issues, options.json);
        return finish(exitCodes.invalid);
      }
      if (options.timezone !== undefined && !IANAZone.isValidZone(options.timezone))
        throw new CliError(
          `--timezone ${options.timezone} is not a time zone`,
          exitCodes.usage,
          "use an IANA name such as America/New_York, Europe/London or UTC",
        );
      const batchSize = options.batchSize === undefined ? 500 : Number(options.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000)
        throw new CliError(
          `--batch-size ${options.batchSize} is not a row count`,
          exitCodes.usage,
          "pass a whole number from 1 to 5000",
        );
      const size = await readableFileSize(file);
      const errorsFile = resolve(options.errors ?? `${file}.errors.csv`);
      await access(dirname(errorsFile), constants.W_OK).catch(() => {
        throw new CliError(
          `cannot write the error file ${errorsFile}: its folder is missing or read-only`,
          exitCodes.unreadable,
          "pass --errors with a path in a writable folder",
        );
      });

      const errors = new ErrorFile(errorsFile);
      const progress = new ProgressBar(
        io,
        size,
        options.progress === true || (io === processIo && process.stderr.isTTY === true),
      );
      const store = await openStore(env);
      let outcome: Awaited<ReturnType<typeof importLeads>>;
      try {
        outcome = await importLeads(
          store.engine,
          { name: basename(file), open: () => createReadStream(file) },
          {
            mapping: choice.mapping,
            dryRun: options.dryRun === true,
            allOrNothing: options.allOrNothing === true,
            batchSize,
            ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
            onReject: (row) => errors.write(row),
          },
          (event: ImportProgress) => {
            if (event.type === "plan") {
              errors.plan = event.plan;
              if (!options.json) for (const line of describePlan(event.plan)) io.stdout(line);
            } else progress.update(event.phase, event.rows, event.bytes);
          },
        );
      } finally {
        progress.done();
        await errors.close();
        await store.close();
      }
      if (errors.failure !== undefined)
        throw new CliError(
          `cannot write the error file ${errorsFile}: ${errors.failure.message}`,
          exitCodes.unreadable,
          "pass --errors with a path in a writable folder",
        );
      if (!outcome.ok) {
        const error = outcome.error;
        if (options.json) io.stdout(JSON.stringify(outcome, null, 2));
        if (error.code === "mapping_invalid")
          for (const issue of error.issues) io.stderr(formatIssue(issue));
        io.stderr(`baton: ${file}: ${error.message}\n  fix: ${error.hint}`);
        return finish(exitCodes.invalid);
      }
      const report = outcome.report;
      const errorsWritten = errors.rows > 0 ? errorsFile : null;
      const stale =
        errorsWritten === null &&
        (await stat(errorsFile).then(
          () => true,
          () => false,
        ));
      if (options.json)
        io.stdout(JSON.stringify({ ok: true, report, errorsFile: errorsWritten }, null, 2));
      else {
        for (const line of describeReport(report, errorsWritten)) io.stdout(line);
        if (stale)
          io.stdout(`  (${errorsFile} is from an earlier run; this one wrote nothing to it)`);
      }
      return finish(report.bad > 0 ? exitCodes.invalid : exitCodes.ok);
    });
}

async function mappingChoice(
  options: ImportCommandOptions,
  io: CliIo,
): Promise<{ ok: true; mapping: MappingChoice } | { ok: false; issues: LocatedIssue[] }> {
  if (options.mapping !== undefined && options.preset !== undefined)
    throw new CliError(
      "--mapping and --preset both say how to read the file",
      exitCodes.usage,
      "pass one of them",
    );
  if (options.preset !== undefined) {
    if (!isPresetName(options.preset))
      throw new CliError(
        `--preset ${options.preset} is not a preset`,
        exitCodes.usage,
        `use ${presetNames.join(" or ")}, or a mapping file with --mapping`,
      );
    return { ok: true, mapping: { kind: "preset", preset: options.preset } };
  }
  if (options.mapping === undefined) return { ok: true, mapping: { kind: "detect" } };
  const parsed = parseMapping(await io.readText(options.mapping), options.mapping);
  return parsed.ok
    ? { ok: true, mapping: { kind: "file", mapping: parsed.mapping } }
    : { ok: false, issues: parsed.issues };
}

const delimiterNames: Record<CsvDelimiter, string> = {
  ",": "comma",
  ";": "semicolon",
  "\t": "tab",
};

function describePlan(plan: ImportPlan): string[] {
  const mapping =
    plan.mapping.origin === "file"
      ? `mapping ${plan.mapping.name}`
      : plan.mapping.origin === "preset"
        ? `preset ${plan.mapping.name}`
        : `preset ${plan.mapping.name} (detected from its columns ${plan.mapping.detectedFrom?.join(", ")})`;
  const encoding =
    plan.encoding === "ascii"
      ? "ASCII so far (UTF-8 or Windows-1252 is decided at the first accented letter)"
      : `${plan.encoding === "utf-8" ? "UTF-8" : "Windows-1252"}${plan.bom ? " with byte-order mark" : ""}`;
  const width = Math.max(...plan.used.map((use) => use.column.length), 0);
  return [
    `import ${plan.file} with ${mapping}`,
    `  encoding: ${encoding}; delimiter: ${delimiterNames[plan.delimiter]}; system: ${plan.system}; dates without an offset in ${plan.timezone}`,
    "  columns used:",
    ...plan.used.map(
      (use) => `    ${use.column.padEnd(width)} → ${use.field}${use.required ? " (required)" : ""}`,
    ),
    ...(plan.ignored.length === 0
      ? []
      : [
          "  columns ignored:",
          ...plan.ignored.map((ignored) => `    ${ignored.column}: ${ignored.reason}`),
        ]),
  ];
}

function describeReport(report: ImportReport, errorsFile: string | null): string[] {
  const lines: string[] = [];
  const duplicates = `${report.duplicate} duplicate (${report.duplicates.inFile} repeated in the file, ${report.duplicates.alreadyImported} imported before)`;
  if (report.mode === "dry-run")
    lines.push(
      `dry run, nothing stored: ${report.rows} rows read; ${report.valid} would be imported, ${report.duplicates.inFile} repeated in the file, ${report.bad} bad`,
    );
  else if (report.mode === "all-or-nothing" && !report.stored && report.bad > 0)
    lines.push(
      `nothing imported (all or nothing): ${report.bad} bad row${report.bad === 1 ? "" : "s"} in ${report.rows}; fix them and run again`,
    );
  else
    lines.push(
      `${report.rows} rows read: ${report.created} created, ${report.updated} updated, ${duplicates}, ${report.bad} bad`,
    );
  if (report.encoding !== report.plan.encoding)
    lines.push(
      `  encoding: ${report.encoding === "utf-8" ? "UTF-8" : report.encoding === "ascii" ? "ASCII" : "Windows-1252"}`,
    );
  if (report.stoppedAt !== undefined)
    lines.push(
      `  the file could not be read past line ${report.stoppedAt.line}: ${report.stoppedAt.message}\n    fix: ${report.stoppedAt.hint}`,
    );
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  for (const row of report.rejected.slice(0, 10))
    for (const problem of row.problems)
      lines.push(
        `  line ${row.line}${problem.column === "(row)" || problem.column === "(file)" ? "" : `, ${problem.column}${problem.field ? ` (${problem.field})` : ""}`}: ${problem.reason}`,
      );
  const more = report.rejected.length + report.rejectedOmitted - 10;
  if (more > 0) lines.push(`  … and ${more} more`);
  lines.push(
    errorsFile === null
      ? "  no bad or duplicate rows; no error file written"
      : `  bad and duplicate rows, with line, column, field and reason: ${errorsFile}`,
  );
  return lines;
}

/**
 * Bad and duplicate rows as CSV: line, kind, column, field, reason, then the row's original
 * values under the file's own header. One line per problem. Written in UTF-8 with a byte-order
 * mark (so spreadsheets read accents right) and the input's delimiter; created at the first row.
 */
class ErrorFile {
  plan: ImportPlan | undefined;
  rows = 0;
  failure: Error | undefined;
  #stream: WriteStream | undefined;

  constructor(readonly path: string) {}

  async write(row: RejectedRow): Promise<void> {
    if (this.failure !== undefined || this.plan === undefined) return;
    const delimiter = this.plan.delimiter;
    if (this.#stream === undefined) {
      this.#stream = createWriteStream(this.path);
      this.#stream.on("error", (error) => {
        this.failure ??= error;
      });
      await this.#put(
        `\ufeff${csvLine(["line", "kind", "column", "field", "reason", ...this.plan.columns], delimiter)}`,
      );
    }
    this.rows++;
    for (const problem of row.problems)
      await this.#put(
        csvLine(
          [
            String(row.line),
            row.kind,
            problem.column,
            problem.field,
            problem.reason,
            ...row.values,
          ],
          delimiter,
        ),
      );
  }

  async #put(text: string): Promise<void> {
    const stream = this.#stream!;
    if (!stream.write(text) && this.failure === undefined)
      await Promise.race([once(stream, "drain"), once(stream, "error").catch(() => undefined)]);
  }

  async close(): Promise<void> {
    const stream = this.#stream;
    if (stream === undefined) return;
    await new Promise<void>((done) => stream.end(() => done()));
  }
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal; with --progress elsewhere, a line
 * every 10 %. Never on stdout.
 */
class ProgressBar {
  #last = -1;
  #lastDraw = 0;
  #drawn = false;

  constructor(
    readonly io: CliIo,
    readonly total: number,
    readonly enabled: boolean,
  ) {}

  update(phase: string, rows: number, bytes: number): void {
    if (!this.enabled) return;
    const ratio = this.total > 0 ? Math.min(1, bytes / this.total) : 1;
    const percent = Math.floor(ratio * 100);
    const text = `${phase} ${percent}% (${rows.toLocaleString("en-US")} rows)`;
    if (this.io === processIo && process.stderr.isTTY) {
      const now = Date.now();
      if (now - this.#lastDraw < 100 && percent < 100) return;
      this.#lastDraw = now;
      const filled = Math.round(ratio * 30);
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(30 - filled)}] ${text}\x1b[K`);
      this.#drawn = true;
      return;
    }
    const step = Math.floor(percent / 10) + (phase === "importing" ? 100 : 0);
    if (step === this.#last) return;
    this.#last = step;
    this.io.stderr(text);
  }

  done(): void {
    if (this.#drawn) process.stderr.write("\r\x1b[K");
  }
}
