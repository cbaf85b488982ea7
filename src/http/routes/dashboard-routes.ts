import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { overview } from "../../app/overview.js";
import { boardStates, slaBoard } from "../../app/sla-board.js";
import type { MetricResult } from "../../core/metrics/metric.js";
import type { RouteContext } from "../app.js";
import { principalOf } from "../context.js";
import { refusal } from "../http-error.js";
import { errors } from "../schemas.js";
import { figuresOut, MetricResultSchema } from "./metric-routes.js";

/**
 * What the web app's dashboards read in one request each: the overview's metrics on one
 * snapshot, and the SLA board (whole, or the rows changed since a ledger position).
 */

const Instant = Type.Union([Type.String({ format: "date-time" }), Type.Null()]);

const BoardRowSchema = Type.Object({
  clockId: Type.String(),
  leadId: Type.String(),
  step: Type.String(),
  state: Type.Enum(boardStates),
  onBoard: Type.Boolean({ description: "false: the row left the board (a delta's removal)" }),
  startedAt: Instant,
  dueAt: Instant,
  stoppedAt: Instant,
  breachRecordedAt: Instant,
  remainingBusinessMs: Type.Union([Type.Number(), Type.Null()]),
  owner: Type.Union([Type.String(), Type.Null()]),
  ownerKind: Type.Union([Type.Literal("rep"), Type.Literal("queue"), Type.Null()]),
  ownerName: Type.Union([Type.String(), Type.Null()]),
  team: Type.Union([Type.String(), Type.Null()]),
  teamName: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([Type.String(), Type.Null()]),
  stage: Type.String(),
  leadCreatedAt: Type.String({ format: "date-time" }),
});

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

function resultOut(result: MetricResult) {
  return {
    ...result,
    from: new Date(result.from).toISOString(),
    to: new Date(result.to).toISOString(),
    total: figuresOut(result.total, false),
    groups: result.groups.map((group) => ({ ...group, figures: figuresOut(group.figures, false) })),
  };
}

const resultsOut = (results: Record<string, MetricResult>) =>
  Object.fromEntries(Object.entries(results).map(([key, result]) => [key, resultOut(result)]));

export async function registerDashboardRoutes(
  app: FastifyInstance,
  { engine }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    "/api/overview",
    {
      config: { access: "metrics.read" },
      schema: {
        tags: ["metrics"],
        summary: "The overview dashboard: its metrics over a period and the previous one",
        description:
          "Every panel's metric over the half-open period, and the headline metrics over the previous period of the same length, on one snapshot. Figures carry their record counts; /api/metrics/{name}/records lists the records.",
        querystring: Type.Object({
          from: Type.Optional(Type.String({ maxLength: 40 })),
          to: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: {
          200: Type.Object({
            from: Type.String({ format: "date-time" }),
            to: Type.String({ format: "date-time" }),
            previousFrom: Type.String({ format: "date-time" }),
            previousTo: Type.String({ format: "date-time" }),
            current: Type.Record(Type.String(), MetricResultSchema),
            previous: Type.Record(Type.String(), MetricResultSchema),
          }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request) => {
      const outcome = await overview(engine, request.query);
      if (!outcome.ok) throw refusal(outcome.error);
      const value = outcome.value;
      return {
        from: new Date(value.from).toISOString(),
        to: new Date(value.to).toISOString(),
        previousFrom: new Date(value.previousFrom).toISOString(),
        previousTo: new Date(value.previousTo).toISOString(),
        current: resultsOut(value.current),
        previous: resultsOut(value.previous),
      };
    },
  );

  typed.get(
    "/api/sla-board",
    {
      config: { access: "leads.read" },
      schema: {
        tags: ["leads"],
        summary: "The SLA board: open leads' clocks with their state now (a rep: own and queued)",
        description:
          "States: met, breached (due passed, recorded or not), paused, at-risk (a warning sent), outside-hours (the clock's calendar is closed now), on-track. Without `since`, the whole board; with `since` (a previous answer's cursor), the rows changed after it, removals marked onBoard: false.",
        querystring: Type.Object({
          since: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: {
          200: Type.Object({
            asOf: Type.String({ format: "date-time" }),
            cursor: Type.Integer(),
            complete: Type.Boolean(),
            rows: Type.Array(BoardRowSchema),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      const page = await slaBoard(engine, {
        since: request.query.since,
        ownedBy: request.reach === "own" ? principalOf(request).actor : undefined,
      });
      return {
        ...page,
        asOf: new Date(page.asOf).toISOString(),
        rows: page.rows.map((row) => ({
          ...row,
          startedAt: iso(row.startedAt),
          dueAt: iso(row.dueAt),
          stoppedAt: iso(row.stoppedAt),
          breachRecordedAt: iso(row.breachRecordedAt),
          leadCreatedAt: new Date(row.leadCreatedAt).toISOString(),
        })),
      };
    },
  );
}
