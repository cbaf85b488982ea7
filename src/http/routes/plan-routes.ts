import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import {
  defaultTrailingDays,
  maxTrailingDays,
  type PlanAnswer,
  planTarget,
} from "../../app/plan.js";
import {
  funnelLevers,
  leverLabels,
  namedPeriods,
  planBreakdowns,
  planStages,
  type ReverseFunnelPlan,
} from "../../core/planning/index.js";
import type { RouteContext } from "../app.js";
import { refusal } from "../http-error.js";
import { errors } from "../schemas.js";

/**
 * GET /api/plan: the reverse funnel from a revenue target (src/core/planning). Read by every
 * role that reads reviews: a plan is the joint review's question "what do we need a week".
 * Instants leave as ISO strings; unknown figures as null, with `missing` saying why.
 */

const Nullable = <Schema extends ReturnType<typeof Type.Number>>(schema: Schema) =>
  Type.Union([schema, Type.Null()]);
const Amount = Nullable(Type.Number());
const Instant = Type.String({ format: "date-time" });

const LeverSchema = Type.Object({
  lever: Type.Enum(funnelLevers),
  label: Type.String(),
  value: Amount,
  numerator: Type.Optional(Type.Number()),
  denominator: Type.Optional(Type.Number()),
  metric: Type.String({ description: "the metric (METRICS.md) it was read from" }),
  figure: Type.String({ description: "the figure of that metric" }),
});

const StageNeeds = Type.Object(
  Object.fromEntries(planStages.map((stage) => [stage, Amount])) as Record<
    (typeof planStages)[number],
    typeof Amount
  >,
);

const PlanBody = {
  target: Type.Number(),
  wonSoFar: Type.Number({ description: "won in the period before planning starts" }),
  remaining: Type.Number({ description: "target − won so far, never below 0" }),
  rates: Type.Object({
    levers: Type.Array(LeverSchema),
    mqlEvents: Type.Number({ description: "MQL events in the trailing window" }),
    trailingWeeks: Type.Number(),
    mqlsPerWeek: Type.Number({ description: "the current MQL run rate" }),
  }),
  stages: Type.Array(
    Type.Object({
      stage: Type.Enum(planStages),
      needed: Amount,
      neededPerWeek: Amount,
      runRatePerWeek: Amount,
      gapPerWeek: Amount,
    }),
    { description: "from the target back: won, opportunities, SQLs, MQLs" },
  ),
  revenue: Type.Object({ target: Type.Number(), runRate: Amount, gap: Amount }),
  weeks: Type.Array(
    Type.Object({
      start: Instant,
      end: Instant,
      fraction: Type.Number({ description: "share of a whole week (a stub week is less)" }),
      needed: StageNeeds,
      cumulativeTarget: Type.Number(),
      cumulativeRunRate: Amount,
    }),
  ),
  sensitivity: Type.Array(
    Type.Object({
      lever: Type.Enum(funnelLevers),
      label: Type.String(),
      change: Type.String(),
      before: Amount,
      after: Amount,
      fewerMqlsPerWeek: Amount,
      extraRunRateRevenue: Amount,
      missing: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  missing: Type.Array(Type.String(), {
    description: "a sentence per figure with no data in the trailing window",
  }),
};

const PlanSchema = Type.Object({
  ...PlanBody,
  period: Type.Object({
    label: Type.String(),
    from: Instant,
    to: Instant,
    planFrom: Instant,
    weekCount: Type.Number(),
  }),
  window: Type.Object({
    from: Instant,
    to: Instant,
    trailingDays: Type.Number({ description: "as asked" }),
    clippedToHistory: Type.Boolean({
      description: "the history began after the asked start, so the window starts with it",
    }),
  }),
  timezone: Type.String(),
  asOf: Instant,
  by: Type.Union([Type.Enum(planBreakdowns), Type.Null()]),
  groups: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      share: Amount,
      missing: Type.Union([Type.String(), Type.Null()]),
      plan: Type.Union([Type.Object(PlanBody), Type.Null()]),
    }),
  ),
});

const iso = (at: number) => new Date(at).toISOString();

function bodyOf(plan: ReverseFunnelPlan) {
  const rates = plan.rates;
  return {
    target: plan.target.amount,
    wonSoFar: plan.target.wonSoFar,
    remaining: plan.remaining,
    rates: {
      levers: funnelLevers.map((lever) => ({
        lever,
        label: leverLabels[lever],
        ...rates.levers[lever],
      })),
      mqlEvents: rates.mqlEvents,
      trailingWeeks: rates.trailingWeeks,
      mqlsPerWeek: rates.trailingWeeks > 0 ? rates.mqlEvents / rates.trailingWeeks : 0,
    },
    stages: plan.stages,
    revenue: { target: plan.target.amount, ...plan.revenue },
    weeks: plan.weeks.map((week, index) => ({
      ...week,
      start: iso(week.start),
      end: iso(week.end),
      fraction: plan.period.weeks[index]?.fraction ?? 0,
    })),
    sensitivity: plan.sensitivity.map((entry) => ({ ...entry, label: leverLabels[entry.lever] })),
    missing: plan.missing,
  };
}

function answerOut(answer: PlanAnswer) {
  const period = answer.plan.period;
  return {
    ...bodyOf(answer.plan),
    period: {
      label: period.label,
      from: iso(period.from),
      to: iso(period.to),
      planFrom: iso(period.planFrom),
      weekCount: period.weekCount,
    },
    window: {
      from: iso(answer.window.from),
      to: iso(answer.window.to),
      trailingDays: answer.trailingDays,
      clippedToHistory: answer.window.clippedToHistory,
    },
    timezone: answer.timezone,
    asOf: iso(answer.asOf),
    by: answer.by,
    groups: answer.groups.map((group) => ({
      key: group.key,
      label: group.label,
      share: group.share,
      missing: group.missing,
      plan: group.plan === null ? null : bodyOf(group.plan),
    })),
  };
}

export async function registerPlanRoutes(
  app: FastifyInstance,
  { engine }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/api/plan",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["planning"],
        summary: "The reverse funnel: what a revenue target needs a week at the measured rates",
        description:
          "From the target back through the mean deal size, win rate, SQL→opportunity and MQL→SQL (measured over the trailing window ending now, METRICS.md) to won deals, opportunities, SQLs and MQLs needed, per week; beside what the current MQL run rate yields, and what +5 points of each rate (+5 % of deal size) is worth. A period that has begun is planned from now, less what it has won. `by` splits the target in the current mix by source or segment.",
        querystring: Type.Object({
          target: Type.Number({ exclusiveMinimum: 0, description: "the period's revenue target" }),
          period: Type.String({
            minLength: 1,
            maxLength: 40,
            description: `${namedPeriods.join(", ")} or YYYY-MM-DD..YYYY-MM-DD (second date excluded)`,
          }),
          trailingDays: Type.Optional(
            Type.Number({
              exclusiveMinimum: 0,
              maximum: maxTrailingDays,
              description: `the rates' window in days, ending now (default ${defaultTrailingDays})`,
            }),
          ),
          by: Type.Optional(Type.Enum(planBreakdowns, { description: "plan each group too" })),
        }),
        response: { 200: PlanSchema, ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request) => {
      const outcome = await planTarget(engine, {
        target: request.query.target,
        period: request.query.period,
        trailingDays: request.query.trailingDays,
        by: request.query.by,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return answerOut(outcome.value);
    },
  );
}
