import { DateTime } from "luxon";
import type { Figure, MetricResult } from "../core/metrics/metric.js";

/**
 * A metric result as a plain-text table, for `baton metrics` and `baton audit`: one row per group
 * and a Total row, one column per figure. Rates read "41.2 % (7/17)" so the counts behind them
 * are never lost; a figure with no value (a zero denominator, a median of nothing) reads "—".
 */

export const noValue = "—";

const thousands = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const money = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

/** One figure as a table cell. */
export function formatFigure(figure: Figure | undefined): string {
  if (figure === undefined || figure.value === null)
    return figure?.unit === "rate" || figure?.unit === "share"
      ? rateCounts(figure, noValue)
      : noValue;
  const value = figure.value;
  switch (figure.unit) {
    case "rate":
    case "share":
      return rateCounts(figure, `${decimal.format(value * 100)} %`);
    case "count":
      return Number.isInteger(value) ? thousands.format(value) : decimal.format(value);
    case "minutes":
      return `${decimal.format(value)} min`;
    case "hours":
      return `${decimal.format(value)} h`;
    case "days":
      return `${decimal.format(value)} d`;
    case "currency":
      return money.format(value);
  }
}

/** "41.2 % (7/17)"; a rate without its counts is shown alone. */
function rateCounts(figure: Figure, shown: string): string {
  if (figure.numerator === undefined || figure.denominator === undefined) return shown;
  return `${shown} (${money.format(figure.numerator)}/${money.format(figure.denominator)})`;
}

/** The figure names in column order: the total's first, then any only groups have. */
function columnsOf(result: MetricResult): string[] {
  const names = Object.keys(result.total);
  for (const group of result.groups)
    for (const name of Object.keys(group.figures)) if (!names.includes(name)) names.push(name);
  return names;
}

export interface TableOptions {
  /** the zone the period is shown in (the workspace's) */
  timezone?: string;
}

/** The table, with a heading naming the metric, the period and the breakdown. */
export function formatMetricTable(result: MetricResult, options: TableOptions = {}): string {
  const zone = options.timezone ?? "UTC";
  const day = (at: number) => {
    const local = DateTime.fromMillis(at, { zone });
    return local.toFormat(
      local.hour === 0 && local.minute === 0 ? "yyyy-LL-dd" : "yyyy-LL-dd HH:mm",
    );
  };
  const columns = columnsOf(result);
  const header = [result.by ?? "", ...columns];
  const rows = [
    ...result.groups.map((group) => [
      group.label,
      ...columns.map((name) => formatFigure(group.figures[name])),
    ]),
    ["Total", ...columns.map((name) => formatFigure(result.total[name]))],
  ];
  const widths = header.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]!.length)),
  );
  // the label column reads left to right; figures line up on the right
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "─".repeat(width)).join("  ");
  return [
    `${result.title} · ${day(result.from)} to ${day(result.to)} (${zone})${result.by === null ? "" : ` · by ${result.by}`}`,
    "",
    line(header),
    rule,
    ...rows.slice(0, -1).map(line),
    ...(result.groups.length > 0 ? [rule] : []),
    line(rows[rows.length - 1]!),
  ].join("\n");
}
