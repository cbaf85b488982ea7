import { Type } from "typebox";
import { activityTypes } from "../../core/lead/lead.js";

/**
 * The lead as the API takes it: the shape of `leadInputSchema` (src/app/lead-input.ts), for the
 * request check and the OpenAPI description. The pipeline checks the fields against the active
 * agreement after this; a test keeps the two shapes equal.
 */
const FieldValue = Type.Union([
  Type.String({ maxLength: 10_000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Null(),
  Type.Array(Type.String({ maxLength: 1_000 }), { maxItems: 200 }),
]);
const FieldRecord = Type.Record(Type.String({ maxLength: 100 }), FieldValue, {
  description: "field name (declared in the agreement's fields) → value",
});
const Instant = Type.Union([
  Type.Integer({ minimum: 0, description: "epoch milliseconds" }),
  Type.String({ format: "date-time" }),
]);

export const ActivityBody = Type.Object(
  {
    type: Type.Enum(activityTypes),
    at: Instant,
    actor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    autoReply: Type.Optional(Type.Boolean()),
    fields: Type.Optional(FieldRecord),
  },
  { additionalProperties: false },
);

export const LeadBody = Type.Object(
  {
    system: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "the system that sent the lead: web-form, hubspot, salesforce, csv …",
      }),
    ),
    externalId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "the lead's id in that system; with system it makes a repeated delivery a no-op",
      }),
    ),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    createdAt: Type.Optional(Instant),
    fields: FieldRecord,
    company: Type.Optional(FieldRecord),
    activities: Type.Optional(Type.Array(ActivityBody, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);

export const IngestResultSchema = Type.Object({
  ok: Type.Boolean(),
  outcome: Type.Optional(
    Type.Union([Type.Literal("created"), Type.Literal("updated"), Type.Literal("duplicate")]),
  ),
  leadId: Type.Optional(Type.String()),
  stage: Type.Optional(Type.String()),
  owner: Type.Optional(
    Type.Union([
      Type.Object({
        kind: Type.Union([Type.Literal("rep"), Type.Literal("queue")]),
        id: Type.String(),
      }),
      Type.Null(),
    ]),
  ),
  score: Type.Optional(Type.Number()),
  mql: Type.Optional(Type.Boolean()),
  matched: Type.Optional(Type.Unknown()),
  contextMissing: Type.Optional(Type.Array(Type.String())),
  clockIssues: Type.Optional(Type.Array(Type.Unknown())),
  error: Type.Optional(Type.Unknown()),
});

export const LeadSummarySchema = Type.Object({
  id: Type.String(),
  stage: Type.String(),
  owner: Type.Union([Type.Object({ kind: Type.String(), id: Type.String() }), Type.Null()]),
  score: Type.Number(),
  open: Type.Boolean(),
  name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  company: Type.Union([Type.String(), Type.Null()]),
  source: Type.Union([Type.String(), Type.Null()]),
  system: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  stageEnteredAt: Type.String({ format: "date-time" }),
  lastActivityAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  firstTouchAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  agreementVersion: Type.Integer(),
});

export const ActionResultSchema = Type.Object({
  id: Type.String(),
  stage: Type.String(),
  owner: Type.Union([Type.Object({ kind: Type.String(), id: Type.String() }), Type.Null()]),
  opportunityId: Type.Union([Type.String(), Type.Null()]),
});
