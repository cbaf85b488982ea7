import type { Agreement } from "../agreement/agreement-schema.js";
import { commitmentPeriods, commitmentsFromAgreement } from "../metrics/commitments.js";
import { foldKey } from "../metrics/grouping.js";
import type { Figure, FigureUnit, MetricQuery, MetricResult } from "../metrics/metric.js";
import { computeMetric } from "../metrics/metric-registry.js";
import type { CommitmentTarget, PipelineHistory } from "../metrics/pipeline-history.js";
import { DAY } from "../metrics/statistics.js";
import { type ActionItem, type Decision, isOverdue } from "./action-item.js";
import { findDiscussionPoints, type StepConcentration } from "./discussion-points.js";
import {
  type CommitmentPeriodResult,
  type CommitmentRow,
  type CommitmentStatus,
  type Comparison,
  type Headline,
  type HeadlineId,
  type MarketingSection,
  type OwnerBreaches,
  type PackFigure,
  type PackPeriod,
  type ReasonsOfGroup,
  type ReasonTrend,
  type RejectionSection,
  type ReviewPack,
  reviewPackVersion,
  type SlaSection,
  type SourceQuality,
  type SpeedSection,
  type StuckSection,
} from "./review-pack-types.js";
import { localDate, type ReviewCadence } from "./review-period.js";

export * from "./review-pack-types.js";

/**
 * `buildReviewPack`: the joint review's pack for one period (PRODUCT.md part 5) — headline
 * numbers against the previous period and both sides' commitments, SLA breaches by owner, stuck
 * leads, rejection trends, source quality, speed to lead, marketing's pipeline, the action items
 * and decisions of the last review, and the discussion points the data raises. Pure: the history,
 * the agreement, the periods, the action items and `now` come in.
 *
 * Every number is a figure of `computeMetric` (the registry the API's /api/metrics answers from),
 * asked with the same period; nothing here recomputes a metric. Figures keep their exact record
 * counts and the first `evidenceRecordLimit` ids.
 */

/**
 * Record ids a figure keeps. A pack is stored, mailed and printed: a few ids are where a reader
 * starts (the dashboard opens the full list); the counts stay exact.
 */
export const evidenceRecordLimit = 20;
/** Reasons shown per source or campaign: the few that explain most rejections. */
export const topReasonCount = 3;
/** Sources and campaigns listed in the rejection breakdown, most rejections first. */
export const rejectionGroupLimit = 10;
/** Stuck leads: the stuck-leads metric's default, the seeds' "more than 48 hours". */
export const stuckHours = 48;

/** The parts of the active agreement a pack reads. */
export type ReviewAgreement = Pick<Agreement, "name" | "commitments" | "sla"> &
  Partial<Pick<Agreement, "people" | "teams" | "reasons" | "sources">>;

export interface ReviewPackInput {
  history: PipelineHistory;
  agreement: ReviewAgreement;
  review: { id: string; name: string; every: ReviewCadence } | null;
  period: { from: number; to: number; label?: string | undefined };
  previousPeriod: { from: number; to: number; label?: string | undefined };
  /** epoch ms: when the pack is generated (overdue is judged on its date in the zone) */
  now: number;
  /** the workspace zone; the history's when not given */
  timezone?: string | undefined;
  /** open items and the previous pack's items, as the caller chooses */
  actionItems: readonly ActionItem[];
  /** decisions of the previous pack */
  decisions: readonly Decision[];
  /** the previous pack's id: its items are "from the last review" */
  previousPackId?: string | null | undefined;
  /** the previous pack, for snapshot figures that cannot be recomputed for a past instant (stuck) */
  previousPack?: Pick<ReviewPack, "stuck"> | null | undefined;
}

const empty = (unit: FigureUnit): PackFigure => ({
  value: null,
  unit,
  numerator: null,
  denominator: null,
  recordCount: 0,
  records: [],
});

/** A metric figure as the pack keeps it. */
export function packFigure(figure: Figure | undefined, unit: FigureUnit = "count"): PackFigure {
  if (figure === undefined) return empty(unit);
  return {
    value: figure.value,
    unit: figure.unit,
    numerator: figure.numerator ?? null,
    denominator: figure.denominator ?? null,
    recordCount: figure.recordCount ?? figure.records.length,
    records: figure.records.slice(0, evidenceRecordLimit),
  };
}

export function compare(current: PackFigure, previous: PackFigure): Comparison {
  return {
    current,
    previous,
    change:
      current.value === null || previous.value === null ? null : current.value - previous.value,
  };
}

/** The lead id of an SLA cycle's drill-down id `<lead>/<step>#<cycle>` (step ids have no '/'). */
export function leadOfCycle(cycleId: string): string {
  const slash = cycleId.lastIndexOf("/");
  return slash < 0 ? cycleId : cycleId.slice(0, slash);
}

/** Metric results by name and query, each computed once for the pack. */
class Measurements {
  private readonly results = new Map<string, MetricResult>();
  constructor(private readonly history: PipelineHistory) {}

  get(metric: string, query: Omit<MetricQuery, "records">): MetricResult {
    const key = `${metric} ${JSON.stringify(query)}`;
    const known = this.results.get(key);
    if (known !== undefined) return known;
    const outcome = computeMetric(this.history, metric, {
      ...query,
      records: evidenceRecordLimit,
    });
    // The names are this file's constants: an unknown one is a bug, not an input error.
    if (!outcome.ok) throw new Error(`review pack: ${outcome.error.message}`);
    this.results.set(key, outcome.result);
    return outcome.result;
  }
}

interface HeadlineSpec {
  id: HeadlineId;
  label: string;
  metric: string;
  figure: string;
  unit: FigureUnit;
  better: "higher" | "lower";
  /** commitment metrics (agreement) measuring the same thing */
  commitmentMetrics: string[];
}

const headlineSpecs: readonly HeadlineSpec[] = [
  {
    id: "mqls",
    label: "MQLs",
    metric: "mqls",
    figure: "leads",
    unit: "count",
    better: "higher",
    commitmentMetrics: ["mql_count"],
  },
  {
    id: "acceptance",
    label: "MQL→SAL acceptance",
    metric: "acceptance",
    figure: "decided",
    unit: "rate",
    better: "higher",
    commitmentMetrics: ["mql_to_sal_rate"],
  },
  {
    id: "mql-to-sql",
    label: "MQL→SQL conversion",
    metric: "mql-to-sql",
    figure: "rate",
    unit: "rate",
    better: "higher",
    commitmentMetrics: ["mql_to_sql_rate"],
  },
  {
    id: "speed-to-lead-p50",
    label: "Speed to lead P50",
    metric: "speed-to-lead",
    figure: "p50-minutes",
    unit: "minutes",
    better: "lower",
    commitmentMetrics: ["touched_within_sla_rate"],
  },
  {
    id: "speed-to-lead-p90",
    label: "Speed to lead P90",
    metric: "speed-to-lead",
    figure: "p90-minutes",
    unit: "minutes",
    better: "lower",
    commitmentMetrics: [],
  },
  {
    id: "sla-attainment",
    label: "SLA attainment",
    metric: "sla-attainment",
    figure: "attainment",
    unit: "rate",
    better: "higher",
    commitmentMetrics: ["sla_attainment"],
  },
  {
    id: "win-rate",
    label: "Win rate (decided)",
    metric: "win-rate",
    figure: "decided",
    unit: "rate",
    better: "higher",
    commitmentMetrics: [],
  },
  {
    id: "marketing-sourced-pipeline",
    label: "Marketing-sourced pipeline",
    metric: "marketing-sourced",
    figure: "pipeline",
    unit: "currency",
    better: "higher",
    commitmentMetrics: [],
  },
  {
    id: "marketing-sourced-revenue",
    label: "Marketing-sourced revenue",
    metric: "marketing-sourced",
    figure: "revenue",
    unit: "currency",
    better: "higher",
    commitmentMetrics: [],
  },
  {
    id: "marketing-influenced-pipeline",
    label: "Marketing-influenced pipeline",
    metric: "marketing-influenced",
    figure: "pipeline",
    unit: "currency",
    better: "higher",
    commitmentMetrics: [],
  },
  {
    id: "marketing-influenced-revenue",
    label: "Marketing-influenced revenue",
    metric: "marketing-influenced",
    figure: "revenue",
    unit: "currency",
    better: "higher",
    commitmentMetrics: [],
  },
  {
    id: "pipeline-velocity",
    label: "Pipeline velocity (per day)",
    metric: "pipeline-velocity",
    figure: "velocity",
    unit: "currency",
    better: "higher",
    commitmentMetrics: [],
  },
];

function periodOf(
  period: { from: number; to: number; label?: string | undefined },
  timezone: string,
): PackPeriod {
  return {
    from: period.from,
    to: period.to,
    label: period.label ?? `${localDate(period.from, timezone)}..${localDate(period.to, timezone)}`,
  };
}

export function buildReviewPack(input: ReviewPackInput): ReviewPack {
  const timezone = input.timezone ?? input.history.timezone;
  // The commitments measured are the active agreement's; a history folded without them gets them.
  const targets = input.history.commitments ?? commitmentsFromAgreement(input.agreement);
  const history: PipelineHistory =
    input.history.commitments === undefined
      ? { ...input.history, commitments: targets }
      : input.history;
  const measure = new Measurements(history);
  const period = periodOf(input.period, timezone);
  const previousPeriod = periodOf(input.previousPeriod, timezone);
  const now = { from: period.from, to: period.to };
  const before = { from: previousPeriod.from, to: previousPeriod.to };
  const names = labelsOf(input.agreement);

  const commitments = commitmentRows(measure, targets, now, before, timezone, history.asOf);
  const allRows = [...commitments.marketing, ...commitments.sales];
  const headlines: Headline[] = headlineSpecs.map((spec) => ({
    id: spec.id,
    label: spec.label,
    metric: spec.metric,
    figure: spec.figure,
    better: spec.better,
    ...compare(
      packFigure(measure.get(spec.metric, now).total[spec.figure], spec.unit),
      packFigure(measure.get(spec.metric, before).total[spec.figure], spec.unit),
    ),
    commitments: allRows
      .filter((row) => spec.commitmentMetrics.includes(row.metric))
      .map((row) => ({ side: row.side, id: row.id, label: row.label, status: row.status })),
  }));

  const { section: sla, concentrations } = slaSection(measure, now, before, names);
  const stuck = stuckSection(measure, now, history.asOf, input.previousPack ?? null, names);
  const rejections = rejectionSection(measure, now, before, names);
  const sources = sourceQuality(measure, now, before, input.agreement, history);
  const speed = speedSection(measure, now, before, history);
  const marketing = marketingSection(measure, now, before);

  const today = localDate(input.now, timezone);
  const previousPackId = input.previousPackId ?? null;
  const actionItems = [...input.actionItems]
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id.localeCompare(b.id))
    .map((item) => ({
      item,
      overdue: isOverdue(item, today),
      fromLastReview: previousPackId !== null && item.reviewPackId === previousPackId,
    }));
  const decisions = [...input.decisions].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));

  const pack: Omit<ReviewPack, "discussionPoints"> = {
    version: reviewPackVersion,
    title: input.review?.name ?? `${input.agreement.name}: review`,
    agreementName: input.agreement.name,
    review: input.review,
    period,
    previousPeriod,
    generatedAt: input.now,
    asOf: history.asOf,
    timezone,
    today,
    headlines,
    commitments,
    sla,
    stuck,
    rejections,
    sources,
    speed,
    marketing,
    actionItems,
    decisions,
  };
  const warnLine = targets.find(
    (target) => target.metric === "mql_to_sql_rate" && target.warnBelow !== undefined,
  )?.warnBelow;
  return {
    ...pack,
    discussionPoints: findDiscussionPoints(pack, {
      concentrations,
      mqlToSqlWarnLine: warnLine ?? null,
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Labels

interface Labels {
  owner(key: string, spelling: string): string;
  team(key: string, spelling: string): string;
  step(step: string): string;
  reason(reason: string): string;
}

function labelsOf(agreement: ReviewAgreement): Labels {
  const people = new Map(
    Object.entries(agreement.people ?? {}).map(([id, person]) => [foldKey(id), person.name]),
  );
  const teams = new Map(
    Object.entries(agreement.teams ?? {}).map(([id, team]) => [foldKey(id), team.label]),
  );
  const steps = new Map(agreement.sla.steps.map((step) => [step.id, step.name]));
  const reasons = new Map<string, string>();
  for (const list of Object.values(agreement.reasons ?? {}))
    for (const reason of list) if (!reasons.has(reason.id)) reasons.set(reason.id, reason.label);
  return {
    owner: (key, spelling) => people.get(key) ?? spelling,
    team: (key, spelling) => teams.get(key) ?? spelling,
    step: (step) => steps.get(step) ?? step,
    reason: (reason) => reasons.get(reason) ?? reason,
  };
}

// ---------------------------------------------------------------------------------------------
// Commitments

type Range = { from: number; to: number };

/** Longer than any commitment period (a quarter is at most 92 days). */
const LONGEST_PERIOD = 93 * DAY;

function summarise(periods: readonly CommitmentPeriodResult[]): CommitmentStatus {
  if (periods.some((entry) => entry.status === "missed")) return "missed";
  if (periods.some((entry) => entry.status === "in-progress")) return "in-progress";
  if (periods.some((entry) => entry.status === "met")) return "met";
  return "no-data";
}

/**
 * The commitments metric over a window starting at the earliest commitment period that can
 * overlap the range (its week, month or quarter start), so a monthly commitment shows in a weekly
 * review: the commitment's periods that overlap the review period are kept.
 */
function commitmentResults(
  measure: Measurements,
  targets: readonly CommitmentTarget[],
  range: Range,
  timezone: string,
  asOf: number,
): Map<string, CommitmentPeriodResult[]> {
  const byTarget = new Map<string, CommitmentPeriodResult[]>();
  if (targets.length === 0) return byTarget;
  let windowFrom = range.from;
  for (const target of targets) {
    const first = commitmentPeriods(target.per, range.from - LONGEST_PERIOD, range.to, timezone)
      .filter((entry) => entry.to > range.from)
      .at(0);
    if (first !== undefined) windowFrom = Math.min(windowFrom, first.from);
  }
  const result = measure.get("commitments", { from: windowFrom, to: range.to });
  const groups = new Map(result.groups.map((group) => [group.key, group]));
  for (const target of targets) {
    const periods: CommitmentPeriodResult[] = [];
    for (const entry of commitmentPeriods(target.per, windowFrom, range.to, timezone)) {
      if (entry.to <= range.from || entry.from >= range.to) continue;
      const group = groups.get(`${target.side}:${target.id}:${entry.key}`);
      // The metric lists no period starting at or after the history's as-of instant.
      if (group === undefined) {
        if (entry.from >= asOf) continue;
        periods.push({
          key: entry.key,
          from: entry.from,
          to: entry.to,
          actual: empty(target.metric === "mql_count" ? "count" : "rate"),
          status: "no-data",
          warning: null,
        });
        continue;
      }
      const met = group.figures.met?.value ?? null;
      const status: CommitmentStatus =
        entry.to > asOf ? "in-progress" : met === null ? "no-data" : met === 1 ? "met" : "missed";
      const warning = group.figures.warning;
      periods.push({
        key: entry.key,
        from: entry.from,
        to: entry.to,
        actual: packFigure(group.figures.actual),
        status,
        warning: warning === undefined || warning.value === null ? null : warning.value === 1,
      });
    }
    byTarget.set(`${target.side}:${target.id}`, periods);
  }
  return byTarget;
}

function commitmentRows(
  measure: Measurements,
  targets: readonly CommitmentTarget[],
  now: Range,
  before: Range,
  timezone: string,
  asOf: number,
): { marketing: CommitmentRow[]; sales: CommitmentRow[] } {
  const current = commitmentResults(measure, targets, now, timezone, asOf);
  const previous = commitmentResults(measure, targets, before, timezone, asOf);
  const rows = targets.map((target): CommitmentRow => {
    const periods = current.get(`${target.side}:${target.id}`) ?? [];
    const previousPeriods = previous.get(`${target.side}:${target.id}`) ?? [];
    return {
      side: target.side,
      id: target.id,
      label: target.label,
      metric: target.metric,
      per: target.per,
      unit: target.metric === "mql_count" ? "count" : "rate",
      min: target.min ?? null,
      max: target.max ?? null,
      warnBelow: target.warnBelow ?? null,
      status: summarise(periods),
      previousStatus: summarise(previousPeriods),
      periods,
      previousPeriods,
    };
  });
  return {
    marketing: rows.filter((row) => row.side === "marketing"),
    sales: rows.filter((row) => row.side === "sales"),
  };
}

// ---------------------------------------------------------------------------------------------
// SLA breaches

/** Breached cycles of a step = its attainment's denominator − numerator (met + breached − met). */
function breachedOf(figure: Figure | undefined): number {
  if (figure === undefined) return 0;
  return (figure.denominator ?? 0) - (figure.numerator ?? 0);
}

function slaSection(
  measure: Measurements,
  now: Range,
  before: Range,
  names: Labels,
): { section: SlaSection; concentrations: StepConcentration[] } {
  const total = measure.get("sla-attainment", now);
  const stepIds = Object.keys(total.total)
    .filter((name) => name.startsWith("step:"))
    .map((name) => name.slice("step:".length));
  const steps = stepIds.map((step) => ({
    step,
    name: names.step(step),
    attainment: packFigure(total.total[`step:${step}`], "rate"),
    breached: breachedOf(total.total[`step:${step}`]),
  }));
  const byOwner: OwnerBreaches[] = measure
    .get("sla-attainment", { ...now, by: "owner" })
    .groups.filter((group) => (group.figures.breached?.value ?? 0) > 0)
    .map((group) => {
      const breached = packFigure(group.figures.breached);
      return {
        owner: group.key,
        label: names.owner(group.key, group.label),
        breached,
        leadIds: [...new Set(breached.records.map(leadOfCycle))],
        steps: Object.entries(group.figures)
          .filter(([name, figure]) => name.startsWith("step:") && breachedOf(figure) > 0)
          .map(([name, figure]) => {
            const step = name.slice("step:".length);
            return { step, name: names.step(step), breached: breachedOf(figure) };
          }),
      };
    })
    .sort(
      (a, b) => (b.breached.value ?? 0) - (a.breached.value ?? 0) || a.label.localeCompare(b.label),
    );

  // Each step with breaches, broken down by owner and by team, for the concentration rule.
  const concentrations: StepConcentration[] = [];
  for (const step of steps) {
    if (step.breached === 0) continue;
    const stepTotal = measure.get("sla-attainment", { ...now, step: step.step });
    const groupsBy = (by: "owner" | "team") =>
      measure.get("sla-attainment", { ...now, step: step.step, by }).groups.map((group) => ({
        key: group.key,
        label:
          by === "owner" ? names.owner(group.key, group.label) : names.team(group.key, group.label),
        breached: packFigure(group.figures.breached),
      }));
    concentrations.push({
      step: step.step,
      name: step.name,
      breached: packFigure(stepTotal.total.breached),
      owners: groupsBy("owner"),
      teams: groupsBy("team"),
    });
  }
  return {
    section: {
      attainment: compare(
        packFigure(total.total.attainment, "rate"),
        packFigure(measure.get("sla-attainment", before).total.attainment, "rate"),
      ),
      breached: packFigure(total.total.breached),
      steps,
      byOwner,
    },
    concentrations,
  };
}

// ---------------------------------------------------------------------------------------------
// Stuck leads

function stuckSection(
  measure: Measurements,
  now: Range,
  asOf: number,
  previousPack: Pick<ReviewPack, "stuck"> | null,
  names: Labels,
): StuckSection {
  const total = measure.get("stuck-leads", { ...now, stuckHours });
  const byOwner = measure
    .get("stuck-leads", { ...now, stuckHours, by: "owner" })
    .groups.map((group) => ({
      owner: group.key,
      label: names.owner(group.key, group.label),
      stuck: packFigure(group.figures.stuck),
    }))
    .filter((entry) => (entry.stuck.value ?? 0) > 0)
    .sort((a, b) => (b.stuck.value ?? 0) - (a.stuck.value ?? 0) || a.label.localeCompare(b.label));
  return {
    asOf,
    stuckHours,
    total: packFigure(total.total.stuck),
    ageP50Hours: packFigure(total.total["age-p50-hours"], "hours"),
    previousTotal: previousPack?.stuck.total.value ?? null,
    byOwner,
  };
}

// ---------------------------------------------------------------------------------------------
// Rejections

function reasonsOf(result: MetricResult): string[] {
  return Object.keys(result.total)
    .filter((name) => name.startsWith("reason:"))
    .map((name) => name.slice("reason:".length));
}

function reasonsByGroup(result: MetricResult, names: Labels): ReasonsOfGroup[] {
  return result.groups
    .map((group) => ({
      key: group.key,
      label: group.label,
      rejections: group.figures.rejections?.value ?? 0,
      top: Object.entries(group.figures)
        .filter(([name, figure]) => name.startsWith("reason:") && (figure.value ?? 0) > 0)
        .map(([name, figure]) => {
          const reason = name.slice("reason:".length);
          return {
            reason,
            label: names.reason(reason),
            count: figure.value ?? 0,
            share: group.figures[`share:${reason}`]?.value ?? null,
          };
        })
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
        .slice(0, topReasonCount),
    }))
    .filter((group) => group.rejections > 0)
    .sort((a, b) => b.rejections - a.rejections || a.label.localeCompare(b.label))
    .slice(0, rejectionGroupLimit);
}

/**
 * The rejection mix lists only the reasons given in the period asked. A reason given in the other
 * period only had none here: a count of 0 and, when there were rejections, a share of 0 over
 * them (the metric's own `rejections` figure), as the metric would have written it.
 */
function reasonShare(result: MetricResult, reason: string): PackFigure {
  const share = result.total[`share:${reason}`];
  if (share !== undefined) return packFigure(share, "rate");
  const rejections = packFigure(result.total.rejections);
  if ((rejections.value ?? 0) === 0) return empty("rate");
  return { ...rejections, value: 0, unit: "rate", numerator: 0, denominator: rejections.value };
}

function reasonCount(result: MetricResult, reason: string): PackFigure {
  return result.total[`reason:${reason}`] === undefined
    ? { ...empty("count"), value: 0 }
    : packFigure(result.total[`reason:${reason}`]);
}

function rejectionSection(
  measure: Measurements,
  now: Range,
  before: Range,
  names: Labels,
): RejectionSection {
  const current = measure.get("rejection-mix", now);
  const previous = measure.get("rejection-mix", before);
  const reasons = [...new Set([...reasonsOf(current), ...reasonsOf(previous)])];
  const trends: ReasonTrend[] = reasons
    .map((reason) => {
      const share = reasonShare(current, reason);
      const previousShare = reasonShare(previous, reason);
      return {
        reason,
        label: names.reason(reason),
        count: reasonCount(current, reason),
        share,
        previousCount: reasonCount(previous, reason),
        previousShare,
        change:
          share.value === null || previousShare.value === null
            ? null
            : share.value - previousShare.value,
      };
    })
    .sort(
      (a, b) =>
        (b.count.value ?? 0) - (a.count.value ?? 0) ||
        (b.previousCount.value ?? 0) - (a.previousCount.value ?? 0) ||
        a.reason.localeCompare(b.reason),
    );
  return {
    rejections: compare(
      packFigure(current.total.rejections),
      packFigure(previous.total.rejections),
    ),
    reasons: trends,
    noReason: packFigure(current.total["no-reason"]),
    recycledNoReason: packFigure(measure.get("recycle-rate", now).total["no-reason"]),
    bySource: reasonsByGroup(measure.get("rejection-mix", { ...now, by: "source" }), names),
    byCampaign: reasonsByGroup(measure.get("rejection-mix", { ...now, by: "campaign" }), names),
  };
}

// ---------------------------------------------------------------------------------------------
// Sources

function sourceQuality(
  measure: Measurements,
  now: Range,
  before: Range,
  agreement: ReviewAgreement,
  history: PipelineHistory,
): SourceQuality[] {
  const marketing = new Set(
    (agreement.sources?.marketing ?? history.marketingSources).map((source) => foldKey(source)),
  );
  const groups = (metric: string, range: Range) =>
    new Map(
      measure.get(metric, { ...range, by: "source" }).groups.map((group) => [group.key, group]),
    );
  const mqls = groups("mqls", now);
  const acceptance = groups("acceptance", now);
  const mqlToSql = groups("mql-to-sql", now);
  const previousMqlToSql = groups("mql-to-sql", before);
  const quality = groups("deal-quality", now);
  const keys = new Map<string, string>();
  for (const map of [mqls, acceptance, mqlToSql, quality])
    for (const [key, group] of map) if (!keys.has(key)) keys.set(key, group.label);
  return [...keys]
    .map(([key, label]) => ({
      key,
      label,
      marketing: marketing.has(key),
      mqls: packFigure(mqls.get(key)?.figures.leads),
      acceptance: packFigure(acceptance.get(key)?.figures.decided, "rate"),
      mqlToSql: packFigure(mqlToSql.get(key)?.figures.rate, "rate"),
      previousMqlToSql: packFigure(previousMqlToSql.get(key)?.figures.rate, "rate"),
      winRate: packFigure(quality.get(key)?.figures["win-rate"], "rate"),
      meanDealSize: packFigure(quality.get(key)?.figures["mean-won-amount"], "currency"),
    }))
    .sort((a, b) => (b.mqls.value ?? 0) - (a.mqls.value ?? 0) || a.label.localeCompare(b.label));
}

// ---------------------------------------------------------------------------------------------
// Speed to lead and marketing

const bands = ["0-5", "5-15", "15-60", "60+"] as const;

function speedSection(
  measure: Measurements,
  now: Range,
  before: Range,
  history: PipelineHistory,
): SpeedSection {
  const current = measure.get("speed-to-lead", now).total;
  const previous = measure.get("speed-to-lead", before).total;
  return {
    p50Minutes: compare(
      packFigure(current["p50-minutes"], "minutes"),
      packFigure(previous["p50-minutes"], "minutes"),
    ),
    p90Minutes: compare(
      packFigure(current["p90-minutes"], "minutes"),
      packFigure(previous["p90-minutes"], "minutes"),
    ),
    withinGoal: packFigure(current["within-goal"], "rate"),
    goalMinutes: history.speedStep?.goalMinutes ?? null,
    touched: packFigure(current.touched),
    untouched: packFigure(current.untouched),
    bands: bands.map((band) => ({
      band,
      share: packFigure(current[`band:${band}`], "rate"),
      leads: packFigure(current[`band:${band}:leads`]),
    })),
  };
}

function marketingSection(measure: Measurements, now: Range, before: Range): MarketingSection {
  const pair = (metric: string, figure: string, unit: FigureUnit) =>
    compare(
      packFigure(measure.get(metric, now).total[figure], unit),
      packFigure(measure.get(metric, before).total[figure], unit),
    );
  return {
    sourcedPipeline: pair("marketing-sourced", "pipeline", "currency"),
    sourcedRevenue: pair("marketing-sourced", "revenue", "currency"),
    sourcedOpenPipeline: pair("marketing-sourced", "open-pipeline", "currency"),
    sourcedShare: pair("marketing-sourced", "share-of-pipeline", "rate"),
    influencedPipeline: pair("marketing-influenced", "pipeline", "currency"),
    influencedRevenue: pair("marketing-influenced", "revenue", "currency"),
    influencedShare: pair("marketing-influenced", "share-of-pipeline", "rate"),
    velocity: pair("pipeline-velocity", "velocity", "currency"),
    winRate: pair("win-rate", "decided", "rate"),
  };
}
