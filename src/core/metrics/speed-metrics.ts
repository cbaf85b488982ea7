import type { MetricDefinition } from "./metric.js";

export const speedMetrics: readonly MetricDefinition[] = [];
