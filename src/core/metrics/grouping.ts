import { DateTime } from "luxon";
import type { Dimension, Figure, MetricGroup } from "./metric.js";
import { HOUR } from "./statistics.js";

/**
 * Breakdown keys (METRICS.md): grouping values are compared after trimming, folding inner runs of
 * white space and case-folding, and shown with their most frequent spelling; records without a
 * value fall in "(none)". Period groups are the record's instant in the workspace zone: days,
 * ISO weeks starting Monday 00:00, months, quarters.
 */

export const NONE = "(none)";

export function foldKey(value: string | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  // a breakdown folds the same few sources, campaigns and owners for every record
  const known = folds.get(value);
  if (known !== undefined) return known;
  const trimmed = value.trim().replace(/\s+/g, " ").toLowerCase();
  const folded = trimmed === "" ? NONE : trimmed;
  if (folds.size >= 10_000) folds.clear();
  folds.set(value, folded);
  return folded;
}
const folds = new Map<string, string>();

/** The period key of an instant: 2026-12-07 (day), 2026-W50 (week), 2026-12, 2026-Q4. */
export function periodKey(
  at: number,
  dimension: "day" | "week" | "month" | "quarter",
  timezone: string,
): string {
  const local = DateTime.fromMillis(at, { zone: timezone });
  switch (dimension) {
    case "day":
      return local.toFormat("yyyy-LL-dd");
    case "week":
      return `${local.weekYear}-W${String(local.weekNumber).padStart(2, "0")}`;
    case "month":
      return local.toFormat("yyyy-LL");
    case "quarter":
      return `${local.year}-Q${local.quarter}`;
  }
}

export function isPeriodDimension(
  dimension: Dimension,
): dimension is "day" | "week" | "month" | "quarter" {
  return (
    dimension === "day" || dimension === "week" || dimension === "month" || dimension === "quarter"
  );
}

/** What a record offers for each attribute dimension. */
export interface GroupAttributes {
  source: string | null;
  campaign: string | null;
  segment: string | null;
  team: string | null;
  owner: string | null;
}

/** One raw value of the data: its key's group, its spelling and how often it was seen. */
interface RawValue<Member> {
  group: Group<Member>;
  spelling: string;
  count: number;
}

interface Group<Member> {
  members: Member[];
  /** the raw values folded into the group, in the order first seen */
  values: RawValue<Member>[];
}

/**
 * Collects members per group key, and the spellings seen for each key so the label is the most
 * frequent one (ties: the first seen). Each distinct raw value is folded once (a million leads
 * share a few dozen sources and owners).
 */
export class Groups<Member> {
  private readonly groups = new Map<string, Group<Member>>();
  private readonly raw = new Map<string | null | undefined, RawValue<Member>>();

  /** `fold` makes the key; period keys are canonical already and keep their case */
  constructor(private readonly fold: (value: string | null | undefined) => string = foldKey) {}

  add(raw: string | null | undefined, member: Member): void {
    let known = this.raw.get(raw);
    if (known === undefined) {
      const key = this.fold(raw);
      let group = this.groups.get(key);
      if (group === undefined) {
        group = { members: [], values: [] };
        this.groups.set(key, group);
      }
      const spelling = key === NONE ? NONE : raw!.trim().replace(/\s+/g, " ");
      known = { group, spelling, count: 0 };
      group.values.push(known);
      this.raw.set(raw, known);
    }
    known.count++;
    known.group.members.push(member);
  }

  /** Groups sorted by key, each with its label and members. */
  entries(): { key: string; label: string; members: Member[] }[] {
    return [...this.groups.keys()].sort().map((key) => ({
      key,
      label: this.label(key),
      members: this.groups.get(key)!.members,
    }));
  }

  label(key: string): string {
    // Raw values that differ only in outer or inner spaces are one spelling.
    const counts = new Map<string, number>();
    for (const value of this.groups.get(key)?.values ?? [])
      counts.set(value.spelling, (counts.get(value.spelling) ?? 0) + value.count);
    let best = key;
    let bestCount = 0;
    for (const [spelling, count] of counts) {
      if (count > bestCount) {
        best = spelling;
        bestCount = count;
      }
    }
    return best;
  }
}

/**
 * periodKey for many instants: each period's bounds in the zone are worked out once (Luxon's
 * start of the day, ISO week, month or quarter, and the start of the next) and remembered for
 * every UTC hour they cover, so a million records cost a Map lookup each instead of a Luxon date.
 * An hour the bounds do not settle (a period boundary inside it, in a zone with a half-hour
 * offset) asks Luxon again.
 */
export function periodKeys(
  dimension: "day" | "week" | "month" | "quarter",
  timezone: string,
): (at: number) => string {
  const known = new Map<number, { start: number; end: number; key: string }>();
  return (at) => {
    const hour = Math.floor(at / HOUR);
    const cached = known.get(hour);
    if (cached !== undefined && at >= cached.start && at < cached.end) return cached.key;
    const start = DateTime.fromMillis(at, { zone: timezone }).startOf(dimension);
    const period = {
      start: start.toMillis(),
      end: start.plus({ [dimension]: 1 }).toMillis(),
      key: periodKey(at, dimension, timezone),
    };
    for (let covered = Math.floor(period.start / HOUR); covered * HOUR < period.end; covered++)
      known.set(covered, period);
    return period.key;
  };
}

/**
 * The raw group value of a record for a dimension: an attribute, or the period of `at` (the
 * instant that put the record in the metric, e.g. its MQL moment).
 */
export function groupValue(
  dimension: Dimension,
  attributes: GroupAttributes,
  at: number,
  timezone: string,
): string | null {
  if (isPeriodDimension(dimension)) return periodKey(at, dimension, timezone);
  return attributes[dimension];
}

/**
 * The shape of most metrics: a population of items, each placed by its attributes and an instant;
 * `figures` computes the named figures of any subset. Returns the total (all items) and, with a
 * breakdown, one group per folded key.
 */
export function breakDown<Item>(
  items: readonly Item[],
  dimension: Dimension | undefined,
  timezone: string,
  place: (item: Item) => { attributes: GroupAttributes; at: number },
  figures: (items: readonly Item[]) => Record<string, Figure>,
): { total: Record<string, Figure>; groups: MetricGroup[] } {
  const total = figures(items);
  if (dimension === undefined) return { total, groups: [] };
  const period = isPeriodDimension(dimension) ? periodKeys(dimension, timezone) : undefined;
  const groups = new Groups<Item>(period === undefined ? foldKey : (value) => value ?? NONE);
  for (const item of items) {
    const { attributes, at } = place(item);
    groups.add(
      period === undefined ? attributes[dimension as keyof GroupAttributes] : period(at),
      item,
    );
  }
  return {
    total,
    groups: groups.entries().map(({ key, label, members }) => ({
      key,
      label,
      figures: figures(members),
    })),
  };
}
