/**
 * Every metric of METRICS.md, implemented once over the pipeline history (pipeline-history.ts).
 * The API, the CLI, the dashboard, the review pack and `baton audit` all call `computeMetric`.
 */
export * from "./grouping.js";
export * from "./metric.js";
export * from "./metric-registry.js";
export * from "./pipeline-history.js";
export * from "./statistics.js";
