import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { approveAgreement, proposeAgreement } from "../../app/agreements.js";
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
}
