import type { MetricDefinition } from "./metric.js";

export const attributionMetrics: readonly MetricDefinition[] = [];
