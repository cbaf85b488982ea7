import { foldKey } from "../metrics/grouping.js";
import type { Figure, MetricQuery, MetricResult } from "../metrics/metric.js";
import type { MetricOutcome } from "../metrics/metric-registry.js";
import type { PipelineHistory } from "../metrics/pipeline-history.js";
import { DAY } from "../metrics/statistics.js";
import type { FunnelLever, FunnelRates, MeasuredFigure } from "./reverse-funnel.js";

/**
 * The funnel's rates over the trailing window, read from METRICS.md's metrics through
 * `computeMetric` (never worked out again here), in total and per source or segment:
 * - MQLs a week: `mqls` events ÷ the window's weeks
 * - MQL→SQL: `mql-to-sql` rate (cohort of the window's MQLs)
 * - SQL→opportunity: `stage-conversion` `<sql>><opportunity>:cohort`
 * - win rate: `deal-quality` win-rate (decided: won ÷ closed in the window)
 * - deal size: `deal-quality` mean-won-amount (won in the window)
 */

export const planBreakdowns = ["source", "segment"] as const;
export type PlanBreakdown = (typeof planBreakdowns)[number];

/** computeMetric over the history, or a cache of it (app/metrics.ts computeOnSnapshot). */
export type ComputeMetric = (name: string, query: MetricQuery) => MetricOutcome;

export interface TrailingWindow {
  /** [from, to): the window's end is the history's as-of */
  from: number;
  to: number;
  /** the history began after the asked start: the window starts with it (see trailingWindow) */
  clippedToHistory: boolean;
}

export interface GroupRates {
  key: string;
  label: string;
  rates: FunnelRates;
}

export interface MeasuredRates {
  window: TrailingWindow;
  total: FunnelRates;
  /** per group of the breakdown asked, in order of MQL events (most first) */
  groups: GroupRates[];
}

/** A window is never clipped below this many days: a day's MQLs are no weekly run rate. */
export const shortestClippedDays = 7;

/**
 * The trailing window of `days` ending at `asOf`. When the history began inside it (Baton's own
 * ledger starts on the day it is installed) the window starts with the history, so the MQLs a
 * week are not diluted by weeks nobody recorded; but it keeps at least `shortestClippedDays`
 * (or `days`, when fewer were asked).
 */
export function trailingWindow(
  asOf: number,
  days: number,
  historyStart: number | null,
): TrailingWindow {
  const asked = asOf - days * DAY;
  const latestStart = asOf - Math.min(days, shortestClippedDays) * DAY;
  if (historyStart === null || historyStart <= asked)
    return { from: asked, to: asOf, clippedToHistory: false };
  return { from: Math.min(historyStart, latestStart), to: asOf, clippedToHistory: true };
}

/** The first instant the history holds: its earliest lead or opportunity; null when empty. */
export function historyStart(history: PipelineHistory): number | null {
  let earliest: number | null = null;
  for (const lead of history.leads)
    if (earliest === null || lead.createdAt < earliest) earliest = lead.createdAt;
  for (const opportunity of history.opportunities)
    if (earliest === null || opportunity.createdAt < earliest) earliest = opportunity.createdAt;
  return earliest;
}

function measured(figure: Figure | undefined, metric: string, name: string): MeasuredFigure {
  return {
    value: figure?.value ?? null,
    numerator: figure?.numerator,
    denominator: figure?.denominator,
    metric,
    figure: name,
  };
}

/** The funnel's stage ids as the stage-conversion figure names them. */
export interface FunnelStageIds {
  sql: string;
  opportunity: string;
}

/**
 * Measures the rates over `window`, broken down by `by` when given. Throws only on an unknown
 * metric name, which would be a bug here.
 */
export function measureFunnelRates(
  compute: ComputeMetric,
  window: TrailingWindow,
  stages: FunnelStageIds,
  by?: PlanBreakdown,
): MeasuredRates {
  const query: MetricQuery = { from: window.from, to: window.to, records: false, by };
  const run = (name: string): MetricResult => {
    const outcome = compute(name, query);
    if (!outcome.ok) throw new Error(outcome.error.message);
    return outcome.result;
  };
  const mqls = run("mqls");
  const mqlToSql = run("mql-to-sql");
  const stageConversion = run("stage-conversion");
  // deal quality groups by source when no breakdown is asked; its total is the same either way
  const dealQuality = run("deal-quality");
  const trailingWeeks = (window.to - window.from) / (7 * DAY);
  const conversionFigure = `${stages.sql}>${stages.opportunity}:cohort`;

  const ratesOf = (figures: {
    mqls: Record<string, Figure> | undefined;
    mqlToSql: Record<string, Figure> | undefined;
    stageConversion: Record<string, Figure> | undefined;
    dealQuality: Record<string, Figure> | undefined;
  }): FunnelRates => {
    const levers: Record<FunnelLever, MeasuredFigure> = {
      "mql-to-sql": measured(figures.mqlToSql?.rate, "mql-to-sql", "rate"),
      "sql-to-opportunity": measured(
        figures.stageConversion?.[conversionFigure],
        "stage-conversion",
        conversionFigure,
      ),
      "win-rate": measured(figures.dealQuality?.["win-rate"], "deal-quality", "win-rate"),
      "deal-size": measured(
        figures.dealQuality?.["mean-won-amount"],
        "deal-quality",
        "mean-won-amount",
      ),
    };
    return { levers, mqlEvents: figures.mqls?.events?.value ?? 0, trailingWeeks };
  };

  const total = ratesOf({
    mqls: mqls.total,
    mqlToSql: mqlToSql.total,
    stageConversion: stageConversion.total,
    dealQuality: dealQuality.total,
  });
  if (by === undefined) return { window, total, groups: [] };

  // Every group any of the metrics has, by folded key, with the MQLs' spelling first.
  const labels = new Map<string, string>();
  for (const result of [mqls, mqlToSql, stageConversion, dealQuality])
    for (const group of result.groups)
      if (!labels.has(foldKey(group.key))) labels.set(foldKey(group.key), group.label);
  const figuresIn = (result: MetricResult, key: string) =>
    result.groups.find((group) => foldKey(group.key) === key)?.figures;
  const groups = [...labels].map(([key, label]) => ({
    key,
    label,
    rates: ratesOf({
      mqls: figuresIn(mqls, key),
      mqlToSql: figuresIn(mqlToSql, key),
      stageConversion: figuresIn(stageConversion, key),
      dealQuality: figuresIn(dealQuality, key),
    }),
  }));
  groups.sort((a, b) => b.rates.mqlEvents - a.rates.mqlEvents || a.key.localeCompare(b.key));
  return { window, total, groups };
}
