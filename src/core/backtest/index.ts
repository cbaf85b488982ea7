/**
 * Backtests: a proposed agreement version replayed over a window of history against the version
 * in force (qualification, SLA cycles, routing loads). See backtest-report.ts.
 */
export * from "./backtest-report.js";
export {
  type BacktestBatch,
  type BacktestReplay,
  type BacktestSetup,
  runBacktest,
  startBacktest,
} from "./run-backtest.js";
