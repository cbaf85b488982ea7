import type { MetricDefinition } from "./metric.js";

export const volumeMetrics: readonly MetricDefinition[] = [];
