import { DateTime } from "luxon";
import { type BusinessCalendar, compileCalendar } from "../calendar/index.js";
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
  /** the lead's current owner (person id), for `calendar: owner` */
  owner?: string;
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
  | { ok: false; error: { code: "no_goal" | "no_calendar"; message: string } };

export interface CompiledClockStep {
  step: ClockStep;
  selectGoal(input: GoalInput): GoalSelection;
  /** true while any of the step's pause conditions holds for the lead */
  paused(input: GoalInput): boolean;
}

const minuteMs = 60_000;

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
    .map((step) => compileClockStep(agreement, step, condition));

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
): CompiledClockStep {
  const goals = step.goals.map((goal) => ({
    goal,
    test: goal.when === undefined ? undefined : condition(goal.when),
  }));
  const pauses = (step.pause_when ?? []).map(condition);
  const context = (input: GoalInput) => ({ lead: input.lead, company: input.company });

  const resolveCalendar = (name: string, input: GoalInput): string | undefined => {
    if (name === "owner") {
      const person = input.owner === undefined ? undefined : agreement.people[input.owner];
      return (
        person?.calendar ??
        (person ? agreement.teams[person.team]?.calendar : undefined) ??
        agreement.teams[step.owner]?.calendar
      );
    }
    if (name === "team") return agreement.teams[step.owner]?.calendar;
    if (name === "region") {
      const region = input.lead.region;
      return typeof region === "string" ? agreement.regions?.[region] : undefined;
    }
    return name;
  };

  return {
    step,
    paused: (input) => pauses.some((test) => test(context(input))),
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
      const calendar = resolveCalendar(goal.calendar, input);
      if (calendar === undefined)
        return {
          ok: false,
          error: {
            code: "no_calendar",
            message: `goal '${goal.id}' of '${step.id}' is measured on the ${goal.calendar}'s calendar, and ${goal.calendar === "owner" ? `owner '${input.owner ?? "(none)"}'` : goal.calendar === "region" ? `region '${String(input.lead.region ?? "(none)")}'` : `team '${step.owner}'`} has none`,
          },
        };
      const targetMs = goal.target_minutes * minuteMs;
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
