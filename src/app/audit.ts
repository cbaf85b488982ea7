import type { AuditMapping } from "../connectors/crm-export/audit-mapping.js";
import { ExportDates } from "../connectors/crm-export/export-dates.js";
import {
  type ColumnPlan,
  detectFormat,
  type ExportFormat,
  planColumns,
} from "../connectors/crm-export/export-formats.js";
import {
  auditStages,
  Interner,
  LeadRowReader,
  OpportunityRowReader,
  type RowSkip,
} from "../connectors/crm-export/export-rows.js";
import { RecordIds } from "../connectors/crm-export/record-ids.js";
import { ValueMeanings } from "../connectors/crm-export/status-mapping.js";
import { compileDateFormat, type DateFormat } from "../connectors/csv/csv-mapping.js";
import { type CsvFile, openCsv } from "../connectors/csv/csv-reader.js";
import { auditHistory } from "../core/audit/audit-history.js";
import type { AuditReport, FileUnderstanding } from "../core/audit/audit-report.js";
import type {
  LeadHistory,
  OpportunityHistory,
  PipelineHistory,
} from "../core/metrics/pipeline-history.js";
import { MINUTE } from "../core/metrics/statistics.js";

/**
 * `baton audit`: CRM exports → one pipeline history → the audit (core/audit). Files are streamed
 * row by row; the history is kept compact (repeated strings interned, empty lists shared) so a
 * million-row export fits well under a gigabyte. Leads and opportunities from different files are
 * joined: Salesforce leads to opportunities by ConvertedOpportunityId (or an opportunity's lead id
 * column), HubSpot contacts to deals by the deal's associated contact ids or the contact's
 * associated deal ids.
 */

export interface AuditSource {
  /** the name the report uses (the path as given) */
  name: string;
  open: () => AsyncIterable<Uint8Array>;
  /** bytes, for progress */
  size: number;
}

export interface AuditRequest {
  files: AuditSource[];
  mapping: AuditMapping | null;
  /** the instant the audit is as of; default the latest date in the data */
  asOf?: number;
  /** start of the audited period; default the earliest created date in the data */
  from?: number;
  /** zone of dates without an offset (overrides the mapping's); default UTC */
  timezone?: string;
  /** default 48 */
  stuckHours?: number;
}

export interface AuditProgress {
  file: string;
  rows: number;
  bytes: number;
  /** all files' bytes read so far, and in all */
  totalBytes: number;
  allBytes: number;
}

export type AuditFailure =
  | {
      code: "unrecognised";
      file: string;
      message: string;
      hint: string;
      columns: string[];
    }
  | { code: "unreadable"; file: string; message: string; hint: string }
  | { code: "no_records"; file: string; message: string; hint: string };

export type AuditOutcome =
  | { ok: true; report: AuditReport; history: PipelineHistory }
  | { ok: false; error: AuditFailure };

/** Sources a lead export writes that count as marketing when no mapping file lists them. */
export const defaultMarketingSources = [
  "Web",
  "Website",
  "Webinar",
  "Trade Show",
  "Seminar - Internal",
  "Advertisement",
  "Purchased List",
  "Content",
  "Email",
  "Organic Search",
  "ORGANIC_SEARCH",
  "Paid Search",
  "PAID_SEARCH",
  "Paid Social",
  "PAID_SOCIAL",
  "Social Media",
  "SOCIAL_MEDIA",
  "Email Marketing",
  "EMAIL_MARKETING",
  "Direct Traffic",
  "DIRECT_TRAFFIC",
  "Other Campaigns",
  "OTHER_CAMPAIGNS",
];

/** The speed-to-lead goal: the seeds' "SDR prospecting effort within 4 business hours". */
const speedGoalMinutes = 240;
const keptSkips = 20;

interface OpenedFile {
  source: AuditSource;
  csv: CsvFile;
  plan: ColumnPlan;
  detectedBy: string;
}

const delimiterNames: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab" };

export async function auditExports(
  request: AuditRequest,
  onProgress: (progress: AuditProgress) => void = () => {},
): Promise<AuditOutcome> {
  const mapping = request.mapping;
  const opened: OpenedFile[] = [];
  for (const source of request.files) {
    const result = await openExport(source, mapping);
    if (!result.ok) return result;
    opened.push(result.file);
  }

  const timezone = request.timezone ?? mapping?.timezone ?? "UTC";
  const interner = new Interner();
  const leads: LeadHistory[] = [];
  const opportunities: OpportunityHistory[] = [];
  const leadIds = new RecordIds(leads);
  const opportunityIds = new RecordIds(opportunities);
  const files: FileUnderstanding[] = [];
  const allBytes = request.files.reduce((total, source) => total + source.size, 0);
  let bytesBefore = 0;
  let firstTouchColumn = false;
  let reasonColumn = false;
  let mqlAtCreation = false;

  for (const { source, csv, plan, detectedBy } of opened) {
    const format = plan.format;
    const formats = dateFormatsOf(format, mapping);
    const dates = new ExportDates(formats, timezone);
    const options = {
      plan,
      dates,
      meanings: new ValueMeanings(
        format.id.startsWith("hubspot") ? "hubspot" : "salesforce",
        mapping?.statuses,
        mapping?.stages,
      ),
      interner,
      decimal: (csv.delimiter === ";" ? "," : ".") as "," | ".",
    };
    const leadReader = format.record === "lead" ? new LeadRowReader(options) : null;
    const opportunityReader =
      format.record === "opportunity" ? new OpportunityRowReader(options) : null;
    if (leadReader !== null) {
      firstTouchColumn ||= plan.index.firstTouchAt !== undefined;
      reasonColumn ||= plan.index.reason !== undefined;
      mqlAtCreation ||= leadReader.mqlAtCreation;
    }
    const skipped = new Map<string, number>();
    const skippedRows: RowSkip[] = [];
    let skippedCount = 0;
    const skip = (row: RowSkip, kind: string) => {
      skippedCount++;
      skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
      if (skippedRows.length < keptSkips) skippedRows.push(row);
    };
    let rows = 0;
    let read = 0;
    let stoppedAt: FileUnderstanding["stoppedAt"] = null;
    let nextProgress = 10_000;
    reading: for await (const batch of csv.batches)
      for (const row of batch) {
        if (row.kind === "broken") {
          stoppedAt = { line: row.line, message: row.message, hint: row.hint };
          break reading;
        }
        rows++;
        if (rows === nextProgress) {
          nextProgress += 10_000;
          onProgress({
            file: source.name,
            rows,
            bytes: csv.bytesRead(),
            totalBytes: bytesBefore + csv.bytesRead(),
            allBytes,
          });
        }
        if (leadReader !== null) {
          const result = leadReader.read(row.values, row.line);
          if (!result.ok) {
            skip(result.skip, kindOf(result.skip.reason));
            continue;
          }
          if (!leadIds.add(result.record.id, leads.length)) {
            skip(
              { line: row.line, reason: `the lead id ${result.record.id} appears earlier` },
              "a repeated id",
            );
            continue;
          }
          leads.push(result.record);
        } else if (opportunityReader !== null) {
          const result = opportunityReader.read(row.values, row.line);
          if (!result.ok) {
            skip(result.skip, kindOf(result.skip.reason));
            continue;
          }
          if (!opportunityIds.add(result.record.id, opportunities.length)) {
            skip(
              { line: row.line, reason: `the opportunity id ${result.record.id} appears earlier` },
              "a repeated id",
            );
            continue;
          }
          opportunities.push(result.record);
        }
        read++;
      }
    bytesBefore += source.size;
    onProgress({ file: source.name, rows, bytes: source.size, totalBytes: bytesBefore, allBytes });
    const reader = leadReader ?? opportunityReader!;
    files.push({
      file: source.name,
      format: format.id,
      title: format.title,
      records: format.record,
      detectedBy,
      encoding: csv.encoding(),
      delimiter: delimiterNames[csv.delimiter] ?? csv.delimiter,
      rows,
      read,
      columnsUsed: plan.used.map((use) => ({ column: use.column, field: use.field })),
      columnsIgnored: plan.ignored,
      values: [...reader.tallies.values()].sort(
        (a, b) => a.field.localeCompare(b.field) || b.count - a.count,
      ),
      dateFormats: formats.map((entry) => (entry.kind === "iso" ? "iso" : entry.text)),
      timezone,
      dateFailures: [...reader.dateFailures.values()],
      skipped: {
        count: skippedCount,
        byReason: [...skipped].map(([reason, count]) => ({ reason, count })),
        rows: skippedRows,
      },
      stoppedAt,
      warnings: csv.warnings(),
    });
  }

  const joined = join(leads, opportunities, leadIds, opportunityIds);
  // A million ids: let them go before the metrics run.
  leadIds.clear();
  opportunityIds.clear();
  if (leads.length === 0 && opportunities.length === 0)
    return {
      ok: false,
      error: {
        code: "no_records",
        file: request.files.map((source) => source.name).join(", "),
        message: "no row of the exports could be read",
        hint: "see the skipped rows above; check the date formats (dates: in a mapping file) and the id column",
      },
    };

  const span = dataSpan(leads, opportunities);
  const asOf = request.asOf ?? span.latest;
  const from = request.from ?? span.earliest;
  const history: PipelineHistory = {
    timezone,
    asOf,
    funnel: {
      new: auditStages.new,
      mql: auditStages.mql,
      sal: auditStages.working,
      sql: auditStages.sql,
      opportunity: auditStages.opportunity,
      won: auditStages.won,
      lost: auditStages.lost,
      // A lead the export shows as MQL but not yet worked sits in the CRM's New status.
      stuck: [auditStages.new, auditStages.mql, auditStages.working],
    },
    stageOrder: [
      auditStages.new,
      auditStages.mql,
      auditStages.working,
      auditStages.sql,
      auditStages.opportunity,
      auditStages.won,
    ],
    marketingSources: mapping?.marketingSources ?? defaultMarketingSources,
    // Without a first-touch column there is nothing to hold to the goal (no "0 % within goal").
    speedStep: firstTouchColumn ? { step: "first-touch", goalMinutes: speedGoalMinutes } : null,
    outcomeDays: 5,
    acceptanceDays: 5,
    businessClock: { minutesBetween: (start, end) => (end - start) / MINUTE },
    leads,
    opportunities,
    cycles: [],
  };
  const notes = [
    `as of ${new Date(asOf).toISOString()} (${request.asOf === undefined ? "the latest date in the data" : "--as-of"}); period from ${new Date(from).toISOString()} (${request.from === undefined ? "the earliest created date" : "--from"})`,
    "SLA attainment needs Baton's own data: CRM exports carry no SLA clock events",
    `business minutes are counted 24/7 (an export has no working hours); the speed-to-lead goal is ${speedGoalMinutes / 60} hours (the seeds' SDR first effort)`,
    "a lead's current status is placed at its status-change date when mapped, else at its latest dated stage; its owner is taken as assigned at creation",
    "stuck leads: leads in New, MQL (not yet worked) or Working whose stage began more than the stuck hours ago with no activity since",
    `marketing sources: ${(mapping?.marketingSources ?? defaultMarketingSources).join(", ")}${mapping?.marketingSources ? " (mapping file)" : " (built-in; list yours under marketingSources: in a mapping file)"}`,
  ];
  if (mqlAtCreation)
    notes.push(
      "a lead export with no MQL date column: every lead counts as an MQL at its creation (map an MQL date column as mqlAt to change this)",
    );
  if (opportunities.length > 0)
    notes.push(
      `${joined.joined} of ${opportunities.length} opportunities joined to their lead; ${joined.sourceFromLead} took their source from that lead`,
    );
  const report = auditHistory(history, {
    from,
    to: asOf + 1,
    files,
    stuckHours: request.stuckHours ?? 48,
    firstTouchColumn,
    reasonColumn,
    notes,
  });
  return { ok: true, report, history };
}

async function openExport(
  source: AuditSource,
  mapping: AuditMapping | null,
): Promise<{ ok: true; file: OpenedFile } | { ok: false; error: AuditFailure }> {
  const opened = await openCsv(source.open());
  if (!opened.ok)
    return {
      ok: false,
      error: {
        code: "unreadable",
        file: source.name,
        message: `${source.name}: ${opened.error.message}`,
        hint: opened.error.hint,
      },
    };
  const csv = opened.file;
  const overrides = mapping?.columns ?? new Map();
  const detected = detectFormat(csv.columns);
  if (detected !== undefined) {
    const plan = planColumns(detected.format, csv.columns, overrides);
    const by = `recognised by its columns ${detected.matched.slice(0, 4).join(", ")}${overrides.size > 0 ? `; columns from ${mapping?.file}` : ""}`;
    return { ok: true, file: { source, csv, plan, detectedBy: by } };
  }
  if (mapping !== null && mapping.records !== null) {
    const format: ExportFormat = {
      id: "custom",
      title: `custom ${mapping.records === "leads" ? "lead" : "opportunity"} export (${mapping.name})`,
      record: mapping.records === "leads" ? "lead" : "opportunity",
      columns: {},
      signature: ["id", "createdAt"],
      dates: ["iso"],
    };
    const plan = planColumns(format, csv.columns, overrides);
    const missing = (["id", "createdAt"] as const).filter(
      (field) => plan.index[field] === undefined,
    );
    if (missing.length > 0)
      return {
        ok: false,
        error: {
          code: "unrecognised",
          file: source.name,
          columns: csv.columns,
          message: `${source.name}: the mapping file ${mapping.file} maps no column to ${missing.join(" and ")}; the file's columns are: ${csv.columns.join(", ")}`,
          hint: `under columns: in ${mapping.file}, map the file's id column to id and its created-date column to createdAt`,
        },
      };
    return {
      ok: true,
      file: { source, csv, plan, detectedBy: `described by the mapping file ${mapping.file}` },
    };
  }
  return {
    ok: false,
    error: {
      code: "unrecognised",
      file: source.name,
      columns: csv.columns,
      message: `${source.name} is not an export baton audit recognises; its columns are: ${csv.columns.join(", ")}`,
      hint:
        "export Leads (Id, Created Date, Lead Status) or Opportunities (Id, Stage, Close Date) from Salesforce, or contacts (Record ID, Create Date, Lifecycle Stage) or deals (Record ID, Deal Stage) from HubSpot; " +
        "for any other file, pass --mapping audit.yaml with `records: leads` and `columns:` naming your id, createdAt, status and source columns (see README, baton audit)",
    },
  };
}

function dateFormatsOf(format: ExportFormat, mapping: AuditMapping | null): DateFormat[] {
  if (mapping?.dates) return mapping.dates;
  return format.dates.flatMap((text) => {
    const compiled = compileDateFormat(text);
    return compiled.ok ? [compiled.format] : [];
  });
}

/** Skip reasons grouped by kind for the summary (the kept rows keep the exact wording). */
function kindOf(reason: string): string {
  if (reason.startsWith("the row has")) return "the wrong number of values";
  if (reason.startsWith("no id")) return "no id";
  if (reason.startsWith("no created date")) return "no created date";
  if (reason.startsWith("the created date")) return "an unreadable created date";
  return reason;
}

/**
 * Joins opportunities to their leads, from either side: an opportunity's lead reference that
 * names a lead of the exports, or a lead's converted-opportunity ids. An opportunity without its
 * own source takes its lead's (the originating lead's source, METRICS.md).
 */
function join(
  leads: LeadHistory[],
  opportunities: OpportunityHistory[],
  leadIds: RecordIds,
  opportunityIds: RecordIds,
): { joined: number; sourceFromLead: number } {
  if (opportunities.length === 0) return { joined: 0, sourceFromLead: 0 };
  // the lead's position goes with the opportunity (`leadPosition`): metrics find it without a map
  const link = (position: number, opportunity: OpportunityHistory) => {
    const lead = leads[position]!;
    opportunity.leadId = lead.id;
    opportunity.leadPosition = position;
    if (!lead.opportunityIds.includes(opportunity.id))
      lead.opportunityIds = [...lead.opportunityIds, opportunity.id];
  };
  for (const opportunity of opportunities) {
    const reference = opportunity.leadId;
    opportunity.leadId = null;
    if (reference === null) continue;
    const at = leadIds.positionOf(reference);
    if (at !== undefined) link(at, opportunity);
  }
  for (let position = 0; position < leads.length; position++)
    for (const id of leads[position]!.opportunityIds) {
      const at = opportunityIds.positionOf(id);
      if (at !== undefined && opportunities[at]!.leadId === null)
        link(position, opportunities[at]!);
    }
  let joined = 0;
  let sourceFromLead = 0;
  for (const opportunity of opportunities) {
    if (opportunity.leadId === null) continue;
    joined++;
    if (opportunity.source === null) {
      const lead = leads[opportunity.leadPosition!]!;
      if (lead.source !== null) {
        opportunity.source = lead.source;
        sourceFromLead++;
      }
      opportunity.campaign ??= lead.campaign;
    }
  }
  return { joined, sourceFromLead };
}

/** The earliest created date and the latest date of any kind in the data. */
function dataSpan(
  leads: readonly LeadHistory[],
  opportunities: readonly OpportunityHistory[],
): { earliest: number; latest: number } {
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  const see = (at: number | null) => {
    if (at !== null && at > latest) latest = at;
  };
  for (const lead of leads) {
    if (lead.createdAt < earliest) earliest = lead.createdAt;
    for (const entry of lead.stages) see(entry.at);
    for (const touch of lead.touches) see(touch);
    see(lead.lastActivityAt);
  }
  for (const opportunity of opportunities) {
    if (opportunity.createdAt < earliest) earliest = opportunity.createdAt;
    see(opportunity.createdAt);
    see(opportunity.closedAt);
  }
  return { earliest, latest };
}
