import type { Dimension, Figure, FigureUnit, MetricResult } from "../metrics/metric.js";

/**
 * The Monday-morning audit as data: what was understood of each export, the red flags of the gap
 * assessment with their evidence, and every number as a metric result (METRICS.md, computed by
 * the one metric registry). The terminal summary, `--json` and the HTML report are views of it.
 * `--json` prints it as is; its JSON Schema is schema/audit-report.schema.json. The version
 * changes whenever a field is removed or changes meaning (added fields keep it).
 *
 * Figures here carry the *count* of the records behind them, not their ids: an audit of a million
 * leads would otherwise print megabytes of ids. `examples` list a few ids where the reader needs
 * somewhere to start (stuck leads, dispositions without a reason).
 */
export const auditReportVersion = 1;

export interface FigureSummary {
  value: number | null;
  unit: FigureUnit;
  numerator?: number;
  denominator?: number;
  /** how many records are behind the figure */
  records: number;
}

export interface MetricSummary {
  metric: string;
  title: string;
  definition: string;
  by: Dimension | null;
  total: Record<string, FigureSummary>;
  groups: { key: string; label: string; figures: Record<string, FigureSummary> }[];
}

/** A metric the audit could not compute from exports, and why. */
export interface MetricUnavailable {
  metric: string;
  unavailable: string;
}

export type MetricEntry = MetricSummary | MetricUnavailable;

export function isAvailable(entry: MetricEntry | undefined): entry is MetricSummary {
  return entry !== undefined && !("unavailable" in entry);
}

export const redFlagIds = [
  "stuck-leads",
  "mql-to-sql-below-line",
  "disposition-without-reason",
  "no-first-touch",
  "source-spellings",
  "pipeline-without-source",
] as const;
export type RedFlagId = (typeof redFlagIds)[number];

/** flagged: the gap is there; clear: looked for and not found; unknown: the data cannot tell. */
export type RedFlagStatus = "flagged" | "clear" | "unknown";

export interface RedFlag {
  id: RedFlagId;
  title: string;
  status: RedFlagStatus;
  /** one sentence with the number that decides the status */
  summary: string;
  /** the facts behind the summary, one line each */
  evidence: string[];
  /** a few record ids to start from */
  examples: string[];
  /** what to do about it */
  action: string;
}

export interface ColumnUse {
  column: string;
  field: string;
}

export interface ValueUse {
  field: string;
  column: string;
  value: string;
  meaning: string;
  origin: "mapping file" | "built-in" | "unmapped";
  count: number;
}

export interface SkippedRows {
  count: number;
  byReason: { reason: string; count: number }[];
  /** the first skipped rows with their physical line */
  rows: { line: number; reason: string }[];
}

/** What the audit understood of one export file. */
export interface FileUnderstanding {
  file: string;
  format: string;
  title: string;
  records: "lead" | "opportunity";
  /** how the format was chosen: its recognised headers, or the mapping file */
  detectedBy: string;
  encoding: string;
  delimiter: string;
  rows: number;
  read: number;
  columnsUsed: ColumnUse[];
  columnsIgnored: string[];
  values: ValueUse[];
  dateFormats: string[];
  timezone: string;
  dateFailures: { column: string; count: number; example: string; line: number }[];
  skipped: SkippedRows;
  /** the file could not be read past this line */
  stoppedAt: { line: number; message: string; hint: string } | null;
  warnings: string[];
}

export interface AuditReport {
  version: typeof auditReportVersion;
  /** the instant the audit is as of (ISO 8601, UTC) */
  asOf: string;
  /** the period audited, half-open [from, to) (ISO 8601, UTC) */
  period: { from: string; to: string };
  timezone: string;
  files: FileUnderstanding[];
  counts: {
    leads: number;
    opportunities: number;
    /** opportunities joined to the lead they came from */
    joined: number;
  };
  /** what the reader must know about how the numbers were made */
  notes: string[];
  flags: RedFlag[];
  /** whole-period totals, by metric name */
  metrics: Record<string, MetricEntry>;
  /** the breakdowns the report's charts and tables show */
  breakdowns: {
    bySource: Record<string, MetricEntry>;
    byOwner: Record<string, MetricEntry>;
    byMonth: Record<string, MetricEntry>;
  };
  /** leads that ever entered each funnel stage in the period (stage-conversion cohorts) */
  funnel: { stage: string; entered: number }[];
}

export function summariseFigure(figure: Figure): FigureSummary {
  return {
    value: figure.value,
    unit: figure.unit,
    ...(figure.numerator === undefined ? {} : { numerator: figure.numerator }),
    ...(figure.denominator === undefined ? {} : { denominator: figure.denominator }),
    records: figure.recordCount ?? figure.records.length,
  };
}

function summariseFigures(figures: Record<string, Figure>): Record<string, FigureSummary> {
  const summary: Record<string, FigureSummary> = {};
  for (const [name, figure] of Object.entries(figures)) summary[name] = summariseFigure(figure);
  return summary;
}

export function summariseResult(result: MetricResult): MetricSummary {
  return {
    metric: result.metric,
    title: result.title,
    definition: result.definition,
    by: result.by,
    total: summariseFigures(result.total),
    groups: result.groups.map((group) => ({
      key: group.key,
      label: group.label,
      figures: summariseFigures(group.figures),
    })),
  };
}
