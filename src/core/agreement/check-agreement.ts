import { compileExpression } from "../expression/index.js";
import { checkLifecycle } from "../lifecycle/index.js";
import { checkQualification } from "../qualification/index.js";
import { referencedReps } from "../routing/index.js";
import { type AgreementIssue, type IssuePath, unknownReference } from "./agreement-issue.js";
import type { Agreement, SlaStep } from "./agreement-schema.js";
import { expressionSchemaOf } from "./expression-schema.js";

/** Calendar references a goal may use instead of a calendar name. */
export const dynamicCalendars = ["owner", "team", "region"] as const;

/**
 * The sections of an agreement that passed the schema on their own. Meaning checks run on every
 * valid section, so a file with a schema error in one place still gets its reference and
 * expression errors elsewhere reported in the same run.
 */
export type ValidSections = Partial<Agreement>;

/**
 * Meaning checks: every reference resolves, every expression compiles and has the right type,
 * the lifecycle is connected, SLA steps are consistent with the lifecycle, and both sides'
 * approvers belong to their side. A check runs only when the sections it reads are valid;
 * `fieldsValid` is false when a `fields:` section exists but is broken (expressions would then
 * report false unknown-field errors, so they are not checked).
 */
export function checkAgreement(
  agreement: ValidSections,
  fieldsValid = true,
  /** sections present in the file but invalid: references into them are not checked */
  invalidSections: ReadonlySet<string> = new Set(),
): AgreementIssue[] {
  const issues: AgreementIssue[] = [];
  const error = (path: IssuePath, message: string, code = "reference", hint?: string) =>
    issues.push({
      severity: "error",
      code,
      path,
      message,
      ...(hint === undefined ? {} : { hint }),
    });

  const { teams, people, calendars, lifecycle } = agreement;
  const teamIds = teams ? Object.keys(teams) : undefined;
  const personIds = people ? Object.keys(people) : undefined;
  const calendarIds = calendars ? Object.keys(calendars) : undefined;
  const stageIds = lifecycle?.stages.map((stage) => stage.id);
  const actionIds = lifecycle
    ? [...new Set(lifecycle.transitions.map((t) => t.action))]
    : undefined;
  const variables = expressionSchemaOf(agreement);

  const checkExpression = (path: IssuePath, source: string, expect: "bool" | "number" = "bool") => {
    if (!fieldsValid) return;
    const compiled = compileExpression(source, variables, expect);
    if (!compiled.ok) {
      for (const problem of compiled.errors) {
        issues.push({
          severity: "error",
          code: "expression",
          path,
          message: problem.message,
          ...(problem.hint === undefined ? {} : { hint: problem.hint }),
          offset: problem.offset,
        });
      }
    }
  };
  /** Reports `name` when `known` (a valid section's ids) does not hold it. */
  const reference = (
    path: IssuePath,
    kind: string,
    name: string,
    known: readonly string[] | undefined,
  ) => {
    if (known !== undefined && !known.includes(name))
      error(path, unknownReference(kind, name, known));
  };

  for (const [id, team] of Object.entries(teams ?? {})) {
    if (team.manager !== undefined)
      reference(["teams", id, "manager"], "person", team.manager, personIds);
    if (team.calendar !== undefined)
      reference(["teams", id, "calendar"], "calendar", team.calendar, calendarIds);
  }
  for (const [id, person] of Object.entries(people ?? {})) {
    reference(["people", id, "team"], "team", person.team, teamIds);
    if (person.calendar !== undefined)
      reference(["people", id, "calendar"], "calendar", person.calendar, calendarIds);
    for (const [index, leave] of (person.out_of_office ?? []).entries()) {
      if (leave.from > leave.to)
        error(
          ["people", id, "out_of_office", index, "to"],
          `leave ends (${leave.to}) before it starts (${leave.from})`,
          "value",
          "swap from and to",
        );
    }
  }
  for (const [name, calendar] of Object.entries(calendars ?? {})) {
    for (const [index, holiday] of (calendar.holidays ?? []).entries()) {
      if (holiday.yearly === true && holiday.date.endsWith("-02-29"))
        issues.push({
          severity: "warning",
          code: "calendar",
          path: ["calendars", name, "holidays", index, "date"],
          message: "a yearly holiday on 29 February falls only in leap years",
          hint: "pick the date the holiday moves to in other years, or list each year's date",
        });
    }
  }
  for (const [region, calendar] of Object.entries(agreement.regions ?? {}))
    reference(["regions", region], "calendar", calendar, calendarIds);

  if (lifecycle && agreement.reasons && agreement.feedback && fieldsValid) {
    const sections = {
      lifecycle,
      reasons: agreement.reasons,
      feedback: agreement.feedback,
      recycling: agreement.recycling,
    };
    issues.push(...checkLifecycle(sections, Object.keys(variables.lead ?? {})));
  }
  if (agreement.qualification && fieldsValid)
    issues.push(
      ...checkQualification(agreement.qualification, variables).map(withQualificationPath),
    );

  if (agreement.sla)
    checkSla(agreement, agreement.sla.steps, {
      error,
      reference,
      checkExpression,
      calendarIds,
      stageIds,
      actionIds,
      invalidSections,
      leadFields: fieldsValid ? Object.keys(variables.lead ?? {}) : undefined,
    });

  if (agreement.routing) {
    for (const [index, rule] of agreement.routing.rules.entries()) {
      if (rule.when !== undefined) checkExpression(["routing", "rules", index, "when"], rule.when);
    }
    for (const { rep, path } of referencedReps(agreement.routing))
      reference(["routing", ...path], "person", rep, personIds);
    for (const [id, queue] of Object.entries(agreement.routing.queues ?? {}))
      reference(["routing", "queues", id, "team"], "team", queue.team, teamIds);
  }

  if (agreement.commitments) {
    const clockSteps = agreement.sla?.steps
      .filter((step) => step.kind === "clock")
      .map((step) => step.id);
    for (const side of ["marketing", "sales"] as const) {
      for (const [index, commitment] of agreement.commitments[side].entries()) {
        const path = ["commitments", side, index];
        const needsStep =
          commitment.metric === "sla_attainment" || commitment.metric === "touched_within_sla_rate";
        if (needsStep && commitment.step === undefined)
          error(
            [...path, "metric"],
            `metric ${commitment.metric} needs 'step': the SLA clock step it measures`,
            "value",
            `add step: ${clockSteps?.[0] ?? "<clock step id>"}`,
          );
        if (commitment.step !== undefined)
          reference([...path, "step"], "SLA clock step", commitment.step, clockSteps);
        if (commitment.metric === "outcome_logging_rate" && commitment.within_days === undefined)
          error(
            [...path, "metric"],
            "metric outcome_logging_rate needs 'within_days': the days allowed to log an outcome",
            "value",
            "add within_days: 5",
          );
        if (commitment.min === undefined && commitment.max === undefined)
          error(path, "a commitment needs a target: 'min' or 'max'", "value", "add min: <number>");
        if (
          commitment.metric.endsWith("_rate") ||
          commitment.metric === "sla_attainment" ||
          commitment.metric === "rejection_reason_coverage" ||
          commitment.metric === "handoff_context_completeness"
        ) {
          for (const key of ["min", "max", "warn_below"] as const) {
            const value = commitment[key];
            if (value !== undefined && value > 1)
              error(
                [...path, key],
                `${key} ${value} is not a rate; rates are fractions between 0 and 1`,
                "value",
                value <= 100
                  ? `write ${value / 100} for ${value} %`
                  : "write the rate as a fraction: 0.9 for 90 %",
              );
          }
        }
        if (commitment.segment !== undefined)
          checkExpression([...path, "segment"], commitment.segment);
      }
    }
  }

  for (const [index, review] of (agreement.reviews ?? []).entries()) {
    reference(["reviews", index, "calendar"], "calendar", review.calendar, calendarIds);
    for (const [ownerIndex, owner] of review.owners.entries())
      reference(["reviews", index, "owners", ownerIndex], "team", owner, teamIds);
  }

  const warn = (path: IssuePath, message: string, hint?: string) =>
    issues.push({
      severity: "warning",
      code: "consistency",
      path,
      message,
      ...(hint === undefined ? {} : { hint }),
    });
  if (agreement.routing && people && teams) {
    for (const { rep, path } of referencedReps(agreement.routing)) {
      const team = Object.hasOwn(people, rep) ? teams[people[rep]!.team] : undefined;
      if (team?.side === "marketing")
        warn(
          ["routing", ...path],
          `${rep} is on the marketing side but receives leads to work`,
          "route leads to sales-side people",
        );
    }
    for (const [id, queue] of Object.entries(agreement.routing.queues ?? {})) {
      if (
        !Object.values(people).some((person) => person.team === queue.team) &&
        Object.hasOwn(teams, queue.team)
      )
        warn(
          ["routing", "queues", id, "team"],
          `queue '${id}' belongs to team '${queue.team}', which has no people, so nobody works it`,
          `add people to team '${queue.team}'`,
        );
    }
  }

  if (agreement.approvers && people && teams) {
    for (const side of ["marketing", "sales"] as const) {
      const seenApprovers = new Set<string>();
      for (const [index, approver] of agreement.approvers[side].entries()) {
        if (seenApprovers.has(approver))
          error(
            ["approvers", side, index],
            `${approver} is listed twice as a ${side} approver`,
            "value",
            "list each approver once",
          );
        seenApprovers.add(approver);
        const person = people[approver];
        if (!person) {
          reference(["approvers", side, index], "person", approver, personIds);
          continue;
        }
        const team = teams[person.team];
        if (team && team.side !== side && team.side !== "revops")
          error(
            ["approvers", side, index],
            `${approver} is on the ${team.side} side (team ${person.team}) and cannot approve for ${side}`,
            "reference",
            `list a person from a ${side} team`,
          );
      }
    }
  }
  return issues;
}

interface SlaContext {
  invalidSections: ReadonlySet<string>;
  /** lead fields an escalation may set; undefined when `fields:` is broken */
  leadFields: string[] | undefined;
  error: (path: IssuePath, message: string, code?: string, hint?: string) => void;
  reference: (
    path: IssuePath,
    kind: string,
    name: string,
    known: readonly string[] | undefined,
  ) => void;
  checkExpression: (path: IssuePath, source: string) => void;
  calendarIds: string[] | undefined;
  stageIds: string[] | undefined;
  actionIds: string[] | undefined;
}

function checkSla(agreement: ValidSections, steps: SlaStep[], context: SlaContext): void {
  const { error, reference, checkExpression, calendarIds, stageIds, actionIds } = context;
  const teamIds = agreement.teams ? Object.keys(agreement.teams) : undefined;
  const reviewIds = context.invalidSections.has("reviews")
    ? undefined
    : (agreement.reviews ?? []).map((review) => review.id);
  const seen = new Set<string>();
  for (const [index, step] of steps.entries()) {
    const path = ["sla", "steps", index];
    if (seen.has(step.id))
      error(
        [...path, "id"],
        `duplicate SLA step id '${step.id}'`,
        "value",
        "give every step its own id",
      );
    seen.add(step.id);
    if (Array.isArray(step.owner)) {
      for (const [ownerIndex, owner] of step.owner.entries())
        reference([...path, "owner", ownerIndex], "team", owner, teamIds);
    } else {
      reference([...path, "owner"], "team", step.owner, teamIds);
    }
    if (step.kind === "cadence") {
      reference([...path, "review"], "review", step.review, reviewIds);
      continue;
    }
    if (step.kind === "gate") {
      for (const [actionIndex, action] of step.on_actions.entries()) {
        if (actionIds === undefined || !agreement.lifecycle) continue;
        if (!actionIds.includes(action)) {
          reference([...path, "on_actions", actionIndex], "action", action, actionIds);
          continue;
        }
        // A gate is only as strong as the transition it guards: the lifecycle must demand it.
        for (const [transitionIndex, transition] of agreement.lifecycle.transitions.entries()) {
          if (transition.action !== action) continue;
          const requires = transition.requires ?? {};
          const missing = step.requires.filter((need) =>
            need === "reason"
              ? requires.reason === undefined
              : need === "note"
                ? requires.note !== true
                : need === "context"
                  ? (requires.context ?? []).length === 0
                  : (requires.feedback ?? []).length === 0,
          );
          for (const need of missing)
            error(
              ["lifecycle", "transitions", transitionIndex],
              `SLA step '${step.id}' requires a ${need} on '${action}', but this transition does not ask for one`,
              "consistency",
              `add requires.${need} to the '${action}' transition`,
            );
        }
      }
      continue;
    }
    const triggers = [
      ...step.start_on.map((trigger, i) => ({ trigger, at: [...path, "start_on", i] })),
      ...step.stop_on.map((trigger, i) => ({ trigger, at: [...path, "stop_on", i] })),
      ...(step.reset_on ?? []).map((trigger, i) => ({ trigger, at: [...path, "reset_on", i] })),
    ];
    for (const { trigger, at } of triggers) {
      const [kind, name] = trigger.split(":");
      if ((kind === "enter" || kind === "exit") && name !== undefined)
        reference(at, "stage", name, stageIds);
      if (kind === "action" && name !== undefined) reference(at, "action", name, actionIds);
    }
    for (const [pauseIndex, condition] of (step.pause_when ?? []).entries())
      checkExpression([...path, "pause_when", pauseIndex], condition);
    for (const [goalIndex, goal] of step.goals.entries()) {
      const goalPath = [...path, "goals", goalIndex];
      if (goal.when !== undefined) checkExpression([...goalPath, "when"], goal.when);
      if ((goal.target_minutes === undefined) === (goal.target_business_days === undefined))
        error(
          goalPath,
          `goal '${goal.id}' needs exactly one target: target_minutes or target_business_days`,
          "value",
          "write target_minutes: 240 for four business hours, or target_business_days: 1 for the end of the next business day",
        );
      const isLast = goalIndex === step.goals.length - 1;
      if (isLast && goal.when !== undefined)
        error(
          goalPath,
          `the last goal of '${step.id}' has a condition, so a lead matching none gets no goal`,
          "consistency",
          "remove 'when' from the last goal to make it the catch-all",
        );
      if (!isLast && goal.when === undefined)
        error(
          [...goalPath, "id"],
          `goal '${goal.id}' has no condition, so the goals after it can never apply`,
          "consistency",
          "move the catch-all goal last",
        );
      const dynamic = (dynamicCalendars as readonly string[]).includes(goal.calendar);
      if (!dynamic && calendarIds !== undefined)
        reference([...goalPath, "calendar"], "calendar", goal.calendar, [
          ...calendarIds,
          ...dynamicCalendars,
        ]);
      if (goal.calendar === "region" && agreement.regions === undefined)
        error(
          [...goalPath, "calendar"],
          "calendar 'region' needs a 'regions' map from lead.region values to calendars",
          "reference",
          "add regions: { <region>: <calendar> } at the top level",
        );
    }
    for (const [rungIndex, rung] of (step.escalation ?? []).entries()) {
      for (const [actionIndex, action] of rung.actions.entries()) {
        if ("set_field" in action && context.leadFields !== undefined)
          context.reference(
            [...path, "escalation", rungIndex, "actions", actionIndex, "set_field", "field"],
            "lead field",
            action.set_field.field,
            context.leadFields,
          );
      }
    }
    const percents = step.warnings?.percent ?? [];
    for (const [rungIndex, rung] of (step.escalation ?? []).entries()) {
      if (
        typeof rung.at === "object" &&
        "warning" in rung.at &&
        !percents.includes(rung.at.warning)
      )
        error(
          [...path, "escalation", rungIndex, "at", "warning"],
          `no warning at ${rung.at.warning} % is declared for '${step.id}'; declared: ${percents.join(", ") || "none"}`,
          "consistency",
          `add ${rung.at.warning} to warnings.percent`,
        );
    }
  }
}

function withQualificationPath(issue: AgreementIssue): AgreementIssue {
  return { ...issue, path: ["qualification", ...issue.path] };
}
