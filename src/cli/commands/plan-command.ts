import type { Command } from "commander";
import { DateTime } from "luxon";
import {
  defaultTrailingDays,
  maxTrailingDays,
  type PlanAnswer,
  type PlanRequest,
  planTarget,
} from "../../app/plan.js";
import {
  type FunnelLever,
  funnelLevers,
  leverLabels,
  namedPeriods,
  type PlanBreakdown,
  type PlanStage,
  planBreakdowns,
  type ReverseFunnelPlan,
} from "../../core/planning/index.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore } from "../open-store.js";
import type { Outcome } from "../program.js";

/**
 * `baton plan --target AMOUNT --period P`: the reverse funnel from a revenue target to the won
 * deals, opportunities, SQLs and MQLs needed a week, at the rates of the trailing window, beside
 * the current run rate, with each lever's worth. Totals are rounded up to whole records (a plan
 * cannot win 0.4 of a deal); figures a week keep one decimal.
 */

interface PlanOptions {
  target: string;
  period: string;
  trailingDays?: string;
  by?: string;
  json?: boolean;
}

const usageHint = `baton plan --target 1200000 --period next-quarter [--trailing-days ${defaultTrailingDays}] [--by source|segment] [--json]`;

export function registerPlanCommand(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  program
    .command("plan")
    .description(
      "the reverse funnel: from a revenue target back to the won deals, opportunities, SQLs and MQLs needed a week at the measured rates, the gap to the current run rate, and what each rate is worth",
    )
    .requiredOption("--target <amount>", "the period's revenue target, e.g. 1200000 or 1,200,000")
    .requiredOption(
      "--period <period>",
      `${namedPeriods.join(", ")} or YYYY-MM-DD..YYYY-MM-DD (the second date excluded)`,
    )
    .option(
      "--trailing-days <days>",
      `the window the rates are measured over, ending now (default ${defaultTrailingDays})`,
    )
    .option("--by <breakdown>", `plan each ${planBreakdowns.join(" or ")} too`)
    .option("--json", "print the plan as JSON")
    .action(async (options: PlanOptions) => {
      const request = requestOf(options);
      const store = await openStore(env);
      try {
        const outcome = await planTarget(store.engine, request);
        if (!outcome.ok) {
          const error = outcome.error;
          throw new CliError(
            `${error.code}: ${error.message}`,
            error.code === "no_active_agreement" ? exitCodes.invalid : exitCodes.usage,
            error.code === "no_active_agreement"
              ? "propose an agreement and have both sides approve it (baton agreement propose)"
              : usageHint,
          );
        }
        if (options.json) io.stdout(JSON.stringify({ ok: true, plan: outcome.value }, null, 2));
        else io.stdout(formatPlan(outcome.value));
        return finish(exitCodes.ok);
      } finally {
        await store.close();
      }
    });
}

/** The flags as a request, or a CliError naming the flag and what to give instead. */
function requestOf(options: PlanOptions): PlanRequest {
  const targetText = options.target.trim();
  const target = /^\d[\d,_]*(\.\d+)?$/.test(targetText)
    ? Number(targetText.replaceAll(/[,_]/g, ""))
    : Number.NaN;
  if (!Number.isFinite(target) || target <= 0)
    throw new CliError(
      `--target '${options.target}' is not a positive amount`,
      exitCodes.usage,
      "give the period's revenue target in the agreement's currency, digits only (commas allowed): --target 1200000",
    );
  const request: PlanRequest = { target, period: options.period };
  if (options.trailingDays !== undefined) {
    const days = Number(options.trailingDays);
    if (!Number.isFinite(days) || days <= 0 || days > maxTrailingDays)
      throw new CliError(
        `--trailing-days '${options.trailingDays}' is not a number of days above 0 and at most ${maxTrailingDays}`,
        exitCodes.usage,
        `the default is ${defaultTrailingDays}: --trailing-days ${defaultTrailingDays}`,
      );
    request.trailingDays = days;
  }
  if (options.by !== undefined) {
    if (!(planBreakdowns as readonly string[]).includes(options.by))
      throw new CliError(
        `--by '${options.by}' is not a plan breakdown`,
        exitCodes.usage,
        `use one of ${planBreakdowns.join(", ")}`,
      );
    request.by = options.by as PlanBreakdown;
  }
  return request;
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const noValue = "—";

/** Rounded up to a whole record; a hair above an integer from floating point stays that integer. */
function wholeUp(value: number | null): string {
  return value === null ? noValue : whole.format(Math.ceil(value - 1e-9));
}

function decimal(value: number | null): string {
  if (value === null) return noValue;
  // a gap of −0.02 reads 0.0, not −0.0
  return oneDecimal.format(Math.abs(value) < 0.05 ? 0 : value);
}

function money(value: number | null): string {
  return value === null ? noValue : whole.format(Math.round(value));
}

function leverValue(lever: FunnelLever, value: number | null): string {
  if (value === null) return noValue;
  return lever === "deal-size" ? money(value) : `${oneDecimal.format(value * 100)} %`;
}

const stageLabels: Record<PlanStage, string> = {
  won: "won deals",
  opportunities: "opportunities",
  sqls: "SQLs",
  mqls: "MQLs",
};

function table(rows: string[][], rightAligned: (column: number) => boolean): string[] {
  const widths = rows[0]!.map((_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? "").length)),
  );
  return rows.map((row) =>
    row
      .map((cell, column) =>
        rightAligned(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd(),
  );
}

function date(at: number, timezone: string): string {
  return DateTime.fromMillis(at, { zone: timezone }).toFormat("yyyy-LL-dd");
}

/** The plan as text: rates, the funnel back from the target, revenue, sensitivity, groups. */
export function formatPlan(answer: PlanAnswer): string {
  const { plan, timezone } = answer;
  const period = plan.period;
  const lines: string[] = [];
  lines.push(
    `Plan · target ${money(plan.target.amount)} · ${period.label}: ${date(period.from, timezone)} to ${date(period.to, timezone)} (excluded, ${timezone}) · ${decimal(period.weekCount)} weeks to plan`,
  );
  if (period.planFrom > period.from)
    lines.push(
      `The period has begun: ${money(plan.target.wonSoFar)} won so far, ${money(plan.remaining)} to go from ${date(period.planFrom, timezone)}`,
    );
  lines.push("");
  lines.push(
    answer.window.clippedToHistory
      ? `Rates since the history began (${date(answer.window.from, timezone)} to ${date(answer.window.to, timezone)}; ${whole.format(answer.trailingDays)} days asked)`
      : `Rates over the last ${whole.format(answer.trailingDays)} days (${date(answer.window.from, timezone)} to ${date(answer.window.to, timezone)})`,
  );
  lines.push(...rateLines(plan));
  lines.push("");
  lines.push(...stageLines(plan));
  lines.push("");
  lines.push(
    `Revenue: target ${money(plan.target.amount)} · at the current run rate ${money(plan.revenue.runRate)} · gap ${money(plan.revenue.gap)}`,
  );
  lines.push("");
  lines.push("What each lever is worth (one at a time, the others as measured)");
  lines.push(
    ...table(
      [
        ["lever", "change", "from", "to", "MQLs a week fewer", "run-rate revenue more"],
        ...plan.sensitivity.map((entry) => [
          leverLabels[entry.lever],
          entry.change,
          leverValue(entry.lever, entry.before),
          leverValue(entry.lever, entry.after),
          decimal(entry.fewerMqlsPerWeek),
          money(entry.extraRunRateRevenue),
        ]),
      ],
      (column) => column >= 2,
    ),
  );
  if (plan.missing.length > 0) {
    lines.push("");
    for (const sentence of plan.missing) lines.push(`Missing: ${sentence}`);
  }
  if (answer.by !== null) {
    lines.push("");
    lines.push(
      `By ${answer.by} (the target split in the current mix: each ${answer.by}'s share of the run-rate revenue)`,
    );
    const need = (plan: ReverseFunnelPlan | null, stage: PlanStage) =>
      plan?.stages.find((entry) => entry.stage === stage);
    lines.push(
      ...table(
        [
          [
            answer.by,
            "share",
            "target",
            "won",
            "MQLs",
            "MQLs a week",
            "now a week",
            "gap a week",
            "missing",
          ],
          ...answer.groups.map((group) => [
            group.label,
            group.share === null ? noValue : `${oneDecimal.format(group.share * 100)} %`,
            money(group.plan === null ? null : group.plan.target.amount),
            wholeUp(need(group.plan, "won")?.needed ?? null),
            wholeUp(need(group.plan, "mqls")?.needed ?? null),
            decimal(need(group.plan, "mqls")?.neededPerWeek ?? null),
            decimal(need(group.plan, "mqls")?.runRatePerWeek ?? null),
            decimal(need(group.plan, "mqls")?.gapPerWeek ?? null),
            group.missing ?? group.plan?.missing.join("; ") ?? "",
          ]),
        ],
        (column) => column >= 1 && column <= 7,
      ),
    );
  }
  return lines.join("\n");
}

function rateLines(plan: ReverseFunnelPlan): string[] {
  const rows = funnelLevers.map((lever) => {
    const figure = plan.rates.levers[lever];
    const counts =
      lever !== "deal-size" && figure.numerator !== undefined && figure.denominator !== undefined
        ? `(${whole.format(figure.numerator)}/${whole.format(figure.denominator)})`
        : "";
    return [
      `  ${leverLabels[lever]}`,
      leverValue(lever, figure.value),
      counts,
      `${figure.metric} ${figure.figure}`,
    ];
  });
  rows.push([
    "  MQLs now",
    `${decimal(plan.rates.trailingWeeks > 0 ? plan.rates.mqlEvents / plan.rates.trailingWeeks : 0)} a week`,
    `(${whole.format(plan.rates.mqlEvents)} in ${decimal(plan.rates.trailingWeeks)} weeks)`,
    "mqls events",
  ]);
  return table(rows, (column) => column === 1);
}

function stageLines(plan: ReverseFunnelPlan): string[] {
  return table(
    [
      ["from the target back", "needed", "a week", "now a week", "gap a week"],
      ...plan.stages.map((stage) => [
        stageLabels[stage.stage],
        wholeUp(stage.needed),
        decimal(stage.neededPerWeek),
        decimal(stage.runRatePerWeek),
        decimal(stage.gapPerWeek),
      ]),
    ],
    (column) => column >= 1,
  );
}
