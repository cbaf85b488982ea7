import type { Figure, FigureUnit, MetricQuery, MetricResult } from "./metric.js";

/**
 * The arithmetic every metric shares (METRICS.md conventions): the median of an even count is the
 * mean of the two middle values; percentiles interpolate linearly between closest ranks (numpy's
 * default, R type 7, Excel PERCENTILE.INC); a rate with a zero denominator is null, never 0.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The p-th percentile (0 ≤ p ≤ 100) of values, by linear interpolation; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  // A typed array sorts numerically without a comparator call per pair (several times faster).
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (rank - low);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/**
 * A figure's records as a metric builds them: all the ids, or — when the query limits them
 * (`records: false` or a number) — the first ids and how many there are in all, so no list longer
 * than the limit is built.
 */
export type RecordIds = string[] | { ids: string[]; count: number };

/** The most ids a figure lists: all (the default), none (`records: false`) or the number asked. */
export function recordLimit(query: Pick<MetricQuery, "records">): number {
  const records = query.records;
  if (records === undefined || records === true) return Number.POSITIVE_INFINITY;
  if (records === false) return 0;
  return Math.max(0, Math.floor(records));
}

/** The ids of `items`, at most `limit` of them (`id` is called for those only). */
export function recordIds<Item>(
  limit: number,
  items: readonly Item[],
  id: (item: Item) => string,
): RecordIds {
  if (limit === Number.POSITIVE_INFINITY) return items.map(id);
  const ids: string[] = [];
  for (let index = 0; index < items.length && index < limit; index++) ids.push(id(items[index]!));
  return { ids, count: items.length };
}

export function recordCount(records: RecordIds): number {
  return Array.isArray(records) ? records.length : records.count;
}

function figureRecords(records: RecordIds): Pick<Figure, "records" | "recordCount"> {
  return Array.isArray(records)
    ? { records }
    : { records: records.ids, recordCount: records.count };
}

/**
 * The result as a limited query gives it, for metrics over small populations (attribution's
 * conversions, commitment periods) that build all their ids anyway: the same figures, the ids
 * cut to the limit.
 */
export function asAsked(result: MetricResult, query: MetricQuery): MetricResult {
  const limit = recordLimit(query);
  if (limit === Number.POSITIVE_INFINITY) return result;
  const limited = (figures: Record<string, Figure>) => {
    const out: Record<string, Figure> = {};
    for (const [name, figure] of Object.entries(figures))
      out[name] =
        figure.recordCount === undefined
          ? {
              ...figure,
              records: figure.records.slice(0, limit),
              recordCount: figure.records.length,
            }
          : figure;
    return out;
  };
  return {
    ...result,
    total: limited(result.total),
    groups: result.groups.map((group) => ({ ...group, figures: limited(group.figures) })),
  };
}

/** A rate figure: numerator ÷ denominator, null when the denominator is 0. */
export function rateFigure(numerator: number, denominator: number, records: RecordIds): Figure {
  return {
    value: denominator === 0 ? null : numerator / denominator,
    unit: "rate",
    numerator,
    denominator,
    ...figureRecords(records),
  };
}

export function countFigure(records: RecordIds, count = recordCount(records)): Figure {
  return { value: count, unit: "count", ...figureRecords(records) };
}

export function valueFigure(value: number | null, unit: FigureUnit, records: RecordIds): Figure {
  return { value, unit, ...figureRecords(records) };
}

/** True when `at` falls in the half-open period [from, to). */
export function inPeriod(at: number | null | undefined, from: number, to: number): at is number {
  return at !== null && at !== undefined && at >= from && at < to;
}

/**
 * `compute` memoised per object and half-open period [from, to). For what a dashboard request's
 * metrics share over one history (never changed once built): its objects are dropped with it.
 */
export function memoPerPeriod<Of extends object, Value>(
  compute: (of: Of, from: number, to: number) => Value,
): (of: Of, from: number, to: number) => Value {
  const byObject = new WeakMap<Of, Map<string, Value>>();
  return (of, from, to) => {
    let byPeriod = byObject.get(of);
    if (byPeriod === undefined) {
      byPeriod = new Map();
      byObject.set(of, byPeriod);
    }
    const key = `${from}/${to}`;
    let value = byPeriod.get(key);
    if (value === undefined) {
      value = compute(of, from, to);
      byPeriod.set(key, value);
    }
    return value;
  };
}
