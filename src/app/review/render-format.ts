import { DateTime } from "luxon";
import type { FigureUnit } from "../../core/metrics/metric.js";
import type {
  CommitmentRow,
  CommitmentStatus,
  Comparison,
  PackFigure,
  PackPeriod,
  ReviewPack,
} from "../../core/review/review-pack-types.js";

/**
 * How the review pack's renderers (Markdown, HTML) write numbers, changes and periods, so both
 * say the same thing the same way. A missing value is an en dash.
 */

export const dash = "–";

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return dash;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined) return dash;
  return `${(value * 100).toFixed(1)} %`;
}

/** Minutes as people read them: 16 min, 2.5 h, 3.1 days. */
export function formatMinutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return dash;
  if (value < 120) return `${formatNumber(value, 1)} min`;
  if (value < 48 * 60) return `${formatNumber(value / 60, 1)} h`;
  return `${formatNumber(value / 1440, 1)} days`;
}

export function formatCurrency(value: number | null | undefined): string {
  return formatNumber(value, 0);
}

export function formatValue(value: number | null | undefined, unit: FigureUnit): string {
  switch (unit) {
    case "rate":
    case "share":
      return formatRate(value);
    case "minutes":
      return formatMinutes(value);
    case "hours":
      if (value === null || value === undefined) return dash;
      return value < 48 ? `${formatNumber(value, 1)} h` : `${formatNumber(value / 24, 1)} days`;
    case "days":
      return value === null || value === undefined ? dash : `${formatNumber(value, 1)} days`;
    case "currency":
      return formatCurrency(value);
    case "count":
      return formatNumber(value);
  }
}

/** A figure with its parts: "40.0 % (4 of 10)". */
export function formatFigure(figure: PackFigure): string {
  const text = formatValue(figure.value, figure.unit);
  if (
    (figure.unit === "rate" || figure.unit === "share") &&
    figure.numerator !== null &&
    figure.denominator !== null
  )
    return `${text} (${formatNumber(figure.numerator, 2)} of ${formatNumber(figure.denominator, 2)})`;
  return text;
}

export type Direction = "up" | "down" | "flat" | "none";

export function directionOf(comparison: Comparison): Direction {
  if (comparison.change === null) return "none";
  if (Math.abs(comparison.change) < 1e-12) return "flat";
  return comparison.change > 0 ? "up" : "down";
}

/** Whether the change is good news, bad news or neither, given which way is better. */
export function verdictOf(
  comparison: Comparison,
  better: "higher" | "lower",
): "better" | "worse" | "same" | "none" {
  const direction = directionOf(comparison);
  if (direction === "none") return "none";
  if (direction === "flat") return "same";
  return (direction === "up") === (better === "higher") ? "better" : "worse";
}

/** ▲ 3, ▼ 11.4 pts, = no change, – when either side is missing. Rates change in points. */
export function formatChange(comparison: Comparison): string {
  const direction = directionOf(comparison);
  if (direction === "none") return dash;
  if (direction === "flat") return "= no change";
  const arrow = direction === "up" ? "▲" : "▼";
  const size = Math.abs(comparison.change!);
  const unit = comparison.current.unit;
  const amount =
    unit === "rate" || unit === "share"
      ? `${(size * 100).toFixed(1)} pts`
      : formatValue(size, unit);
  return `${arrow} ${amount}`;
}

export const statusText: Record<CommitmentStatus, string> = {
  met: "✓ met",
  missed: "✗ missed",
  "no-data": "? no data",
  "in-progress": "… in progress",
};

export function formatTarget(row: CommitmentRow): string {
  const show = (value: number) => formatValue(value, row.unit);
  if (row.min !== null && row.max !== null) return `${show(row.min)}–${show(row.max)}`;
  if (row.min !== null) return `≥ ${show(row.min)}`;
  if (row.max !== null) return `≤ ${show(row.max)}`;
  return dash;
}

/**
 * A commitment's actual over its periods in the review period: "10", or "41 (2026-11)" when its
 * period is not the review period itself (a monthly commitment in a weekly review).
 */
export function formatActuals(
  row: CommitmentRow,
  which: "periods" | "previousPeriods",
  reviewLabel: string,
): string {
  const periods = row[which];
  if (periods.length === 0) return dash;
  if (periods.length === 1 && periods[0]!.key === reviewLabel)
    return formatValue(periods[0]!.actual.value, periods[0]!.actual.unit);
  return periods
    .map((entry) => `${formatValue(entry.actual.value, entry.actual.unit)} (${entry.key})`)
    .join(", ");
}

/** "2026-11-09 to 2026-11-15": the last day shown is the one before the excluded end. */
export function formatPeriodDates(period: PackPeriod, timezone: string): string {
  const from = DateTime.fromMillis(period.from, { zone: timezone });
  const last = DateTime.fromMillis(period.to, { zone: timezone }).minus({ days: 1 });
  return `${from.toISODate()} to ${last.toISODate()}`;
}

export function formatInstant(at: number, timezone: string): string {
  return DateTime.fromMillis(at, { zone: timezone }).toFormat("yyyy-LL-dd HH:mm");
}

export const severityText = { high: "High", medium: "Medium", low: "Low" } as const;

export const itemStatusText = {
  open: "open",
  in_progress: "in progress",
  done: "done",
  dropped: "dropped",
} as const;

/** The first few record ids of a figure, "and N more" when it has more. */
export function formatRecords(records: readonly string[], recordCount: number, shown = 5): string {
  if (recordCount === 0 || records.length === 0) return "";
  const first = records.slice(0, shown).join(", ");
  const more = recordCount - Math.min(shown, records.length);
  return more > 0 ? `${first} and ${formatNumber(more)} more` : first;
}

export function packSubtitle(pack: ReviewPack): string {
  return `${pack.agreementName} · ${pack.period.label} (${formatPeriodDates(pack.period, pack.timezone)}, ${pack.timezone}) against ${pack.previousPeriod.label}`;
}
