/**
 * Test helpers for the clock: hand-written calendars computed the slow, obvious way (so the clock
 * is checked against something that shares no code with the calendar module), instants written
 * as ISO text, and a log builder that numbers events like the store would.
 */
import type { ClockCalendar, Interval } from "./clock-calendar.js";
import type { ClockEvent, GoalSnapshot, UnsequencedClockEvent } from "./clock-event.js";

export const minute = 60_000;
export const hour = 60 * minute;
const day = 24 * hour;

/** Epoch ms of an ISO instant with an explicit offset or Z (never read in the machine's zone). */
export function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso))
    throw new Error(`test instants need an explicit offset: ${iso}`);
  return Date.parse(iso);
}

/** An instant as UTC ISO text, so failures show times rather than numbers. */
export function iso(instant: number | null | undefined): string | null | undefined {
  return typeof instant === "number" ? new Date(instant).toISOString() : instant;
}

/** The fixed reference instant of the scenarios: Monday 2 March 2026, 00:00 UTC. */
export const monday = at("2026-03-02T00:00:00Z");

/** Pieces of [from, to) outside every pause. */
function subtractPauses(from: number, to: number, pauses: readonly Interval[]): Interval[] {
  let pieces: Interval[] = to > from ? [{ from, to }] : [];
  for (const pause of pauses) {
    pieces = pieces.flatMap((piece) => {
      if (pause.to <= piece.from || pause.from >= piece.to) return [piece];
      const left = { from: piece.from, to: Math.max(piece.from, pause.from) };
      const right = { from: Math.min(piece.to, pause.to), to: piece.to };
      return [left, right].filter((part) => part.to > part.from);
    });
  }
  return pieces;
}

/**
 * A UTC calendar from the open hours of each weekday (0 = Monday), walked day by day with no
 * caching, prefix sums or binary search.
 */
export function naiveUtcCalendar(hoursOf: (weekday: number) => [number, number][]): ClockCalendar {
  const openOnDay = (dayIndex: number): Interval[] => {
    const weekday = (((dayIndex + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    return hoursOf(weekday).map(([open, close]) => ({
      from: dayIndex * day + open * hour,
      to: dayIndex * day + close * hour,
    }));
  };
  const elapsed = (from: number, to: number, pauses: readonly Interval[] = []): number => {
    let total = 0;
    for (let dayIndex = Math.floor(from / day); dayIndex * day < to; dayIndex++)
      for (const window of openOnDay(dayIndex))
        for (const piece of subtractPauses(
          Math.max(from, window.from),
          Math.min(to, window.to),
          pauses,
        ))
          total += piece.to - piece.from;
    return total;
  };
  return {
    elapsed,
    due(start, targetMs, pauses = []) {
      if (targetMs === 0) return start;
      let remaining = targetMs;
      const lastDay = Math.floor(start / day) + 3660;
      for (let dayIndex = Math.floor(start / day); dayIndex < lastDay; dayIndex++)
        for (const window of openOnDay(dayIndex))
          for (const piece of subtractPauses(Math.max(start, window.from), window.to, pauses)) {
            if (piece.to - piece.from >= remaining) return piece.from + remaining;
            remaining -= piece.to - piece.from;
          }
      return Number.POSITIVE_INFINITY;
    },
    isOpen: (instant) => elapsed(instant, instant + 1) === 1,
  };
}

const weekdaysOnly =
  (open: number, close: number) =>
  (weekday: number): [number, number][] =>
    weekday < 5 ? [[open, close]] : [];

/** Mon–Fri 09–17 UTC. */
export const officeHours = naiveUtcCalendar(weekdaysOnly(9, 17));
/** Mon–Fri 09–19 UTC: a later edit of the office calendar. */
export const longOfficeHours = naiveUtcCalendar(weekdaysOnly(9, 19));
/** Mon–Fri 14–22 UTC: a rep on the other side of the ocean. */
export const lateShift = naiveUtcCalendar(weekdaysOnly(14, 22));
/** Every minute of every day, UTC. */
export const allHours = naiveUtcCalendar(() => [[0, 24]]);

export const testCalendars: Record<string, ClockCalendar> = {
  "office@1": officeHours,
  "office@2": longOfficeHours,
  "late-shift@1": lateShift,
  "always@1": allHours,
};

export const resolveTestCalendar = (calendarRef: string): ClockCalendar | undefined =>
  testCalendars[calendarRef];

export function goal(overrides: Partial<GoalSnapshot> = {}): GoalSnapshot {
  return {
    goalId: "standard",
    agreementVersion: 1,
    targetMs: 4 * hour,
    calendarRef: "office@1",
    ...overrides,
  };
}

/** Builds a log in the order written, numbering events from 1 like the store. */
export class ClockLog {
  readonly events: ClockEvent[] = [];

  private add(event: UnsequencedClockEvent): this {
    this.events.push({ ...event, seq: this.events.length + 1 });
    return this;
  }

  start(instant: number, snapshot: GoalSnapshot = goal()): this {
    return this.add({ type: "start", at: instant, goal: snapshot });
  }
  pause(instant: number, reason = "waiting-on-lead"): this {
    return this.add({ type: "pause", at: instant, reason });
  }
  resume(instant: number, reason?: string): this {
    return this.add(
      reason === undefined
        ? { type: "resume", at: instant }
        : { type: "resume", at: instant, reason },
    );
  }
  stop(instant: number): this {
    return this.add({ type: "stop", at: instant });
  }
  reset(instant: number): this {
    return this.add({ type: "reset", at: instant });
  }
  cancel(instant: number): this {
    return this.add({ type: "cancel", at: instant });
  }
  changeCalendar(instant: number, calendarRef: string): this {
    return this.add({ type: "calendar-change", at: instant, calendarRef, reason: "owner changed" });
  }
  recalculate(
    instant: number,
    mode: "new-cycles-only" | "new-and-open-cycles",
    change: { goal?: GoalSnapshot; calendarRef?: string },
  ): this {
    return this.add({ type: "recalculate", at: instant, mode, ...change });
  }
  /** Appends what the scheduler fired, as the store would. */
  append(events: readonly UnsequencedClockEvent[]): this {
    for (const event of events) this.add(event);
    return this;
  }
}
