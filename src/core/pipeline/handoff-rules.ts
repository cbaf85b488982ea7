import type { CompiledLifecycle, CompiledTransition } from "../lifecycle/index.js";
import { actionsFrom } from "../lifecycle/index.js";

/**
 * Rules the pipeline reads off the lifecycle, so the agreement stays the only place they are
 * written:
 *
 * - auto-qualification: the first transition out of the initial stage that the `system` role may
 *   take and that needs no reason (a reason marks a disposition such as `disqualify`). A lead
 *   whose score meets the MQL threshold takes it at ingest.
 * - open: a lead counts against its owner's cap unless its stage is terminal or a disposition
 *   (a stage some reason-requiring transition leads to: disqualified, nurture, lost).
 * - handoff: a stage from which a `rep` may act is a stage where sales holds the lead; a lead
 *   entering one without an owner is routed.
 * - required context: the context fields the transitions out of the lead's stage require.
 */

export function autoQualifyTransition(
  lifecycle: CompiledLifecycle,
): CompiledTransition | undefined {
  return actionsFrom(lifecycle, lifecycle.initial).find(
    (transition) => transition.by.includes("system") && transition.requires.reason === undefined,
  );
}

export function dispositionStages(lifecycle: CompiledLifecycle): Set<string> {
  const stages = new Set<string>();
  for (const byAction of lifecycle.transitionsFrom.values())
    for (const transition of byAction.values())
      if (transition.requires.reason !== undefined) stages.add(transition.to);
  return stages;
}

export function isOpenStage(lifecycle: CompiledLifecycle, stage: string): boolean {
  if (lifecycle.stages.get(stage)?.terminal === true) return false;
  return !dispositionStages(lifecycle).has(stage);
}

export function isHandoffStage(lifecycle: CompiledLifecycle, stage: string): boolean {
  return actionsFrom(lifecycle, stage).some((transition) => transition.by.includes("rep"));
}

export function requiredContext(lifecycle: CompiledLifecycle, stage: string): string[] {
  const fields = new Set<string>();
  for (const transition of actionsFrom(lifecycle, stage))
    for (const field of transition.requires.context) fields.add(field);
  return [...fields];
}
