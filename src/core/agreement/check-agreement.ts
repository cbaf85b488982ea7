import { compileExpression } from "../expression/index.js";
import { builtInFields } from "../lead/fields.js";
import { checkLifecycle } from "../lifecycle/index.js";
import { checkQualification } from "../qualification/index.js";
import { referencedReps } from "../routing/index.js";
import { type AgreementIssue, type IssuePath, unknownReference } from "./agreement-issue.js";
import type { Agreement } from "./agreement-schema.js";
import { expressionSchemaOf } from "./expression-schema.js";

/** Calendar references a goal may use instead of a calendar name. */
export const dynamicCalendars = ["owner", "team", "region"] as const;

/**
 * Meaning checks run once the file has the right shape: every reference resolves, every
 * expression compiles and has the right type, the lifecycle is connected, SLA steps are
 * consistent with the lifecycle, and both sides' approvers belong to their side.
 */
export function checkAgreement(agreement: Agreement): AgreementIssue[] {
  const issues: AgreementIssue[] = [];
  const error = (path: IssuePath, message: string, code = "reference", hint?: string) =>
    issues.push({ severity: "error", code, path, message, hint });

  const teamIds = Object.keys(agreement.teams);
  const personIds = Object.keys(agreement.people);
  const calendarIds = Object.keys(agreement.calendars);
  const stageIds = agreement.lifecycle.stages.map((stage) => stage.id);
  const actionIds = [...new Set(agreement.lifecycle.transitions.map((t) => t.action))];
  const variables = expressionSchemaOf(agreement);

  const checkExpression = (path: IssuePath, source: string, expect: "bool" | "number" = "bool") => {
    const compiled = compileExpression(source, variables, expect);
    if (!compiled.ok) {
      for (const problem of compiled.errors) {
        issues.push({
          severity: "error",
          code: "expression",
          path,
          message: problem.message,
          hint: problem.hint,
          offset: problem.offset,
        });
      }
    }
  };

  for (const [id, team] of Object.entries(agreement.teams)) {
    if (team.manager !== undefined && !personIds.includes(team.manager))
      error(["teams", id, "manager"], unknownReference("person", team.manager, personIds));
    if (team.calendar !== undefined && !calendarIds.includes(team.calendar))
      error(["teams", id, "calendar"], unknownReference("calendar", team.calendar, calendarIds));
  }
  for (const [id, person] of Object.entries(agreement.people)) {
    if (!teamIds.includes(person.team))
      error(["people", id, "team"], unknownReference("team", person.team, teamIds));
    if (person.calendar !== undefined && !calendarIds.includes(person.calendar))
      error(["people", id, "calendar"], unknownReference("calendar", person.calendar, calendarIds));
    for (const [index, leave] of (person.out_of_office ?? []).entries()) {
      if (leave.from > leave.to)
        error(["people", id, "out_of_office", index, "to"], `leave ends (${leave.to}) before it starts (${leave.from})`, "value");
    }
  }
  for (const [region, calendar] of Object.entries(agreement.regions ?? {})) {
    if (!calendarIds.includes(calendar))
      error(["regions", region], unknownReference("calendar", calendar, calendarIds));
  }

  issues.push(...checkLifecycle(agreement, Object.keys(variables.lead ?? {})));
  issues.push(...checkQualification(agreement.qualification, variables).map(withQualificationPath));

  checkSla(agreement, { error, checkExpression, teamIds, calendarIds, stageIds, actionIds });

  for (const [index, rule] of agreement.routing.rules.entries()) {
    if (rule.when !== undefined) checkExpression(["routing", "rules", index, "when"], rule.when);
  }
  for (const { rep, path } of referencedReps(agreement.routing)) {
    if (!personIds.includes(rep))
      error(["routing", ...path], unknownReference("person", rep, personIds));
  }
  for (const [id, queue] of Object.entries(agreement.routing.queues ?? {})) {
    if (!teamIds.includes(queue.team))
      error(["routing", "queues", id, "team"], unknownReference("team", queue.team, teamIds));
  }

  const clockSteps = agreement.sla.steps.filter((step) => step.kind === "clock").map((step) => step.id);
  for (const side of ["marketing", "sales"] as const) {
    for (const [index, commitment] of agreement.commitments[side].entries()) {
      const path = ["commitments", side, index];
      const needsStep = commitment.metric === "sla_attainment" || commitment.metric === "touched_within_sla_rate";
      if (needsStep && commitment.step === undefined)
        error([...path, "metric"], `metric ${commitment.metric} needs 'step': the SLA clock step it measures`, "value", `add step: ${clockSteps[0] ?? "<clock step id>"}`);
      if (commitment.step !== undefined && !clockSteps.includes(commitment.step))
        error([...path, "step"], unknownReference("SLA clock step", commitment.step, clockSteps));
      if (commitment.metric === "outcome_logging_rate" && commitment.within_days === undefined)
        error([...path, "metric"], "metric outcome_logging_rate needs 'within_days': the days allowed to log an outcome", "value", "add within_days: 5");
      if (commitment.min === undefined && commitment.max === undefined)
        error(path, "a commitment needs a target: 'min' or 'max'", "value", "add min: <number>");
      if (commitment.metric.endsWith("_rate") || commitment.metric === "sla_attainment") {
        for (const key of ["min", "max", "warn_below"] as const) {
          const value = commitment[key];
          if (value !== undefined && value > 1)
            error([...path, key], `${key} ${value} is not a rate; rates are fractions between 0 and 1`, "value", `write ${value / 100} for ${value} %`);
        }
      }
      if (commitment.segment !== undefined) checkExpression([...path, "segment"], commitment.segment);
    }
  }

  for (const [index, review] of (agreement.reviews ?? []).entries()) {
    if (!calendarIds.includes(review.calendar))
      error(["reviews", index, "calendar"], unknownReference("calendar", review.calendar, calendarIds));
    for (const [ownerIndex, owner] of review.owners.entries()) {
      if (!teamIds.includes(owner))
        error(["reviews", index, "owners", ownerIndex], unknownReference("team", owner, teamIds));
    }
  }

  for (const side of ["marketing", "sales"] as const) {
    for (const [index, approver] of agreement.approvers[side].entries()) {
      const person = agreement.people[approver];
      if (!person) {
        error(["approvers", side, index], unknownReference("person", approver, personIds));
        continue;
      }
      const team = agreement.teams[person.team];
      if (team && team.side !== side && team.side !== "revops")
        error(["approvers", side, index], `${approver} is on the ${team.side} side (team ${person.team}) and cannot approve for ${side}`, "reference", `list a person from a ${side} team`);
    }
  }
  return issues;
}

interface SlaContext {
  error: (path: IssuePath, message: string, code?: string, hint?: string) => void;
  checkExpression: (path: IssuePath, source: string) => void;
  teamIds: string[];
  calendarIds: string[];
  stageIds: string[];
  actionIds: string[];
}

function checkSla(agreement: Agreement, context: SlaContext): void {
  const { error, checkExpression, teamIds, calendarIds, stageIds, actionIds } = context;
  const reviewIds = (agreement.reviews ?? []).map((review) => review.id);
  const seen = new Set<string>();
  for (const [index, step] of agreement.sla.steps.entries()) {
    const path = ["sla", "steps", index];
    if (seen.has(step.id)) error([...path, "id"], `duplicate SLA step id '${step.id}'`, "value", "give every step its own id");
    seen.add(step.id);
    const owners = Array.isArray(step.owner) ? step.owner : [step.owner];
    for (const [ownerIndex, owner] of owners.entries()) {
      if (!teamIds.includes(owner))
        error(Array.isArray(step.owner) ? [...path, "owner", ownerIndex] : [...path, "owner"], unknownReference("team", owner, teamIds));
    }
    if (step.kind === "cadence") {
      if (!reviewIds.includes(step.review))
        error([...path, "review"], unknownReference("review", step.review, reviewIds));
      continue;
    }
    if (step.kind === "gate") {
      for (const [actionIndex, action] of step.on_actions.entries()) {
        if (!actionIds.includes(action)) {
          error([...path, "on_actions", actionIndex], unknownReference("action", action, actionIds));
          continue;
        }
        // A gate is only as strong as the transition it guards: the lifecycle must demand it.
        for (const [transitionIndex, transition] of agreement.lifecycle.transitions.entries()) {
          if (transition.action !== action) continue;
          const requires = transition.requires ?? {};
          const missing = step.requires.filter((need) =>
            need === "reason" ? requires.reason === undefined
            : need === "context" ? (requires.context ?? []).length === 0
            : need === "feedback" ? (requires.feedback ?? []).length === 0
            : false,
          );
          for (const need of missing)
            error(["lifecycle", "transitions", transitionIndex], `SLA step '${step.id}' requires a ${need} on '${action}', but this transition does not ask for one`, "consistency", `add requires.${need} to the '${action}' transition`);
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
      if ((kind === "enter" || kind === "exit") && name !== undefined && !stageIds.includes(name))
        error(at, unknownReference("stage", name, stageIds));
      if (kind === "action" && name !== undefined && !actionIds.includes(name))
        error(at, unknownReference("action", name, actionIds));
    }
    for (const [pauseIndex, condition] of (step.pause_when ?? []).entries())
      checkExpression([...path, "pause_when", pauseIndex], condition);
    for (const [goalIndex, goal] of step.goals.entries()) {
      const goalPath = [...path, "goals", goalIndex];
      if (goal.when !== undefined) checkExpression([...goalPath, "when"], goal.when);
      const isLast = goalIndex === step.goals.length - 1;
      if (isLast && goal.when !== undefined)
        error(goalPath, `the last goal of '${step.id}' has a condition, so a lead matching none gets no goal`, "consistency", "remove 'when' from the last goal to make it the catch-all");
      if (!isLast && goal.when === undefined)
        error([...goalPath, "id"], `goal '${goal.id}' has no condition, so the goals after it can never apply`, "consistency", "move the catch-all goal last");
      const dynamic = (["owner", "team", "region"] as string[]).includes(goal.calendar);
      if (!dynamic && !calendarIds.includes(goal.calendar))
        error([...goalPath, "calendar"], unknownReference("calendar", goal.calendar, [...calendarIds, "owner", "team", "region"]));
      if (goal.calendar === "region" && agreement.regions === undefined)
        error([...goalPath, "calendar"], "calendar 'region' needs a 'regions' map from lead.region values to calendars", "reference", "add regions: { <region>: <calendar> } at the top level");
    }
    const percents = step.warnings?.percent ?? [];
    for (const [rungIndex, rung] of (step.escalation ?? []).entries()) {
      if (typeof rung.at === "object" && "warning" in rung.at && !percents.includes(rung.at.warning))
        error([...path, "escalation", rungIndex, "at", "warning"], `no warning at ${rung.at.warning} % is declared for '${step.id}'; declared: ${percents.join(", ") || "none"}`, "consistency", `add ${rung.at.warning} to warnings.percent`);
    }
  }
}

function withQualificationPath(issue: AgreementIssue): AgreementIssue {
  return { ...issue, path: ["qualification", ...issue.path] };
}
