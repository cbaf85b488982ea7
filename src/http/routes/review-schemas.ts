import { Type } from "typebox";
import { actionItemStatuses, actionItemTypes } from "../../core/review/action-item.js";
import { reviewCadences } from "../../core/review/review-period.js";

/**
 * The review API's TypeBox schemas: the review pack (src/core/review/review-pack-types.ts,
 * version 1) field by field, so the OpenAPI description and the web app's generated types
 * describe it exactly; action items and decisions (src/core/review/action-item.ts). Instants are
 * epoch milliseconds, as in the pack's JSON; list and request fields name their format.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const EpochMs = Type.Number({ description: "epoch milliseconds" });

export const PackFigureSchema = Type.Object(
  {
    value: Nullable(Type.Number()),
    unit: Type.String(),
    numerator: Nullable(Type.Number()),
    denominator: Nullable(Type.Number()),
    recordCount: Type.Integer({ description: "records behind the figure, exactly" }),
    records: Type.Array(Type.String(), { description: "the first ids of those records" }),
  },
  { $id: "ReviewPackFigure", description: "a metric figure as a review pack keeps it" },
);
const PackFigure = Type.Ref("ReviewPackFigure");

const ComparisonSchema = Type.Object(
  {
    current: PackFigure,
    previous: PackFigure,
    change: Nullable(
      Type.Number({ description: "current − previous (rates: in points, as a fraction)" }),
    ),
  },
  { $id: "ReviewComparison" },
);
const Comparison = Type.Ref("ReviewComparison");
const ComparisonFields = {
  current: PackFigure,
  previous: PackFigure,
  change: Nullable(Type.Number()),
};

export const PackPeriodSchema = Type.Object({ from: EpochMs, to: EpochMs, label: Type.String() });

const CommitmentStatus = Type.Union([
  Type.Literal("met"),
  Type.Literal("missed"),
  Type.Literal("no-data"),
  Type.Literal("in-progress"),
]);
const Side = Type.Union([Type.Literal("marketing"), Type.Literal("sales")]);

const CommitmentPeriodSchema = Type.Object({
  key: Type.String(),
  from: EpochMs,
  to: EpochMs,
  actual: PackFigure,
  status: CommitmentStatus,
  warning: Nullable(Type.Boolean()),
});

const CommitmentRowSchema = Type.Object({
  side: Side,
  id: Type.String(),
  label: Type.String(),
  metric: Type.String(),
  per: Type.String(),
  unit: Type.String(),
  min: Nullable(Type.Number()),
  max: Nullable(Type.Number()),
  warnBelow: Nullable(Type.Number()),
  status: CommitmentStatus,
  previousStatus: CommitmentStatus,
  periods: Type.Array(CommitmentPeriodSchema),
  previousPeriods: Type.Array(CommitmentPeriodSchema),
});

const ReasonsOfGroupSchema = Type.Object({
  key: Type.String(),
  label: Type.String(),
  rejections: Type.Integer(),
  top: Type.Array(
    Type.Object({
      reason: Type.String(),
      label: Type.String(),
      count: Type.Integer(),
      share: Nullable(Type.Number()),
    }),
  ),
});

const EvidenceSchema = Type.Object({
  label: Type.String(),
  metric: Nullable(Type.String()),
  figure: Nullable(Type.String()),
  value: Nullable(Type.Number()),
  unit: Type.String(),
  numerator: Nullable(Type.Number()),
  denominator: Nullable(Type.Number()),
  recordCount: Type.Integer(),
  records: Type.Array(Type.String()),
});

const ProjectToolReferenceSchema = Type.Object({
  tool: Type.Union([Type.Literal("jira"), Type.Literal("asana"), Type.Literal("webhook")]),
  key: Type.String({ description: "the tool's key or id: PROJ-12, an Asana gid, an event id" }),
  url: Type.Optional(Type.String()),
  at: EpochMs,
});

export const actionItemFields = {
  id: Type.String(),
  title: Type.String(),
  owner: Type.String({ description: "a person id of the agreement or an e-mail address" }),
  dueOn: Type.String({ format: "date", description: "YYYY-MM-DD in the workspace zone" }),
  type: Type.Enum(actionItemTypes),
  status: Type.Enum(actionItemStatuses),
  metric: Nullable(Type.String()),
  leadIds: Type.Array(Type.String()),
  notes: Type.String(),
  reviewPackId: Nullable(Type.String()),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  closedAt: Nullable(EpochMs),
  pushedTo: Type.Array(ProjectToolReferenceSchema),
};
export const ActionItemSchema = Type.Object(actionItemFields, { $id: "ActionItem" });

export const DecisionSchema = Type.Object(
  {
    id: Type.String(),
    text: Type.String(),
    reviewPackId: Type.String(),
    decidedBy: Type.String(),
    at: EpochMs,
  },
  { $id: "Decision", description: "a decision logged with the review pack it was taken in" },
);

export const ReviewPackSchema = Type.Object(
  {
    version: Type.Literal(1),
    title: Type.String(),
    agreementName: Type.String(),
    review: Nullable(
      Type.Object({ id: Type.String(), name: Type.String(), every: Type.Enum(reviewCadences) }),
    ),
    period: PackPeriodSchema,
    previousPeriod: PackPeriodSchema,
    generatedAt: EpochMs,
    asOf: EpochMs,
    timezone: Type.String(),
    today: Type.String({ format: "date" }),
    headlines: Type.Array(
      Type.Object({
        ...ComparisonFields,
        id: Type.String(),
        label: Type.String(),
        metric: Type.String(),
        figure: Type.String(),
        better: Type.Union([Type.Literal("higher"), Type.Literal("lower")]),
        commitments: Type.Array(
          Type.Object({
            side: Side,
            id: Type.String(),
            label: Type.String(),
            status: CommitmentStatus,
          }),
        ),
      }),
    ),
    discussionPoints: Type.Array(
      Type.Object({
        id: Type.String(),
        rule: Type.String(),
        severity: Type.Union([Type.Literal("high"), Type.Literal("medium"), Type.Literal("low")]),
        text: Type.String(),
        evidence: Type.Array(EvidenceSchema),
      }),
    ),
    commitments: Type.Object({
      marketing: Type.Array(CommitmentRowSchema),
      sales: Type.Array(CommitmentRowSchema),
    }),
    sla: Type.Object({
      attainment: Comparison,
      breached: PackFigure,
      steps: Type.Array(
        Type.Object({
          step: Type.String(),
          name: Type.String(),
          attainment: PackFigure,
          breached: Type.Integer(),
        }),
      ),
      byOwner: Type.Array(
        Type.Object({
          owner: Type.String(),
          label: Type.String(),
          breached: PackFigure,
          leadIds: Type.Array(Type.String()),
          steps: Type.Array(
            Type.Object({ step: Type.String(), name: Type.String(), breached: Type.Integer() }),
          ),
        }),
      ),
    }),
    stuck: Type.Object({
      asOf: EpochMs,
      stuckHours: Type.Number(),
      total: PackFigure,
      ageP50Hours: PackFigure,
      previousTotal: Nullable(Type.Number()),
      byOwner: Type.Array(
        Type.Object({ owner: Type.String(), label: Type.String(), stuck: PackFigure }),
      ),
    }),
    rejections: Type.Object({
      rejections: Comparison,
      reasons: Type.Array(
        Type.Object({
          reason: Type.String(),
          label: Type.String(),
          count: PackFigure,
          share: PackFigure,
          previousCount: PackFigure,
          previousShare: PackFigure,
          change: Nullable(Type.Number()),
        }),
      ),
      noReason: PackFigure,
      recycledNoReason: PackFigure,
      bySource: Type.Array(ReasonsOfGroupSchema),
      byCampaign: Type.Array(ReasonsOfGroupSchema),
    }),
    sources: Type.Array(
      Type.Object({
        key: Type.String(),
        label: Type.String(),
        marketing: Type.Boolean(),
        mqls: PackFigure,
        acceptance: PackFigure,
        mqlToSql: PackFigure,
        previousMqlToSql: PackFigure,
        winRate: PackFigure,
        meanDealSize: PackFigure,
      }),
    ),
    speed: Type.Object({
      p50Minutes: Comparison,
      p90Minutes: Comparison,
      withinGoal: PackFigure,
      goalMinutes: Nullable(Type.Number()),
      touched: PackFigure,
      untouched: PackFigure,
      bands: Type.Array(Type.Object({ band: Type.String(), share: PackFigure, leads: PackFigure })),
    }),
    marketing: Type.Object({
      sourcedPipeline: Comparison,
      sourcedRevenue: Comparison,
      sourcedOpenPipeline: Comparison,
      sourcedShare: Comparison,
      influencedPipeline: Comparison,
      influencedRevenue: Comparison,
      influencedShare: Comparison,
      velocity: Comparison,
      winRate: Comparison,
    }),
    actionItems: Type.Array(
      Type.Object({
        item: Type.Ref("ActionItem"),
        overdue: Type.Boolean(),
        fromLastReview: Type.Boolean(),
      }),
    ),
    decisions: Type.Array(Type.Ref("Decision")),
  },
  { $id: "ReviewPack", description: "A review pack, version 1: its figures frozen at generation" },
);

export const PackSummarySchema = Type.Object({
  id: Type.String(),
  review: Nullable(Type.String({ description: "the agreement review's id; null: ad-hoc period" })),
  title: Type.String(),
  period: PackPeriodSchema,
  trigger: Type.Union([Type.Literal("schedule"), Type.Literal("demand")]),
  generatedBy: Type.String({ description: "`schedule`, or the user who asked" }),
  agreementVersion: Type.Integer(),
  createdAt: EpochMs,
});

export const StoredPackSchema = Type.Object({
  ...PackSummarySchema.properties,
  pack: Type.Ref("ReviewPack"),
});

/** Registered once on the app (app.addSchema), referenced by $id: one component each in the OpenAPI. */
export const reviewSharedSchemas = [
  PackFigureSchema,
  ComparisonSchema,
  ActionItemSchema,
  DecisionSchema,
  ReviewPackSchema,
];

export const ReviewCadenceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  owners: Type.Array(Type.String()),
  every: Type.Enum(reviewCadences),
  day: Type.String(),
  time: Type.String(),
  calendar: Type.String(),
  covers: Type.Array(Type.String()),
  nextDeliveryAt: EpochMs,
});
