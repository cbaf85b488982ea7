import { DateTime } from "luxon";
import { type BusinessCalendar, compileCalendar, endOfBusinessDays } from "../calendar/index.js";
import { compileCondition, type VariableSchema } from "../expression/index.js";
import type { FieldRecord } from "../lead/lead.js";
import { type CompiledLifecycle, compileLifecycle } from "../lifecycle/index.js";
import { compileQualification, type QualificationScorer } from "../qualification/index.js";
import {
  type Availability,
  availabilityFrom,
  celConditions,
  compileRouting,
  type Leave,
  type Router,
} from "../routing/index.js";
import type { GoalSnapshot } from "../sla/index.js";
import type { Agreement, ClockStep } from "./agreement-schema.js";
import { expressionSchemaOf } from "./expression-schema.js";

/**
 * An agreement ready to decide: calendars expanded, expressions compiled to closures, lifecycle
 * tables built, routing prepared. Compile once per agreement version; every decision after that
 * is a pure function call. Only a loaded (validated) agreement may be compiled: an invalid one
 * is a bug in the caller and throws.
 */
export interface CompiledAgreement {
  agreement: Agreement;
  variables: VariableSchema;
  calendars: ReadonlyMap<string, BusinessCalendar>;
  lifecycle: CompiledLifecycle;
  qualification: QualificationScorer;
  router: Router;
  clockSteps: readonly CompiledClockStep[];
  /** availability of every person from their calendar and the agreement's planned leave */
  availability: Availability;
}

/** What a clock step needs to know about a lead to choose its goal and calendar. */
export interface GoalInput {
  lead: FieldRecord;
  company: FieldRecord;
  /**
   * the lead's current owner (person id), for `calendar: owner`; a lead waiting in a queue has
   * none and is measured on the step's team calendar
   */
  owner?: string;
  /** when the cycle starts (epoch ms); needed by goals written in business days */
  startAt?: number;
}

export type GoalSelection =
  | {
      ok: true;
      goalId: string;
      /** the calendar name the goal resolved to (`owner` → that person's calendar, …) */
      calendar: string;
      targetMs: number;
      /** why this goal: the first whose condition held, or the catch-all */
      why: string;
      snapshot: (agreementVersion: number, calendarVersion?: string) => GoalSnapshot;
    }
  | {
      ok: false;
      error: {
        code: "no_goal" | "no_calendar" | "unknown_owner" | "start_required";
        message: string;
      };
    };

export interface CompiledClockStep {
  step: ClockStep;
  selectGoal(input: GoalInput): GoalSelection;
  /** true while any of the step's pause conditions holds for the lead */
  paused(input: GoalInput): boolean;
  /**
   * The escalation ladder of one cycle as timers: each rung with the instant it fires and its
   * actions, keyed like the clock's own timers so a durable scheduler fires each exactly once.
   * Rungs at a warning follow the warning's due instant; `after_breach_minutes` counts
   * wall-clock minutes after the breach (a manager is paged at night too when the agreement
   * says so). Rungs whose instant is not known yet (a paused cycle) are left out.
   */
  escalations(cycle: EscalationCycle, clockId: string): EscalationTimer[];
}

/** The parts of an SLA cycle (core/sla `Cycle`) the escalation ladder reads. */
export interface EscalationCycle {
  id: number | string;
  dueAt: number | null;
  breachedAt: number | null;
  warnings: readonly { threshold: { kind: string; value: number }; dueAt: number | null }[];
}

export interface EscalationTimer {
  key: string;
  at: number;
  rung: number;
  actions: ClockStep["escalation"] extends (infer Rung)[] | undefined
    ? Rung extends { actions: infer Actions }
      ? Actions
      : never
    : never;
}

const minuteMs = 60_000;

/** `record[key]` when `key` is the record's own key (never a prototype member such as toString). */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function compileAgreement(agreement: Agreement): CompiledAgreement {
  const variables = expressionSchemaOf(agreement);
  const calendars = new Map(
    Object.entries(agreement.calendars).map(([name, definition]) => [
      name,
      compileCalendar(definition),
    ]),
  );
  const condition = (source: string) => {
    const compiled = compileCondition(source, variables);
    if (!compiled.ok)
      throw new Error(`condition '${source}' does not compile; load the agreement first`);
    return compiled.test;
  };
  const clockSteps = agreement.sla.steps
    .filter((step): step is ClockStep => step.kind === "clock")
    .map((step) => compileClockStep(agreement, step, condition, calendars));

  const workingHours: Record<string, BusinessCalendar | undefined> = {};
  const leave: Record<string, Leave[]> = {};
  for (const [id, person] of Object.entries(agreement.people)) {
    const calendarName = person.calendar ?? agreement.teams[person.team]?.calendar;
    const calendar = calendarName === undefined ? undefined : calendars.get(calendarName);
    workingHours[id] = calendar;
    const zone = calendar?.timezone ?? agreement.timezone;
    leave[id] = (person.out_of_office ?? []).map((stretch) => ({
      start: DateTime.fromISO(stretch.from, { zone }).startOf("day").toMillis(),
      end: DateTime.fromISO(stretch.to, { zone }).plus({ days: 1 }).startOf("day").toMillis(),
    }));
  }

  return {
    agreement,
    variables,
    calendars,
    lifecycle: compileLifecycle(agreement),
    qualification: compileQualification(agreement.qualification, variables),
    router: compileRouting(agreement.routing, celConditions(variables)),
    clockSteps,
    availability: availabilityFrom({ workingHours, leave }),
  };
}

type Test = (context: Record<string, Record<string, unknown> | undefined>) => boolean;

function compileClockStep(
  agreement: Agreement,
  step: ClockStep,
  condition: (source: string) => Test,
  calendars: ReadonlyMap<string, BusinessCalendar>,
): CompiledClockStep {
  const goals = step.goals.map((goal) => ({
    goal,
    test: goal.when === undefined ? undefined : condition(goal.when),
  }));
  const pauses = (step.pause_when ?? []).map(condition);
  const context = (input: GoalInput) => ({ lead: input.lead, company: input.company });

  /** Calendar name for a goal, or why there is none. Lookups use own keys only: lead fields come from CRMs. */
  const resolveCalendar = (
    name: string,
    input: GoalInput,
  ):
    | { ok: true; calendar: string }
    | { ok: false; code: "no_calendar" | "unknown_owner"; message: string } => {
    const teamCalendar = own(agreement.teams, step.owner)?.calendar;
    const none = (whose: string) => ({
      ok: false as const,
      code: "no_calendar" as const,
      message: `goal of '${step.id}' is measured on the ${name} calendar, and ${whose} has none`,
    });
    if (name === "owner") {
      if (input.owner === undefined)
        return teamCalendar === undefined
          ? none(`team '${step.owner}'`)
          : { ok: true, calendar: teamCalendar };
      const person = own(agreement.people, input.owner);
      if (person === undefined)
        return {
          ok: false,
          code: "unknown_owner",
          message: `owner '${input.owner}' is not a person of the agreement, so their working hours are unknown`,
        };
      const calendar =
        person.calendar ?? own(agreement.teams, person.team)?.calendar ?? teamCalendar;
      return calendar === undefined ? none(`owner '${input.owner}'`) : { ok: true, calendar };
    }
    if (name === "team")
      return teamCalendar === undefined
        ? none(`team '${step.owner}'`)
        : { ok: true, calendar: teamCalendar };
    if (name === "region") {
      const region = input.lead.region;
      const calendar =
        typeof region === "string" ? own(agreement.regions ?? {}, region) : undefined;
      return calendar === undefined
        ? none(`region '${String(region ?? "(none)")}'`)
        : { ok: true, calendar };
    }
    return { ok: true, calendar: name };
  };

  return {
    step,
    paused: (input) => pauses.some((test) => test(context(input))),
    escalations(cycle, clockId) {
      const timers: EscalationTimer[] = [];
      for (const [rung, { at, actions }] of (step.escalation ?? []).entries()) {
        let when: number | null = null;
        if (at === "breach") when = cycle.breachedAt ?? cycle.dueAt;
        else if ("warning" in at)
          when =
            cycle.warnings.find(
              (warning) =>
                warning.threshold.kind === "percent" && warning.threshold.value === at.warning,
            )?.dueAt ?? null;
        else {
          const breach = cycle.breachedAt ?? cycle.dueAt;
          when = breach === null ? null : breach + at.after_breach_minutes * minuteMs;
        }
        if (when !== null && Number.isFinite(when))
          timers.push({
            key: `${clockId}:${cycle.id}:escalation:${rung}`,
            at: when,
            rung,
            actions,
          });
      }
      return timers;
    },
    selectGoal(input) {
      const values = context(input);
      const chosen = goals.find(({ test }) => test === undefined || test(values));
      if (!chosen)
        return {
          ok: false,
          error: {
            code: "no_goal",
            message: `no goal of SLA step '${step.id}' applies to this lead`,
          },
        };
      const { goal } = chosen;
      const resolved = resolveCalendar(goal.calendar, input);
      if (!resolved.ok)
        return { ok: false, error: { code: resolved.code, message: resolved.message } };
      const { calendar } = resolved;
      let targetMs: number;
      if (goal.target_business_days !== undefined) {
        const business = calendars.get(calendar);
        if (input.startAt === undefined || business === undefined)
          return {
            ok: false,
            error: {
              code: "start_required",
              message: `goal '${goal.id}' is in business days, so its target depends on when the cycle starts; pass startAt`,
            },
          };
        // "N business days" becomes the business time until the end of the Nth business day,
        // so the clock (pauses, recalculation, warnings) treats it like any other target.
        const end = endOfBusinessDays(business, input.startAt, goal.target_business_days);
        targetMs = business.elapsed(input.startAt, end);
      } else {
        targetMs = (goal.target_minutes ?? 0) * minuteMs;
      }
      const warnings = step.warnings
        ? {
            ...(step.warnings.percent ? { percent: step.warnings.percent } : {}),
            ...(step.warnings.minutes_before
              ? { minutesBefore: step.warnings.minutes_before }
              : {}),
          }
        : undefined;
      return {
        ok: true,
        goalId: goal.id,
        calendar,
        targetMs,
        why:
          goal.when === undefined
            ? `catch-all goal '${goal.id}'`
            : `goal '${goal.id}': ${goal.when}`,
        snapshot: (agreementVersion, calendarVersion) => ({
          goalId: goal.id,
          agreementVersion,
          targetMs,
          calendarRef: calendarVersion ?? calendar,
          ...(warnings ? { warnings } : {}),
        }),
      };
    },
  };
}
