import type { FigureUnit } from "../metrics/metric.js";
import type { ActionItem, Decision } from "./action-item.js";
import type { ReviewCadence } from "./review-period.js";

/**
 * The review pack as data: one plain JSON value per review and period, with its figures frozen at
 * generation. The Markdown, HTML and PDF are views of it (src/app/review/render-*.ts). `version`
 * changes whenever a field is removed or changes meaning (added fields keep it).
 *
 * Terms
 * - figure: a metric's figure (METRICS.md) as the pack keeps it — value, numerator and
 *   denominator for rates, the exact number of records behind it and the first few of their ids
 *   (a pack stays small; the dashboard opens the full list).
 * - comparison: a figure for the period and for the previous period, and the change (current −
 *   previous; for rates a change in points, as a fraction: 0.05 = 5 points).
 * - discussion point: something in the data the review should talk about, found by a rule
 *   (discussion-points.ts), with the figures that prove it.
 */
export const reviewPackVersion = 1;

export interface PackFigure {
  /** null when undefined (a rate with a zero denominator, a median of nothing) */
  value: number | null;
  unit: FigureUnit;
  numerator: number | null;
  denominator: number | null;
  /** how many records are behind the figure, exactly */
  recordCount: number;
  /** the first ids of those records (at most `evidenceRecordLimit`) */
  records: string[];
}

export interface PackPeriod {
  from: number;
  to: number;
  label: string;
}

export interface Comparison {
  current: PackFigure;
  previous: PackFigure;
  /** current − previous; null when either is undefined */
  change: number | null;
}

export const headlineIds = [
  "mqls",
  "acceptance",
  "mql-to-sql",
  "speed-to-lead-p50",
  "speed-to-lead-p90",
  "sla-attainment",
  "win-rate",
  "marketing-sourced-pipeline",
  "marketing-sourced-revenue",
  "marketing-influenced-pipeline",
  "marketing-influenced-revenue",
  "pipeline-velocity",
] as const;
export type HeadlineId = (typeof headlineIds)[number];

export type CommitmentStatus = "met" | "missed" | "no-data" | "in-progress";

export interface Headline extends Comparison {
  id: HeadlineId;
  label: string;
  /** where the number comes from: a metric of the registry and one of its figures */
  metric: string;
  figure: string;
  /** which direction is good news */
  better: "higher" | "lower";
  /** commitments measured on the same thing, with their status this period */
  commitments: {
    side: "marketing" | "sales";
    id: string;
    label: string;
    status: CommitmentStatus;
  }[];
}

export interface CommitmentPeriodResult {
  /** the commitment's own period (2026-W45, 2026-11) */
  key: string;
  from: number;
  to: number;
  actual: PackFigure;
  status: CommitmentStatus;
  /** under the commitment's warning line; null without one or without an actual */
  warning: boolean | null;
}

/**
 * One commitment over the review period: its own periods (weeks, months, quarters) that overlap
 * the review period, and the same for the previous review period. `status` sums them up: missed
 * when any was missed, else in progress when any is still running, else met when any was met,
 * else no data.
 */
export interface CommitmentRow {
  side: "marketing" | "sales";
  id: string;
  label: string;
  metric: string;
  per: string;
  unit: FigureUnit;
  min: number | null;
  max: number | null;
  warnBelow: number | null;
  status: CommitmentStatus;
  previousStatus: CommitmentStatus;
  periods: CommitmentPeriodResult[];
  previousPeriods: CommitmentPeriodResult[];
}

export interface OwnerBreaches {
  owner: string;
  label: string;
  /** breached SLA cycles settled in the period (records: `<lead>/<step>#<cycle>`) */
  breached: PackFigure;
  /** the leads of the listed cycles, once each */
  leadIds: string[];
  steps: { step: string; name: string; breached: number }[];
}

export interface StepAttainment {
  step: string;
  name: string;
  attainment: PackFigure;
  breached: number;
}

export interface SlaSection {
  attainment: Comparison;
  breached: PackFigure;
  steps: StepAttainment[];
  /** owners with at least one breach, most first */
  byOwner: OwnerBreaches[];
}

export interface StuckSection {
  /** a snapshot as of the history's as-of instant, not of the period end */
  asOf: number;
  stuckHours: number;
  total: PackFigure;
  ageP50Hours: PackFigure;
  /** the previous pack's total, when the caller passed the previous pack */
  previousTotal: number | null;
  byOwner: { owner: string; label: string; stuck: PackFigure }[];
}

export interface ReasonTrend {
  reason: string;
  label: string;
  count: PackFigure;
  share: PackFigure;
  previousCount: PackFigure;
  previousShare: PackFigure;
  /** share change in points (fraction); null when either share is undefined */
  change: number | null;
}

export interface ReasonsOfGroup {
  key: string;
  label: string;
  rejections: number;
  /** the most frequent reasons, most first */
  top: { reason: string; label: string; count: number; share: number | null }[];
}

export interface RejectionSection {
  rejections: Comparison;
  reasons: ReasonTrend[];
  /** rejections and disqualifications with no reason (a hygiene failure) */
  noReason: PackFigure;
  /** recycles with no reason */
  recycledNoReason: PackFigure;
  bySource: ReasonsOfGroup[];
  byCampaign: ReasonsOfGroup[];
}

export interface SourceQuality {
  key: string;
  label: string;
  /** the agreement classifies it as a marketing source */
  marketing: boolean;
  mqls: PackFigure;
  acceptance: PackFigure;
  mqlToSql: PackFigure;
  previousMqlToSql: PackFigure;
  winRate: PackFigure;
  meanDealSize: PackFigure;
}

export interface SpeedSection {
  p50Minutes: Comparison;
  p90Minutes: Comparison;
  withinGoal: PackFigure;
  goalMinutes: number | null;
  touched: PackFigure;
  untouched: PackFigure;
  bands: { band: "0-5" | "5-15" | "15-60" | "60+"; share: PackFigure; leads: PackFigure }[];
}

export interface MarketingSection {
  sourcedPipeline: Comparison;
  sourcedRevenue: Comparison;
  sourcedOpenPipeline: Comparison;
  sourcedShare: Comparison;
  influencedPipeline: Comparison;
  influencedRevenue: Comparison;
  influencedShare: Comparison;
  velocity: Comparison;
  winRate: Comparison;
}

export interface PackActionItem {
  item: ActionItem;
  overdue: boolean;
  /** created in the previous review's pack */
  fromLastReview: boolean;
}

export const discussionRules = [
  "commitment-missed-twice",
  "mql-to-sql-below-line",
  "sla-breaches-concentrated",
  "rejection-reason-rising",
  "stuck-leads-rising",
  "dispositions-without-reason",
  "overdue-action-items",
] as const;
export type DiscussionRule = (typeof discussionRules)[number];

export type Severity = "high" | "medium" | "low";

export interface Evidence {
  /** what the figure is, in words ("MQL→SQL from paid_search, 2026-W45") */
  label: string;
  /** the metric and figure it comes from; null for facts that are not metrics (action items) */
  metric: string | null;
  figure: string | null;
  value: number | null;
  unit: FigureUnit;
  numerator: number | null;
  denominator: number | null;
  recordCount: number;
  /** the first record ids (leads, opportunities, cycles or action items) */
  records: string[];
}

export interface DiscussionPoint {
  /** stable across regenerations: `<rule>:<subject>` */
  id: string;
  rule: DiscussionRule;
  severity: Severity;
  /** one sentence with the numbers that decide it */
  text: string;
  evidence: Evidence[];
}

export interface ReviewPack {
  version: typeof reviewPackVersion;
  title: string;
  agreementName: string;
  review: { id: string; name: string; every: ReviewCadence } | null;
  period: PackPeriod;
  previousPeriod: PackPeriod;
  /** when the pack was generated (epoch ms) */
  generatedAt: number;
  /** the instant the history is as of */
  asOf: number;
  timezone: string;
  /** generatedAt's date in the workspace zone, the day overdue is judged on */
  today: string;
  headlines: Headline[];
  discussionPoints: DiscussionPoint[];
  commitments: { marketing: CommitmentRow[]; sales: CommitmentRow[] };
  sla: SlaSection;
  stuck: StuckSection;
  rejections: RejectionSection;
  sources: SourceQuality[];
  speed: SpeedSection;
  marketing: MarketingSection;
  actionItems: PackActionItem[];
  decisions: Decision[];
}
