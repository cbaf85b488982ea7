import type { AgreementIssue, IssuePath } from "../agreement/agreement-issue.js";
import { unknownReference } from "../agreement/agreement-issue.js";
import { builtInFields } from "../lead/fields.js";
import type {
  LifecycleSections,
  RecyclingTrigger,
  TransitionDefinition,
} from "./lifecycle-schema.js";

type Report = (
  severity: AgreementIssue["severity"],
  code: string,
  path: IssuePath,
  message: string,
  hint?: string,
) => void;

/**
 * Meaning checks for the lifecycle sections, run once they have the right shape. Every problem is
 * reported at once, each with the path of the YAML node to fix, e.g.
 * `["lifecycle", "transitions", 2, "to"]`.
 *
 * Codes: `reference` for a name that does not resolve, `lifecycle` for a structural problem
 * (unreachable stage, dead end, duplicate action), `duplicate` for a repeated id.
 *
 * `declaredLeadFields` are the agreement's own lead fields; built-in lead fields are added here,
 * so passing a list that already contains them is harmless.
 */
export function checkLifecycle(
  sections: LifecycleSections,
  declaredLeadFields: Iterable<string>,
): AgreementIssue[] {
  const issues: AgreementIssue[] = [];
  const report: Report = (severity, code, path, message, hint) =>
    issues.push({ severity, code, path, message, ...(hint === undefined ? {} : { hint }) });

  const { lifecycle, reasons, feedback } = sections;
  const recycling = sections.recycling ?? [];
  const stageIds = lifecycle.stages.map((stage) => stage.id);
  const terminal = new Set(lifecycle.stages.filter((s) => s.terminal === true).map((s) => s.id));
  const reasonLists = Object.keys(reasons);
  const feedbackFields = Object.keys(feedback);
  const leadFields = [...new Set([...Object.keys(builtInFields.lead), ...declaredLeadFields])];
  const actionIds = [...new Set(lifecycle.transitions.map((t) => t.action))];

  // Stages: ids unique, initial declared.
  const seenStages = new Map<string, number>();
  for (const [index, stage] of lifecycle.stages.entries()) {
    const first = seenStages.get(stage.id);
    if (first === undefined) seenStages.set(stage.id, index);
    else
      report(
        "error",
        "duplicate",
        ["lifecycle", "stages", index, "id"],
        `stage '${stage.id}' is declared twice (first at lifecycle.stages[${first}])`,
        "rename or remove one of them",
      );
  }
  if (!stageIds.includes(lifecycle.initial)) {
    report(
      "error",
      "reference",
      ["lifecycle", "initial"],
      unknownReference("stage", lifecycle.initial, stageIds),
    );
  }

  // Transitions: stage references, duplicates, roles, requirements.
  const firstDeclared = new Map<string, number>();
  for (const [index, transition] of lifecycle.transitions.entries()) {
    const at: IssuePath = ["lifecycle", "transitions", index];
    for (const { stage, path } of fromRefs(transition, at)) {
      if (!stageIds.includes(stage)) {
        report("error", "reference", path, unknownReference("stage", stage, stageIds));
        continue;
      }
      if (terminal.has(stage)) {
        report(
          "error",
          "lifecycle",
          path,
          `stage '${stage}' is terminal, so no action may leave it`,
          `remove '${stage}' from 'from', or drop 'terminal: true' from the stage`,
        );
      }
      // One action from one stage must lead to exactly one place.
      const key = `${transition.action}\u0000${stage}`;
      const first = firstDeclared.get(key);
      if (first === undefined) firstDeclared.set(key, index);
      else
        report(
          "error",
          "lifecycle",
          path,
          `action '${transition.action}' from '${stage}' is already declared at lifecycle.transitions[${first}]`,
          "an action must lead to one stage from a given stage; remove one, or rename the action",
        );
    }
    if (!stageIds.includes(transition.to)) {
      report(
        "error",
        "reference",
        [...at, "to"],
        unknownReference("stage", transition.to, stageIds),
      );
    }
    for (const [roleIndex, role] of (transition.by ?? []).entries()) {
      if (role === "viewer")
        report(
          "error",
          "lifecycle",
          [...at, "by", roleIndex],
          "viewers only read; they cannot take an action",
          "remove 'viewer'",
        );
    }
    const requires = transition.requires;
    if (requires === undefined) continue;
    if (requires.reason !== undefined && !reasonLists.includes(requires.reason)) {
      report(
        "error",
        "reference",
        [...at, "requires", "reason"],
        unknownReference("reason list", requires.reason, reasonLists),
        "declare the list under 'reasons:'",
      );
    }
    for (const [fieldIndex, field] of (requires.feedback ?? []).entries()) {
      if (!feedbackFields.includes(field))
        report(
          "error",
          "reference",
          [...at, "requires", "feedback", fieldIndex],
          unknownReference("feedback field", field, feedbackFields),
          "declare it under 'feedback:'",
        );
    }
    for (const [fieldIndex, field] of (requires.context ?? []).entries()) {
      if (!leadFields.includes(field))
        report(
          "error",
          "reference",
          [...at, "requires", "context", fieldIndex],
          unknownReference("lead field", field, leadFields),
          "declare it under 'fields: lead:' or use a built-in lead field",
        );
    }
  }

  // Reason lists and feedback fields: ids unique; warn about lists nothing uses.
  const usedLists = new Set(lifecycle.transitions.flatMap((t) => t.requires?.reason ?? []));
  for (const [list, entries] of Object.entries(reasons)) {
    const seen = new Set<string>();
    for (const [index, reason] of entries.entries()) {
      if (seen.has(reason.id))
        report(
          "error",
          "duplicate",
          ["reasons", list, index, "id"],
          `reason '${reason.id}' appears twice in '${list}'`,
        );
      seen.add(reason.id);
    }
    if (!usedLists.has(list))
      report(
        "warning",
        "lifecycle",
        ["reasons", list],
        `reason list '${list}' is not required by any transition`,
        `add 'requires: { reason: ${list} }' to a transition, or remove the list`,
      );
  }
  for (const [field, definition] of Object.entries(feedback)) {
    const seen = new Set<string>();
    for (const [index, value] of definition.values.entries()) {
      if (seen.has(value))
        report(
          "error",
          "duplicate",
          ["feedback", field, "values", index],
          `value '${value}' appears twice in '${field}'`,
        );
      seen.add(value);
    }
  }

  // Recycling rules.
  const seenRules = new Set<string>();
  for (const [index, rule] of recycling.entries()) {
    const at: IssuePath = ["recycling", index];
    if (seenRules.has(rule.id))
      report("error", "duplicate", [...at, "id"], `recycling rule '${rule.id}' is declared twice`);
    seenRules.add(rule.id);

    if (!stageIds.includes(rule.to)) {
      report("error", "reference", [...at, "to"], unknownReference("stage", rule.to, stageIds));
    } else if (terminal.has(rule.to)) {
      report(
        "error",
        "lifecycle",
        [...at, "to"],
        `stage '${rule.to}' is terminal, so a recycled lead could never qualify again`,
        "recycle to a stage with a way out, such as nurture",
      );
    }

    const on = rule.after;
    if (on.action === undefined && on.reasons === undefined && on.feedback === undefined) {
      report(
        "error",
        "lifecycle",
        [...at, "after"],
        "a recycling rule needs at least one condition (action, reasons or feedback)",
        "an empty 'after' would recycle the lead on every action",
      );
    }
    if (on.action !== undefined && !actionIds.includes(on.action)) {
      report(
        "error",
        "reference",
        [...at, "after", "action"],
        unknownReference("action", on.action, actionIds),
      );
    }
    if (on.reasons !== undefined) checkRecyclingReasons(index, rule.after, sections, report);
    for (const [field, expected] of Object.entries(on.feedback ?? {})) {
      const definition = feedback[field];
      if (definition === undefined) {
        report(
          "error",
          "reference",
          [...at, "after", "feedback", field],
          unknownReference("feedback field", field, feedbackFields),
        );
        continue;
      }
      const values = typeof expected === "string" ? [expected] : expected;
      for (const [valueIndex, value] of values.entries()) {
        if (definition.values.includes(value)) continue;
        const path: IssuePath = [...at, "after", "feedback", field];
        report(
          "error",
          "reference",
          typeof expected === "string" ? path : [...path, valueIndex],
          unknownReference(`${field} value`, value, definition.values),
        );
      }
    }
  }

  // Reachability: walk from the initial stage along transitions and recycling redirects.
  if (stageIds.includes(lifecycle.initial)) {
    const reached = reachableStages(sections);
    for (const [index, stage] of lifecycle.stages.entries()) {
      if (reached.has(stage.id)) continue;
      report(
        "error",
        "lifecycle",
        ["lifecycle", "stages", index],
        `stage '${stage.id}' cannot be reached from the initial stage '${lifecycle.initial}'`,
        `add a transition to '${stage.id}', or remove the stage`,
      );
    }
  }

  // Dead ends: a non-terminal stage with no way out strands every lead that enters it.
  const exits = new Set(lifecycle.transitions.flatMap((t) => fromList(t)));
  for (const [index, stage] of lifecycle.stages.entries()) {
    if (stage.terminal === true || exits.has(stage.id)) continue;
    report(
      "warning",
      "lifecycle",
      ["lifecycle", "stages", index],
      `stage '${stage.id}' is not terminal but no transition leaves it, so leads there are stuck`,
      `add a transition from '${stage.id}', or mark it 'terminal: true'`,
    );
  }

  return issues;
}

function fromList(transition: TransitionDefinition): string[] {
  return typeof transition.from === "string" ? [transition.from] : transition.from;
}

function fromRefs(
  transition: TransitionDefinition,
  at: IssuePath,
): { stage: string; path: IssuePath }[] {
  if (typeof transition.from === "string")
    return [{ stage: transition.from, path: [...at, "from"] }];
  return transition.from.map((stage, index) => ({ stage, path: [...at, "from", index] }));
}

/**
 * A recycling rule's reasons must come from the reason list of the action(s) it can catch:
 * the named action, or any action when the rule names none.
 */
function checkRecyclingReasons(
  ruleIndex: number,
  on: RecyclingTrigger,
  sections: LifecycleSections,
  report: Report,
): void {
  const caught = sections.lifecycle.transitions.filter(
    (t) => on.action === undefined || t.action === on.action,
  );
  const lists = [...new Set(caught.flatMap((t) => t.requires?.reason ?? []))];
  const at: IssuePath = ["recycling", ruleIndex, "after", "reasons"];
  if (lists.length === 0) {
    if (on.action !== undefined && caught.length > 0)
      report(
        "error",
        "lifecycle",
        at,
        `action '${on.action}' takes no reason, so 'reasons' can never match`,
        `add 'requires: { reason: <list> }' to '${on.action}', or remove 'reasons' from this rule`,
      );
    return;
  }
  // An undeclared list is reported at the transition; judging reasons against it would only
  // repeat that error here.
  if (lists.some((list) => sections.reasons[list] === undefined)) return;
  const known = lists.flatMap((list) => (sections.reasons[list] ?? []).map((reason) => reason.id));
  const listNames = lists.join(", ");
  for (const [index, reason] of (on.reasons ?? []).entries()) {
    if (!known.includes(reason))
      report(
        "error",
        "reference",
        [...at, index],
        unknownReference("reason", reason, known, `the ${listNames} list`),
      );
  }
}

/**
 * Stages reachable from the initial stage. A recycling rule redirects the actions it can catch,
 * so it adds an edge from every stage such an action leaves to the rule's `to`.
 */
function reachableStages(sections: LifecycleSections): Set<string> {
  const edges = new Map<string, Set<string>>();
  const addEdge = (from: string, to: string) => {
    const targets = edges.get(from) ?? new Set<string>();
    targets.add(to);
    edges.set(from, targets);
  };
  for (const transition of sections.lifecycle.transitions) {
    for (const from of fromList(transition)) addEdge(from, transition.to);
  }
  for (const rule of sections.recycling ?? []) {
    for (const transition of sections.lifecycle.transitions) {
      if (rule.after.action !== undefined && rule.after.action !== transition.action) continue;
      for (const from of fromList(transition)) addEdge(from, rule.to);
    }
  }
  const reached = new Set<string>([sections.lifecycle.initial]);
  const queue = [sections.lifecycle.initial];
  for (let stage = queue.shift(); stage !== undefined; stage = queue.shift()) {
    for (const next of edges.get(stage) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      queue.push(next);
    }
  }
  return reached;
}
