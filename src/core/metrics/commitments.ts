import type { MetricDefinition } from "./metric.js";

export const commitmentMetrics: readonly MetricDefinition[] = [];
