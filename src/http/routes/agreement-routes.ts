import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type TSchema, Type } from "typebox";
import { approveAgreement, proposeAgreement } from "../../app/agreements.js";
import { type BacktestResult, backtestProposal } from "../../app/backtest.js";
import type { RouteContext } from "../app.js";
import { principalOf } from "../context.js";
import { HttpError, refusal } from "../http-error.js";
import { errors } from "../schemas.js";

const VersionSchema = Type.Object({
  number: Type.Integer(),
  proposedBy: Type.String(),
  proposedAt: Type.String({ format: "date-time" }),
  activatedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  activationMode: Type.Union([Type.String(), Type.Null()]),
  supersededAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  status: Type.Union([
    Type.Literal("active"),
    Type.Literal("proposed"),
    Type.Literal("superseded"),
  ]),
  diff: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description:
      "what the version changes against the version active when it was proposed, in words",
  }),
  approvals: Type.Array(
    Type.Object({
      side: Type.String(),
      approver: Type.String(),
      approvedAt: Type.String({ format: "date-time" }),
    }),
  ),
});

const VersionDetail = Type.Object({
  ...VersionSchema.properties,
  yaml: Type.String(),
  agreement: Type.Unknown(),
});

const Nullable = <Schema extends TSchema>(schema: Schema) => Type.Union([schema, Type.Null()]);
const ConversionsSchema = Type.Object({
  leads: Type.Integer(),
  reachedSql: Type.Integer(),
  opportunity: Type.Integer(),
  won: Type.Integer(),
  wonAmount: Type.Number(),
});
const listOf = <Item extends TSchema>(item: Item) =>
  Type.Object({ count: Type.Integer(), items: Type.Array(item) });
const FlipSchema = Type.Object({
  leadId: Type.String(),
  mqlAtBefore: Nullable(Type.Number()),
  mqlAtAfter: Nullable(Type.Number()),
  at: Type.Number(),
  scoreBefore: Type.Number(),
  scoreAfter: Type.Number(),
  reasons: Type.Array(Type.String()),
  reachedSql: Type.Boolean(),
  opportunity: Type.Boolean(),
  won: Type.Boolean(),
  amount: Nullable(Type.Number()),
});
const FlipListSchema = Type.Object({
  count: Type.Integer(),
  items: Type.Array(FlipSchema),
  conversions: ConversionsSchema,
});
const CycleSideSchema = Type.Object({
  state: Type.String(),
  goal: Type.String(),
  targetMinutes: Type.Number(),
  dueAt: Nullable(Type.Number()),
});
const CycleFlipSchema = Type.Object({
  clockId: Type.String(),
  leadId: Type.String(),
  cycle: Type.Integer(),
  startedAt: Type.Number(),
  before: CycleSideSchema,
  after: CycleSideSchema,
});
const AttainmentSchema = Type.Object({
  met: Type.Integer(),
  breached: Type.Integer(),
  rate: Nullable(Type.Number()),
});
const RoutingSideSchema = Type.Object({
  assigned: Type.Integer(),
  capExclusions: Type.Integer(),
});
const PoolSideSchema = Type.Object({ assigned: Type.Integer(), overflowed: Type.Integer() });

/** core/backtest's BacktestReport (version 1); instants are epoch ms. */
const BacktestReportSchema = Type.Object(
  {
    version: Type.Literal(1),
    window: Type.Object({
      from: Type.String({ format: "date-time" }),
      to: Type.String({ format: "date-time" }),
    }),
    active: Type.Object({ number: Nullable(Type.Integer()), name: Type.String() }),
    proposed: Type.Object({ number: Nullable(Type.Integer()), name: Type.String() }),
    leads: Type.Integer(),
    examples: Type.Integer(),
    qualification: Type.Object({
      mqlStage: Type.Object({ before: Type.String(), after: Type.String() }),
      actualMqls: Type.Integer(),
      before: Type.Object({ mqls: Type.Integer(), conversions: ConversionsSchema }),
      after: Type.Object({ mqls: Type.Integer(), conversions: ConversionsSchema }),
      newlyQualifying: FlipListSchema,
      droppingOut: FlipListSchema,
      momentChanged: Type.Integer(),
    }),
    sla: Type.Object({
      steps: Type.Array(
        Type.Object({
          step: Type.String(),
          status: Type.Union([
            Type.Literal("changed"),
            Type.Literal("unchanged"),
            Type.Literal("removed"),
          ]),
          cycles: Type.Integer(),
          before: AttainmentSchema,
          after: Nullable(AttainmentSchema),
          metToBreached: listOf(CycleFlipSchema),
          breachedToMet: listOf(CycleFlipSchema),
          notStarted: listOf(Type.String()),
          noGoal: listOf(Type.String()),
        }),
      ),
      addedSteps: Type.Array(Type.String()),
      cyclesWithoutLog: listOf(Type.String()),
    }),
    routing: Type.Object({
      reps: Type.Array(
        Type.Object({
          rep: Type.String(),
          actual: Type.Integer(),
          before: RoutingSideSchema,
          after: RoutingSideSchema,
        }),
      ),
      pools: Type.Array(
        Type.Object({ pool: Type.String(), before: PoolSideSchema, after: PoolSideSchema }),
      ),
      queues: Type.Array(
        Type.Object({ queue: Type.String(), before: Type.Integer(), after: Type.Integer() }),
      ),
      reassigned: listOf(
        Type.Object({ leadId: Type.String(), before: Type.String(), after: Type.String() }),
      ),
    }),
    notes: Type.Array(Type.String()),
  },
  {
    description:
      "A proposed agreement replayed over a window of history against the version in force: MQLs (and the flipping leads' actual conversions), SLA cycles per step, rep load. Counts are exact; id lists hold the first `examples`.",
  },
);

const BacktestWindowQuery = {
  from: Type.Optional(
    Type.String({ format: "date-time", description: "window start; default 90 days before `to`" }),
  ),
  to: Type.Optional(
    Type.String({ format: "date-time", description: "window end, excluded; default now" }),
  ),
  examples: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 500, description: "ids listed per figure (default 20)" }),
  ),
};

function backtestWindow(input: { from?: string; to?: string; examples?: number }) {
  return {
    ...(input.from === undefined ? {} : { from: Date.parse(input.from) }),
    ...(input.to === undefined ? {} : { to: Date.parse(input.to) }),
    ...(input.examples === undefined ? {} : { examples: input.examples }),
  };
}

/** The report, or the refusal as the HTTP error it becomes (an empty window is a bad period). */
function backtestOrRefuse(result: BacktestResult) {
  if (result.ok) return result.value;
  if (result.error.code === "invalid_window")
    throw new HttpError("invalid_period", result.error.message);
  throw refusal({ ...result.error, code: result.error.code });
}

/** Agreement versions: history, proposals, approvals by both sides, activation. */
export async function registerAgreementRoutes(
  app: FastifyInstance,
  { engine }: RouteContext,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  async function versions(number?: number) {
    let query = engine.db
      .selectFrom("agreement_versions")
      .selectAll()
      .where("workspace", "=", engine.workspace)
      .orderBy("number", "desc");
    if (number !== undefined) query = query.where("number", "=", number);
    const rows = await query.execute();
    const approvals = await engine.db
      .selectFrom("agreement_approvals")
      .selectAll()
      .where("workspace", "=", engine.workspace)
      .$if(number !== undefined, (q) => q.where("version", "=", number!))
      .orderBy("approved_at")
      .execute();
    return rows.map((row) => ({
      number: row.number,
      proposedBy: row.proposed_by,
      proposedAt: row.proposed_at.toISOString(),
      activatedAt: row.activated_at?.toISOString() ?? null,
      activationMode: row.activation_mode,
      supersededAt: row.superseded_at?.toISOString() ?? null,
      status:
        row.superseded_at !== null
          ? ("superseded" as const)
          : row.activated_at !== null
            ? ("active" as const)
            : ("proposed" as const),
      diff: (row.diff as string[] | null) ?? null,
      approvals: approvals
        .filter((approval) => approval.version === row.number)
        .map((approval) => ({
          side: approval.side,
          approver: approval.approver,
          approvedAt: approval.approved_at.toISOString(),
        })),
      yaml: row.yaml,
      agreement: row.parsed,
    }));
  }

  typed.get(
    "/api/agreements",
    {
      config: { access: "agreements.read" },
      schema: {
        tags: ["agreements"],
        summary: "Every agreement version, newest first, with its approvals and diff",
        response: { 200: Type.Object({ items: Type.Array(VersionSchema) }), ...errors(401, 403) },
      },
    },
    async () => ({
      items: (await versions()).map(
        ({ yaml: _yaml, agreement: _agreement, ...summary }) => summary,
      ),
    }),
  );

  typed.get(
    "/api/agreements/active",
    {
      config: { access: "agreements.read" },
      schema: {
        tags: ["agreements"],
        summary: "The version in force, with its YAML and parsed agreement",
        response: { 200: VersionDetail, ...errors(401, 403, 404) },
      },
    },
    async () => {
      const active = (await versions()).find((version) => version.status === "active");
      if (active === undefined)
        throw new HttpError(
          "no_active_agreement",
          "no agreement is active yet: propose one and have a marketing and a sales approver sign it",
        );
      return active;
    },
  );

  typed.get(
    "/api/agreements/:number",
    {
      config: { access: "agreements.read" },
      schema: {
        tags: ["agreements"],
        summary: "One version, with its YAML, parsed agreement, diff and approvals",
        params: Type.Object({ number: Type.Integer({ minimum: 1 }) }),
        response: { 200: VersionDetail, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const [version] = await versions(request.params.number);
      if (version === undefined)
        throw new HttpError(
          "unknown_version",
          `there is no agreement version ${request.params.number}`,
        );
      return version;
    },
  );

  typed.post(
    "/api/agreements",
    {
      config: { access: "agreements.propose" },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags: ["agreements"],
        summary: "Propose a new version (YAML); it activates once marketing and sales approve it",
        body: Type.Object(
          {
            yaml: Type.String({ minLength: 1, maxLength: 1_000_000 }),
            note: Type.Optional(Type.String({ maxLength: 5000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            number: Type.Integer(),
            diff: Type.Union([Type.Array(Type.String()), Type.Null()]),
            warnings: Type.Array(Type.Unknown()),
          }),
          ...errors(401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const outcome = await proposeAgreement(engine, {
        yaml: request.body.yaml,
        actor: principal.actor,
        ...(request.body.note === undefined ? {} : { note: request.body.note }),
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return reply.status(201).send(outcome.value);
    },
  );

  typed.post(
    "/api/agreements/:number/approvals",
    {
      config: { access: "agreements.approve" },
      schema: {
        tags: ["agreements"],
        summary: "Approve a version as its marketing or sales approver",
        description:
          "The approval that completes the pair activates the version and must say how running clocks take it: `new_cycles_only` or `new_and_open_cycles`.",
        params: Type.Object({ number: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            mode: Type.Optional(
              Type.Union([Type.Literal("new_cycles_only"), Type.Literal("new_and_open_cycles")]),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            number: Type.Integer(),
            approvals: Type.Array(Type.Unknown()),
            waitingFor: Type.Array(Type.String()),
            activated: Type.Boolean(),
            mode: Type.Union([Type.String(), Type.Null()]),
            recalculated: Type.Integer(),
          }),
          ...errors(401, 403, 404, 409, 422),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      if (principal.person === null)
        throw new HttpError(
          "not_an_approver",
          `user ${principal.userId} is not a person of the agreement, so cannot sign it; an admin can link the user to a person`,
        );
      const outcome = await approveAgreement(engine, {
        number: request.params.number,
        approver: principal.person,
        ...(request.body.mode === undefined ? {} : { mode: request.body.mode }),
      });
      if (!outcome.ok) throw refusal(outcome.error);
      return outcome.value;
    },
  );

  typed.get(
    "/api/agreements/:number/backtest",
    {
      config: { access: "agreements.read" },
      schema: {
        tags: ["agreements"],
        summary: "The version replayed over recent history against the version in force",
        description:
          "Computed on first request and kept per version, window and ledger position (any new event makes the next request compute again), so both approvers see the same figures before signing.",
        params: Type.Object({ number: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object(BacktestWindowQuery, { additionalProperties: false }),
        response: { 200: BacktestReportSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      backtestOrRefuse(
        await backtestProposal(engine, {
          versionNumber: request.params.number,
          ...backtestWindow(request.query),
        }),
      ),
  );

  typed.post(
    "/api/agreements/backtest",
    {
      config: { access: "agreements.propose" },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags: ["agreements"],
        summary: "Backtest a draft (YAML) against the version in force, without proposing it",
        body: Type.Object(
          { yaml: Type.String({ minLength: 1, maxLength: 1_000_000 }), ...BacktestWindowQuery },
          { additionalProperties: false },
        ),
        response: { 200: BacktestReportSchema, ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request) =>
      backtestOrRefuse(
        await backtestProposal(engine, {
          yaml: request.body.yaml,
          ...backtestWindow(request.body),
        }),
      ),
  );
}
