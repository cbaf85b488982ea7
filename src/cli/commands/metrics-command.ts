import type { Command } from "commander";
import { currentHistory, type MetricRequest, metric, metricCatalogue } from "../../app/metrics.js";
import {
  type AttributionModel,
  attributionModels,
  type Dimension,
  dimensions,
} from "../../core/metrics/metric.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatMetricTable } from "../metric-table.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

interface MetricsOptions {
  from?: string;
  to?: string;
  by?: string;
  withinDays?: string;
  stuckHours?: string;
  stages?: string;
  step?: string;
  model?: string;
  halfLifeDays?: string;
  trailingDays?: string;
  target?: string;
  json?: boolean;
}

/** `baton metrics [NAME]`: the metric catalogue, or one metric over the engine's ledger. */
export function registerMetricsCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("metrics")
    .description(
      "pipeline metrics (METRICS.md) over Baton's own ledger: without NAME the list, with NAME a table of its figures (rows: groups and Total)",
    )
    .argument("[name]", "a metric name from the list")
    .option(
      "--from <date>",
      "period start: a date (00:00 in the workspace zone) or an instant; default 30 days before --to",
    )
    .option("--to <date>", "period end, excluded; default now")
    .option("--by <dimension>", `breakdown: ${dimensions.join(", ")}`)
    .option("--within-days <days>", "cohort conversions: within L days")
    .option("--stuck-hours <hours>", "stuck leads: hours in stage without activity (default 48)")
    .option("--stages <ids>", "stuck leads: stages, comma-separated (default New and Working)")
    .option("--step <id>", "SLA metrics: one SLA step")
    .option("--model <model>", `attribution model: ${attributionModels.join(", ")}`)
    .option("--half-life-days <days>", "time-decay attribution half-life (default 7)")
    .option("--trailing-days <days>", "pipeline velocity window (default 365)")
    .option("--target <amount>", "pipeline coverage: the period's revenue target")
    .option("--json", "print the result as JSON")
    .action(async (name: string | undefined, options: MetricsOptions) => {
      if (name === undefined) {
        const catalogue = metricCatalogue();
        if (options.json) io.stdout(JSON.stringify({ ok: true, metrics: catalogue }, null, 2));
        else {
          const width = Math.max(...catalogue.map((entry) => entry.name.length));
          for (const entry of catalogue) io.stdout(`${entry.name.padEnd(width)}  ${entry.title}`);
          io.stdout("\nrun `baton metrics <name>` for one of them (--help for the options)");
        }
        return finish(exitCodes.ok);
      }
      const request = requestOf(options);
      const store = await openStore(env);
      try {
        const outcome = await metric(store.engine, name, request);
        if (!outcome.ok) {
          const usage =
            outcome.error.code === "unknown_metric" || outcome.error.code === "invalid_period";
          throw new CliError(
            `${outcome.error.code}: ${outcome.error.message}`,
            usage ? exitCodes.usage : exitCodes.invalid,
            outcome.error.code === "unknown_metric"
              ? "run `baton metrics` for the list"
              : outcome.error.code === "no_active_agreement"
                ? "propose an agreement and have both sides approve it (baton agreement propose)"
                : undefined,
          );
        }
        if (options.json) io.stdout(JSON.stringify({ ok: true, result: outcome.value }, null, 2));
        else {
          const history = await currentHistory(store.engine);
          const timezone = history.ok ? history.value.timezone : "UTC";
          io.stdout(formatMetricTable(outcome.value, { timezone }));
        }
        return finish(exitCodes.ok);
      } finally {
        await store.close();
      }
    });
}

function requestOf(options: MetricsOptions): MetricRequest {
  const request: MetricRequest = {};
  if (options.from !== undefined) request.from = options.from;
  if (options.to !== undefined) request.to = options.to;
  if (options.by !== undefined) {
    if (!(dimensions as readonly string[]).includes(options.by))
      throw new CliError(
        `--by '${options.by}' is not a breakdown`,
        exitCodes.usage,
        `use one of ${dimensions.join(", ")}`,
      );
    request.by = options.by as Dimension;
  }
  if (options.model !== undefined) {
    if (!(attributionModels as readonly string[]).includes(options.model))
      throw new CliError(
        `--model '${options.model}' is not an attribution model`,
        exitCodes.usage,
        `use one of ${attributionModels.join(", ")}`,
      );
    request.model = options.model as AttributionModel;
  }
  const positive = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new CliError(`${flag} '${text}' is not a positive number`, exitCodes.usage);
    return value;
  };
  const withinDays = positive("--within-days", options.withinDays);
  if (withinDays !== undefined) request.withinDays = withinDays;
  const stuckHours = positive("--stuck-hours", options.stuckHours);
  if (stuckHours !== undefined) request.stuckHours = stuckHours;
  const halfLifeDays = positive("--half-life-days", options.halfLifeDays);
  if (halfLifeDays !== undefined) request.halfLifeDays = halfLifeDays;
  const trailingDays = positive("--trailing-days", options.trailingDays);
  if (trailingDays !== undefined) request.trailingDays = trailingDays;
  const target = positive("--target", options.target);
  if (target !== undefined) request.target = target;
  if (options.stages !== undefined)
    request.stages = options.stages
      .split(",")
      .map((stage) => stage.trim())
      .filter(Boolean);
  if (options.step !== undefined) request.step = options.step;
  return request;
}
