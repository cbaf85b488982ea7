/**
 * Backtests: a proposed agreement version replayed over a window of history against the version
 * in force (qualification, SLA cycles, routing loads). See backtest-report.ts.
 */
export * from "./backtest-report.js";
export { runBacktest } from "./run-backtest.js";
