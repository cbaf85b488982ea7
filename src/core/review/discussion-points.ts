import { mqlToSqlWarningLine } from "../audit/gap-assessment.js";
import type {
  CommitmentRow,
  DiscussionPoint,
  DiscussionRule,
  Evidence,
  PackFigure,
  ReviewPack,
  Severity,
} from "./review-pack-types.js";

/**
 * The discussion points of a review pack: what the numbers say the two sides should talk about,
 * each decided by figures already in the pack (so every number quoted is a metric's) and shown
 * with them as evidence. The audit's red flags (src/core/audit/gap-assessment.ts) are the
 * one-off version of the same idea; these compare two periods and follow the agreement.
 */

/**
 * Fewest MQLs of a source, in each period, before its conversion is judged: one SQL more or less
 * among three MQLs moves the rate by 33 points, which is noise, not a quality problem.
 */
export const minimumSourceMqls = 5;
/**
 * A step's breaches are concentrated on one owner or team when it holds at least this share of
 * them (half: more than everyone else together, or as much)...
 */
export const concentrationShare = 0.5;
/** ...and at least this many: two missed clocks in a period are bad luck, three a pattern. */
export const concentrationMinimum = 3;
/** A rejection reason is rising when its share gained at least this many points (as a fraction). */
export const reasonRiseLine = 0.1;
/**
 * Fewest rejections in the period before a reason's share is compared: with four rejections a
 * single one moves a share by 25 points.
 */
export const minimumRejections = 5;

const severityOrder: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export interface StepConcentration {
  step: string;
  name: string;
  breached: PackFigure;
  owners: { key: string; label: string; breached: PackFigure }[];
  teams: { key: string; label: string; breached: PackFigure }[];
}

export interface DiscussionContext {
  /** SLA steps with breaches in the period, by owner and by team */
  concentrations: StepConcentration[];
  /** the MQL→SQL commitment's warning line; null falls back to the audit's 20 % */
  mqlToSqlWarnLine: number | null;
}

type PackSections = Omit<ReviewPack, "discussionPoints">;

const percent = (value: number | null) =>
  value === null ? "–" : `${(value * 100).toFixed(1).replace(/\.0$/, "")} %`;

function evidence(
  label: string,
  metric: string | null,
  figure: string | null,
  value: PackFigure,
): Evidence {
  return {
    label,
    metric,
    figure,
    value: value.value,
    unit: value.unit,
    numerator: value.numerator,
    denominator: value.denominator,
    recordCount: value.recordCount,
    records: value.records,
  };
}

function point(
  rule: DiscussionRule,
  subject: string,
  severity: Severity,
  text: string,
  proof: Evidence[],
): DiscussionPoint {
  return { id: `${rule}:${subject}`, rule, severity, text, evidence: proof };
}

export function findDiscussionPoints(
  pack: PackSections,
  context: DiscussionContext,
): DiscussionPoint[] {
  const points = [
    ...commitmentsMissedTwice(pack),
    ...conversionBelowLine(pack, context),
    ...concentratedBreaches(context),
    ...risingReasons(pack),
    ...stuckRising(pack),
    ...dispositionsWithoutReason(pack),
    ...overdueItems(pack),
  ];
  // Stable sort: by severity, then in rule order as written above.
  return points
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        severityOrder[a.entry.severity] - severityOrder[b.entry.severity] || a.index - b.index,
    )
    .map(({ entry }) => entry);
}

function commitmentActual(row: CommitmentRow, which: "periods" | "previousPeriods"): Evidence[] {
  return row[which]
    .filter((entry) => entry.status === "missed")
    .map((entry) =>
      evidence(
        `${row.label}, ${entry.key} (target ${target(row)})`,
        "commitments",
        "actual",
        entry.actual,
      ),
    );
}

function target(row: CommitmentRow): string {
  const show = (value: number) => (row.unit === "rate" ? percent(value) : String(value));
  if (row.min !== null && row.max !== null) return `${show(row.min)}–${show(row.max)}`;
  if (row.min !== null) return `≥ ${show(row.min)}`;
  if (row.max !== null) return `≤ ${show(row.max)}`;
  return "none";
}

/** A commitment missed in this review period and in the previous one. */
function commitmentsMissedTwice(pack: PackSections): DiscussionPoint[] {
  return [...pack.commitments.marketing, ...pack.commitments.sales]
    .filter((row) => row.status === "missed" && row.previousStatus === "missed")
    .map((row) =>
      point(
        "commitment-missed-twice",
        `${row.side}:${row.id}`,
        "high",
        `${row.side === "marketing" ? "Marketing" : "Sales"} missed "${row.label}" (${target(row)}) in ${pack.period.label} and in ${pack.previousPeriod.label}`,
        [...commitmentActual(row, "periods"), ...commitmentActual(row, "previousPeriods")],
      ),
    );
}

/** A source's MQL→SQL under the warning line in both periods. */
function conversionBelowLine(pack: PackSections, context: DiscussionContext): DiscussionPoint[] {
  const line = context.mqlToSqlWarnLine ?? mqlToSqlWarningLine;
  const judged = (figure: PackFigure) =>
    figure.value !== null && (figure.denominator ?? 0) >= minimumSourceMqls;
  return pack.sources
    .filter(
      (source) =>
        judged(source.mqlToSql) &&
        judged(source.previousMqlToSql) &&
        source.mqlToSql.value! < line &&
        source.previousMqlToSql.value! < line,
    )
    .map((source) =>
      point(
        "mql-to-sql-below-line",
        source.key,
        "high",
        `MQL→SQL from ${source.label} under ${percent(line)} for two periods: ${percent(source.mqlToSql.value)} (${source.mqlToSql.numerator} of ${source.mqlToSql.denominator}) in ${pack.period.label}, ${percent(source.previousMqlToSql.value)} (${source.previousMqlToSql.numerator} of ${source.previousMqlToSql.denominator}) in ${pack.previousPeriod.label}`,
        [
          evidence(
            `MQL→SQL from ${source.label}, ${pack.period.label}`,
            "mql-to-sql",
            "rate",
            source.mqlToSql,
          ),
          evidence(
            `MQL→SQL from ${source.label}, ${pack.previousPeriod.label}`,
            "mql-to-sql",
            "rate",
            source.previousMqlToSql,
          ),
        ],
      ),
    );
}

/**
 * An SLA step whose breaches sit with one owner, or — when no owner holds them — with one team.
 * A team is only named when the step's breaches span several teams: a step one team owns has all
 * its breaches on that team, which says nothing new.
 */
function concentratedBreaches(context: DiscussionContext): DiscussionPoint[] {
  const points: DiscussionPoint[] = [];
  for (const step of context.concentrations) {
    const total = step.breached.value ?? 0;
    if (total < concentrationMinimum) continue;
    const holds = (group: { breached: PackFigure }) => {
      const count = group.breached.value ?? 0;
      return count >= concentrationMinimum && count / total >= concentrationShare;
    };
    const owner = step.owners.find(holds);
    const teamsWithBreaches = step.teams.filter((team) => (team.breached.value ?? 0) > 0);
    const team = teamsWithBreaches.length > 1 ? step.teams.find(holds) : undefined;
    const found = owner ?? team;
    if (found === undefined) continue;
    const kind = owner !== undefined ? "owner" : "team";
    const count = found.breached.value ?? 0;
    points.push(
      point(
        "sla-breaches-concentrated",
        `${step.step}:${kind}:${found.key}`,
        "medium",
        `${count} of ${total} breaches of "${step.name}" (${percent(count / total)}) are on ${kind === "owner" ? "" : "the team "}${found.label}`,
        [
          evidence(
            `breaches of ${step.name} on ${found.label}`,
            "sla-attainment",
            "breached",
            found.breached,
          ),
          evidence(`all breaches of ${step.name}`, "sla-attainment", "breached", step.breached),
        ],
      ),
    );
  }
  return points;
}

/** A rejection reason whose share of rejections rose by at least `reasonRiseLine`. */
function risingReasons(pack: PackSections): DiscussionPoint[] {
  if ((pack.rejections.rejections.current.value ?? 0) < minimumRejections) return [];
  return pack.rejections.reasons
    .filter((reason) => reason.change !== null && reason.change >= reasonRiseLine - 1e-9)
    .map((reason) =>
      point(
        "rejection-reason-rising",
        reason.reason,
        "medium",
        `"${reason.label}" is ${percent(reason.share.value)} of rejections in ${pack.period.label}, up ${(reason.change! * 100).toFixed(1).replace(/\.0$/, "")} points from ${percent(reason.previousShare.value ?? 0)} in ${pack.previousPeriod.label}`,
        [
          evidence(
            `share of "${reason.label}", ${pack.period.label}`,
            "rejection-mix",
            `share:${reason.reason}`,
            reason.share,
          ),
          evidence(
            `share of "${reason.label}", ${pack.previousPeriod.label}`,
            "rejection-mix",
            `share:${reason.reason}`,
            reason.previousShare,
          ),
        ],
      ),
    );
}

/** More leads stuck now than at the previous pack's generation. */
function stuckRising(pack: PackSections): DiscussionPoint[] {
  const now = pack.stuck.total.value ?? 0;
  const before = pack.stuck.previousTotal;
  if (before === null || now <= before) return [];
  const owners = pack.stuck.byOwner
    .slice(0, 3)
    .map((entry) => `${entry.label} ${entry.stuck.value}`);
  return [
    point(
      "stuck-leads-rising",
      "total",
      "medium",
      `${now} leads stuck in New/Working for more than ${pack.stuck.stuckHours} hours, up from ${before} at the last review${owners.length > 0 ? ` (most with ${owners.join(", ")})` : ""}`,
      [evidence("stuck leads now", "stuck-leads", "stuck", pack.stuck.total)],
    ),
  ];
}

/** Rejections, disqualifications and recycles in the period with no reason. */
function dispositionsWithoutReason(pack: PackSections): DiscussionPoint[] {
  const rejected = pack.rejections.noReason.value ?? 0;
  const recycled = pack.rejections.recycledNoReason.value ?? 0;
  if (rejected + recycled === 0) return [];
  const parts = [
    rejected > 0 ? `${rejected} rejection${rejected === 1 ? "" : "s"}` : null,
    recycled > 0 ? `${recycled} recycle${recycled === 1 ? "" : "s"}` : null,
  ].filter((part) => part !== null);
  return [
    point(
      "dispositions-without-reason",
      "period",
      "medium",
      `${parts.join(" and ")} in ${pack.period.label} ${rejected + recycled === 1 ? "carries" : "carry"} no reason`,
      [
        evidence(
          "rejections without a reason",
          "rejection-mix",
          "no-reason",
          pack.rejections.noReason,
        ),
        evidence(
          "recycles without a reason",
          "recycle-rate",
          "no-reason",
          pack.rejections.recycledNoReason,
        ),
      ],
    ),
  ];
}

/** Action items past their due date and not closed. */
function overdueItems(pack: PackSections): DiscussionPoint[] {
  const overdue = pack.actionItems.filter((entry) => entry.overdue);
  if (overdue.length === 0) return [];
  const ids = overdue.map((entry) => entry.item.id);
  return [
    point(
      "overdue-action-items",
      "open",
      "low",
      `${overdue.length} action item${overdue.length === 1 ? " is" : "s are"} overdue: ${overdue
        .slice(0, 3)
        .map((entry) => `"${entry.item.title}" (${entry.item.owner}, due ${entry.item.dueOn})`)
        .join(", ")}${overdue.length > 3 ? ", …" : ""}`,
      [
        {
          label: `overdue on ${pack.today}`,
          metric: null,
          figure: null,
          value: overdue.length,
          unit: "count",
          numerator: null,
          denominator: null,
          recordCount: overdue.length,
          records: ids.slice(0, 20),
        },
      ],
    ),
  ];
}
