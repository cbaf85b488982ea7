import { DateTime } from "luxon";
import type { Dimension, Figure, MetricGroup } from "./metric.js";

/**
 * Breakdown keys (METRICS.md): grouping values are compared after trimming, folding inner runs of
 * white space and case-folding, and shown with their most frequent spelling; records without a
 * value fall in "(none)". Period groups are the record's instant in the workspace zone: days,
 * ISO weeks starting Monday 00:00, months, quarters.
 */

export const NONE = "(none)";

export function foldKey(value: string | null | undefined): string {
  if (value === null || value === undefined) return NONE;
  const folded = value.trim().replace(/\s+/g, " ").toLowerCase();
  return folded === "" ? NONE : folded;
}

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

/**
 * Collects members per group key, and the spellings seen for each key so the label is the most
 * frequent one (ties: the first seen).
 */
export class Groups<Member> {
  private readonly members = new Map<string, Member[]>();
  private readonly spellings = new Map<string, Map<string, number>>();

  /** `fold` makes the key; period keys are canonical already and keep their case */
  constructor(private readonly fold: (value: string | null | undefined) => string = foldKey) {}

  add(raw: string | null | undefined, member: Member): void {
    const key = this.fold(raw);
    let list = this.members.get(key);
    if (list === undefined) {
      list = [];
      this.members.set(key, list);
      this.spellings.set(key, new Map());
    }
    list.push(member);
    const spelling = key === NONE ? NONE : raw!.trim().replace(/\s+/g, " ");
    const counts = this.spellings.get(key)!;
    counts.set(spelling, (counts.get(spelling) ?? 0) + 1);
  }

  /** Groups sorted by key, each with its label and members. */
  entries(): { key: string; label: string; members: Member[] }[] {
    return [...this.members.keys()].sort().map((key) => ({
      key,
      label: this.label(key),
      members: this.members.get(key)!,
    }));
  }

  label(key: string): string {
    let best = key;
    let bestCount = 0;
    for (const [spelling, count] of this.spellings.get(key) ?? []) {
      if (count > bestCount) {
        best = spelling;
        bestCount = count;
      }
    }
    return best;
  }
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
  const groups = new Groups<Item>(
    isPeriodDimension(dimension) ? (value) => value ?? NONE : foldKey,
  );
  for (const item of items) {
    const { attributes, at } = place(item);
    groups.add(groupValue(dimension, attributes, at, timezone), item);
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
