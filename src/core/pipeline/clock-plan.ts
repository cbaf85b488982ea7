import type {
  CompiledAgreement,
  CompiledClockStep,
  GoalInput,
} from "../agreement/compile-agreement.js";
import type { FieldRecord } from "../lead/lead.js";
import type { LeadView } from "../ledger/lead-view.js";
import type { NewEvent } from "../ledger/ledger-event.js";
import {
  type ClockState,
  type Cycle,
  pendingTimers,
  type UnsequencedClockEvent,
} from "../sla/index.js";

/**
 * Which clock events a lead's new events cause, per the agreement's SLA steps: starts, stops,
 * resets, pauses and calendar changes. Pure: the store hands in the lead after the change, the
 * lead events just decided and each step's replayed clock, and appends what comes back.
 *
 * Glossary
 * - trigger: what a lead event means to a clock step: `created`, `assigned`, `touch`,
 *   `enter:<stage>`, `exit:<stage>`, `action:<action>` (the agreement's `start_on` / `stop_on` /
 *   `reset_on` vocabulary).
 * - clock id: `<lead id>/<step id>`.
 * - calendar ref: `<calendar name>@<agreement version>`: calendars belong to agreement versions,
 *   and a ref keeps naming the same calendar forever, which replaying an old log needs.
 */

export const pausedByCondition = "pause_when";

export function clockIdOf(leadId: string, step: string): string {
  return `${leadId}/${step}`;
}

export function calendarRefOf(calendar: string, agreementVersion: number): string {
  return `${calendar}@${agreementVersion}`;
}

export function parseCalendarRef(ref: string): { calendar: string; version: number } | undefined {
  const at = ref.lastIndexOf("@");
  if (at <= 0) return undefined;
  const version = Number(ref.slice(at + 1));
  return Number.isInteger(version) && version > 0
    ? { calendar: ref.slice(0, at), version }
    : undefined;
}

/** The triggers of one lead event, in the order a clock sees them. */
export function triggersOf(event: NewEvent): string[] {
  switch (event.type) {
    case "lead.created":
      return ["created", `enter:${event.data.stage}`];
    case "lead.stage_changed":
      return [`action:${event.data.action}`, `exit:${event.data.from}`, `enter:${event.data.to}`];
    case "lead.assigned":
      return ["assigned"];
    case "lead.activity_logged":
      return event.data.touch ? ["touch"] : [];
    default:
      return [];
  }
}

/** What goals, calendars and pause conditions read about a lead. */
export function goalInputOf(lead: LeadView, startAt?: number): GoalInput {
  const fields: FieldRecord = {
    ...lead.fields,
    stage: lead.stage,
    score: lead.score,
    created_at: lead.createdAt,
  };
  return {
    lead: fields,
    company: lead.company,
    ...(lead.owner?.kind === "rep" ? { owner: lead.owner.id } : {}),
    ...(startAt === undefined ? {} : { startAt }),
  };
}

export interface PlannedClockEvent {
  step: string;
  clockId: string;
  event: UnsequencedClockEvent;
  /** why, for the ledger's explanation: the trigger or the goal choice */
  why: string;
}

export interface ClockPlanIssue {
  step: string;
  code: string;
  message: string;
}

export interface ClockPlan {
  events: PlannedClockEvent[];
  /** steps that should have started and could not (no goal applies, owner unknown, …) */
  issues: ClockPlanIssue[];
}

/**
 * Plans the clock events for `leadEvents` (this operation's lead events, in order), all recorded
 * at `at`. `clocks` holds each step's clock replayed before the operation (absent: never started).
 */
export function planClockEvents(input: {
  compiled: CompiledAgreement;
  agreementVersion: number;
  lead: LeadView;
  leadEvents: readonly NewEvent[];
  clocks: ReadonlyMap<string, ClockState>;
  at: number;
}): ClockPlan {
  const { compiled, agreementVersion, lead, at } = input;
  const plan: ClockPlan = { events: [], issues: [] };
  const triggers = input.leadEvents.flatMap(triggersOf);
  const ownerChanged = triggers.includes("assigned");

  for (const step of compiled.clockSteps) {
    const id = step.step.id;
    const clockId = clockIdOf(lead.id, id);
    const clock = input.clocks.get(id);
    const last = clock?.cycles[clock.cycles.length - 1];
    let open = last !== undefined && last.stoppedAt === null;
    let openCycle: Cycle | undefined = open ? last : undefined;
    const add = (event: UnsequencedClockEvent, why: string) =>
      plan.events.push({ step: id, clockId, event, why });

    for (const trigger of triggers) {
      if (open && step.step.stop_on.includes(trigger)) {
        add({ type: "stop", at }, `stop_on ${trigger}`);
        open = false;
        openCycle = undefined;
        continue;
      }
      if (open && (step.step.reset_on ?? []).includes(trigger)) {
        add({ type: "reset", at }, `reset_on ${trigger}`);
        continue;
      }
      if (!open && step.step.start_on.includes(trigger)) {
        const started = startEvent(step, lead, agreementVersion, at);
        if (!started.ok) {
          plan.issues.push({ step: id, code: started.code, message: started.message });
          continue;
        }
        add(started.event, `start_on ${trigger}; ${started.why}`);
        open = true;
        openCycle = undefined;
      }
    }

    // An owner change moves an open cycle onto the new owner's hours when its goal uses them;
    // the elapsed time carries on (SLA-CLOCKS.md: an owner change is not a reset).
    if (ownerChanged && openCycle !== undefined) {
      const goal = step.selectGoal(goalInputOf(lead, openCycle.startedAt));
      if (goal.ok && goal.goalId === openCycle.goal.goalId) {
        const ref = calendarRefOf(goal.calendar, agreementVersion);
        if (ref !== openCycle.calendarRef)
          add(
            {
              type: "calendar-change",
              at,
              calendarRef: ref,
              reason: `owner changed to ${lead.owner?.id}`,
            },
            `owner changed: now measured on ${goal.calendar}`,
          );
      }
    }

    if ((step.step.pause_when ?? []).length > 0) {
      const wasPaused = clock?.pauseConditions.includes(pausedByCondition) ?? false;
      const paused = step.paused(goalInputOf(lead));
      if (paused && !wasPaused)
        add({ type: "pause", at, reason: pausedByCondition }, "a pause condition holds");
      if (!paused && wasPaused)
        add({ type: "resume", at, reason: pausedByCondition }, "no pause condition holds");
    }
  }
  return plan;
}

function startEvent(
  step: CompiledClockStep,
  lead: LeadView,
  agreementVersion: number,
  at: number,
):
  | { ok: true; event: UnsequencedClockEvent; why: string }
  | { ok: false; code: string; message: string } {
  const goal = step.selectGoal(goalInputOf(lead, at));
  if (!goal.ok) return { ok: false, code: goal.error.code, message: goal.error.message };
  return {
    ok: true,
    event: {
      type: "start",
      at,
      goal: goal.snapshot(agreementVersion, calendarRefOf(goal.calendar, agreementVersion)),
    },
    why: goal.why,
  };
}

/**
 * The one timer the durable scheduler holds for a clock: its next wake-up, the earliest of its
 * pending warnings and breaches (core/sla) and the escalation rungs of its open cycle not yet
 * taken. Waking up, the worker fires everything due and asks for the next wake-up again; so a
 * clock costs one timer row at a time, however many thresholds and rungs its step has. The key
 * names the cycle and the instant, so a wake-up that fired is never armed again, while a
 * recalculation that moves the instant arms a new one.
 */
export interface ClockWakeUp {
  key: string;
  dueAt: number;
  payload: { clockId: string; leadId: string; step: string; cycle: number };
}

/** The key under which a lead records an escalation rung it took. */
export function escalationKeyOf(clockId: string, cycle: number, rung: number): string {
  return `${clockId}:${cycle}:escalation:${rung}`;
}

/** Escalation rungs of the clock's open cycle that are due at `now` and not yet taken. */
export function dueEscalations(
  step: CompiledClockStep,
  clock: ClockState,
  taken: readonly string[],
  now: number,
): { rung: number; cycle: number; key: string; at: number }[] {
  const last = clock.cycles[clock.cycles.length - 1];
  if (last === undefined || last.stoppedAt !== null) return [];
  return step
    .escalations(last, clock.clockId)
    .filter((rung) => rung.at <= now && !taken.includes(rung.key))
    .map((rung) => ({ rung: rung.rung, cycle: last.id, key: rung.key, at: rung.at }));
}

export function nextWakeUp(
  step: CompiledClockStep,
  clock: ClockState,
  leadId: string,
  taken: readonly string[],
  now: number,
): ClockWakeUp | undefined {
  let next: { at: number; cycle: number } | undefined;
  const consider = (at: number, cycle: number) => {
    if (Number.isFinite(at) && (next === undefined || at < next.at)) next = { at, cycle };
  };
  for (const timer of pendingTimers(clock, now)) consider(timer.at, timer.cycle);
  const last = clock.cycles[clock.cycles.length - 1];
  if (last !== undefined && last.stoppedAt === null)
    for (const rung of step.escalations(last, clock.clockId))
      if (!taken.includes(rung.key)) consider(rung.at, last.id);
  if (next === undefined) return undefined;
  return {
    key: `${clock.clockId}:${next.cycle}@${next.at}`,
    dueAt: next.at,
    payload: { clockId: clock.clockId, leadId, step: step.step.id, cycle: next.cycle },
  };
}
