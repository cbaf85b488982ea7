import { closest } from "../agreement/agreement-issue.js";
import type { FieldRecord, FieldValue, Lead } from "../lead/lead.js";
import {
  actionsFrom,
  type CompiledLifecycle,
  type CompiledTransition,
  matchRecyclingRule,
} from "./compile-lifecycle.js";
import type { ActorRole } from "./lifecycle-schema.js";

/**
 * A lead as the lifecycle sees it. `recycledUntil` (epoch ms) is set while a recycled lead waits
 * before it may qualify again; it is derived from the `recycle` of the last `stage_changed`
 * event and cleared when the lead leaves the recycling stage.
 */
export interface LifecycleLead extends Lead {
  recycledUntil?: number;
}

export interface Actor {
  id: string;
  role: ActorRole;
}

/** What someone asks to do to a lead, as parsed at the edge (HTTP, CLI, import). */
export interface LeadAction {
  /** the action name declared in the agreement: qualify, accept, reject, … */
  type: string;
  actor: Actor;
  /** a reason id from the list the transition requires */
  reason?: string | undefined;
  note?: string | undefined;
  /** feedback field → value id */
  feedback?: Readonly<Record<string, string>> | undefined;
  /** handoff context: lead fields to set as part of the action */
  context?: FieldRecord | undefined;
}

export interface StageChangedEvent {
  type: "stage_changed";
  leadId: string;
  from: string;
  to: string;
  action: string;
  actor: Actor;
  /** epoch ms */
  at: number;
  reason?: string;
  note?: string;
  feedback?: Readonly<Record<string, string>>;
  /** present when a recycling rule redirected the lead */
  recycle?: { rule: string; until: number };
}

/** Lead fields the action's context changed (only values that differ from the lead's). */
export interface FieldsChangedEvent {
  type: "fields_changed";
  leadId: string;
  fields: Record<string, FieldValue>;
  actor: Actor;
  at: number;
}

export type LifecycleEvent = FieldsChangedEvent | StageChangedEvent;

/** Every way an action can be refused; each problem carries one of these. */
export const transitionErrorCodes = [
  "terminal_stage",
  "illegal_transition",
  "role_not_allowed",
  "requalify_too_early",
  "reason_required",
  "unknown_reason",
  "note_required",
  "context_missing",
  "feedback_missing",
  "invalid_feedback_value",
] as const;
export type TransitionErrorCode = (typeof transitionErrorCodes)[number];

/**
 * What the agreement demanded, as data, so a form can highlight the field to fill and a script
 * can act on it without parsing the message.
 */
export type Requirement =
  | { kind: "open_stage"; stage: string }
  | { kind: "transition"; stage: string; allowedActions: string[] }
  | { kind: "role"; allowedRoles: ActorRole[] }
  | { kind: "wait"; until: number }
  | { kind: "reason"; list: string | undefined; allowed: string[] }
  | { kind: "note"; reason?: string }
  | { kind: "context"; missing: string[] }
  | { kind: "feedback"; missing: string[] }
  | { kind: "feedback_value"; field: string; allowed: string[] };

export interface TransitionProblem {
  code: TransitionErrorCode;
  message: string;
  requirement: Requirement;
}

/**
 * A refused action. `code`, `message` and `requirement` are the first problem's, for callers
 * that show one line; `problems` lists every failed requirement so the actor fixes all at once.
 */
export interface TransitionError extends TransitionProblem {
  problems: TransitionProblem[];
}

export type TransitionResult =
  | {
      ok: true;
      lead: LifecycleLead;
      events: LifecycleEvent[];
      /** set when a recycling rule applied: the lead may not leave its stage before `until` */
      recycle?: { rule: string; until: number };
    }
  | { ok: false; error: TransitionError };

const dayMs = 86_400_000;

/**
 * Applies one action to a lead under the agreement's lifecycle. Pure: `now` (epoch ms) stamps
 * the stage change and decides whether a recycled lead may move again.
 *
 * Checks run in this order, and the first four stop at the first failure because later ones
 * would be meaningless: terminal stage, legal transition, actor's role, recycling wait. The
 * requirements (reason, note, context, feedback) are then all checked and reported together.
 *
 * A matching recycling rule overrides the transition's destination (e.g. a rejection for poor
 * timing goes to nurture, not disqualified) and sets `recycledUntil`.
 */
export function transition(
  lead: LifecycleLead,
  action: LeadAction,
  lifecycle: CompiledLifecycle,
  now: number,
): TransitionResult {
  const gate = checkGates(lead, action, lifecycle, now);
  if (!gate.ok) return refuse([gate.problem]);
  const definition = gate.transition;

  const problems = [
    ...checkReason(action, definition, lifecycle),
    ...checkContext(lead, action, definition),
    ...checkFeedback(action, definition, lifecycle),
  ];
  if (problems.length > 0) return refuse(problems);

  const feedback = action.feedback ?? {};
  const rule = matchRecyclingRule(lifecycle.recycling, {
    action: definition.action,
    reason: action.reason,
    feedback,
  });
  const recycle =
    rule === undefined
      ? undefined
      : { rule: rule.id, until: now + rule.requalify_after_days * dayMs };
  const to = rule?.to ?? definition.to;

  const events: LifecycleEvent[] = [];
  const changed = changedFields(lead.fields, action.context ?? {});
  if (Object.keys(changed).length > 0) {
    events.push({
      type: "fields_changed",
      leadId: lead.id,
      fields: changed,
      actor: action.actor,
      at: now,
    });
  }
  const note = action.note?.trim();
  events.push({
    type: "stage_changed",
    leadId: lead.id,
    from: lead.stage,
    to,
    action: definition.action,
    actor: action.actor,
    at: now,
    ...(action.reason === undefined ? {} : { reason: action.reason }),
    ...(note === undefined || note === "" ? {} : { note }),
    ...(Object.keys(feedback).length === 0 ? {} : { feedback }),
    ...(recycle === undefined ? {} : { recycle }),
  });

  // Leaving the recycling stage clears the wait; a new recycling sets a new one.
  const { recycledUntil: _previous, ...rest } = lead;
  const next: LifecycleLead = {
    ...rest,
    stage: to,
    stageEnteredAt: now,
    fields: { ...lead.fields, ...changed },
    ...(recycle === undefined ? {} : { recycledUntil: recycle.until }),
  };
  return { ok: true, lead: next, events, ...(recycle === undefined ? {} : { recycle }) };
}

function refuse(problems: TransitionProblem[]): { ok: false; error: TransitionError } {
  const [first] = problems as [TransitionProblem, ...TransitionProblem[]];
  return {
    ok: false,
    error: {
      code: first.code,
      message: problems.map((problem) => problem.message).join("; "),
      requirement: first.requirement,
      problems,
    },
  };
}

type Gate =
  | { ok: true; transition: CompiledTransition }
  | { ok: false; problem: TransitionProblem };

function checkGates(
  lead: LifecycleLead,
  action: LeadAction,
  lifecycle: CompiledLifecycle,
  now: number,
): Gate {
  const stage = lifecycle.stages.get(lead.stage);
  if (stage?.terminal === true) {
    return {
      ok: false,
      problem: {
        code: "terminal_stage",
        message: `the lead is in terminal stage '${stage.id}' (${stage.label}); no action can move it`,
        requirement: { kind: "open_stage", stage: stage.id },
      },
    };
  }

  const allowed = actionsFrom(lifecycle, lead.stage).map((t) => t.action);
  const found = lifecycle.transitionsFrom.get(lead.stage)?.get(action.type);
  if (found === undefined) {
    const requirement: Requirement = {
      kind: "transition",
      stage: lead.stage,
      allowedActions: allowed,
    };
    const options =
      allowed.length > 0
        ? `allowed actions from ${lead.stage}: ${allowed.join(", ")}`
        : `no action leaves stage '${lead.stage}'`;
    let message: string;
    if (stage === undefined) {
      message = `the lead is in stage '${lead.stage}', which the agreement does not declare; no action applies`;
    } else if (!lifecycle.actions.includes(action.type)) {
      const suggestion = closest(action.type, lifecycle.actions);
      message = `unknown action '${action.type}'${suggestion ? ` (did you mean '${suggestion}'?)` : ""}; ${options}`;
    } else {
      message = `cannot ${action.type} a lead in stage '${lead.stage}'; ${options}`;
    }
    return { ok: false, problem: { code: "illegal_transition", message, requirement } };
  }

  if (!found.by.includes(action.actor.role)) {
    return {
      ok: false,
      problem: {
        code: "role_not_allowed",
        message: `role '${action.actor.role}' may not ${found.action} a lead; allowed roles: ${found.by.join(", ")}`,
        requirement: { kind: "role", allowedRoles: [...found.by] },
      },
    };
  }

  if (lead.recycledUntil !== undefined && now < lead.recycledUntil) {
    return {
      ok: false,
      problem: {
        code: "requalify_too_early",
        message: `the lead was recycled and may not leave '${lead.stage}' before ${new Date(lead.recycledUntil).toISOString()}`,
        requirement: { kind: "wait", until: lead.recycledUntil },
      },
    };
  }

  return { ok: true, transition: found };
}

function checkReason(
  action: LeadAction,
  definition: CompiledTransition,
  lifecycle: CompiledLifecycle,
): TransitionProblem[] {
  const problems: TransitionProblem[] = [];
  const listName = definition.requires.reason;
  const list = listName === undefined ? undefined : (lifecycle.reasons.get(listName) ?? []);
  const allowed = list?.map((reason) => reason.id) ?? [];
  const reasonRequirement: Requirement = { kind: "reason", list: listName, allowed };
  const note = action.note?.trim() ?? "";

  if (list === undefined) {
    // A reason on an action that takes none would be an unchecked label in the metrics.
    if (action.reason !== undefined)
      problems.push({
        code: "unknown_reason",
        message: `'${definition.action}' takes no reason; remove reason '${action.reason}'`,
        requirement: reasonRequirement,
      });
  } else if (action.reason === undefined || action.reason.trim() === "") {
    problems.push({
      code: "reason_required",
      message: `a ${listName} reason is required to ${definition.action}; agreed reasons: ${allowed.join(", ")}`,
      requirement: reasonRequirement,
    });
  } else {
    const reason = list.find((entry) => entry.id === action.reason);
    if (reason === undefined) {
      // Matching labels too catches "Poor timing" typed where poor_timing was meant.
      const byLabel = list.find((e) => e.label.toLowerCase() === action.reason?.toLowerCase());
      const suggestion = byLabel?.id ?? closest(action.reason, allowed);
      problems.push({
        code: "unknown_reason",
        message: `${listName} reason '${action.reason}' is not one of the agreed reasons: ${allowed.join(", ")}${suggestion ? ` (did you mean '${suggestion}'?)` : ""}`,
        requirement: reasonRequirement,
      });
    } else if (reason.note_required === true && note === "") {
      problems.push({
        code: "note_required",
        message: `reason '${reason.id}' needs a note saying what happened`,
        requirement: { kind: "note", reason: reason.id },
      });
      return problems;
    }
  }

  if (definition.requires.note && note === "") {
    problems.push({
      code: "note_required",
      message: `a note is required to ${definition.action}`,
      requirement: { kind: "note" },
    });
  }
  return problems;
}

function checkContext(
  lead: LifecycleLead,
  action: LeadAction,
  definition: CompiledTransition,
): TransitionProblem[] {
  const merged = { ...lead.fields, ...action.context };
  const missing = definition.requires.context.filter((field) => isEmptyField(merged[field]));
  if (missing.length === 0) return [];
  return [
    {
      code: "context_missing",
      message: `handoff context is missing to ${definition.action}: ${missing.join(", ")}`,
      requirement: { kind: "context", missing },
    },
  ];
}

function checkFeedback(
  action: LeadAction,
  definition: CompiledTransition,
  lifecycle: CompiledLifecycle,
): TransitionProblem[] {
  const problems: TransitionProblem[] = [];
  const given = action.feedback ?? {};
  const missing = definition.requires.feedback.filter(
    (field) => given[field] === undefined || given[field].trim() === "",
  );
  if (missing.length > 0) {
    problems.push({
      code: "feedback_missing",
      message: `feedback is required to ${definition.action}: ${missing.join(", ")}`,
      requirement: { kind: "feedback", missing },
    });
  }
  // Optional feedback is welcome on any action, but only in the agreed vocabulary.
  const declared = [...lifecycle.feedback.keys()];
  for (const [field, value] of Object.entries(given)) {
    if (missing.includes(field)) continue;
    const definitionOfField = lifecycle.feedback.get(field);
    if (definitionOfField === undefined) {
      const suggestion = closest(field, declared);
      problems.push({
        code: "invalid_feedback_value",
        message: `'${field}' is not an agreed feedback field; agreed fields: ${declared.join(", ")}${suggestion ? ` (did you mean '${suggestion}'?)` : ""}`,
        requirement: { kind: "feedback_value", field, allowed: [] },
      });
    } else if (!definitionOfField.values.includes(value)) {
      const suggestion = closest(value, definitionOfField.values);
      problems.push({
        code: "invalid_feedback_value",
        message: `${field} '${value}' is not one of: ${definitionOfField.values.join(", ")}${suggestion ? ` (did you mean '${suggestion}'?)` : ""}`,
        requirement: { kind: "feedback_value", field, allowed: [...definitionOfField.values] },
      });
    }
  }
  return problems;
}

/**
 * A field the agreement requires counts as missing when empty, when there is nothing a rep could
 * read: absent, null, blank text or an empty list.
 */
export function isEmptyField(value: FieldValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function changedFields(current: FieldRecord, context: FieldRecord): Record<string, FieldValue> {
  const changed: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(context)) {
    if (value === undefined || sameValue(current[field], value)) continue;
    changed[field] = value;
  }
  return changed;
}

function sameValue(a: FieldValue | undefined, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => item === b[index]);
  }
  return a === b;
}
