import type { CsvMapping } from "../connectors/csv/csv-mapping.js";
import { detectPreset, type PresetName, presetMapping } from "../connectors/csv/csv-presets.js";
import {
  type CsvDelimiter,
  type CsvEncoding,
  type CsvFile,
  type CsvReadError,
  openCsv,
} from "../connectors/csv/csv-reader.js";
import {
  type ColumnPlan,
  type IgnoredColumn,
  type MappedLead,
  mapRow,
  planColumns,
  type RowProblem,
} from "../connectors/csv/lead-rows.js";
import type { LocatedIssue } from "../core/agreement/agreement-issue.js";
import type { VariableSchema } from "../core/expression/index.js";
import type { Engine } from "./engine.js";
import { type IngestResult, ingestLeads } from "./ingest.js";
import { parseLeadInput } from "./lead-input.js";

/**
 * Importing a CSV file of leads: read it as a stream, map each row through a mapping (a file or
 * a preset), and hand good rows to the ingest pipeline in batches, one transaction each. Bad
 * rows and rows repeated within the file are handed to `onReject` with their line; the result
 * is a report, never printed here.
 *
 * Decisions
 * - Duplicates within the file: a row whose external id or e-mail (normalised as matching does)
 *   was seen on an earlier good row is not imported and is reported with that row's line.
 *   Re-importing a file is a no-op: `system` + external id make each row's ingest idempotent.
 * - All or nothing: the file is read twice. The first pass checks every row (mapping, then the
 *   same field check ingest makes); the second imports only when the first found no bad row.
 *   One transaction over a whole file would hold locks for minutes and grow without bound.
 *   Should ingest still refuse a row in the second pass (the agreement changed in between),
 *   the batches before it stay imported and the report says so.
 * - Dry run: one checking pass; nothing is stored.
 */

export type MappingChoice =
  | { kind: "file"; mapping: CsvMapping }
  | { kind: "preset"; preset: PresetName }
  | { kind: "detect" };

export interface ImportSource {
  /** the file's name, for the actor (`import:<name>`) and messages */
  name: string;
  /** opens the bytes from the start; called twice for all-or-nothing */
  open: () => AsyncIterable<Uint8Array>;
}

export interface ImportOptions {
  mapping: MappingChoice;
  dryRun?: boolean;
  allOrNothing?: boolean;
  /** rows per ingest transaction (default 500) */
  batchSize?: number;
  /** overrides the mapping's time zone for dates without an offset */
  timezone?: string;
  /** receives every bad or duplicate row, in file order */
  onReject?: (row: RejectedRow) => void | Promise<void>;
}

export interface RejectedRow {
  line: number;
  kind: "bad" | "duplicate";
  problems: RowProblem[];
  /** the row's original values, in header order */
  values: readonly string[];
}

export interface ImportPlan {
  file: string;
  mapping: { name: string; origin: "file" | "preset" | "detected"; detectedFrom?: string[] };
  system: string;
  timezone: string;
  encoding: CsvEncoding;
  bom: boolean;
  delimiter: CsvDelimiter;
  columns: readonly string[];
  used: { column: string; field: string; required: boolean }[];
  ignored: IgnoredColumn[];
}

export type ImportProgress =
  | { type: "plan"; plan: ImportPlan }
  | { type: "rows"; phase: "checking" | "importing"; rows: number; bytes: number };

export interface ImportReport {
  plan: ImportPlan;
  /** the encoding once the whole file was read (`ascii`: no byte above 0x7F) */
  encoding: CsvEncoding;
  mode: "import" | "dry-run" | "all-or-nothing";
  /** whether any lead was written */
  stored: boolean;
  /** data rows read */
  rows: number;
  /** rows that passed every check (in a dry run: would be imported) */
  valid: number;
  created: number;
  updated: number;
  /** in-file duplicates plus rows an earlier import already brought in */
  duplicate: number;
  duplicates: { inFile: number; alreadyImported: number };
  bad: number;
  /** the first rejected rows (all of them reach `onReject`) */
  rejected: RejectedRow[];
  rejectedOmitted: number;
  /** the file could not be read past this line */
  stoppedAt?: { line: number; message: string; hint: string };
  warnings: string[];
}

export type ImportError =
  | { code: "no_active_agreement"; message: string; hint: string }
  | ({ code: "unreadable_csv" } & Omit<CsvReadError, "code"> & { reason: CsvReadError["code"] })
  | { code: "preset_not_detected"; message: string; hint: string }
  | { code: "mapping_invalid"; message: string; hint: string; issues: LocatedIssue[] };

export type ImportOutcome = { ok: true; report: ImportReport } | { ok: false; error: ImportError };

const reportedRejects = 100;

export async function importLeads(
  engine: Engine,
  source: ImportSource,
  options: ImportOptions,
  onProgress: (progress: ImportProgress) => void = () => {},
): Promise<ImportOutcome> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined)
    return {
      ok: false,
      error: {
        code: "no_active_agreement",
        message: "no agreement is active yet, so there are no fields to import into",
        hint: "propose one and have a marketing and a sales approver sign it (baton agreement propose / approve)",
      },
    };
  const variables = active.compiled.variables;

  const opened = await openCsv(source.open());
  if (!opened.ok) return { ok: false, error: unreadable(opened.error) };
  const first = opened.file;

  let mapping: CsvMapping;
  let origin: ImportPlan["mapping"];
  if (options.mapping.kind === "file") {
    mapping = options.mapping.mapping;
    origin = { name: mapping.name, origin: "file" };
  } else if (options.mapping.kind === "preset") {
    mapping = presetMapping(options.mapping.preset);
    origin = { name: options.mapping.preset, origin: "preset" };
  } else {
    const detected = detectPreset(first.columns);
    if (detected === undefined)
      return {
        ok: false,
        error: {
          code: "preset_not_detected",
          message: `the header (${first.columns.join(", ")}) is neither a Salesforce Lead export nor a HubSpot contacts export`,
          hint: "pass --preset salesforce|hubspot, or a mapping file with --mapping (see README, Importing a CSV)",
        },
      };
    mapping = presetMapping(detected.preset);
    origin = { name: detected.preset, origin: "detected", detectedFrom: detected.matched };
  }

  const planned = planColumns(mapping, first.columns, variables, {
    strictTargets: options.mapping.kind === "file",
    delimiter: first.delimiter,
    ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
  });
  if (!planned.ok)
    return {
      ok: false,
      error: {
        code: "mapping_invalid",
        message: `the mapping (${mapping.name}) does not fit ${source.name}`,
        hint: "fix the lines listed; each says what to do",
        issues: planned.issues,
      },
    };
  const columnPlan = planned.plan;
  const plan: ImportPlan = {
    file: source.name,
    mapping: origin,
    system: columnPlan.system,
    timezone: columnPlan.timezone,
    encoding: first.encoding(),
    bom: first.bom,
    delimiter: first.delimiter,
    columns: first.columns,
    used: columnPlan.used.map((use) => ({
      column: use.column,
      field: use.field,
      required: use.setting.required,
    })),
    ignored: columnPlan.ignored,
  };
  onProgress({ type: "plan", plan });

  const mode = options.dryRun ? "dry-run" : options.allOrNothing ? "all-or-nothing" : "import";
  const report: ImportReport = {
    plan,
    encoding: first.encoding(),
    mode,
    stored: false,
    rows: 0,
    valid: 0,
    created: 0,
    updated: 0,
    duplicate: 0,
    duplicates: { inFile: 0, alreadyImported: 0 },
    bad: 0,
    rejected: [],
    rejectedOmitted: 0,
    warnings: [],
  };
  const reject = async (row: RejectedRow) => {
    if (row.kind === "bad") report.bad++;
    else {
      report.duplicate++;
      report.duplicates.inFile++;
    }
    if (report.rejected.length < reportedRejects) report.rejected.push(row);
    else report.rejectedOmitted++;
    await options.onReject?.(row);
  };
  const pass = {
    engine,
    plan: columnPlan,
    variables,
    actor: `import:${source.name}`,
    batchSize: options.batchSize ?? 500,
    report,
    onProgress,
  };

  if (mode === "import") {
    await runPass(first, { ...pass, store: true, reject });
  } else {
    await runPass(first, { ...pass, store: false, reject });
    if (mode === "all-or-nothing" && report.bad === 0 && report.stoppedAt === undefined) {
      const again = await openCsv(source.open());
      if (!again.ok) return { ok: false, error: unreadable(again.error) };
      // The first pass counted the rows and rejected the duplicates; this one counts outcomes.
      report.rows = 0;
      report.valid = 0;
      await runPass(again.file, {
        ...pass,
        store: true,
        reject: async (row) => {
          if (row.kind === "bad") await reject(row);
        },
      });
    }
  }
  return { ok: true, report };
}

function unreadable(error: CsvReadError): ImportError {
  return {
    code: "unreadable_csv",
    reason: error.code,
    message: error.message,
    hint: error.hint,
  };
}

interface PassContext {
  engine: Engine;
  plan: ColumnPlan;
  variables: VariableSchema;
  actor: string;
  batchSize: number;
  store: boolean;
  report: ImportReport;
  reject: (row: RejectedRow) => Promise<void>;
  onProgress: (progress: ImportProgress) => void;
}

interface PendingRow {
  line: number;
  values: readonly string[];
  lead: MappedLead;
}

/** One read of the file: map, de-duplicate, then check (or ingest) a batch at a time. */
async function runPass(file: CsvFile, context: PassContext): Promise<void> {
  const { plan, report } = context;
  const firstLine = { externalId: new Map<string, number>(), email: new Map<string, number>() };
  let batch: PendingRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    if (context.store) await ingestBatch(rows, context);
    else
      for (const row of rows) {
        const parsed = parseLeadInput(row.lead, context.variables);
        if (parsed.ok) report.valid++;
        else
          await context.reject({
            line: row.line,
            kind: "bad",
            problems: parsed.problems.map((problem) =>
              problemOf(plan, problem.field, problem.message),
            ),
            values: row.values,
          });
      }
    context.onProgress({
      type: "rows",
      phase: context.store ? "importing" : "checking",
      rows: report.rows,
      bytes: file.bytesRead(),
    });
  };

  for await (const row of file.rows) {
    if (row.kind === "broken") {
      report.stoppedAt = { line: row.line, message: row.message, hint: row.hint };
      await context.reject({
        line: row.line,
        kind: "bad",
        problems: [{ column: "(file)", field: "", reason: `${row.message}; ${row.hint}` }],
        values: [],
      });
      break;
    }
    report.rows++;
    const mapped = mapRow(plan, row.values);
    if (!mapped.ok) {
      await context.reject({
        line: row.line,
        kind: "bad",
        problems: mapped.problems,
        values: row.values,
      });
      continue;
    }
    const duplicate = duplicateOf(firstLine, mapped.keys, plan);
    if (duplicate !== undefined) {
      await context.reject({
        line: row.line,
        kind: "duplicate",
        problems: [duplicate],
        values: row.values,
      });
      continue;
    }
    if (mapped.keys.externalId !== undefined)
      firstLine.externalId.set(mapped.keys.externalId, row.line);
    if (mapped.keys.email !== undefined) firstLine.email.set(mapped.keys.email, row.line);
    batch.push({ line: row.line, values: row.values, lead: mapped.lead });
    if (batch.length >= context.batchSize) await flush();
  }
  await flush();
  report.encoding = file.encoding();
  for (const warning of file.warnings())
    if (!report.warnings.includes(warning)) report.warnings.push(warning);
}

function duplicateOf(
  firstLine: { externalId: Map<string, number>; email: Map<string, number> },
  keys: { externalId?: string; email?: string },
  plan: ColumnPlan,
): RowProblem | undefined {
  const column = (field: string) => plan.used.find((use) => use.field === field)?.column ?? "";
  if (keys.externalId !== undefined) {
    const line = firstLine.externalId.get(keys.externalId);
    if (line !== undefined)
      return {
        column: column("externalId"),
        field: "externalId",
        reason: `duplicate of line ${line} (same id ${keys.externalId}); imported once`,
      };
  }
  if (keys.email !== undefined) {
    const line = firstLine.email.get(keys.email);
    if (line !== undefined)
      return {
        column: column("fields.email"),
        field: "fields.email",
        reason: `duplicate of line ${line} (same e-mail ${keys.email}); imported once`,
      };
  }
  return undefined;
}

async function ingestBatch(rows: PendingRow[], context: PassContext): Promise<void> {
  const { report } = context;
  const results: IngestResult[] = await ingestLeads(
    context.engine,
    rows.map((row) => row.lead),
    { actor: context.actor },
  );
  for (const [index, result] of results.entries()) {
    const row = rows[index]!;
    if (result.ok) {
      report.stored = report.stored || result.outcome !== "duplicate";
      report.valid++;
      if (result.outcome === "created") report.created++;
      else if (result.outcome === "updated") report.updated++;
      else {
        report.duplicate++;
        report.duplicates.alreadyImported++;
      }
      continue;
    }
    const problems = result.error.problems?.map((problem) =>
      problemOf(context.plan, problem.field, problem.message),
    ) ?? [{ column: "(row)", field: "", reason: result.error.message }];
    await context.reject({ line: row.line, kind: "bad", problems, values: row.values });
  }
}

/** A problem ingest found on a field, traced back to the column that filled it. */
function problemOf(plan: ColumnPlan, field: string, reason: string): RowProblem {
  const use = plan.used.find((candidate) => candidate.field === field);
  return { column: use?.column ?? "(row)", field, reason };
}
