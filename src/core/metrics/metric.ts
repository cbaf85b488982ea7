import type { PipelineHistory } from "./pipeline-history.js";

/**
 * What a metric is asked and what it answers. Every metric of METRICS.md is a `MetricDefinition`:
 * a pure function of the pipeline history and a query, returning named figures for the whole
 * period and for each group of the breakdown. Every figure carries the ids of the records behind
 * it (drill-down), and every rate its numerator and denominator.
 */

export const dimensions = [
  "source",
  "campaign",
  "segment",
  "team",
  "owner",
  "day",
  "week",
  "month",
  "quarter",
] as const;
export type Dimension = (typeof dimensions)[number];

export const attributionModels = [
  "first-touch",
  "last-touch",
  "linear",
  "u-shaped",
  "w-shaped",
  "full-path",
  "time-decay",
] as const;
export type AttributionModel = (typeof attributionModels)[number];

export interface MetricQuery {
  /** the period, half-open [from, to), epoch ms */
  from: number;
  to: number;
  /** the breakdown; none gives the total only */
  by?: Dimension | undefined;
  /** "within L days" for cohort conversions; undefined = ever */
  withinDays?: number | undefined;
  /** stuck leads: hours in stage without activity (default 48) */
  stuckHours?: number | undefined;
  /** stuck leads: stages (default the funnel's `stuck`) */
  stages?: string[] | undefined;
  /** SLA metrics: only this step */
  step?: string | undefined;
  /** attribution model (default all) */
  model?: AttributionModel | undefined;
  /** time-decay half-life in days (default 7) */
  halfLifeDays?: number | undefined;
  /** pipeline velocity trailing window in days (default 365) */
  trailingDays?: number | undefined;
  /** pipeline coverage: the period's revenue target */
  target?: number | undefined;
  /**
   * the records behind each figure: all their ids (true, the default); none (false: `records`
   * empty); or at most this many (the first ones, as a drill-down would list them). When limited,
   * no longer list is built and `recordCount` gives the number in all — for callers that show
   * counts and a few examples (`baton audit` over a million leads)
   */
  records?: boolean | number | undefined;
}

export const figureUnits = [
  "count",
  "rate",
  "minutes",
  "hours",
  "days",
  "currency",
  "share",
] as const;
export type FigureUnit = (typeof figureUnits)[number];

export interface Figure {
  /** null when undefined (a rate with a zero denominator, a median of nothing) */
  value: number | null;
  unit: FigureUnit;
  numerator?: number;
  denominator?: number;
  /**
   * ids of the records behind the figure (leads, opportunities or `<lead>/<step>#<cycle>`); for a
   * rate, the records of its denominator (the numerator's own list is a count figure beside it)
   */
  records: string[];
  /** how many records are behind the figure, set when the query limited `records` */
  recordCount?: number;
}

export interface MetricGroup {
  /** the folded grouping key ("(none)" for records without a value) */
  key: string;
  /** the most frequent spelling of the key in the data */
  label: string;
  figures: Record<string, Figure>;
}

export interface MetricResult {
  metric: string;
  title: string;
  /** the definition in use, in words (METRICS.md), so every screen can say which one */
  definition: string;
  /** record kind of the drill-down ids */
  records: "leads" | "opportunities" | "cycles";
  from: number;
  to: number;
  by: Dimension | null;
  total: Record<string, Figure>;
  groups: MetricGroup[];
}

export interface MetricDefinition {
  name: string;
  title: string;
  definition: string;
  /** the breakdown the metric answers with when the query names none (deal quality: source) */
  defaultBy?: Dimension;
  /**
   * What part of the history the metric reads (period-view.ts): left out, the whole history (a
   * snapshot such as stuck leads); `since`, only records with a fact dated at or after the
   * instant it gives (the period's start for a metric counting what is dated in the period or a
   * cohort placed in it); `openDeals`, every open opportunity too (open pipeline at the period's
   * end)
   */
  reads?: (query: MetricQuery, history: PipelineHistory) => MetricReach;
  compute(history: PipelineHistory, query: MetricQuery): MetricResult;
}

/** The records a metric reads: those with a fact at or after `since`, and maybe open deals. */
export interface MetricReach {
  since: number;
  openDeals: boolean;
}

/** A metric of what is dated in the period, or of a cohort placed by an instant in it. */
export const readsSinceFrom = (query: MetricQuery): MetricReach => ({
  since: query.from,
  openDeals: false,
});

/**
 * The same and the opportunities open at the period's end (or at the history's instant when that
 * is earlier, so from no later than it).
 */
export const readsSinceFromAndOpenDeals = (
  query: MetricQuery,
  history: PipelineHistory,
): MetricReach => ({ since: Math.min(query.from, history.asOf), openDeals: true });
