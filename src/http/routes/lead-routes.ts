import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type SelectQueryBuilder, sql } from "kysely";
import { Type } from "typebox";
import type { Principal } from "../../app/access/principal.js";
import type { Engine } from "../../app/engine.js";
import type { IngestResult } from "../../app/ingest.js";
import { ingestLeads } from "../../app/ingest.js";
import {
  actOnLead,
  changeOpportunityStage,
  logActivity,
  reassignLead,
} from "../../app/lead-actions.js";
import type { Activity } from "../../core/lead/lead.js";
import type { BatonDatabase } from "../../db/schema.js";
import type { RouteContext } from "../app.js";
import { principalOf } from "../context.js";
import { HttpError, refusal } from "../http-error.js";
import { decodeCursor, encodeCursor, errors, Id, Limit, page } from "../schemas.js";
import {
  ActionResultSchema,
  ActivityBody,
  IngestResultSchema,
  LeadBody,
  LeadSummarySchema,
} from "./lead-schemas.js";

const sortable = ["created_at", "stage_entered_at", "score"] as const;
type Sortable = (typeof sortable)[number];

/** Leads: ingestion, lists, one lead with its clocks and timeline, and every action on it. */
export async function registerLeadRoutes(
  app: FastifyInstance,
  { engine, queue, metrics }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.post(
    "/api/leads",
    {
      config: { access: "leads.ingest" },
      schema: {
        tags: ["leads"],
        summary: "Submit one lead: normalise, match, score, qualify, route, start clocks",
        description:
          "Idempotent with `idempotencyKey` or `system` + `externalId`: a repeated delivery returns the first result with outcome `duplicate`. 201 when a lead was created, 200 when an existing lead was updated or the delivery was a duplicate.",
        body: LeadBody,
        response: {
          200: IngestResultSchema,
          201: IngestResultSchema,
          ...errors(401, 403, 409, 413, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const result = await queue.submit(request.body, { actor: actorOfIngest(principal) });
      metrics.ingested(result.ok ? result.outcome : "refused");
      if (!result.ok) throw refusal(result.error);
      return reply.status(result.outcome === "created" ? 201 : 200).send(result);
    },
  );

  typed.post(
    "/api/leads/batch",
    {
      config: { access: "leads.ingest" },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ["leads"],
        summary: "Submit up to 1,000 leads in one transaction, with a result per lead",
        description:
          "A lead that fails its checks fails alone (its result says which field and what to do); the others are stored.",
        body: Type.Object(
          { leads: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            results: Type.Array(IngestResultSchema),
            counts: Type.Record(Type.String(), Type.Integer()),
          }),
          ...errors(401, 403, 413, 422, 429),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const results = await ingestLeads(engine, request.body.leads, {
        actor: actorOfIngest(principal),
      });
      const counts: Record<string, number> = {};
      for (const result of results) {
        const outcome = result.ok ? result.outcome : "refused";
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        metrics.ingested(outcome);
      }
      return { results: results as IngestResult[], counts };
    },
  );

  typed.get(
    "/api/leads",
    {
      config: { access: "leads.read" },
      schema: {
        tags: ["leads"],
        summary:
          "Leads, filtered and sorted, a page at a time (a rep sees their own and queued leads)",
        querystring: Type.Object({
          stage: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
          owner: Type.Optional(Type.String({ maxLength: 200 })),
          open: Type.Optional(Type.Boolean()),
          source: Type.Optional(Type.String({ maxLength: 200 })),
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: 200,
              description: "e-mail or company contains",
            }),
          ),
          createdFrom: Type.Optional(Type.String({ format: "date-time" })),
          createdTo: Type.Optional(Type.String({ format: "date-time" })),
          sort: Type.Enum(sortable, { default: "created_at" }),
          order: Type.Union([Type.Literal("asc"), Type.Literal("desc")], { default: "desc" }),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: page(LeadSummarySchema), ...errors(401, 403, 422) },
      },
    },
    async (request) => {
      const query = request.query;
      let select = engine.db
        .selectFrom("leads")
        .selectAll()
        .where("workspace", "=", engine.workspace);
      if (request.reach === "own") select = ownLeads(select, principalOf(request));
      if (query.stage !== undefined && query.stage.length > 0)
        select = select.where("stage", "in", query.stage);
      if (query.owner !== undefined) select = select.where("owner", "=", query.owner);
      if (query.open !== undefined) select = select.where("open", "=", query.open);
      if (query.source !== undefined)
        select = select.where(sql<string>`data->'fields'->>'source'`, "=", query.source);
      if (query.q !== undefined) {
        const pattern = `%${query.q.toLowerCase().replaceAll(/[\\%_]/g, (c) => `\\${c}`)}%`;
        select = select.where((eb) =>
          eb.or([eb("email_key", "like", pattern), eb("company_key", "like", pattern)]),
        );
      }
      if (query.createdFrom !== undefined)
        select = select.where("created_at", ">=", new Date(query.createdFrom));
      if (query.createdTo !== undefined)
        select = select.where("created_at", "<", new Date(query.createdTo));
      const sort = query.sort as Sortable;
      const descending = query.order === "desc";
      if (query.cursor !== undefined) {
        const [value, id] = decodeCursor(query.cursor);
        const typed = sort === "score" ? Number(value) : new Date(String(value));
        select = select.where(
          sql<boolean>`(${sql.ref(sort)}, id) ${sql.raw(descending ? "<" : ">")} (${typed}, ${id})`,
        );
      }
      const rows = await select
        .orderBy(sort, descending ? "desc" : "asc")
        .orderBy("id", descending ? "desc" : "asc")
        .limit(query.limit + 1)
        .execute();
      const more = rows.length > query.limit;
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        items: items.map(summaryOf),
        nextCursor:
          more && last !== undefined
            ? encodeCursor(sort === "score" ? last.score : last[sort].toISOString(), last.id)
            : null,
      };
    },
  );

  typed.get(
    "/api/leads/:id",
    {
      config: { access: "leads.read" },
      schema: {
        tags: ["leads"],
        summary: "One lead: its fields, score, owner, SLA clocks and opportunity",
        params: Type.Object({ id: Id }),
        response: {
          200: Type.Object({
            lead: LeadSummarySchema,
            view: Type.Unknown({ description: "the lead's full projection" }),
            clocks: Type.Array(Type.Unknown()),
            opportunity: Type.Union([Type.Unknown(), Type.Null()]),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const row = await visibleLead(engine, request.params.id, request);
      const [clocks, opportunity] = await Promise.all([
        engine.db
          .selectFrom("clocks")
          .selectAll()
          .where("workspace", "=", engine.workspace)
          .where("lead_id", "=", row.id)
          .orderBy("step")
          .execute(),
        engine.db
          .selectFrom("opportunities")
          .selectAll()
          .where("workspace", "=", engine.workspace)
          .where("lead_id", "=", row.id)
          .executeTakeFirst(),
      ]);
      return {
        lead: summaryOf(row),
        view: row.data,
        clocks: clocks.map((clock) => ({
          id: clock.id,
          step: clock.step,
          state: clock.state,
          cycles: clock.cycles,
          goal: clock.goal,
          startedAt: clock.started_at?.toISOString() ?? null,
          dueAt: clock.due_at?.toISOString() ?? null,
          stoppedAt: clock.stopped_at?.toISOString() ?? null,
          breachRecordedAt: clock.breach_recorded_at?.toISOString() ?? null,
          paused: clock.paused,
          detail: clock.data,
        })),
        opportunity:
          opportunity === undefined
            ? null
            : {
                id: opportunity.id,
                stage: opportunity.stage,
                amount: opportunity.amount === null ? null : Number(opportunity.amount),
                owner: opportunity.owner,
                openedAt: opportunity.opened_at.toISOString(),
                closedAt: opportunity.closed_at?.toISOString() ?? null,
                outcome: opportunity.outcome,
              },
      };
    },
  );

  typed.get(
    "/api/leads/:id/events",
    {
      config: { access: "leads.read" },
      schema: {
        tags: ["leads"],
        summary: "The lead's timeline: every event with the why of every decision",
        params: Type.Object({ id: Id }),
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                type: Type.String(),
                streamType: Type.String(),
                streamId: Type.String(),
                actor: Type.String(),
                at: Type.String({ format: "date-time" }),
                agreementVersion: Type.Union([Type.Integer(), Type.Null()]),
                explanation: Type.Unknown(),
                data: Type.Unknown(),
              }),
            ),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const row = await visibleLead(engine, request.params.id, request);
      const events = await engine.db
        .selectFrom("events")
        .selectAll()
        .where("workspace", "=", engine.workspace)
        .where((eb) =>
          eb.or([
            eb("stream_id", "=", row.id),
            eb("stream_id", "like", `${row.id.replaceAll(/[\\%_]/g, (c) => `\\${c}`)}/%`),
            ...((row.data as { opportunityId?: string | null }).opportunityId
              ? [eb("stream_id", "=", (row.data as { opportunityId: string }).opportunityId)]
              : []),
          ]),
        )
        .orderBy("id")
        .limit(request.query.limit)
        .execute();
      return {
        items: events.map((event) => ({
          id: String(event.id),
          type: event.type,
          streamType: event.stream_type,
          streamId: event.stream_id,
          actor: event.actor,
          at: event.occurred_at.toISOString(),
          agreementVersion: event.agreement_version,
          explanation: event.explanation,
          data: event.data,
        })),
      };
    },
  );

  const ActionBody = Type.Object(
    {
      action: Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "an action of the agreement's lifecycle: accept, reject, recycle, convert, win, lose …",
      }),
      reason: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      note: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
      feedback: Type.Optional(
        Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 100 })),
      ),
      context: Type.Optional(
        Type.Record(
          Type.String({ maxLength: 100 }),
          Type.Union([
            Type.String({ maxLength: 10_000 }),
            Type.Number(),
            Type.Boolean(),
            Type.Null(),
          ]),
        ),
      ),
      opportunity: Type.Optional(
        Type.Object(
          {
            stage: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            amount: Type.Optional(Type.Number({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
      ),
      amount: Type.Optional(Type.Number({ minimum: 0, description: "for win: the final amount" })),
    },
    { additionalProperties: false },
  );

  typed.post(
    "/api/leads/:id/actions",
    {
      config: { access: "leads.act" },
      schema: {
        tags: ["leads"],
        summary:
          "Act on a lead as the agreement allows: accept, reject with reason, recycle, convert, win, lose",
        description:
          "Refusals name the rule: `reason_required`, `unknown_reason` (with the allowed list), `note_required`, `role_not_allowed`, `illegal_transition`, `not_owner` …, with `problems[].requirement` saying what would satisfy it.",
        params: Type.Object({ id: Id }),
        body: ActionBody,
        response: { 200: ActionResultSchema, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      const outcome = await actOnLead(engine, {
        leadId: request.params.id,
        action: {
          type: body.action,
          actor: { id: principal.actor, role: principal.role },
          reason: body.reason,
          note: body.note,
          feedback: body.feedback,
          context: body.context,
        },
        ...(body.opportunity === undefined ? {} : { opportunity: body.opportunity }),
        ...(body.amount === undefined ? {} : { amount: body.amount }),
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return outcome.lead;
    },
  );

  typed.post(
    "/api/leads/:id/activities",
    {
      config: { access: "leads.act" },
      schema: {
        tags: ["leads"],
        summary:
          "Log an activity; a call, e-mail or meeting by a person is a touch, an automatic reply never",
        params: Type.Object({ id: Id }),
        body: ActivityBody,
        response: { 200: ActionResultSchema, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (request.reach === "own") await ownedLead(engine, request.params.id, principal);
      const body = request.body;
      const activity: Activity = {
        type: body.type,
        at: typeof body.at === "number" ? body.at : Date.parse(body.at),
        actor: body.actor ?? principal.actor,
        ...(body.autoReply === undefined ? {} : { autoReply: body.autoReply }),
        ...(body.fields === undefined ? {} : { fields: body.fields }),
      };
      const outcome = await logActivity(engine, {
        leadId: request.params.id,
        activity,
        actor: principal.actor,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return outcome.lead;
    },
  );

  typed.post(
    "/api/leads/:id/reassign",
    {
      config: { access: "leads.reassign" },
      schema: {
        tags: ["leads"],
        summary: "Hand the lead to a named rep, or to routing again ('routing')",
        params: Type.Object({ id: Id }),
        body: Type.Object({ to: Id }, { additionalProperties: false }),
        response: { 200: ActionResultSchema, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const outcome = await reassignLead(engine, {
        leadId: request.params.id,
        to: request.body.to,
        actor: { id: principal.actor, role: principal.role },
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return outcome.lead;
    },
  );

  typed.post(
    "/api/leads/:id/opportunity/stage",
    {
      config: { access: "leads.act" },
      schema: {
        tags: ["leads"],
        summary: "Move the lead's open opportunity to another stage",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            stage: Type.String({ minLength: 1, maxLength: 100 }),
            amount: Type.Optional(Type.Number({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ActionResultSchema, ...errors(401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (request.reach === "own") await ownedLead(engine, request.params.id, principal);
      const outcome = await changeOpportunityStage(engine, {
        leadId: request.params.id,
        stage: request.body.stage,
        ...(request.body.amount === undefined ? {} : { amount: request.body.amount }),
        actor: principal.actor,
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return outcome.lead;
    },
  );

  typed.get(
    "/api/clocks",
    {
      config: { access: "leads.read" },
      schema: {
        tags: ["leads"],
        summary: "SLA clocks with their lead, filtered by state, step and owner",
        querystring: Type.Object({
          state: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 10 })),
          step: Type.Optional(Type.String({ maxLength: 100 })),
          owner: Type.Optional(Type.String({ maxLength: 200 })),
          limit: Limit,
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: page(Type.Unknown()), ...errors(401, 403, 422) },
      },
    },
    async (request) => {
      const query = request.query;
      let select = engine.db
        .selectFrom("clocks")
        .innerJoin("leads", (join) =>
          join
            .onRef("leads.workspace", "=", "clocks.workspace")
            .onRef("leads.id", "=", "clocks.lead_id"),
        )
        .select([
          "clocks.id",
          "clocks.lead_id",
          "clocks.step",
          "clocks.state",
          "clocks.due_at",
          "clocks.started_at",
          "clocks.breach_recorded_at",
          "clocks.paused",
          "leads.owner",
          "leads.stage",
        ])
        .where("clocks.workspace", "=", engine.workspace);
      if (request.reach === "own") {
        const principal = principalOf(request);
        select = select.where((eb) =>
          eb.or([
            eb.and([eb("leads.owner_kind", "=", "rep"), eb("leads.owner", "=", principal.actor)]),
            eb("leads.owner_kind", "=", "queue"),
          ]),
        );
      }
      if (query.state !== undefined && query.state.length > 0)
        select = select.where("clocks.state", "in", query.state);
      if (query.step !== undefined) select = select.where("clocks.step", "=", query.step);
      if (query.owner !== undefined) select = select.where("leads.owner", "=", query.owner);
      if (query.cursor !== undefined)
        select = select.where("clocks.id", ">", String(decodeCursor(query.cursor)[1]));
      const rows = await select
        .orderBy("clocks.id")
        .limit(query.limit + 1)
        .execute();
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => ({
          id: row.id,
          leadId: row.lead_id,
          step: row.step,
          state: row.state,
          dueAt: row.due_at?.toISOString() ?? null,
          startedAt: row.started_at?.toISOString() ?? null,
          breachRecordedAt: row.breach_recorded_at?.toISOString() ?? null,
          paused: row.paused,
          owner: row.owner,
          stage: row.stage,
        })),
        nextCursor: rows.length > query.limit && last ? encodeCursor(null, last.id) : null,
      };
    },
  );
}

/** Whoever submitted through the API: the token's id names the integration in the ledger. */
function actorOfIngest(principal: Principal): string {
  return principal.via === "token" ? `api:${principal.tokenId}` : principal.actor;
}

type LeadRow = Awaited<ReturnType<typeof loadLead>>;

function loadLead(engine: Engine, id: string) {
  return engine.db
    .selectFrom("leads")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("id", "=", id)
    .executeTakeFirst();
}

/** Leads a rep may see: their own, and those waiting in a queue (which they may take). */
function ownLeads<Output>(
  select: SelectQueryBuilder<BatonDatabase, "leads", Output>,
  principal: Principal,
) {
  return select.where((eb) =>
    eb.or([
      eb.and([eb("owner_kind", "=", "rep"), eb("owner", "=", principal.actor)]),
      eb("owner_kind", "=", "queue"),
    ]),
  );
}

function visibleTo(row: NonNullable<LeadRow>, principal: Principal): boolean {
  return row.owner_kind === "queue" || (row.owner_kind === "rep" && row.owner === principal.actor);
}

/** The lead, when the caller may see it; a rep asking for another rep's lead gets 404. */
async function visibleLead(
  engine: Engine,
  id: string,
  request: { principal?: Principal; reach?: "all" | "own" },
): Promise<NonNullable<LeadRow>> {
  const row = await loadLead(engine, id);
  if (row === undefined || (request.reach === "own" && !visibleTo(row, principalOf(request))))
    throw new HttpError("unknown_lead", `there is no lead '${id}'`);
  return row;
}

async function ownedLead(engine: Engine, id: string, principal: Principal): Promise<void> {
  const row = await loadLead(engine, id);
  if (row === undefined) throw new HttpError("unknown_lead", `there is no lead '${id}'`);
  if (!visibleTo(row, principal))
    throw new HttpError(
      "not_owner",
      `lead ${id} belongs to another rep; ask a sales manager to reassign it`,
    );
}

function summaryOf(row: NonNullable<LeadRow>) {
  const view = row.data as {
    fields?: Record<string, unknown>;
    company?: Record<string, unknown>;
  };
  const fields = view.fields ?? {};
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);
  const name = [text(fields.first_name), text(fields.last_name)].filter(Boolean).join(" ");
  return {
    id: row.id,
    stage: row.stage,
    owner: row.owner === null ? null : { kind: row.owner_kind ?? "rep", id: row.owner },
    score: row.score,
    open: row.open,
    name: name || text(fields.email) || row.id,
    email: text(fields.email),
    company: text(view.company?.name) ?? text(fields.company),
    source: text(fields.source),
    system: row.system,
    createdAt: row.created_at.toISOString(),
    stageEnteredAt: row.stage_entered_at.toISOString(),
    lastActivityAt: row.last_activity_at?.toISOString() ?? null,
    firstTouchAt: row.first_touch_at?.toISOString() ?? null,
    agreementVersion: row.agreement_version,
  };
}
