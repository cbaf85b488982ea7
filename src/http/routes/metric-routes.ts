import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import { type MetricRequest, metric, metricCatalogue, metricRecords } from "../../app/metrics.js";
import { attributionModels, dimensions, type Figure } from "../../core/metrics/metric.js";
import type { RouteContext } from "../app.js";
import { principalOf } from "../context.js";
import { refusal } from "../http-error.js";
import { errors, Id } from "../schemas.js";

/**
 * Pipeline metrics (METRICS.md) over the engine's own ledger: the catalogue, one metric with its
 * breakdown, and the records behind one figure. A metric's figures carry their record count;
 * the ids themselves come with `records=true` or, a page at a time with the records' details,
 * from `/records` (a figure over a large pipeline lists hundreds of thousands of ids).
 */

const QueryFields = {
  from: Type.Optional(
    Type.String({
      maxLength: 40,
      description:
        "start of the half-open period: a date (00:00 in the workspace time zone) or an instant; default 30 days before `to`",
    }),
  ),
  to: Type.Optional(
    Type.String({ maxLength: 40, description: "end of the period (excluded); default now" }),
  ),
  by: Type.Optional(Type.Enum(dimensions, { description: "breakdown" })),
  withinDays: Type.Optional(
    Type.Number({ exclusiveMinimum: 0, description: "cohort conversions: within L days" }),
  ),
  stuckHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "default 48" })),
  stages: Type.Optional(
    Type.Array(Type.String({ maxLength: 100 }), {
      maxItems: 20,
      description: "stuck leads: the stages looked at (default New and Working)",
    }),
  ),
  step: Type.Optional(Type.String({ maxLength: 100, description: "SLA metrics: one step" })),
  model: Type.Optional(Type.Enum(attributionModels)),
  halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  trailingDays: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  target: Type.Optional(
    Type.Number({ minimum: 0, description: "pipeline coverage: the period's revenue target" }),
  ),
};

const FigureSchema = Type.Object({
  value: Type.Union([Type.Number(), Type.Null()]),
  unit: Type.String(),
  numerator: Type.Optional(Type.Number()),
  denominator: Type.Optional(Type.Number()),
  count: Type.Integer({ description: "records behind the figure" }),
  records: Type.Array(Type.String(), { description: "their ids, with records=true" }),
});

const Figures = Type.Record(Type.String(), FigureSchema);

export const MetricResultSchema = Type.Object({
  metric: Type.String(),
  title: Type.String(),
  definition: Type.String(),
  records: Type.String({ description: "what the ids are: leads, opportunities or cycles" }),
  from: Type.String({ format: "date-time" }),
  to: Type.String({ format: "date-time" }),
  by: Type.Union([Type.String(), Type.Null()]),
  total: Figures,
  groups: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), figures: Figures })),
});

const MetricRecordSchema = Type.Object({
  ref: Type.String(),
  leadId: Type.Union([Type.String(), Type.Null()]),
  opportunityId: Type.Union([Type.String(), Type.Null()]),
  stage: Type.Union([Type.String(), Type.Null()]),
  owner: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
  amount: Type.Union([Type.Number(), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  closedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

type QueryInput = Static<ReturnType<typeof Type.Object<typeof QueryFields>>>;

/** The query string as the use case's request: only the parameters given. */
function requestOf(query: QueryInput): MetricRequest {
  const request: MetricRequest = {};
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && key in QueryFields)
      (request as Record<string, unknown>)[key] = value;
  return request;
}

/**
 * A figure as the API gives it: its record count, and its ids when asked. A figure computed
 * without ids (`records: false`) carries the count in `recordCount`.
 */
function figureOut(figure: Figure, withRecords: boolean) {
  const { recordCount, ...rest } = figure;
  return {
    ...rest,
    count: recordCount ?? figure.records.length,
    records: withRecords ? figure.records : [],
  };
}

export function figuresOut(figures: Record<string, Figure>, withRecords: boolean) {
  return Object.fromEntries(
    Object.entries(figures).map(([name, figure]) => [name, figureOut(figure, withRecords)]),
  );
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export async function registerMetricRoutes(
  app: FastifyInstance,
  { engine }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/api/metrics",
    {
      config: { access: "metrics.read" },
      schema: {
        tags: ["metrics"],
        summary: "Every pipeline metric: its name, title and the definition in use",
        response: {
          200: Type.Object({
            metrics: Type.Array(
              Type.Object({ name: Type.String(), title: Type.String(), definition: Type.String() }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => ({ metrics: metricCatalogue() }),
  );

  typed.get(
    "/api/metrics/:name",
    {
      config: { access: "metrics.read" },
      schema: {
        tags: ["metrics"],
        summary: "One metric over a period, in total and broken down",
        description:
          "Periods are half-open [from, to) in the workspace time zone. Rates carry numerator and denominator; a zero denominator gives null. Each figure says how many records are behind it; `records=true` lists their ids, `/api/metrics/{name}/records` pages through them.",
        params: Type.Object({ name: Id }),
        querystring: Type.Object({
          ...QueryFields,
          records: Type.Boolean({ default: false, description: "include every figure's ids" }),
        }),
        response: { 200: MetricResultSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const withRecords = request.query.records;
      // Without records=true no id list is built: the counts stay exact (recordCount), and a
      // figure over a large pipeline does not list hundreds of thousands of ids to count them.
      const outcome = await metric(engine, request.params.name, {
        ...requestOf(request.query),
        records: withRecords,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      const result = outcome.value;
      return {
        ...result,
        from: new Date(result.from).toISOString(),
        to: new Date(result.to).toISOString(),
        total: figuresOut(result.total, withRecords),
        groups: result.groups.map((group) => ({
          ...group,
          figures: figuresOut(group.figures, withRecords),
        })),
      };
    },
  );

  typed.get(
    "/api/metrics/:name/records",
    {
      config: { access: "metrics.read" },
      schema: {
        tags: ["metrics"],
        summary: "The records behind one figure (a rep: their own and queued leads)",
        params: Type.Object({ name: Id }),
        querystring: Type.Object({
          ...QueryFields,
          figure: Type.String({ minLength: 1, maxLength: 200 }),
          group: Type.Optional(
            Type.String({ maxLength: 200, description: "a group's key or label (with by=)" }),
          ),
          offset: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
        }),
        response: {
          200: Type.Object({
            metric: Type.String(),
            figure: Type.String(),
            group: Type.Union([Type.String(), Type.Null()]),
            kind: Type.String(),
            total: Type.Integer(),
            items: Type.Array(MetricRecordSchema),
            nextOffset: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const { figure, group, offset, limit } = request.query;
      const outcome = await metricRecords(engine, request.params.name, requestOf(request.query), {
        figure,
        group,
        offset,
        limit,
        ...(request.reach === "own" ? { ownedBy: principalOf(request).actor } : {}),
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return {
        ...outcome.value,
        items: outcome.value.items.map((item) => ({
          ...item,
          createdAt: iso(item.createdAt),
          closedAt: iso(item.closedAt),
        })),
      };
    },
  );
}
