import { z } from "zod";

/**
 * The clock event log: everything that ever happened to one SLA clock (one SLA step for one
 * lead), append-only. A clock's state is never stored, only derived by replaying this log
 * (replay-clock.ts), so a late-arriving event or a recalculation is just one more entry.
 *
 * Glossary
 * - instant: epoch milliseconds (UTC).
 * - seq: the position the store gave the event when it was appended. Replay sorts by `at` first
 *   (events from CRMs and webhooks arrive out of order) and by `seq` among events at the same
 *   instant, so replay does not depend on the order the log is read in.
 * - goal snapshot: the goal as it stood when a cycle started (or was recalculated): which goal of
 *   which agreement version, its target and the calendar version it is measured on. Copying it
 *   into the log is what freezes completed cycles when the agreement later changes.
 * - calendar ref: an id naming one calendar *version* ("ny-office@3"); the caller resolves it to
 *   business time. A ref must keep meaning the same calendar forever, so that replaying an old
 *   log gives the same answer.
 * - pause condition: a named state of the lead during which the clock does not run ("waiting on
 *   customer", "rep on leave"). The clock is paused while any condition holds. Conditions belong
 *   to the lead, not to a cycle, so a cycle that starts while one holds starts paused.
 * - record: `warn` and `breach` events are written by the scheduler (fire-due.ts) once a
 *   notification has been sent, so each fires at most once per cycle.
 *
 * The names map to SLA-CLOCKS.md's log: start = activate, stop = fulfil, recalculate = apply
 * goal / a calendar edit; `recalculated` records are derived, see Recalculation in cycle.ts.
 */

const instantSchema = z.number().int();
const sequenceSchema = z.number().int().nonnegative();

/** Warning thresholds as the agreement writes them (`warnings.percent`, `warnings.minutes_before`). */
export const warningPolicySchema = z.strictObject({
  /** percent of the target used up, each in (0, 100) */
  percent: z.array(z.number().gt(0).lt(100)).optional(),
  /**
   * business minutes left before due. Business, not wall-clock, minutes: "30 minutes before"
   * a Monday 09:10 due on a 09–17 calendar is Friday 16:40, the last working moment to act.
   */
  minutesBefore: z.array(z.number().int().positive()).optional(),
});
export type WarningPolicy = z.infer<typeof warningPolicySchema>;

export const goalSnapshotSchema = z.strictObject({
  goalId: z.string().min(1),
  /** the store's number for the agreement version the goal comes from */
  agreementVersion: z.number().int().nonnegative(),
  /** business milliseconds the cycle may use before it is breached */
  targetMs: z.number().int().positive(),
  /** the calendar version the goal is measured on when the cycle starts */
  calendarRef: z.string().min(1),
  warnings: warningPolicySchema.optional(),
});
export type GoalSnapshot = z.infer<typeof goalSnapshotSchema>;

export const warningThresholdSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("percent"), value: z.number().gt(0).lt(100) }),
  z.strictObject({ kind: z.literal("minutes-before"), value: z.number().int().positive() }),
]);
export type WarningThreshold = z.infer<typeof warningThresholdSchema>;

/** "percent:75", "minutes-before:30": a threshold's identity inside a cycle and in timer keys. */
export function warningKey(threshold: WarningThreshold): string {
  return `${threshold.kind}:${threshold.value}`;
}

export const recalculationModes = ["new-cycles-only", "new-and-open-cycles"] as const;
export type RecalculationMode = (typeof recalculationModes)[number];

const base = { at: instantSchema, seq: sequenceSchema };

export const clockEventSchema = z.discriminatedUnion("type", [
  /** a start trigger happened: opens a cycle unless one is open */
  z.strictObject({ type: z.literal("start"), ...base, goal: goalSnapshotSchema }),
  /** a pause condition began to hold */
  z.strictObject({ type: z.literal("pause"), ...base, reason: z.string().min(1) }),
  /** a pause condition stopped holding; without a reason, every condition stopped holding */
  z.strictObject({ type: z.literal("resume"), ...base, reason: z.string().min(1).optional() }),
  /** a stop trigger happened: the open cycle is fulfilled (met or breached) */
  z.strictObject({ type: z.literal("stop"), ...base }),
  /** a reset trigger happened: the open cycle ends and a new one starts from zero */
  z.strictObject({ type: z.literal("reset"), ...base }),
  /** the step no longer applies to the lead (deleted, duplicate, disqualified before handoff) */
  z.strictObject({ type: z.literal("cancel"), ...base }),
  /**
   * The calendar the open cycle is measured on changed, typically because the owner changed and
   * the goal uses the owner's hours. Elapsed time carries on under the new calendar from `at`.
   */
  z.strictObject({
    type: z.literal("calendar-change"),
    ...base,
    calendarRef: z.string().min(1),
    /** why, for the explanation ("owner changed to rep-42") */
    reason: z.string().optional(),
  }),
  /**
   * An admin edited the agreement or a calendar. `at` is when the new version takes effect
   * ("effective now" by default). With a goal and no calendarRef, the goal's calendarRef is the
   * calendar from `at` on.
   */
  z
    .strictObject({
      type: z.literal("recalculate"),
      ...base,
      mode: z.enum(recalculationModes),
      goal: goalSnapshotSchema.optional(),
      calendarRef: z.string().min(1).optional(),
    })
    .refine((event) => event.goal !== undefined || event.calendarRef !== undefined, {
      message: "a recalculation carries a new goal, a new calendarRef or both",
    }),
  /** the scheduler sent a warning; `at` is when it was sent, `dueAt` when it was due */
  z.strictObject({
    type: z.literal("warn"),
    ...base,
    /** the cycle's id: the seq of the event that opened it */
    cycle: z.number().int().nonnegative(),
    threshold: warningThresholdSchema,
    dueAt: instantSchema,
  }),
  /**
   * The scheduler recorded a breach; `at` is when it was recorded (never earlier than it was
   * noticed), `breachedAt` the computed instant the target was reached.
   */
  z.strictObject({
    type: z.literal("breach"),
    ...base,
    /** the cycle's id: the seq of the event that opened it */
    cycle: z.number().int().nonnegative(),
    breachedAt: instantSchema,
  }),
]);

export type ClockEvent = z.infer<typeof clockEventSchema>;
export type ClockEventType = ClockEvent["type"];
export type ClockEventOf<Type extends ClockEventType> = Extract<ClockEvent, { type: Type }>;

/** Events without `seq`, Omit distributed over the union so each type keeps its own fields. */
export type Unsequenced<Event extends ClockEvent> = Event extends unknown
  ? Omit<Event, "seq">
  : never;

/** An event before the store has given it a `seq`: what fireDue returns for the caller to append. */
export type UnsequencedClockEvent = Unsequenced<ClockEvent>;
