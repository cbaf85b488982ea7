import { z } from "zod";

/**
 * The agreement sections that govern how a lead moves: `lifecycle` (stages and legal
 * transitions), `reasons` (the approved reason lists), `feedback` (structured feedback fields)
 * and `recycling` (which outcomes send a lead back, and for how long).
 *
 * Glossary
 * - stage: where a lead is ("mql", "working"); a terminal stage ends the lead's life (won, lost).
 * - action: what a person or the system does to move a lead ("accept", "reject"); one action
 *   from one stage leads to exactly one stage.
 * - handoff context: lead fields marketing must fill before sales accepts (source, message used,
 *   account context, notes), so the rep can continue the conversation without starting over.
 * - recycling: sending a lead back to nurture (or outbound rework) with a date before which it
 *   may not qualify again.
 *
 * Every object is strict: a misspelt key is an error, never a silently ignored setting. The
 * schemas carry no transforms so the published JSON Schema describes the file exactly; defaults
 * and list normalisation happen in `compileLifecycle`.
 */

/** An id used as a key or reference: lower-case words joined by `_` or `-`. */
const idSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*$/,
    "use lower-case letters, digits, '_' or '-', starting with a letter",
  );

/** Who may act on a lead. `system` is Baton itself (automatic qualification, imports). */
export const actorRoles = [
  "system",
  "admin",
  "marketing",
  "sales_manager",
  "rep",
  "viewer",
] as const;
export type ActorRole = (typeof actorRoles)[number];

/**
 * Roles allowed to take an action whose transition has no `by` list. Viewers only read, so they
 * are never allowed to act.
 */
export const defaultActingRoles: readonly ActorRole[] = actorRoles.filter(
  (role) => role !== "viewer",
);

export const stageSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1),
  /** no action leaves a terminal stage (won, lost) */
  terminal: z.boolean().optional(),
  description: z.string().optional(),
});

/** One stage id, or several when the same action is legal from more than one stage. */
const stageRefsSchema = z.union([idSchema, z.array(idSchema).min(1)]);

export const transitionRequirementsSchema = z.strictObject({
  /** name of a list under `reasons:`; the actor must pick one of its ids */
  reason: idSchema.optional(),
  /** a free-text note is required on every use of the action, whatever the reason */
  note: z.boolean().optional(),
  /** handoff context: lead fields that must be non-empty once the action's context is merged */
  context: z.array(idSchema).min(1).optional(),
  /** names of fields under `feedback:` the actor must fill */
  feedback: z.array(idSchema).min(1).optional(),
});

export const transitionSchema = z.strictObject({
  action: idSchema,
  from: stageRefsSchema,
  to: idSchema,
  /** roles allowed to take the action; omitted means every role except viewer */
  by: z.array(z.enum(actorRoles)).min(1).optional(),
  requires: transitionRequirementsSchema.optional(),
  label: z.string().min(1).optional(),
});

export const lifecycleSchema = z.strictObject({
  initial: idSchema,
  stages: z.array(stageSchema).min(1),
  transitions: z.array(transitionSchema).min(1),
});

export const reasonSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1),
  /** the actor must add a note when choosing this reason (typically `other`) */
  note_required: z.boolean().optional(),
  description: z.string().optional(),
});

/** Reason lists by name: `rejection`, `recycle`, `loss`, … */
export const reasonsSchema = z.record(idSchema, z.array(reasonSchema).min(1));

export const feedbackFieldSchema = z.strictObject({
  label: z.string().min(1),
  values: z.array(idSchema).min(1),
});

/** Structured feedback fields by name: `meeting_quality`, `message_match`, `next_action`, … */
export const feedbackSchema = z.record(idSchema, feedbackFieldSchema);

/**
 * Which outcomes a recycling rule catches. Every condition given must hold; a rule must give at
 * least one (checked by `checkLifecycle`, since an empty `after` would catch every action).
 */
export const recyclingTriggerSchema = z.strictObject({
  action: idSchema.optional(),
  /** reason ids (from the list the action requires) */
  reasons: z.array(idSchema).min(1).optional(),
  /** feedback field → the value, or any of the values, that triggers the rule */
  feedback: z.record(idSchema, z.union([idSchema, z.array(idSchema).min(1)])).optional(),
});

export const recyclingRuleSchema = z.strictObject({
  id: idSchema,
  after: recyclingTriggerSchema,
  /** the stage the lead goes to instead of the action's own destination */
  to: idSchema,
  /** whole days (of elapsed time) before the lead may leave `to` again */
  requalify_after_days: z.number().int().nonnegative(),
});

/** Rules are tried in order; the first that matches an action applies. */
export const recyclingSchema = z.array(recyclingRuleSchema);

export type Stage = z.infer<typeof stageSchema>;
export type TransitionRequirements = z.infer<typeof transitionRequirementsSchema>;
export type TransitionDefinition = z.infer<typeof transitionSchema>;
export type Lifecycle = z.infer<typeof lifecycleSchema>;
export type Reason = z.infer<typeof reasonSchema>;
export type Reasons = z.infer<typeof reasonsSchema>;
export type FeedbackField = z.infer<typeof feedbackFieldSchema>;
export type Feedback = z.infer<typeof feedbackSchema>;
export type RecyclingTrigger = z.infer<typeof recyclingTriggerSchema>;
export type RecyclingRule = z.infer<typeof recyclingRuleSchema>;

/** The four agreement sections this module reads; an `Agreement` satisfies it as is. */
export interface LifecycleSections {
  lifecycle: Lifecycle;
  reasons: Reasons;
  feedback: Feedback;
  recycling?: RecyclingRule[] | undefined;
}
