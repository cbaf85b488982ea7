/**
 * What SLA clocks ask of a calendar, whatever it is made of: one compiled calendar, several
 * effective-dated versions of one, or plain elapsed time.
 *
 * Glossary
 * - instant: epoch milliseconds (UTC); every interval is half-open, `[from, to)`.
 * - open time: instants at which the calendar is open (its windows, minus holidays).
 * - business time: the measure (ms) of open time inside an interval.
 * - pause: an interval during which the clock does not run (a pause condition held). Business
 *   time inside the union of pauses does not count; closed time is not a pause.
 * - due: for a start and a target of business ms, the earliest instant t ≥ start at which the
 *   business time of [start, t) equals the target (Salesforce `BusinessHours.add`). A target
 *   reached exactly at a window's end is due at that end, not at the next opening.
 */

export interface Interval {
  from: number;
  to: number;
}

export interface BusinessTime {
  /**
   * business ms in [from, to) ∩ open(calendar) \ union(pauses); 0 when to ≤ from. Instants must
   * be finite (a RangeError otherwise): measuring up to "never" is a bug in the caller.
   */
  elapsed(from: number, to: number, pauses?: readonly Interval[]): number;
  /**
   * Earliest t ≥ start with elapsed(start, t, pauses) = targetMs. A target of 0 is due at the
   * start itself, even outside hours. `Number.POSITIVE_INFINITY` when the calendar never opens
   * again. A negative or non-finite target is a bug and throws a RangeError.
   */
  due(start: number, targetMs: number, pauses?: readonly Interval[]): number;
  isOpen(at: number): boolean;
  /**
   * The open intervals (after holidays) intersecting [from, to), clipped to it, in order, with
   * touching intervals joined: the segments an explanation of a clock shows.
   */
  openIntervals(from: number, to: number): Interval[];
}

/** The pause-free questions every business time answers; pauses are layered on top of them. */
export interface PauseFreeTime {
  elapsed(from: number, to: number): number;
  due(start: number, targetMs: number): number;
}

/** Pauses sorted by start, empty ones dropped, overlapping or touching ones joined. */
export function mergePauses(pauses: readonly Interval[]): Interval[] {
  const sorted = pauses.filter((pause) => pause.to > pause.from).sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const pause of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && pause.from <= last.to) last.to = Math.max(last.to, pause.to);
    else merged.push({ from: pause.from, to: pause.to });
  }
  return merged;
}

/** Business time of [from, to) less the business time inside the pauses. */
export function elapsedWithPauses(
  time: PauseFreeTime,
  from: number,
  to: number,
  pauses: readonly Interval[],
): number {
  let elapsed = time.elapsed(from, to);
  if (elapsed === 0) return 0;
  for (const pause of mergePauses(pauses)) {
    if (pause.to <= from) continue;
    if (pause.from >= to) break;
    elapsed -= time.elapsed(Math.max(from, pause.from), Math.min(to, pause.to));
  }
  return elapsed;
}

/**
 * Due with pauses, walking pause by pause: between pauses the clock runs as without them, and
 * each pause is skipped whole. Each step is one pause-free due and at most one elapsed, so the
 * cost grows with the number of pauses, never with their length or the target's.
 */
export function dueWithPauses(
  time: PauseFreeTime,
  start: number,
  targetMs: number,
  pauses: readonly Interval[],
): number {
  if (targetMs === 0) return start;
  let cursor = start;
  let remaining = targetMs;
  for (const pause of mergePauses(pauses)) {
    if (pause.to <= cursor) continue;
    if (pause.from > cursor) {
      const unpaused = time.due(cursor, remaining);
      if (unpaused <= pause.from) return unpaused;
      // The target is not reached before this pause, so `remaining` stays above zero.
      remaining -= time.elapsed(cursor, pause.from);
    }
    cursor = pause.to;
  }
  return time.due(cursor, remaining);
}

export function assertInstant(value: number, name: string): void {
  if (!Number.isFinite(value))
    throw new RangeError(`${name} must be a finite epoch-ms instant, got ${value}`);
}

export function assertTarget(targetMs: number): void {
  if (!(Number.isFinite(targetMs) && targetMs >= 0))
    throw new RangeError(
      `a due target must be a finite number of business ms ≥ 0, got ${targetMs}`,
    );
}

/**
 * `elapsed` and `due` of the BusinessTime contract over pause-free answers: inputs checked,
 * the pause-free path taken when there are no pauses, pauses layered on otherwise.
 */
export function withPauses(unpaused: PauseFreeTime): Pick<BusinessTime, "elapsed" | "due"> {
  return {
    elapsed(from, to, pauses) {
      assertInstant(from, "from");
      assertInstant(to, "to");
      if (!(to > from)) return 0;
      return pauses === undefined || pauses.length === 0
        ? unpaused.elapsed(from, to)
        : elapsedWithPauses(unpaused, from, to, pauses);
    },
    due(start, targetMs, pauses) {
      assertInstant(start, "start");
      assertTarget(targetMs);
      return pauses === undefined || pauses.length === 0
        ? unpaused.due(start, targetMs)
        : dueWithPauses(unpaused, start, targetMs, pauses);
    },
  };
}

/** Plain elapsed time: open at every instant. Calendar-time figures and "24/7 in UTC" clocks. */
export const alwaysOpen: BusinessTime = (() => {
  const plain: PauseFreeTime = {
    elapsed: (from, to) => (to > from ? to - from : 0),
    due: (start, targetMs) => start + targetMs,
  };
  return {
    ...withPauses(plain),
    isOpen: () => true,
    openIntervals: (from, to) => (to > from ? [{ from, to }] : []),
  };
})();
