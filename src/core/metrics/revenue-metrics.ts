import type { MetricDefinition } from "./metric.js";

export const revenueMetrics: readonly MetricDefinition[] = [];
