import type { Dimension, MetricQuery, MetricResult } from "../metrics/metric.js";
import { computeMetric, findMetric } from "../metrics/metric-registry.js";
import type { PipelineHistory } from "../metrics/pipeline-history.js";
import {
  type AuditReport,
  auditReportVersion,
  type FileUnderstanding,
  isAvailable,
  type MetricEntry,
  summariseResult,
} from "./audit-report.js";
import { assessGaps, exampleCount } from "./gap-assessment.js";

/**
 * The audit of a pipeline history built from exports: every number asked of the metric registry
 * (one implementation of METRICS.md), the red flags decided from those numbers. Pure: the history
 * carries `asOf`; the caller chooses the period.
 */

export interface AuditOptions {
  /** the period audited, half-open, epoch ms */
  from: number;
  to: number;
  files: FileUnderstanding[];
  /** hours without activity after which a New/Working lead is stuck */
  stuckHours: number;
  firstTouchColumn: boolean;
  reasonColumn: boolean;
  /** notes from reading the exports (joins, assumptions) */
  notes: string[];
}

/** Metrics that exports cannot feed, and why; reported as unavailable rather than as zeros. */
export const unavailableFromExports: Readonly<Record<string, string>> = {
  "sla-attainment":
    "CRM exports carry no SLA clock events; SLA attainment needs Baton's own data (run Baton on the live pipeline)",
  "open-at-risk": "CRM exports carry no SLA clock events; at-risk cycles need Baton's own data",
  "time-in-stage": "exports keep each record's current stage, not its stage history",
  "marketing-influenced": "exports carry no marketing touches (form fills, webinars, ad clicks)",
  attribution: "exports carry no marketing touches (form fills, webinars, ad clicks)",
  "pipeline-coverage": "needs the period's revenue target, which an export does not have",
  commitments: "needs an agreement's commitments; audit exports against one with Baton running",
};

const totals = [
  "mqls",
  "acceptance",
  "mql-to-sql",
  "stage-conversion",
  "lead-to-won",
  "rejection-mix",
  "recycle-rate",
  "speed-to-lead",
  "outcome-logging",
  "win-rate",
  "sales-cycle",
  "pipeline-velocity",
  "marketing-sourced",
  "deal-quality",
] as const;

const breakdowns: Record<"bySource" | "byOwner" | "byMonth", [string, Dimension][]> = {
  bySource: [
    ["mqls", "source"],
    ["mql-to-sql", "source"],
    ["deal-quality", "source"],
  ],
  byOwner: [
    ["speed-to-lead", "owner"],
    ["win-rate", "owner"],
    ["sales-cycle", "owner"],
  ],
  byMonth: [
    ["mqls", "month"],
    ["mql-to-sql", "month"],
    ["win-rate", "month"],
  ],
};

export function auditHistory(history: PipelineHistory, options: AuditOptions): AuditReport {
  // The report shows counts, not ids: the metrics the red flags take examples from list the
  // first few ids of each figure (`withIds`), the others none, so no metric builds a million-id
  // list (the counts stay exact in `recordCount`).
  const base: MetricQuery = { from: options.from, to: options.to, records: false };
  const withIds: MetricQuery = { ...base, records: exampleCount };
  const compute = (name: string, query: MetricQuery): MetricResult | null => {
    const outcome = computeMetric(history, name, query);
    return outcome.ok ? outcome.result : null;
  };
  const entry = (name: string, result: MetricResult | null): MetricEntry =>
    result === null
      ? { metric: name, unavailable: "this build of Baton does not compute it yet" }
      : summariseResult(result);

  // The flags need the records behind a few figures (examples); everything else is summarised
  // as soon as it is computed, so only one result's record lists are alive at a time.
  const stuck = compute("stuck-leads", {
    ...withIds,
    by: "owner",
    stuckHours: options.stuckHours,
  });
  const mqlToSql = compute("mql-to-sql", base);
  const rejections = compute("rejection-mix", withIds);
  const recycles = compute("recycle-rate", withIds);
  const speed = compute("speed-to-lead", withIds);
  const sourced = compute("marketing-sourced", withIds);
  const flags = assessGaps({
    history,
    stuckHours: options.stuckHours,
    stuck,
    mqlToSql,
    rejections,
    recycles,
    speed,
    sourced,
    firstTouchColumn: options.firstTouchColumn,
    reasonColumn: options.reasonColumn,
  });
  const known: Record<string, MetricResult | null> = {
    "mql-to-sql": mqlToSql,
    "rejection-mix": rejections,
    "recycle-rate": recycles,
    "speed-to-lead": speed,
    "marketing-sourced": sourced,
  };

  // A breakdown's total is the metric's total (breakDown computes it over all items whatever the
  // dimension), so a metric with a breakdown is not computed a second time for its total; a
  // metric answered broken down by default (its `defaultBy`) keeps that breakdown.
  const report: AuditReport["breakdowns"] = { bySource: {}, byOwner: {}, byMonth: {} };
  const totalOf = new Map<string, MetricEntry>();
  const asTotal = (summary: MetricEntry): MetricEntry =>
    isAvailable(summary) ? { ...summary, by: null, groups: [] } : summary;
  for (const [group, list] of Object.entries(breakdowns) as [
    keyof typeof report,
    [string, Dimension][],
  ][])
    for (const [name, by] of list) {
      const summary = entry(name, compute(name, { ...base, by }));
      report[group][name] = summary;
      if (!totalOf.has(name))
        totalOf.set(name, findMetric(name)?.defaultBy === by ? summary : asTotal(summary));
    }

  const metrics: Record<string, MetricEntry> = {};
  for (const name of totals) {
    const computed = known[name];
    metrics[name] =
      computed !== undefined
        ? entry(name, computed)
        : (totalOf.get(name) ?? entry(name, compute(name, base)));
  }
  const stuckEntry = entry("stuck-leads", stuck);
  metrics["stuck-leads"] = asTotal(stuckEntry);
  for (const [name, reason] of Object.entries(unavailableFromExports))
    metrics[name] = { metric: name, unavailable: reason };
  report.byOwner["stuck-leads"] = stuckEntry;

  return {
    version: auditReportVersion,
    asOf: new Date(history.asOf).toISOString(),
    period: { from: new Date(options.from).toISOString(), to: new Date(options.to).toISOString() },
    timezone: history.timezone,
    files: options.files,
    counts: {
      leads: history.leads.length,
      opportunities: history.opportunities.length,
      joined: history.opportunities.filter((opportunity) => opportunity.leadId !== null).length,
    },
    notes: options.notes,
    flags,
    metrics,
    breakdowns: report,
    funnel: funnelOf(history, metrics["stage-conversion"]),
  };
}

/**
 * Leads that entered each stage of the funnel in the period: the cohort sizes of stage conversion
 * (the denominator of `<stage>><next>:cohort`), the last stage from its predecessor's numerator.
 */
function funnelOf(
  history: PipelineHistory,
  conversion: MetricEntry | undefined,
): AuditReport["funnel"] {
  if (!isAvailable(conversion)) return [];
  const order = history.stageOrder;
  const funnel: AuditReport["funnel"] = [];
  for (const [index, stage] of order.entries()) {
    const next = order[index + 1];
    const previous = order[index - 1];
    const entered =
      next !== undefined
        ? conversion.total[`${stage}>${next}:cohort`]?.denominator
        : previous === undefined
          ? undefined
          : conversion.total[`${previous}>${stage}:cohort`]?.numerator;
    if (entered !== undefined) funnel.push({ stage, entered });
  }
  return funnel;
}
