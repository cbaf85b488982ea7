import { z } from "zod";
import { fieldTypeNames } from "../lead/field-types.js";

/**
 * Sections of the agreement that have no module of their own: who the teams and people are,
 * the SLA steps, both sides' commitments, the review cadence and the approvers.
 * Every object is strict so a misspelt key is an error, not a silently ignored setting.
 */

/** An id used as a map key or reference: lower-case words joined by `_` or `-`. */
export const idSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*$/,
    "an id of lower-case letters, digits, '_' or '-', starting with a letter",
  );

export const sides = ["marketing", "sales", "revops"] as const;
export type Side = (typeof sides)[number];

export const teamSchema = z.strictObject({
  label: z.string().min(1),
  side: z.enum(sides),
  /** person id of the team's manager: the second rung of escalation ladders */
  manager: idSchema.optional(),
  /** calendar name used when an SLA goal says `calendar: team` */
  calendar: idSchema.optional(),
});

export const personSchema = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  team: idSchema,
  /** calendar name holding the person's working hours (routing and `calendar: owner` goals) */
  calendar: idSchema.optional(),
  /** planned leave, local dates inclusive; ad-hoc leave is runtime data */
  out_of_office: z
    .array(z.strictObject({ from: z.iso.date(), to: z.iso.date(), note: z.string().optional() }))
    .optional(),
});

export const fieldsSchema = z.strictObject({
  lead: z.record(idSchema, z.enum(fieldTypeNames)).optional(),
  company: z.record(idSchema, z.enum(fieldTypeNames)).optional(),
});

/**
 * Clock triggers. `created` a lead arrived; `assigned` an owner was set; `enter:<stage>` and
 * `exit:<stage>` stage changes; `action:<action>` a lifecycle action; `touch` a human activity
 * (call, e-mail, meeting; auto-replies excluded).
 */
export const clockTriggerSchema = z
  .string()
  .regex(
    /^(created|assigned|touch|(enter|exit|action):[a-z][a-z0-9_-]*)$/,
    "created, assigned, touch, enter:<stage>, exit:<stage> or action:<action>",
  );

export const escalationActionSchema = z.union([
  z.strictObject({
    notify: z.enum(["owner", "manager", "team", "marketing_owner", "sales_owner"]),
  }),
  z.strictObject({ reassign: z.literal("routing") }),
  z.strictObject({
    set_field: z.strictObject({
      field: idSchema,
      value: z.union([z.string(), z.number(), z.boolean()]),
    }),
  }),
]);

/** When an escalation rung fires: a warning threshold, the breach, or minutes after the breach. */
export const escalationAtSchema = z.union([
  z.literal("breach"),
  z.strictObject({ warning: z.number().gt(0).lt(100) }),
  z.strictObject({ after_breach_minutes: z.number().int().positive() }),
]);

export const goalSchema = z.strictObject({
  id: idSchema,
  /** CEL condition over lead and company; the first goal whose condition holds applies */
  when: z
    .string()
    .min(1)
    .optional()
    .describe(
      "CEL condition over lead and company; the first goal whose condition holds applies; the last goal has none",
    ),
  target_minutes: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "Goal in minutes, counted on the goal's calendar (business minutes unless the calendar is 24/7)",
    ),
  /** "N business days" = until the end of the Nth business day (SLA-CLOCKS.md) */
  target_business_days: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "Goal as N business days: until the end of the Nth business day of the goal's calendar (instead of target_minutes)",
    ),
  /** a calendar name, or `owner` / `team` (their working hours), or `region` (lead.region → calendar) */
  calendar: idSchema.describe("A calendar name, or owner / team / region for their working hours"),
});

export const clockStepSchema = z.strictObject({
  id: idSchema,
  kind: z.literal("clock"),
  name: z.string().min(1),
  owner: idSchema,
  /** how the CRM shows the step, as written in the SLA table ("Lead Status: New -> MQL") */
  crm_trigger: z.string().optional(),
  start_on: z
    .array(clockTriggerSchema)
    .min(1)
    .describe(
      "Events that start a cycle: created, assigned, touch, enter:<stage>, exit:<stage>, action:<action>",
    ),
  stop_on: z
    .array(clockTriggerSchema)
    .min(1)
    .describe("Events that stop (fulfil) the running cycle"),
  /** CEL conditions over the lead; paused while any holds */
  pause_when: z
    .array(z.string().min(1))
    .optional()
    .describe("CEL conditions over the lead; the clock is paused while any holds"),
  reset_on: z
    .array(clockTriggerSchema)
    .optional()
    .describe("Events that end the running cycle and start a new one"),
  goals: z
    .array(goalSchema)
    .min(1)
    .describe("Ordered goals; the first whose condition holds applies; a catch-all last"),
  warnings: z
    .strictObject({
      percent: z.array(z.number().gt(0).lt(100)).optional(),
      minutes_before: z.array(z.number().int().positive()).optional(),
    })
    .optional(),
  escalation: z
    .array(
      z.strictObject({ at: escalationAtSchema, actions: z.array(escalationActionSchema).min(1) }),
    )
    .optional(),
});

/** A requirement checked at an action rather than timed: "reason required at disposition". */
export const gateStepSchema = z.strictObject({
  id: idSchema,
  kind: z.literal("gate"),
  name: z.string().min(1),
  owner: idSchema,
  crm_trigger: z.string().optional(),
  on_actions: z.array(idSchema).min(1),
  requires: z.array(z.enum(["reason", "note", "context", "feedback"])).min(1),
});

/** A recurring meeting that is part of the SLA table, pointing at a review in `reviews`. */
export const cadenceStepSchema = z.strictObject({
  id: idSchema,
  kind: z.literal("cadence"),
  name: z.string().min(1),
  owner: z.union([idSchema, z.array(idSchema).min(1)]),
  crm_trigger: z.string().optional(),
  review: idSchema,
});

export const slaStepSchema = z.discriminatedUnion("kind", [
  clockStepSchema,
  gateStepSchema,
  cadenceStepSchema,
]);

export const commitmentMetrics = [
  "mql_count",
  "mql_to_sal_rate",
  "mql_to_sql_rate",
  "sla_attainment",
  "touched_within_sla_rate",
  "outcome_logging_rate",
  "rejection_reason_coverage",
  "handoff_context_completeness",
] as const;
export type CommitmentMetric = (typeof commitmentMetrics)[number];

export const periods = ["week", "month", "quarter"] as const;

export const commitmentSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1),
  metric: z.enum(commitmentMetrics),
  per: z.enum(periods),
  /** at least (`min`) or at most (`max`); rates are fractions 0–1 */
  min: z.number().nonnegative().optional(),
  max: z.number().nonnegative().optional(),
  /** a line below which the review flags the number even when `min` is not the target */
  warn_below: z.number().nonnegative().optional(),
  /** SLA step the metric is measured on (sla_attainment, touched_within_sla_rate) */
  step: idSchema.optional(),
  /** days allowed for outcome_logging_rate */
  within_days: z.number().int().positive().optional(),
  /** CEL condition restricting the segment measured (e.g. lead.region == "emea") */
  segment: z.string().min(1).optional(),
});

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export const reviewSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1),
  owners: z.array(idSchema).min(1),
  every: z.enum(["week", "2 weeks", "month", "quarter"]),
  day: z.enum(weekdays),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time written HH:MM (24-hour)"),
  calendar: idSchema,
  covers: z.array(z.string().min(1)).min(1),
});

export const approversSchema = z.strictObject({
  marketing: z.array(idSchema).min(1),
  sales: z.array(idSchema).min(1),
});

export const sourcesSchema = z.strictObject({
  /** lead sources counted as marketing-sourced (METRICS.md) */
  marketing: z.array(z.string().min(1)).min(1),
  sales: z.array(z.string().min(1)).optional(),
  partner: z.array(z.string().min(1)).optional(),
});
