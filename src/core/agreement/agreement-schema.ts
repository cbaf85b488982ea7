import { z } from "zod";
import { calendarDefinitionSchema, timezoneSchema } from "../calendar/calendar-schema.js";
import {
  feedbackSchema,
  lifecycleSchema,
  reasonsSchema,
  recyclingSchema,
} from "../lifecycle/lifecycle-schema.js";
import { qualificationSchema } from "../qualification/qualification-schema.js";
import { routingSchema } from "../routing/routing-schema.js";
import {
  approversSchema,
  commitmentSchema,
  fieldsSchema,
  idSchema,
  personSchema,
  reviewSchema,
  slaStepSchema,
  sourcesSchema,
  teamSchema,
} from "./sections-schema.js";

/** The agreement file format version this build reads. */
export const agreementFormatVersion = 1;

/**
 * The agreement: one YAML document both sides sign. This schema is the single source of the
 * TypeScript type, the runtime check and the published JSON Schema (`schema/agreement.schema.json`).
 */
export const agreementSchema = z.strictObject({
  baton: z.literal(agreementFormatVersion).describe("Agreement file format version; always 1"),
  name: z
    .string()
    .min(1)
    .describe("Name of the agreement, shown on the SLA table and review packs"),
  /** a label for humans ("2026-Q4"); the store numbers versions itself */
  version: z
    .string()
    .min(1)
    .optional()
    .describe("A label for humans, e.g. 2026-Q4; the store numbers versions itself"),
  /** workspace time zone for periods and date-only values (METRICS.md) */
  timezone: timezoneSchema.describe(
    "Workspace IANA time zone for periods and date-only values, e.g. America/New_York",
  ),
  fields: fieldsSchema
    .optional()
    .describe(
      "Lead and company fields beyond the built-in ones, with their types, for expressions and handoff context",
    ),
  teams: z
    .record(idSchema, teamSchema)
    .describe("Teams by id, each on the marketing, sales or revops side"),
  people: z.record(idSchema, personSchema).describe("People by id: reps, managers and approvers"),
  calendars: z
    .record(idSchema, calendarDefinitionSchema)
    .describe("Business calendars by name: time zone, weekly hours (or 24/7), holidays"),
  /** lead.region value → calendar name, for goals with `calendar: region` */
  regions: z.record(z.string().min(1), idSchema).optional(),
  lifecycle: lifecycleSchema.describe(
    "Stages, the initial stage, and the legal transitions with their requirements",
  ),
  reasons: reasonsSchema.describe(
    "Approved reason lists (rejection, recycle, loss, …); a reason outside the list is refused",
  ),
  feedback: feedbackSchema.describe(
    "Structured feedback fields and their values: meeting quality, message match, next action",
  ),
  recycling: recyclingSchema
    .optional()
    .describe(
      "Which outcomes send a lead back to nurture or rework, and when it may qualify again",
    ),
  qualification: qualificationSchema.describe(
    "The MQL/SQL definition: score groups with caps, scoring rules and thresholds",
  ),
  sla: z
    .strictObject({ steps: z.array(slaStepSchema).min(1) })
    .describe("The SLA table: timed clock steps, gates at actions, and review cadences"),
  routing: routingSchema.describe(
    "Ordered routing rules (first match wins), pools, queues and a fallback that is never empty",
  ),
  sources: sourcesSchema
    .optional()
    .describe("Lead sources by side, for marketing-sourced pipeline"),
  commitments: z
    .strictObject({
      marketing: z.array(commitmentSchema),
      sales: z.array(commitmentSchema),
    })
    .describe("Both sides' measurable commitments, measured the same way"),
  reviews: z
    .array(reviewSchema)
    .optional()
    .describe("Recurring joint reviews: when they happen and what they cover"),
  approvers: approversSchema.describe(
    "People whose approval activates a version: one from marketing AND one from sales",
  ),
});

export type Agreement = z.infer<typeof agreementSchema>;
export type SlaStep = Agreement["sla"]["steps"][number];
export type ClockStep = Extract<SlaStep, { kind: "clock" }>;
