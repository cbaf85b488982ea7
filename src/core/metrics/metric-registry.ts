import { attributionMetrics } from "./attribution.js";
import { commitmentMetrics } from "./commitments.js";
import type { MetricDefinition, MetricQuery, MetricResult } from "./metric.js";
import { periodView } from "./period-view.js";
import type { PipelineHistory } from "./pipeline-history.js";
import { revenueMetrics } from "./revenue-metrics.js";
import { speedMetrics } from "./speed-metrics.js";
import { volumeMetrics } from "./volume-metrics.js";

/** Every metric by name, in METRICS.md order. */
export const metricDefinitions: readonly MetricDefinition[] = [
  ...volumeMetrics,
  ...speedMetrics,
  ...revenueMetrics,
  ...attributionMetrics,
  ...commitmentMetrics,
];

const byName = new Map(metricDefinitions.map((definition) => [definition.name, definition]));

export function metricNames(): string[] {
  return metricDefinitions.map((definition) => definition.name);
}

export function findMetric(name: string): MetricDefinition | undefined {
  return byName.get(name);
}

export type MetricOutcome =
  | { ok: true; result: MetricResult }
  | { ok: false; error: { code: "unknown_metric"; message: string; known: string[] } };

export function computeMetric(
  history: PipelineHistory,
  name: string,
  query: MetricQuery,
): MetricOutcome {
  const definition = byName.get(name);
  if (definition === undefined)
    return {
      ok: false,
      error: {
        code: "unknown_metric",
        message: `unknown metric '${name}'; known metrics: ${metricNames().join(", ")}`,
        known: metricNames(),
      },
    };
  // A history built once (an audit, no lineage) is read whole: its period is most often all of
  // it, and a view would first map every lead by id. The ledger fold's snapshots keep what views
  // need from one snapshot to the next.
  const seen =
    definition.reads === undefined || history.lineage === undefined
      ? history
      : periodView(history, definition.reads(query, history));
  return { ok: true, result: definition.compute(seen, query) };
}
