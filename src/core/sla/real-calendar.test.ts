/**
 * The clock on the calendar module's compiled calendars: time zones, daylight saving, holidays
 * and calendar versions through the clock's API, including SLA-CLOCKS.md vectors V5, V10, V11.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CalendarDefinition, compileCalendar } from "../calendar/index.js";
import type { ClockCalendar } from "./clock-calendar.js";
import type { ClockEvent, UnsequencedClockEvent } from "./clock-event.js";
import { at, ClockLog, goal, hour, iso, minute } from "./clock-test-fixtures.js";
import type { ClockState } from "./cycle.js";
import { replayClock } from "./replay-clock.js";

const weekdays = (window: string): CalendarDefinition["hours"] => ({
  mon: [window],
  tue: [window],
  wed: [window],
  thu: [window],
  fri: [window],
});

// Typed as the clock's port: a compiled calendar must satisfy it as it is.
const calendars: Record<string, ClockCalendar> = {
  "new-york@1": compileCalendar({ timezone: "America/New_York", hours: weekdays("09:00-17:00") }),
  "new-york@2": compileCalendar({
    timezone: "America/New_York",
    hours: weekdays("09:00-17:00"),
    holidays: [{ date: "2026-03-10", name: "office closed" }],
  }),
  "london@1": compileCalendar({ timezone: "Europe/London", hours: weekdays("09:00-17:00") }),
  "new-york-24x7@1": compileCalendar({ timezone: "America/New_York", hours: "24/7" }),
};

function replay(events: readonly ClockEvent[], now: number): ClockState {
  const result = replayClock(
    events,
    (calendarRef) => calendars[calendarRef],
    now,
    "lead-7:first-touch",
  );
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const newYork = goal({ calendarRef: "new-york@1" });

describe("SLA-CLOCKS.md vectors through the clock", () => {
  it("V10: New York 09–17, start Monday 9 March 09:00, 4 h, paused 10:00–13:00 → due 16:00", () => {
    const log = new ClockLog()
      .start(at("2026-03-09T09:00:00-04:00"), newYork)
      .pause(at("2026-03-09T10:00:00-04:00"))
      .resume(at("2026-03-09T13:00:00-04:00"));
    const cycle = replay(log.events, at("2026-03-09T13:00:00-04:00")).cycles[0]!;
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-09T16:00:00-04:00")));
    expect(cycle.pausedBusinessMs).toBe(3 * hour);
  });

  it("V11: paused Monday 16:00 → Tuesday 10:00 counts 2 business hours", () => {
    const log = new ClockLog()
      .start(at("2026-03-09T09:00:00-04:00"), newYork)
      .pause(at("2026-03-09T16:00:00-04:00"))
      .resume(at("2026-03-10T10:00:00-04:00"));
    const cycle = replay(log.events, at("2026-03-10T10:00:00-04:00")).cycles[0]!;
    expect(cycle.pausedBusinessMs).toBe(2 * hour);
    expect(cycle.pausedCalendarMs).toBe(18 * hour);
    // 4 h goal, 7 h had run by 16:00: breached at 13:00 on Monday, and the pause does not undo it.
    expect(cycle.state).toBe("breached-open");
    expect(iso(cycle.breachedAt)).toBe(iso(at("2026-03-09T13:00:00-04:00")));
  });

  it("V5: Friday 15:00 EST + 4 h is Monday 11:00 EDT; the weekend is out of hours, not a pause", () => {
    const log = new ClockLog().start(at("2026-03-06T15:00:00-05:00"), newYork);
    const cycle = replay(log.events, at("2026-03-07T12:00:00-05:00")).cycles[0]!;
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-09T15:00:00Z")));
    expect(cycle).toMatchObject({
      state: "running",
      withinCalendar: false,
      pausedBusinessMs: 0,
      elapsedBusinessMs: 2 * hour,
    });
  });
});

describe("changes mid-cycle on real calendars", () => {
  it("an owner change from New York to London carries the elapsed total on", () => {
    // 8 h goal from 09:00 EDT (13:00 UTC); 2 h used when London takes over at 15:00 UTC, which
    // gives 2 h more that day (to 17:00 UTC) and the last 4 h on Tuesday 09:00–13:00 UTC.
    const log = new ClockLog()
      .start(at("2026-03-16T13:00:00Z"), goal({ targetMs: 8 * hour, calendarRef: "new-york@1" }))
      .changeCalendar(at("2026-03-16T15:00:00Z"), "london@1");
    const cycle = replay(log.events, at("2026-03-16T18:00:00Z")).cycles[0]!;
    expect(cycle.elapsedBusinessMs).toBe(4 * hour);
    expect(cycle.withinCalendar).toBe(false);
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-17T13:00:00Z")));
  });

  it("a calendar edit applied to open cycles counts each segment on the version in force", () => {
    // 12 h from Monday 09:00 EDT: 8 h Monday + 4 h Tuesday under v1; v2 (from Monday 12:00)
    // closes Tuesday, so the last 4 h fall on Wednesday.
    const log = new ClockLog()
      .start(
        at("2026-03-09T09:00:00-04:00"),
        goal({ targetMs: 12 * hour, calendarRef: "new-york@1" }),
      )
      .recalculate(at("2026-03-09T12:00:00-04:00"), "new-and-open-cycles", {
        calendarRef: "new-york@2",
      });
    const cycle = replay(log.events, at("2026-03-10T12:00:00-04:00")).cycles[0]!;
    expect(iso(cycle.recalculations[0]?.oldDueAt)).toBe(iso(at("2026-03-10T13:00:00-04:00")));
    expect(iso(cycle.recalculations[0]?.newDueAt)).toBe(iso(at("2026-03-11T13:00:00-04:00")));
    expect(
      cycle.segments.map((segment) => [segment.calendarRef, segment.businessMs / hour]),
    ).toEqual([
      ["new-york@1", 3],
      ["new-york@2", 5],
    ]);
  });

  it("a 24/7 New York clock runs 23 real hours on the spring-forward day", () => {
    const log = new ClockLog().start(
      at("2026-03-08T00:00:00-05:00"),
      goal({ targetMs: 24 * hour, calendarRef: "new-york-24x7@1" }),
    );
    const cycle = replay(log.events, at("2026-03-09T00:00:00-04:00")).cycles[0]!;
    expect(cycle.elapsedBusinessMs).toBe(23 * hour);
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-09T01:00:00-04:00")));
  });
});

describe("pauses on a real calendar", () => {
  it("due − due without pauses = business time paused before the due", () => {
    const calendar = calendars["new-york@2"]!;
    const start = at("2026-03-06T15:00:00-05:00");
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 * 60 }),
        fc.uniqueArray(fc.integer({ min: -24 * 60, max: 10 * 24 * 60 }), { maxLength: 10 }),
        (targetMinutes, points) => {
          const sorted = [...points].sort((a, b) => a - b).map((point) => start + point * minute);
          const pauses: { from: number; to: number }[] = [];
          for (let index = 0; index + 1 < sorted.length; index += 2)
            pauses.push({ from: sorted[index]!, to: sorted[index + 1]! });
          const log: UnsequencedClockEvent[] = [
            {
              type: "start",
              at: start,
              goal: goal({ targetMs: targetMinutes * minute, calendarRef: "new-york@2" }),
            },
            ...pauses.flatMap((pause): UnsequencedClockEvent[] => [
              { type: "pause", at: pause.from, reason: "p" },
              { type: "resume", at: pause.to },
            ]),
          ];
          const events = log.map((event, index) => ({ ...event, seq: index + 1 }));
          const dueAt = replay(events, start + 60 * 24 * hour).cycles[0]!.dueAt!;
          const pausedBeforeDue = pauses.reduce(
            (total, pause) =>
              total + calendar.elapsed(Math.max(pause.from, start), Math.min(pause.to, dueAt)),
            0,
          );
          expect(calendar.elapsed(calendar.due(start, targetMinutes * minute), dueAt)).toBe(
            pausedBeforeDue,
          );
        },
      ),
    );
  });
});
