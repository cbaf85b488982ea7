import type { MetricQuery, MetricResult } from "../core/metrics/metric.js";
import type { Engine } from "./engine.js";
import { computeOnSnapshot, currentHistory, type MetricsError, resolvePeriod } from "./metrics.js";

/**
 * The overview dashboard's figures in one answer: every panel's metric over the period and the
 * headline metrics over the previous period of the same length (the trend), all on one
 * snapshot of the history, so the page costs one fold and one snapshot instead of one per
 * panel, and every number on it is of the same instant.
 */

/** Panels by key: the metric and its breakdown. Headline panels also get the previous period. */
export const overviewPanels = {
  mqls: { metric: "mqls", headline: true },
  acceptance: { metric: "acceptance", headline: true },
  "mql-to-sql": { metric: "mql-to-sql", headline: true },
  "speed-to-lead": { metric: "speed-to-lead", headline: true },
  "sla-attainment": { metric: "sla-attainment", headline: true },
  "win-rate": { metric: "win-rate", headline: true },
  "marketing-sourced": { metric: "marketing-sourced", headline: true },
  commitments: { metric: "commitments", headline: false },
  "stage-conversion": { metric: "stage-conversion", headline: false },
  "rejection-mix": { metric: "rejection-mix", headline: false },
  "sla-attainment-by-team": { metric: "sla-attainment", by: "team", headline: false },
  "deal-quality-by-source": { metric: "deal-quality", by: "source", headline: false },
  "mql-to-sql-by-source": { metric: "mql-to-sql", by: "source", headline: false },
  "mqls-by-source": { metric: "mqls", by: "source", headline: false },
} as const satisfies Record<string, { metric: string; by?: MetricQuery["by"]; headline: boolean }>;
export type OverviewPanel = keyof typeof overviewPanels;

export interface Overview {
  from: number;
  to: number;
  /** the previous period: [from − (to − from), from) */
  previousFrom: number;
  previousTo: number;
  current: Record<string, MetricResult>;
  previous: Record<string, MetricResult>;
}

export async function overview(
  engine: Engine,
  request: { from?: string | undefined; to?: string | undefined },
): Promise<{ ok: true; value: Overview } | { ok: false; error: MetricsError }> {
  const history = await currentHistory(engine);
  if (!history.ok) return history;
  const period = resolvePeriod(
    request.from,
    request.to,
    history.value.timezone,
    history.value.asOf,
  );
  if (!period.ok) return period;
  const { from, to } = period.value;
  const previousFrom = from - (to - from);
  const current: Record<string, MetricResult> = {};
  const previous: Record<string, MetricResult> = {};
  for (const [key, panel] of Object.entries(overviewPanels)) {
    const by = "by" in panel ? panel.by : undefined;
    // The page shows figures and their counts; the records behind one come from
    // /api/metrics/{name}/records, so no panel builds its id lists.
    const now = computeOnSnapshot(engine, history.value, panel.metric, {
      from,
      to,
      by,
      records: false,
    });
    if (!now.ok) throw new Error(`overview panel ${key}: ${now.error.message}`);
    current[key] = now.result;
    if (!panel.headline) continue;
    const before = computeOnSnapshot(engine, history.value, panel.metric, {
      from: previousFrom,
      to: from,
      by,
      records: false,
    });
    if (!before.ok) throw new Error(`overview panel ${key}: ${before.error.message}`);
    previous[key] = before.result;
  }
  return { ok: true, value: { from, to, previousFrom, previousTo: from, current, previous } };
}
