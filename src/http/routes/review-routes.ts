import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import {
  addDecision,
  createActionItem,
  getActionItem,
  listActionItems,
  listDecisions,
  recordPush,
  updateActionItem,
  workspaceToday,
} from "../../app/review/action-items.js";
import { packHtml, packMarkdown, packPdf } from "../../app/review/pack-formats.js";
import type { ReviewError } from "../../app/review/review-error.js";
import {
  generateReviewPack,
  getPack,
  listPacks,
  type StoredPack,
} from "../../app/review/review-packs.js";
import { nextDelivery } from "../../app/review/review-schedule.js";
import type { ProjectTool } from "../../connectors/project-tools/project-tool.js";
import { projectToolsFromEnvironment } from "../../connectors/project-tools/project-tools-config.js";
import { actionItemStatuses, actionItemTypes, isOverdue } from "../../core/review/action-item.js";
import type { RouteContext } from "../app.js";
import { principalOf } from "../context.js";
import { HttpError } from "../http-error.js";
import { decodeCursor, encodeCursor, errors, Id } from "../schemas.js";
import {
  actionItemFields,
  PackSummarySchema,
  ReviewCadenceSchema,
  reviewSharedSchemas,
  StoredPackSchema,
} from "./review-schemas.js";

/**
 * The joint review over HTTP: review packs (list, generate on demand, read as JSON, HTML,
 * Markdown or PDF), decisions logged with a pack, action items (create, update, list, push to a
 * project tool) and the configured project tools. Reads need `reviews.read`, writes
 * `reviews.manage`.
 *
 * The review area's refusals become HTTP errors here, in `httpErrorOf` only: the body's `code`
 * is the HTTP vocabulary's (not_found, invalid_input, …) and `reason` the review's own code.
 */

export interface ReviewRouteOptions {
  /** the tools action items can be pushed to; default: from the environment */
  projectTools?: readonly ProjectTool[];
}

function httpErrorOf(error: ReviewError): HttpError {
  const { code, message, ...details } = error;
  const detail = { reason: code, ...details };
  switch (code) {
    case "unknown_review":
    case "unknown_pack":
    case "unknown_action_item":
      return new HttpError("not_found", message, detail);
    case "invalid_action_item":
    case "unknown_project_tool":
      return new HttpError("invalid_input", message, detail);
    case "invalid_period":
      return new HttpError("invalid_period", message, detail);
    case "no_active_agreement":
      return new HttpError("no_active_agreement", message, detail);
    case "push_failed":
      return new HttpError("push_failed", message, detail);
  }
}

const PackId = Type.String({ minLength: 1, maxLength: 100, description: "a review pack's id" });

const ActionItemFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  owner: Type.String({
    minLength: 1,
    maxLength: 320,
    description: "a person id of the agreement or an e-mail address",
  }),
  dueOn: Type.String({ format: "date", description: "YYYY-MM-DD in the workspace zone" }),
  type: Type.Enum(actionItemTypes),
  status: Type.Enum(actionItemStatuses),
  metric: Type.Union([Type.String({ maxLength: 100 }), Type.Null()], {
    description: "the metric it concerns (GET /api/metrics lists them)",
  }),
  leadIds: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 500 }),
  notes: Type.String({ maxLength: 5000 }),
};

const ActionItemOut = Type.Object({
  ...actionItemFields,
  overdue: Type.Boolean({ description: "still to do and due before today (workspace zone)" }),
});

function packOut(stored: StoredPack) {
  return stored;
}

export async function registerReviewRoutes(
  app: FastifyInstance,
  { engine }: RouteContext,
  options: ReviewRouteOptions = {},
): Promise<void> {
  for (const schema of reviewSharedSchemas) app.addSchema(schema);
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tools = options.projectTools ?? projectToolsFromEnvironment(process.env).tools;

  /** The stored pack, or the 404 the route answers with. */
  const storedPack = async (id: string): Promise<StoredPack> => {
    const stored = await getPack(engine, id);
    if (!stored.ok) throw httpErrorOf(stored.error);
    return stored.value;
  };

  typed.get(
    "/api/reviews",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["reviews"],
        summary: "Review packs, newest first, and the agreement's review cadences",
        description:
          "Packs without their bodies (GET /api/reviews/{id} has the pack). `reviews` lists the active agreement's reviews with their next scheduled delivery; empty before any agreement is active.",
        querystring: Type.Object({
          review: Type.Optional(Type.String({ maxLength: 100, description: "one review's packs" })),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          cursor: Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(PackSummarySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
            reviews: Type.Array(ReviewCadenceSchema),
          }),
          ...errors(401, 403, 422),
        },
      },
    },
    async (request) => {
      const { review, limit, cursor } = request.query;
      let before: { createdAt: number; id: string } | undefined;
      if (cursor !== undefined) {
        const [createdAt, id] = decodeCursor(cursor);
        if (typeof createdAt !== "number")
          throw new HttpError("invalid_request", "cursor is not one this API returned");
        before = { createdAt, id };
      }
      const items = await listPacks(engine, { review, limit: limit + 1, before });
      const page = items.slice(0, limit);
      const last = page.at(-1);
      const active = await engine.registry.active(engine.db);
      const now = engine.now();
      const reviews = (active?.compiled.agreement.reviews ?? []).map((entry) => ({
        ...entry,
        nextDeliveryAt: nextDelivery(active!.compiled.agreement, entry, now),
      }));
      return {
        items: page,
        nextCursor:
          items.length > limit && last !== undefined ? encodeCursor(last.createdAt, last.id) : null,
        reviews,
      };
    },
  );

  typed.post(
    "/api/reviews",
    {
      config: { access: "reviews.manage" },
      schema: {
        tags: ["reviews"],
        summary: "Generate a review pack now and store it",
        description:
          "`review` is an agreement review's id (its name and cadence head the pack); `period` is this-week, last-week, last-2-weeks, this-month, last-month, this-quarter, last-quarter or YYYY-MM-DD..YYYY-MM-DD (end date excluded), in the workspace zone. Without `period`: the review's last complete period, or last week. Packs made on demand never take the scheduled delivery's place.",
        body: Type.Object(
          {
            review: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            period: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: StoredPackSchema, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await generateReviewPack(engine, {
        review: request.body.review,
        period: request.body.period,
        generatedBy: principalOf(request).actor,
      });
      if (!outcome.ok) throw httpErrorOf(outcome.error);
      reply.status(201);
      return packOut(outcome.value);
    },
  );

  typed.get(
    "/api/reviews/:id",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["reviews"],
        summary: "One review pack with its figures (JSON, version 1)",
        params: Type.Object({ id: PackId }),
        response: { 200: StoredPackSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      return packOut(await storedPack(request.params.id));
    },
  );

  const file = (extension: string, mediaType: string, summary: string) => ({
    config: { access: "reviews.read" as const },
    schema: {
      tags: ["reviews"],
      summary,
      params: Type.Object({ id: PackId }),
      querystring: Type.Object({
        download: Type.Boolean({
          default: false,
          description: "true: Content-Disposition attachment with a file name",
        }),
      }),
      produces: [mediaType],
      response: {
        200:
          extension === "pdf"
            ? Type.Unsafe<Buffer>({
                type: "string",
                format: "binary",
                description: "the pack as PDF",
              })
            : Type.String({ description: `the pack as ${extension}` }),
        ...errors(401, 403, 404, 503),
      },
    },
  });

  const fileName = (stored: StoredPack, extension: string) =>
    `${(stored.review ?? "review").replace(/[^a-z0-9_-]/gi, "-")}-${stored.period.label.replace(/[^0-9A-Za-z_.-]/g, "-")}.${extension}`;

  /** `?download=true` asks the browser to save the file, named after the review and period. */
  const offerDownload = (
    reply: FastifyReply,
    download: boolean,
    stored: StoredPack,
    extension: string,
  ) => {
    if (download)
      reply.header("content-disposition", `attachment; filename="${fileName(stored, extension)}"`);
  };

  typed.get(
    "/api/reviews/:id/pack.html",
    file("html", "text/html", "The pack as a self-contained HTML page (SVG charts, no scripts)"),
    async (request, reply) => {
      const stored = await storedPack(request.params.id);
      offerDownload(reply, request.query.download, stored, "html");
      return reply
        .type("text/html; charset=utf-8")
        .header(
          "content-security-policy",
          "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        )
        .send(packHtml(stored.pack));
    },
  );

  typed.get(
    "/api/reviews/:id/pack.md",
    file("md", "text/markdown", "The pack as Markdown, for chat and e-mail"),
    async (request, reply) => {
      const stored = await storedPack(request.params.id);
      offerDownload(reply, request.query.download, stored, "md");
      return reply.type("text/markdown; charset=utf-8").send(packMarkdown(stored.pack));
    },
  );

  typed.get(
    "/api/reviews/:id/pack.pdf",
    file("pdf", "application/pdf", "The pack printed to PDF by headless Chromium"),
    async (request, reply) => {
      const stored = await storedPack(request.params.id);
      const printed = await packPdf(stored.pack);
      if (!printed.ok)
        throw new HttpError(
          "not_ready",
          `the PDF could not be printed: ${printed.message}; the HTML (pack.html) prints from any browser`,
          { reason: "pdf_failed" },
        );
      offerDownload(reply, request.query.download, stored, "pdf");
      return reply.type("application/pdf").send(printed.pdf);
    },
  );

  typed.get(
    "/api/reviews/:id/decisions",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["reviews"],
        summary: "The decisions logged with a review pack, oldest first",
        params: Type.Object({ id: PackId }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref("Decision")) }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      // Unknown packs answer 404, not an empty list.
      await storedPack(request.params.id);
      return { items: await listDecisions(engine, request.params.id) };
    },
  );

  typed.post(
    "/api/reviews/:id/decisions",
    {
      config: { access: "reviews.manage" },
      schema: {
        tags: ["reviews"],
        summary: "Log a decision taken in the review of this pack",
        description: "`decidedBy` is the signed-in user; the next pack of the review lists it.",
        params: Type.Object({ id: PackId }),
        body: Type.Object(
          { text: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref("Decision"), ...errors(401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await addDecision(
        engine,
        request.params.id,
        request.body.text,
        principalOf(request).actor,
      );
      if (!outcome.ok) throw httpErrorOf(outcome.error);
      reply.status(201);
      return outcome.value;
    },
  );

  typed.get(
    "/api/action-items",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["reviews"],
        summary: "Action items by due date",
        description:
          "Filters combine. `status` repeats (status=open&status=in_progress). `today` is the date overdue is judged on, in the workspace zone.",
        querystring: Type.Object({
          status: Type.Optional(Type.Array(Type.Enum(actionItemStatuses), { maxItems: 4 })),
          owner: Type.Optional(Type.String({ maxLength: 320 })),
          reviewPackId: Type.Optional(PackId),
          overdue: Type.Optional(Type.Boolean()),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 500 }),
        }),
        response: {
          200: Type.Object({
            today: Type.String({ format: "date" }),
            items: Type.Array(ActionItemOut),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      const { status, owner, reviewPackId, overdue, limit } = request.query;
      const today = await workspaceToday(engine);
      const items = await listActionItems(engine, { status, owner, reviewPackId, overdue, limit });
      return { today, items: items.map((item) => ({ ...item, overdue: isOverdue(item, today) })) };
    },
  );

  typed.post(
    "/api/action-items",
    {
      config: { access: "reviews.manage" },
      schema: {
        tags: ["reviews"],
        summary: "Create an action item (from a review pack, or from any figure)",
        body: Type.Object(
          {
            title: ActionItemFields.title,
            owner: ActionItemFields.owner,
            dueOn: ActionItemFields.dueOn,
            type: ActionItemFields.type,
            status: Type.Optional(ActionItemFields.status),
            metric: Type.Optional(ActionItemFields.metric),
            leadIds: Type.Optional(ActionItemFields.leadIds),
            notes: Type.Optional(ActionItemFields.notes),
            reviewPackId: Type.Optional(
              Type.Union([PackId, Type.Null()], { description: "the pack it comes from" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: ActionItemOut, ...errors(401, 403, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await createActionItem(engine, request.body, principalOf(request).actor);
      if (!outcome.ok) throw httpErrorOf(outcome.error);
      reply.status(201);
      return { ...outcome.value, overdue: isOverdue(outcome.value, await workspaceToday(engine)) };
    },
  );

  typed.patch(
    "/api/action-items/:id",
    {
      config: { access: "reviews.manage" },
      schema: {
        tags: ["reviews"],
        summary: "Change an action item: its status (done, dropped, open again), owner, due date…",
        description:
          "Only the fields sent change. Done or dropped sets closedAt; opening again clears it. A new due date earns a new overdue reminder.",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            title: Type.Optional(ActionItemFields.title),
            owner: Type.Optional(ActionItemFields.owner),
            dueOn: Type.Optional(ActionItemFields.dueOn),
            type: Type.Optional(ActionItemFields.type),
            status: Type.Optional(ActionItemFields.status),
            metric: Type.Optional(ActionItemFields.metric),
            leadIds: Type.Optional(ActionItemFields.leadIds),
            notes: Type.Optional(ActionItemFields.notes),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: ActionItemOut, ...errors(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const outcome = await updateActionItem(engine, request.params.id, request.body);
      if (!outcome.ok) throw httpErrorOf(outcome.error);
      return { ...outcome.value, overdue: isOverdue(outcome.value, await workspaceToday(engine)) };
    },
  );

  typed.post(
    "/api/action-items/:id/push",
    {
      config: { access: "reviews.manage" },
      schema: {
        tags: ["reviews"],
        summary: "Push an action item to a project tool (Jira, Asana or a webhook)",
        description:
          "One request to the tool; on success the item keeps the reference (pushedTo). A tool that is not configured, refuses or cannot be reached answers 502 (`push_failed`) with the tool's `toolError` code and status.",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            tool: Type.Union([
              Type.Literal("jira"),
              Type.Literal("asana"),
              Type.Literal("webhook"),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: ActionItemOut, ...errors(401, 403, 404, 422, 502) },
      },
    },
    async (request) => {
      const item = await getActionItem(engine, request.params.id);
      if (!item.ok) throw httpErrorOf(item.error);
      const tool = tools.find((candidate) => candidate.name === request.body.tool);
      if (tool === undefined)
        throw httpErrorOf({
          code: "unknown_project_tool",
          message: `${request.body.tool} is not configured${tools.length > 0 ? `; configured: ${tools.map((t) => t.name).join(", ")}` : "; no project tool is (see GET /api/project-tools)"}`,
          known: tools.map((t) => t.name),
        });
      let reviewTitle: string | undefined;
      if (item.value.reviewPackId !== null) {
        const pack = await getPack(engine, item.value.reviewPackId);
        if (pack.ok) reviewTitle = pack.value.title;
      }
      const publicUrl = process.env.BATON_PUBLIC_URL?.replace(/\/$/, "");
      const pushed = await tool.push(
        {
          item: item.value,
          link: publicUrl ? `${publicUrl}/reviews/actions/${item.value.id}` : undefined,
          reviewTitle,
        },
        engine.now(),
      );
      if (!pushed.ok)
        throw new HttpError("push_failed", `${tool.name}: ${pushed.error.message}`, {
          tool: tool.name,
          toolError: pushed.error.code,
          ...(pushed.error.status === undefined ? {} : { toolStatus: pushed.error.status }),
        });
      const recorded = await recordPush(engine, item.value.id, pushed.reference);
      if (!recorded.ok) throw httpErrorOf(recorded.error);
      return {
        ...recorded.value,
        overdue: isOverdue(recorded.value, await workspaceToday(engine)),
      };
    },
  );

  typed.get(
    "/api/project-tools",
    {
      config: { access: "reviews.read" },
      schema: {
        tags: ["reviews"],
        summary: "The project tools action items can be pushed to",
        description:
          "Configured from the environment (BATON_JIRA_*, BATON_ASANA_*, BATON_ACTIONS_WEBHOOK_*).",
        response: {
          200: Type.Object({
            tools: Type.Array(
              Type.Object({
                name: Type.Union([
                  Type.Literal("jira"),
                  Type.Literal("asana"),
                  Type.Literal("webhook"),
                ]),
                description: Type.String({ description: "where it pushes to; never a secret" }),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async () => ({
      tools: tools.map((tool) => ({ name: tool.name, description: tool.describe() })),
    }),
  );
}
