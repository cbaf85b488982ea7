import { z } from "zod";
import { calendarDefinitionSchema } from "../calendar/calendar-schema.js";
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
  baton: z.literal(agreementFormatVersion),
  name: z.string().min(1),
  /** a label for humans ("2026-Q4"); the store numbers versions itself */
  version: z.string().min(1).optional(),
  /** workspace time zone for periods and date-only values (METRICS.md) */
  timezone: z.string().min(1),
  fields: fieldsSchema.optional(),
  teams: z.record(idSchema, teamSchema),
  people: z.record(idSchema, personSchema),
  calendars: z.record(idSchema, calendarDefinitionSchema),
  /** lead.region value → calendar name, for goals with `calendar: region` */
  regions: z.record(z.string().min(1), idSchema).optional(),
  lifecycle: lifecycleSchema,
  reasons: reasonsSchema,
  feedback: feedbackSchema,
  recycling: recyclingSchema.optional(),
  qualification: qualificationSchema,
  sla: z.strictObject({ steps: z.array(slaStepSchema).min(1) }),
  routing: routingSchema,
  sources: sourcesSchema.optional(),
  commitments: z.strictObject({
    marketing: z.array(commitmentSchema),
    sales: z.array(commitmentSchema),
  }),
  reviews: z.array(reviewSchema).optional(),
  approvers: approversSchema,
});

export type Agreement = z.infer<typeof agreementSchema>;
export type SlaStep = Agreement["sla"]["steps"][number];
export type ClockStep = Extract<SlaStep, { kind: "clock" }>;
