import {
  type BusinessTime,
  type Interval,
  type PauseFreeTime,
  withPauses,
} from "./business-time.js";

/**
 * A calendar edited over time. Each version is in force from its `effectiveFrom` (epoch ms)
 * until the next version's; the earliest version also covers everything before it, since no
 * older rules are known. Duplicate `effectiveFrom`: the one listed last wins.
 */
export interface CalendarVersion {
  effectiveFrom: number;
  calendar: BusinessTime;
}

interface Segment {
  from: number;
  /** the next version's effectiveFrom, or +∞ for the current version */
  to: number;
  calendar: BusinessTime;
}

/**
 * One business time over effective-dated versions: an interval that spans a version change is
 * measured with each version on its own segment, so an edit never rewrites the time before it.
 */
export function composeCalendarVersions(versions: readonly CalendarVersion[]): BusinessTime {
  if (versions.length === 0)
    throw new Error("composeCalendarVersions needs at least one calendar version");
  const ordered = versions
    .map((version, position) => ({ version, position }))
    .sort((a, b) => a.version.effectiveFrom - b.version.effectiveFrom || a.position - b.position)
    .map(({ version }) => version)
    .filter((version, index, all) => all[index + 1]?.effectiveFrom !== version.effectiveFrom);
  if (ordered.length === 1) return ordered[0]!.calendar;
  const segments: Segment[] = ordered.map((version, index) => ({
    from: index === 0 ? Number.NEGATIVE_INFINITY : version.effectiveFrom,
    to: ordered[index + 1]?.effectiveFrom ?? Number.POSITIVE_INFINITY,
    calendar: version.calendar,
  }));

  const segmentIndexAt = (at: number): number => {
    let low = 0;
    let high = segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (segments[middle]!.from <= at) low = middle;
      else high = middle - 1;
    }
    return low;
  };

  const unpaused: PauseFreeTime = {
    elapsed(from, to) {
      let elapsed = 0;
      for (let index = segmentIndexAt(from); index < segments.length; index++) {
        const segment = segments[index]!;
        if (segment.from >= to) break;
        elapsed += segment.calendar.elapsed(Math.max(from, segment.from), Math.min(to, segment.to));
      }
      return elapsed;
    },
    due(start, targetMs) {
      let cursor = start;
      let remaining = targetMs;
      for (let index = segmentIndexAt(start); ; index++) {
        const segment = segments[index]!;
        const due = segment.calendar.due(cursor, remaining);
        if (due <= segment.to) return due;
        remaining -= segment.calendar.elapsed(cursor, segment.to);
        cursor = segment.to;
      }
    },
  };

  return {
    ...withPauses(unpaused),
    isOpen(at) {
      return segments[segmentIndexAt(at)]!.calendar.isOpen(at);
    },
    openIntervals(from, to) {
      const intervals: Interval[] = [];
      if (!(to > from)) return intervals;
      for (let index = segmentIndexAt(from); index < segments.length; index++) {
        const segment = segments[index]!;
        if (segment.from >= to) break;
        for (const interval of segment.calendar.openIntervals(
          Math.max(from, segment.from),
          Math.min(to, segment.to),
        )) {
          const last = intervals[intervals.length - 1];
          if (last !== undefined && last.to === interval.from) last.to = interval.to;
          else intervals.push({ ...interval });
        }
      }
      return intervals;
    },
  };
}
