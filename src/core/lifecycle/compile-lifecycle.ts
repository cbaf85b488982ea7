import {
  type ActorRole,
  defaultActingRoles,
  type FeedbackField,
  type LifecycleSections,
  type Reason,
  type RecyclingRule,
  type Stage,
} from "./lifecycle-schema.js";

/** A transition with its defaults filled in and `from` always a list. */
export interface CompiledTransition {
  action: string;
  from: readonly string[];
  to: string;
  by: readonly ActorRole[];
  requires: {
    reason?: string;
    note: boolean;
    context: readonly string[];
    feedback: readonly string[];
  };
  /** position in `lifecycle.transitions`, for messages that point back at the file */
  index: number;
}

/**
 * The lifecycle sections indexed for lookups. Build it once per agreement version with
 * `compileLifecycle` and pass it to every `transition` call.
 */
export interface CompiledLifecycle {
  initial: string;
  stages: ReadonlyMap<string, Stage>;
  /** stage id → action → transition; declaration order kept for "allowed actions" messages */
  transitionsFrom: ReadonlyMap<string, ReadonlyMap<string, CompiledTransition>>;
  /** every action name, in declaration order */
  actions: readonly string[];
  reasons: ReadonlyMap<string, readonly Reason[]>;
  feedback: ReadonlyMap<string, FeedbackField>;
  recycling: readonly RecyclingRule[];
}

/**
 * Indexes the sections. It assumes they passed `checkLifecycle`; on sections that did not, it
 * still returns something usable (the first of duplicate transitions wins, dangling references
 * resolve to nothing) so a bug never turns into a crash.
 */
export function compileLifecycle(sections: LifecycleSections): CompiledLifecycle {
  const stages = new Map(sections.lifecycle.stages.map((stage) => [stage.id, stage] as const));
  const transitionsFrom = new Map<string, Map<string, CompiledTransition>>();
  const actions: string[] = [];

  for (const [index, definition] of sections.lifecycle.transitions.entries()) {
    const requires = definition.requires ?? {};
    const compiled: CompiledTransition = {
      action: definition.action,
      from: typeof definition.from === "string" ? [definition.from] : definition.from,
      to: definition.to,
      by: definition.by ?? defaultActingRoles,
      requires: {
        ...(requires.reason === undefined ? {} : { reason: requires.reason }),
        note: requires.note === true,
        context: requires.context ?? [],
        feedback: requires.feedback ?? [],
      },
      index,
    };
    if (!actions.includes(compiled.action)) actions.push(compiled.action);
    for (const from of compiled.from) {
      let byAction = transitionsFrom.get(from);
      if (byAction === undefined) {
        byAction = new Map();
        transitionsFrom.set(from, byAction);
      }
      if (!byAction.has(compiled.action)) byAction.set(compiled.action, compiled);
    }
  }

  return {
    initial: sections.lifecycle.initial,
    stages,
    transitionsFrom,
    actions,
    reasons: new Map(Object.entries(sections.reasons)),
    feedback: new Map(Object.entries(sections.feedback)),
    recycling: sections.recycling ?? [],
  };
}

/** Actions that may be taken from a stage, in declaration order. */
export function actionsFrom(lifecycle: CompiledLifecycle, stage: string): CompiledTransition[] {
  return [...(lifecycle.transitionsFrom.get(stage)?.values() ?? [])];
}

/**
 * The first recycling rule an action outcome matches, if any. A rule matches when every
 * condition it gives holds: same action, reason among its reasons, and each feedback field
 * carrying one of its values.
 */
export function matchRecyclingRule(
  rules: readonly RecyclingRule[],
  outcome: {
    action: string;
    reason?: string | undefined;
    feedback?: Readonly<Record<string, string>>;
  },
): RecyclingRule | undefined {
  return rules.find((rule) => {
    const on = rule.after;
    if (on.action === undefined && on.reasons === undefined && on.feedback === undefined) {
      return false;
    }
    if (on.action !== undefined && on.action !== outcome.action) return false;
    if (on.reasons !== undefined) {
      if (outcome.reason === undefined || !on.reasons.includes(outcome.reason)) return false;
    }
    for (const [field, expected] of Object.entries(on.feedback ?? {})) {
      const given = outcome.feedback?.[field];
      const accepted = typeof expected === "string" ? [expected] : expected;
      if (given === undefined || !accepted.includes(given)) return false;
    }
    return true;
  });
}
