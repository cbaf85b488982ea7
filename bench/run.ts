/**
 * `npm run bench`: every benchmark in one run, each printing its figures and its ratio against
 * a baseline. Benchmarks print; they never assert timings (timed tests flake).
 */
import { runAuditBench } from "./audit.js";
import { runBacktestBench } from "./backtest.js";
import { runBreachLatenessBench } from "./breach-lateness.js";
import { runDueDatesBench } from "./due-dates.js";
import { runHttpIngestBench } from "./http-ingest.js";
import { runIngestBench } from "./ingest.js";
import { runMetricsBench } from "./metrics.js";
import { runRoutingBench } from "./routing.js";
import { runScoringBench } from "./scoring.js";

console.log(`Baton benchmarks — node ${process.version}, ${process.platform}/${process.arch}\n`);
await runScoringBench();
console.log();
await runDueDatesBench();
console.log();
await runRoutingBench();
console.log();
await runIngestBench();
console.log();
await runBreachLatenessBench();
console.log();
await runHttpIngestBench();
console.log();
await runAuditBench();
console.log();
await runMetricsBench();
console.log();
await runBacktestBench();
await (await import("./web.js")).runWebBench();
