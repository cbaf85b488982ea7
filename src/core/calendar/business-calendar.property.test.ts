import fc from "fast-check";
import { DateTime, IANAZone } from "luxon";
import { describe, expect, it } from "vitest";
import { compileCalendar } from "./business-calendar.js";
import type { Interval } from "./business-time.js";
import {
  type CalendarDefinition,
  calendarDefinitionSchema,
  type HolidayDefinition,
  parseClock,
  parseWindow,
  weekdays,
} from "./calendar-schema.js";
import { composeCalendarVersions } from "./calendar-versions.js";

/**
 * Properties over random calendars (six zones, split shifts, 24:00 ends, full-day, partial and
 * yearly holidays), starts across 2020–2030 with half of them near the zone's clock changes, and
 * goals up to five 8-hour business days; plus agreement with a slow Luxon reference.
 */

const minute = 60_000;
const day = 86_400_000;
const zones = [
  "America/New_York",
  "Europe/London",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "America/Sao_Paulo",
  "UTC",
] as const;
/** 150 runs per property in CI; CALENDAR_RUNS=3000 for a deeper local search. */
const runs = { numRuns: Number(process.env.CALENDAR_RUNS ?? 150) };

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A minute of the day usable as a window or holiday edge. */
function edgeArbitrary(): fc.Arbitrary<number> {
  // Half of the edges fall before 04:00, where these zones change their clocks.
  return fc.oneof(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 1, max: 4 * 60 }));
}

/** Up to three windows of one day, from sorted distinct edges taken in pairs. */
function dayArbitrary(): fc.Arbitrary<string[] | undefined> {
  return fc.option(
    fc.uniqueArray(edgeArbitrary(), { maxLength: 6 }).map((edges) => {
      const sorted = [...edges].sort((a, b) => a - b);
      const windows: string[] = [];
      for (let index = 0; index + 1 < sorted.length; index += 2)
        windows.push(`${clock(sorted[index]!)}-${clock(sorted[index + 1]!)}`);
      return windows;
    }),
    { freq: 4, nil: undefined },
  );
}

function holidayArbitrary(): fc.Arbitrary<HolidayDefinition> {
  const range = fc
    .uniqueArray(edgeArbitrary(), { minLength: 2, maxLength: 2 })
    .map(([a, b]) => ({ from: clock(Math.min(a!, b!)), to: clock(Math.max(a!, b!)) }))
    .filter(({ from }) => from !== "24:00");
  return fc
    .record({
      dayIndex: fc.integer({
        min: daysSinceEpoch("2019-06-01"),
        max: daysSinceEpoch("2031-06-01"),
      }),
      yearly: fc.boolean(),
      range: fc.option(range, { freq: 2, nil: undefined }),
    })
    .map(({ dayIndex, yearly, range }) => ({
      date: new Date(dayIndex * day).toISOString().slice(0, 10),
      ...(yearly ? { yearly } : {}),
      ...(range ?? {}),
    }));
}

function daysSinceEpoch(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / day;
}

function calendarArbitrary(): fc.Arbitrary<CalendarDefinition> {
  const week = fc.tuple(...weekdays.map(() => dayArbitrary())).map((days) => {
    const hours: Partial<Record<(typeof weekdays)[number], string[]>> = {};
    days.forEach((windows, index) => {
      if (windows !== undefined) hours[weekdays[index]!] = windows;
    });
    // A calendar that is never open is refused by the schema; give it a working day.
    if (days.every((windows) => (windows?.length ?? 0) === 0)) hours.wed = ["09:00-17:00"];
    return hours;
  });
  return fc
    .record({
      timezone: fc.constantFrom(...zones),
      hours: fc.oneof(
        { weight: 1, arbitrary: fc.constant("24/7" as const) },
        { weight: 6, arbitrary: week },
      ),
      holidays: fc.array(holidayArbitrary(), { maxLength: 12 }),
    })
    .map((definition) => calendarDefinitionSchema.parse(definition));
}

/** Instants (to the day) at which a zone changes its offset, 2020–2030: where bugs hide. */
const transitionsByZone = new Map<string, number[]>(
  zones.map((zone) => {
    const changes: number[] = [];
    const offsets = IANAZone.create(zone);
    for (let at = Date.UTC(2020, 0, 1); at < Date.UTC(2031, 0, 1); at += day)
      if (offsets.offset(at) !== offsets.offset(at - day)) changes.push(at);
    return [zone, changes];
  }),
);

/** A start anywhere in 2020–2030, or within four days of one of the zone's clock changes. */
function startArbitrary(zone: string): fc.Arbitrary<number> {
  const anywhere = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 11, 31) });
  const changes = transitionsByZone.get(zone) ?? [];
  const nearChange =
    changes.length === 0
      ? anywhere
      : fc
          .tuple(fc.constantFrom(...changes), fc.integer({ min: -4 * day, max: 4 * day }))
          .map(([change, offset]) => change + offset);
  return fc
    .record({ at: fc.oneof(anywhere, nearChange), aligned: fc.boolean() })
    .map(({ at, aligned }) => (aligned ? at - (at % minute) : at));
}

/** A random calendar and a start suited to its zone. */
function scenarioArbitrary(): fc.Arbitrary<{ definition: CalendarDefinition; start: number }> {
  return calendarArbitrary().chain((definition) =>
    startArbitrary(definition.timezone).map((start) => ({ definition, start })),
  );
}

/** Up to five business days of eight hours, in whole minutes as agreements write goals. */
const goalArbitrary = fc.integer({ min: 0, max: 5 * 8 * 60 }).map((minutes) => minutes * minute);

/**
 * The slow reference: every local date expanded with Luxon, independently of wall-clock.ts. In a
 * gap Luxon itself moves a wall time forward by the gap; in an overlap `getPossibleOffsets` lists
 * both readings and SLA-CLOCKS.md's rule picks one (a start the earlier, an end the later).
 * Holidays are cut as absolute intervals whose edges follow the same rule.
 */
function referenceIntervals(definition: CalendarDefinition, from: number, to: number): Interval[] {
  const zone = definition.timezone;
  const instant = (date: DateTime, minutes: number, edge: "start" | "end"): number => {
    if (minutes === 1440) return date.plus({ days: 1 }).startOf("day").toMillis();
    const { year, month, day: dayOfMonth } = date;
    const wallTime = {
      year,
      month,
      day: dayOfMonth,
      hour: Math.floor(minutes / 60),
      minute: minutes % 60,
    };
    const readings = DateTime.fromObject(wallTime, { zone })
      .getPossibleOffsets()
      .map((reading) => reading.toMillis());
    return edge === "start" ? Math.min(...readings) : Math.max(...readings);
  };
  const open: Interval[] = [];
  let date = DateTime.fromMillis(from, { zone }).startOf("day").minus({ days: 1 });
  const lastDate = DateTime.fromMillis(to, { zone }).startOf("day").plus({ days: 1 });
  while (date <= lastDate) {
    const iso = date.toISODate() ?? "";
    const texts =
      definition.hours === "24/7"
        ? ["00:00-24:00"]
        : (definition.hours[weekdays[date.weekday - 1]!] ?? []);
    let dayOpen = texts.map((text) => {
      const parsed = parseWindow(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return {
        from: instant(date, parsed.window.start, "start"),
        to: instant(date, parsed.window.end, "end"),
      };
    });
    for (const holiday of definition.holidays ?? []) {
      const yearly =
        holiday.yearly === true && holiday.date.slice(5) === iso.slice(5) && iso >= holiday.date;
      if (holiday.date !== iso && !yearly) continue;
      const closedFrom = instant(
        date,
        holiday.from === undefined ? 0 : (parseClock(holiday.from) ?? 0),
        "start",
      );
      const closedTo = instant(
        date,
        holiday.to === undefined ? 1440 : (parseClock(holiday.to) ?? 1440),
        "end",
      );
      dayOpen = dayOpen.flatMap((piece) =>
        piece.to <= closedFrom || piece.from >= closedTo
          ? [piece]
          : [
              ...(piece.from < closedFrom ? [{ from: piece.from, to: closedFrom }] : []),
              ...(piece.to > closedTo ? [{ from: closedTo, to: piece.to }] : []),
            ],
      );
    }
    open.push(...dayOpen.filter((piece) => piece.to > piece.from));
    date = date.plus({ days: 1 });
  }
  open.sort((a, b) => a.from - b.from);
  const joined: Interval[] = [];
  for (const interval of open) {
    const last = joined[joined.length - 1];
    if (last !== undefined && interval.from <= last.to) last.to = Math.max(last.to, interval.to);
    else joined.push({ ...interval });
  }
  return joined
    .map((interval) => ({ from: Math.max(from, interval.from), to: Math.min(to, interval.to) }))
    .filter((interval) => interval.to > interval.from);
}

function referenceElapsed(definition: CalendarDefinition, from: number, to: number): number {
  return referenceIntervals(definition, from, to).reduce(
    (sum, interval) => sum + interval.to - interval.from,
    0,
  );
}

function referenceDue(definition: CalendarDefinition, start: number, targetMs: number): number {
  if (targetMs === 0) return start;
  let remaining = targetMs;
  for (let cursor = start; ; cursor += 14 * day) {
    for (const interval of referenceIntervals(definition, cursor, cursor + 14 * day)) {
      const length = interval.to - interval.from;
      if (remaining <= length) return interval.from + remaining;
      remaining -= length;
    }
  }
}

/** Business time of [from, to) outside the pauses, from the open intervals alone. */
function unpausedOpen(intervals: Interval[], pauses: Interval[]): number {
  let total = 0;
  for (const interval of intervals) {
    let cuts = [interval];
    for (const pause of pauses)
      cuts = cuts.flatMap((cut) =>
        cut.to <= pause.from || cut.from >= pause.to
          ? [cut]
          : [
              ...(cut.from < pause.from ? [{ from: cut.from, to: pause.from }] : []),
              ...(cut.to > pause.to ? [{ from: pause.to, to: cut.to }] : []),
            ],
      );
    total += cuts.reduce((sum, cut) => sum + cut.to - cut.from, 0);
  }
  return total;
}

const pausesArbitrary = (start: number) =>
  fc.array(
    fc
      .record({
        offset: fc.integer({ min: -2 * day, max: 10 * day }),
        length: fc.integer({ min: 0, max: 3 * day }),
      })
      .map(({ offset, length }) => ({ from: start + offset, to: start + offset + length })),
    { maxLength: 4 },
  );

describe("business calendar properties", () => {
  it("agrees with a slow Luxon reference on due, elapsed and open intervals, DST edges included", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        goalArbitrary,
        fc.integer({ min: 0, max: 20 * day }),
        ({ definition, start }, goal, span) => {
          const calendar = compileCalendar(definition);
          expect(calendar.due(start, goal)).toBe(referenceDue(definition, start, goal));
          expect(calendar.elapsed(start, start + span)).toBe(
            referenceElapsed(definition, start, start + span),
          );
          expect(calendar.openIntervals(start, start + 3 * day)).toEqual(
            referenceIntervals(definition, start, start + 3 * day),
          );
        },
      ),
      runs,
    );
  });

  it("elapsed(start, due(start, g)) = g, and no earlier instant reaches g", () => {
    fc.assert(
      fc.property(scenarioArbitrary(), goalArbitrary, ({ definition, start }, goal) => {
        const calendar = compileCalendar(definition);
        const due = calendar.due(start, goal);
        expect(due).toBeGreaterThanOrEqual(start);
        expect(calendar.elapsed(start, due)).toBe(goal);
        if (goal > 0) expect(calendar.elapsed(start, due - 1)).toBeLessThan(goal);
      }),
      runs,
    );
  });

  it("due(due(s, g1), g2) = due(s, g1 + g2)", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        goalArbitrary,
        goalArbitrary,
        ({ definition, start }, first, second) => {
          const calendar = compileCalendar(definition);
          expect(calendar.due(calendar.due(start, first), second)).toBe(
            calendar.due(start, first + second),
          );
        },
      ),
      runs,
    );
  });

  it("elapsed is additive: elapsed(a, b) + elapsed(b, c) = elapsed(a, c)", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        fc.integer({ min: 0, max: 90 * day }),
        fc.integer({ min: 0, max: 90 * day }),
        ({ definition, start: a }, first, second) => {
          const calendar = compileCalendar(definition);
          const b = a + first;
          const c = b + second;
          expect(calendar.elapsed(a, b) + calendar.elapsed(b, c)).toBe(calendar.elapsed(a, c));
        },
      ),
      runs,
    );
  });

  it("isOpen and openIntervals describe the same open time elapsed measures", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        fc.integer({ min: 0, max: 10 * day }),
        ({ definition, start }, span) => {
          const calendar = compileCalendar(definition);
          const intervals = calendar.openIntervals(start, start + span);
          const total = intervals.reduce((sum, interval) => sum + interval.to - interval.from, 0);
          expect(total).toBe(calendar.elapsed(start, start + span));
          for (const interval of intervals) {
            expect(calendar.isOpen(interval.from)).toBe(true);
            expect(calendar.isOpen(interval.to - 1)).toBe(true);
          }
          expect(calendar.isOpen(start)).toBe(calendar.elapsed(start, start + 1) === 1);
        },
      ),
      runs,
    );
  });

  it("pauses: elapsed leaves out paused business time; due is the earliest instant reaching the goal net of pauses", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary().chain((scenario) =>
          pausesArbitrary(scenario.start).map((pauses) => ({ ...scenario, pauses })),
        ),
        goalArbitrary,
        fc.integer({ min: 0, max: 12 * day }),
        ({ definition, start, pauses }, goal, span) => {
          const calendar = compileCalendar(definition);
          const end = start + span;
          expect(calendar.elapsed(start, end, pauses)).toBe(
            unpausedOpen(calendar.openIntervals(start, end), pauses),
          );
          const due = calendar.due(start, goal, pauses);
          expect(calendar.elapsed(start, due, pauses)).toBe(goal);
          if (goal > 0) expect(calendar.elapsed(start, due - 1, pauses)).toBeLessThan(goal);
          expect(due).toBeGreaterThanOrEqual(calendar.due(start, goal));
        },
      ),
      runs,
    );
  });

  it("calendar versions: each segment is measured by the version in force", () => {
    fc.assert(
      fc.property(
        scenarioArbitrary(),
        calendarArbitrary(),
        fc.integer({ min: -5 * day, max: 10 * day }),
        goalArbitrary,
        fc.integer({ min: 0, max: 15 * day }),
        ({ definition: before, start }, after, split, goal, span) => {
          const old = compileCalendar(before);
          const edited = compileCalendar(after);
          const effectiveFrom = start + split;
          const versions = composeCalendarVersions([
            { effectiveFrom: Date.UTC(2000, 0, 1), calendar: old },
            { effectiveFrom, calendar: edited },
          ]);
          const end = start + span;
          expect(versions.elapsed(start, end)).toBe(
            old.elapsed(start, Math.min(end, effectiveFrom)) +
              edited.elapsed(Math.max(start, effectiveFrom), end),
          );
          const due = versions.due(start, goal);
          expect(versions.elapsed(start, due)).toBe(goal);
          if (goal > 0) expect(versions.elapsed(start, due - 1)).toBeLessThan(goal);
        },
      ),
      runs,
    );
  });
});

describe("reference sanity", () => {
  it("the reference itself computes V5", () => {
    const definition = calendarDefinitionSchema.parse({
      timezone: "America/New_York",
      hours: {
        mon: ["09:00-17:00"],
        tue: ["09:00-17:00"],
        wed: ["09:00-17:00"],
        thu: ["09:00-17:00"],
        fri: ["09:00-17:00"],
      },
    });
    expect(referenceDue(definition, Date.parse("2026-03-06T15:00:00-05:00"), 240 * minute)).toBe(
      Date.parse("2026-03-09T15:00:00Z"),
    );
  });
});
