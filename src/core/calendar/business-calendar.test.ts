import { describe, expect, it } from "vitest";
import { compileCalendar } from "./business-calendar.js";
import { alwaysOpen, type Interval } from "./business-time.js";
import type { CalendarDefinition } from "./calendar-schema.js";
import { calendarDefinitionSchema } from "./calendar-schema.js";
import { composeCalendarVersions } from "./calendar-versions.js";

const hour = 3_600_000;
const minute = 60_000;

/** Epoch ms of an ISO instant with an explicit offset or Z (never read in the machine's zone). */
function at(iso: string): number {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(iso))
    throw new Error(`test instants need an explicit offset: ${iso}`);
  return Date.parse(iso);
}

/** Compares instants as UTC ISO strings, so a failure shows times rather than numbers. */
function expectInstant(actual: number, expected: string): void {
  expect(new Date(actual).toISOString()).toBe(new Date(at(expected)).toISOString());
}

function calendar(definition: CalendarDefinition) {
  return compileCalendar(calendarDefinitionSchema.parse(definition));
}

function weekdaysOpen(...windows: string[]): CalendarDefinition["hours"] {
  return { mon: windows, tue: windows, wed: windows, thu: windows, fri: windows };
}

function intervalsAsIso(intervals: Interval[]): [string, string][] {
  return intervals.map(({ from, to }) => [
    new Date(from).toISOString(),
    new Date(to).toISOString(),
  ]);
}

const newYorkNineToFive = calendar({
  timezone: "America/New_York",
  hours: weekdaysOpen("09:00-17:00"),
});

describe("worked vectors of SLA-CLOCKS.md", () => {
  it("V1: uneven week in UTC — Monday 11:00 + 16 h is Thursday 11:00", () => {
    const utc = calendar({
      timezone: "UTC",
      hours: { mon: ["09:00-17:00"], tue: ["09:00-16:00"], thu: ["08:00-17:00"] },
    });
    expectInstant(utc.due(at("2026-03-02T11:00:00Z"), 16 * hour), "2026-03-05T11:00:00Z");
  });

  it("V2: New York 08–17 — Friday 16:00 EST + 4 h is Monday 11:00 EDT", () => {
    const eightToFive = calendar({
      timezone: "America/New_York",
      hours: weekdaysOpen("08:00-17:00"),
    });
    expectInstant(
      eightToFive.due(at("2026-03-06T16:00:00-05:00"), 4 * hour),
      "2026-03-09T11:00:00-04:00",
    );
  });

  it("V3: 24/7 New York — spring-forward 00:00 → 04:00 local is 3 h", () => {
    const always = calendar({ timezone: "America/New_York", hours: "24/7" });
    expect(always.elapsed(at("2026-03-08T00:00:00-05:00"), at("2026-03-08T04:00:00-04:00"))).toBe(
      3 * hour,
    );
  });

  it("V4: 24/7 New York — fall-back 00:00 → 04:00 local is 5 h", () => {
    const always = calendar({ timezone: "America/New_York", hours: "24/7" });
    expect(always.elapsed(at("2026-11-01T00:00:00-04:00"), at("2026-11-01T04:00:00-05:00"))).toBe(
      5 * hour,
    );
  });

  it("V5: New York 09–17 — Friday 15:00 EST + 4 h is Monday 11:00 EDT, 67 real hours later", () => {
    const start = at("2026-03-06T15:00:00-05:00");
    const due = newYorkNineToFive.due(start, 4 * hour);
    expectInstant(due, "2026-03-09T11:00:00-04:00");
    expectInstant(due, "2026-03-09T15:00:00Z");
    expect(due - start).toBe(67 * hour);
  });

  it("V6: as V5 with Monday 9 March a holiday — due Tuesday 11:00 EDT", () => {
    const withHoliday = calendar({
      timezone: "America/New_York",
      hours: weekdaysOpen("09:00-17:00"),
      holidays: [{ date: "2026-03-09" }],
    });
    expectInstant(
      withHoliday.due(at("2026-03-06T15:00:00-05:00"), 4 * hour),
      "2026-03-10T11:00:00-04:00",
    );
  });

  it("V7: the same instant and goal in London and New York", () => {
    const london = calendar({ timezone: "Europe/London", hours: weekdaysOpen("09:00-17:00") });
    const start = at("2026-03-16T16:00:00Z");
    expectInstant(london.due(start, 2 * hour), "2026-03-17T10:00:00Z");
    expectInstant(newYorkNineToFive.due(start, 2 * hour), "2026-03-16T18:00:00Z");
  });

  const tenToSix = calendar({ timezone: "UTC", hours: weekdaysOpen("10:00-18:00") });

  it("V8: 10–18 — Wednesday 15:00 + 10 h is Thursday 17:00", () => {
    expectInstant(tenToSix.due(at("2026-03-04T15:00:00Z"), 10 * hour), "2026-03-05T17:00:00Z");
  });

  it("V9: 10–18 — Wednesday 20:00 + 10 h is Friday 12:00", () => {
    expectInstant(tenToSix.due(at("2026-03-04T20:00:00Z"), 10 * hour), "2026-03-06T12:00:00Z");
  });

  it("V10: Monday 09:00 + 4 h paused 10:00–13:00 is due 16:00", () => {
    const pauses = [{ from: at("2026-03-09T10:00:00-04:00"), to: at("2026-03-09T13:00:00-04:00") }];
    expectInstant(
      newYorkNineToFive.due(at("2026-03-09T09:00:00-04:00"), 4 * hour, pauses),
      "2026-03-09T16:00:00-04:00",
    );
  });

  it("V11: a pause from Monday 16:00 to Tuesday 10:00 counts 2 business hours", () => {
    const pause = { from: at("2026-03-09T16:00:00-04:00"), to: at("2026-03-10T10:00:00-04:00") };
    expect(newYorkNineToFive.elapsed(pause.from, pause.to)).toBe(2 * hour);
    const start = at("2026-03-09T09:00:00-04:00");
    const end = at("2026-03-10T12:00:00-04:00");
    expect(newYorkNineToFive.elapsed(start, end)).toBe(11 * hour);
    expect(newYorkNineToFive.elapsed(start, end, [pause])).toBe(9 * hour);
    expectInstant(newYorkNineToFive.due(start, 10 * hour), "2026-03-10T11:00:00-04:00");
    expectInstant(newYorkNineToFive.due(start, 10 * hour, [pause]), "2026-03-10T13:00:00-04:00");
  });
});

describe("due", () => {
  it("Saturday 20:00 + 1 h on Monday–Friday 09–17 is Monday 10:00, not Tuesday (Frappe's trap)", () => {
    expectInstant(
      newYorkNineToFive.due(at("2026-03-14T20:00:00-04:00"), hour),
      "2026-03-16T10:00:00-04:00",
    );
    const utc = calendar({ timezone: "UTC", hours: weekdaysOpen("09:00-17:00") });
    expectInstant(utc.due(at("2026-03-07T20:00:00Z"), hour), "2026-03-09T10:00:00Z");
  });

  it("a target reached exactly at a window's end is due at that end", () => {
    expectInstant(
      newYorkNineToFive.due(at("2026-03-16T09:00:00-04:00"), 8 * hour),
      "2026-03-16T17:00:00-04:00",
    );
    expectInstant(
      newYorkNineToFive.due(at("2026-03-13T09:00:00-04:00"), 8 * hour),
      "2026-03-13T17:00:00-04:00",
    );
  });

  it("a target of 0 is due at the start, even outside hours", () => {
    const saturday = at("2026-03-14T20:00:00-04:00");
    expect(newYorkNineToFive.due(saturday, 0)).toBe(saturday);
    expect(
      newYorkNineToFive.due(saturday, 0, [{ from: saturday - hour, to: saturday + hour }]),
    ).toBe(saturday);
  });

  it("a start before opening counts from the opening", () => {
    expectInstant(
      newYorkNineToFive.due(at("2026-03-16T06:30:00-04:00"), 30 * minute),
      "2026-03-16T09:30:00-04:00",
    );
  });

  it("five business days end at the end of the fifth business day", () => {
    expectInstant(
      newYorkNineToFive.due(at("2026-03-16T09:00:00-04:00"), 5 * 8 * hour),
      "2026-03-20T17:00:00-04:00",
    );
  });

  it("walks across many 64-day blocks for a long goal", () => {
    // 250 business days from Monday 5 Jan 2026 09:00 with no holidays: 50 weeks later.
    expectInstant(
      newYorkNineToFive.due(at("2026-01-05T09:00:00-05:00"), 250 * 8 * hour),
      "2026-12-18T17:00:00-05:00",
    );
  });

  it("rejects a negative or non-finite target, and non-finite instants, as bugs", () => {
    expect(() => newYorkNineToFive.due(at("2026-03-16T09:00:00-04:00"), -1)).toThrow(RangeError);
    expect(() => newYorkNineToFive.due(at("2026-03-16T09:00:00-04:00"), Number.NaN)).toThrow(
      RangeError,
    );
    expect(() => newYorkNineToFive.due(Number.NaN, 1)).toThrow(RangeError);
    expect(() => newYorkNineToFive.elapsed(0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("is never reached on a calendar that never opens", () => {
    // The schema refuses such a calendar; compiled anyway, due says "never" instead of looping.
    const closed = compileCalendar({ timezone: "UTC", hours: {} });
    const start = at("2026-03-16T09:00:00Z");
    expect(closed.due(start, minute)).toBe(Number.POSITIVE_INFINITY);
    expect(closed.due(start, 0)).toBe(start);
  });
});

describe("elapsed, isOpen and openIntervals", () => {
  it("is 0 for an empty or reversed interval", () => {
    const monday = at("2026-03-16T10:00:00-04:00");
    expect(newYorkNineToFive.elapsed(monday, monday)).toBe(0);
    expect(newYorkNineToFive.elapsed(monday + hour, monday)).toBe(0);
  });

  it("is open from a window's start up to, not including, its end", () => {
    expect(newYorkNineToFive.isOpen(at("2026-03-16T09:00:00-04:00"))).toBe(true);
    expect(newYorkNineToFive.isOpen(at("2026-03-16T16:59:59.999-04:00"))).toBe(true);
    expect(newYorkNineToFive.isOpen(at("2026-03-16T17:00:00-04:00"))).toBe(false);
    expect(newYorkNineToFive.isOpen(at("2026-03-16T08:59:59.999-04:00"))).toBe(false);
    expect(newYorkNineToFive.isOpen(at("2026-03-14T12:00:00-04:00"))).toBe(false);
  });

  it("lists open intervals clipped to the range", () => {
    const intervals = newYorkNineToFive.openIntervals(
      at("2026-03-13T12:00:00-04:00"),
      at("2026-03-16T10:00:00-04:00"),
    );
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-13T16:00:00.000Z", "2026-03-13T21:00:00.000Z"],
      ["2026-03-16T13:00:00.000Z", "2026-03-16T14:00:00.000Z"],
    ]);
  });

  it("counts a year of open intervals across block edges", () => {
    const from = at("2026-01-01T00:00:00-05:00");
    const to = at("2027-01-01T00:00:00-05:00");
    const intervals = newYorkNineToFive.openIntervals(from, to);
    expect(intervals).toHaveLength(261);
    const total = intervals.reduce((sum, interval) => sum + interval.to - interval.from, 0);
    expect(newYorkNineToFive.elapsed(from, to)).toBe(total);
    expect(total).toBe(261 * 8 * hour);
  });
});

describe("split shifts and 24:00", () => {
  const london = calendar({
    timezone: "Europe/London",
    hours: weekdaysOpen("09:00-12:30", "13:30-17:30"),
  });

  it("skips the break", () => {
    expectInstant(london.due(at("2026-03-16T12:00:00Z"), hour), "2026-03-16T14:00:00Z");
    expect(london.isOpen(at("2026-03-16T13:00:00Z"))).toBe(false);
    expect(london.elapsed(at("2026-03-16T09:00:00Z"), at("2026-03-16T18:00:00Z"))).toBe(7.5 * hour);
  });

  it("is due at the start of the break when the target ends there", () => {
    expectInstant(london.due(at("2026-03-16T09:00:00Z"), 3.5 * hour), "2026-03-16T12:30:00Z");
  });

  it("joins a window ending at 24:00 with the next day's window from 00:00", () => {
    const nights = calendar({
      timezone: "America/New_York",
      hours: { mon: ["22:00-24:00"], tue: ["00:00-02:00"] },
    });
    const intervals = nights.openIntervals(
      at("2026-03-16T00:00:00-04:00"),
      at("2026-03-18T00:00:00-04:00"),
    );
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-17T02:00:00.000Z", "2026-03-17T06:00:00.000Z"],
    ]);
    expectInstant(
      nights.due(at("2026-03-16T23:00:00-04:00"), 2 * hour),
      "2026-03-17T01:00:00-04:00",
    );
    expect(nights.isOpen(at("2026-03-17T00:00:00-04:00"))).toBe(true);
  });
});

describe("daylight saving", () => {
  const newYorkSunday = (windows: string[]) =>
    calendar({ timezone: "America/New_York", hours: { sun: windows } });
  const sunday = (date: string) =>
    [at(`${date}T00:00:00Z`), at(`${date}T23:59:00Z`) + 12 * hour] as const;

  it("a 09–17 window is 8 real hours on both change days", () => {
    const nineToFive = newYorkSunday(["09:00-17:00"]);
    expect(nineToFive.elapsed(...sunday("2026-03-08"))).toBe(8 * hour);
    expect(nineToFive.elapsed(...sunday("2026-11-01"))).toBe(8 * hour);
  });

  it("a window start in the spring gap moves forward by the gap (02:30 → 03:30 EDT)", () => {
    const intervals = newYorkSunday(["02:30-05:00"]).openIntervals(...sunday("2026-03-08"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-08T07:30:00.000Z", "2026-03-08T09:00:00.000Z"],
    ]);
  });

  it("a window end in the spring gap moves forward by the gap", () => {
    const intervals = newYorkSunday(["01:00-02:30"]).openIntervals(...sunday("2026-03-08"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-08T06:00:00.000Z", "2026-03-08T07:30:00.000Z"],
    ]);
  });

  it("a window inside the gap keeps its length after the gap", () => {
    const intervals = newYorkSunday(["02:10-02:50"]).openIntervals(...sunday("2026-03-08"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-08T07:10:00.000Z", "2026-03-08T07:50:00.000Z"],
    ]);
  });

  it("a window moved past the start of the next one by the gap is joined with it, from the earlier start", () => {
    // 02:26–02:35 becomes 03:26–03:35 EDT, inside 03:23–09:57: open from 03:23, not 03:26
    const shifted = newYorkSunday(["02:26-02:35", "03:23-09:57"]);
    expect(intervalsAsIso(shifted.openIntervals(...sunday("2026-03-08")))).toEqual([
      ["2026-03-08T07:23:00.000Z", "2026-03-08T13:57:00.000Z"],
    ]);
    expect(shifted.elapsed(at("2026-03-08T07:25:59.999Z"), at("2026-03-08T07:26:00.000Z"))).toBe(1);
    // a window moved past a later one it does not touch still comes after it in time
    const apart = newYorkSunday(["02:40-02:50", "03:00-03:10"]);
    expect(intervalsAsIso(apart.openIntervals(...sunday("2026-03-08")))).toEqual([
      ["2026-03-08T07:00:00.000Z", "2026-03-08T07:10:00.000Z"],
      ["2026-03-08T07:40:00.000Z", "2026-03-08T07:50:00.000Z"],
    ]);
    expect(apart.elapsed(...sunday("2026-03-08"))).toBe(20 * minute);
  });

  it("a window start in the fall-back overlap takes the earlier instant (01:30 EDT)", () => {
    const intervals = newYorkSunday(["01:30-04:00"]).openIntervals(...sunday("2026-11-01"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-11-01T05:30:00.000Z", "2026-11-01T09:00:00.000Z"],
    ]);
  });

  it("a window end in the fall-back overlap takes the later instant (01:30 EST)", () => {
    const intervals = newYorkSunday(["00:00-01:30"]).openIntervals(...sunday("2026-11-01"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-11-01T04:00:00.000Z", "2026-11-01T06:30:00.000Z"],
    ]);
  });

  it("windows touching inside the overlap are joined, not counted twice", () => {
    const split = newYorkSunday(["00:00-01:30", "01:30-03:00"]);
    const intervals = split.openIntervals(...sunday("2026-11-01"));
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-11-01T04:00:00.000Z", "2026-11-01T08:00:00.000Z"],
    ]);
    expect(split.elapsed(...sunday("2026-11-01"))).toBe(4 * hour);
  });

  it("a 24/7 day is 23 h in spring and 25 h in autumn (London)", () => {
    const always = calendar({ timezone: "Europe/London", hours: "24/7" });
    expect(always.elapsed(at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00+01:00"))).toBe(
      23 * hour,
    );
    expect(always.elapsed(at("2026-10-25T00:00:00+01:00"), at("2026-10-26T00:00:00Z"))).toBe(
      25 * hour,
    );
  });

  it("follows a half-hour shift (Lord Howe: 02:15 in the 02:00–02:30 gap becomes 02:45)", () => {
    const lordHowe = calendar({ timezone: "Australia/Lord_Howe", hours: { sun: ["02:15-03:00"] } });
    const intervals = lordHowe.openIntervals(
      at("2026-10-03T00:00:00Z"),
      at("2026-10-05T00:00:00Z"),
    );
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-10-03T15:45:00.000Z", "2026-10-03T16:00:00.000Z"],
    ]);
  });

  it("uses each date's own offset: the US and the EU change on different Sundays", () => {
    // 9–29 March 2026: New York is on EDT, London still on GMT. 09:00 New York is 13:00 UTC.
    expectInstant(newYorkNineToFive.due(at("2026-03-23T12:00:00Z"), hour), "2026-03-23T14:00:00Z");
    expectInstant(newYorkNineToFive.due(at("2026-03-02T12:00:00Z"), hour), "2026-03-02T15:00:00Z");
  });
});

describe("holidays", () => {
  const usEast = calendar({
    timezone: "America/New_York",
    hours: weekdaysOpen("09:00-17:00"),
    holidays: [
      { date: "2026-01-01", name: "New Year's Day", yearly: true },
      { date: "2026-11-26", name: "Thanksgiving" },
      { date: "2026-11-27", name: "Day after Thanksgiving", from: "13:00", to: "24:00" },
      { date: "2024-02-29", name: "Leap day", yearly: true },
      { date: "2026-06-01", name: "Late start", from: "00:00", to: "12:00" },
    ],
  });
  const day = (date: string, offset: string) =>
    usEast.elapsed(at(`${date}T00:00:00${offset}`), at(`${date}T23:59:59.999${offset}`));

  it("closes a full day", () => {
    expect(day("2026-11-26", "-05:00")).toBe(0);
    expectInstant(
      usEast.due(at("2026-11-25T16:00:00-05:00"), 2 * hour),
      "2026-11-27T10:00:00-05:00",
    );
  });

  it("closes part of a day", () => {
    expect(day("2026-11-27", "-05:00")).toBe(4 * hour);
    expectInstant(
      usEast.due(at("2026-11-27T12:00:00-05:00"), 2 * hour),
      "2026-11-30T10:00:00-05:00",
    );
    expect(usEast.isOpen(at("2026-11-27T12:59:00-05:00"))).toBe(true);
    expect(usEast.isOpen(at("2026-11-27T13:00:00-05:00"))).toBe(false);
    expect(day("2026-06-01", "-04:00")).toBe(5 * hour);
  });

  it("repeats a yearly holiday from its date on, not before", () => {
    expect(day("2026-01-01", "-05:00")).toBe(0);
    expect(day("2027-01-01", "-05:00")).toBe(0);
    expect(day("2025-01-01", "-05:00")).toBe(8 * hour);
    expect(day("2030-01-01", "-05:00")).toBe(0);
  });

  it("repeats 29 February only in leap years", () => {
    expect(day("2028-02-29", "-05:00")).toBe(0);
    expect(day("2027-03-01", "-05:00")).toBe(8 * hour);
  });

  it("closes a 24/7 calendar too", () => {
    const always = calendar({ timezone: "UTC", hours: "24/7", holidays: [{ date: "2026-12-25" }] });
    expect(always.elapsed(at("2026-12-24T00:00:00Z"), at("2026-12-27T00:00:00Z"))).toBe(48 * hour);
    expectInstant(always.due(at("2026-12-24T23:00:00Z"), 2 * hour), "2026-12-26T01:00:00Z");
  });
});

describe("pauses", () => {
  const monday = (time: string) => at(`2026-03-16T${time}:00-04:00`);

  it("merges overlapping pauses and ignores empty ones", () => {
    const pauses = [
      { from: monday("10:00"), to: monday("11:00") },
      { from: monday("10:30"), to: monday("12:00") },
      { from: monday("15:00"), to: monday("15:00") },
    ];
    expect(newYorkNineToFive.elapsed(monday("09:00"), monday("17:00"), pauses)).toBe(6 * hour);
    expectInstant(
      newYorkNineToFive.due(monday("09:00"), 4 * hour, pauses),
      "2026-03-16T15:00:00-04:00",
    );
  });

  it("a cycle starting inside a pause starts counting when the pause ends", () => {
    const pauses = [{ from: monday("08:00"), to: monday("10:00") }];
    expectInstant(
      newYorkNineToFive.due(monday("09:00"), hour, pauses),
      "2026-03-16T11:00:00-04:00",
    );
  });

  it("a pause outside hours moves nothing", () => {
    const pauses = [{ from: monday("18:00"), to: monday("23:00") }];
    expectInstant(
      newYorkNineToFive.due(monday("16:00"), 2 * hour, pauses),
      "2026-03-17T10:00:00-04:00",
    );
  });

  it("a pause starting exactly when the target is reached does not move the due", () => {
    const pauses = [{ from: monday("10:00"), to: monday("12:00") }];
    expectInstant(
      newYorkNineToFive.due(monday("09:00"), hour, pauses),
      "2026-03-16T10:00:00-04:00",
    );
  });

  it("a long pause costs one step, however long it is", () => {
    const pauses = [{ from: monday("09:00"), to: at("2026-06-01T09:00:00-04:00") }];
    expectInstant(
      newYorkNineToFive.due(monday("09:00"), minute, pauses),
      "2026-06-01T09:01:00-04:00",
    );
  });
});

describe("alwaysOpen", () => {
  it("counts plain time less pauses", () => {
    expect(alwaysOpen.elapsed(0, 10 * hour, [{ from: hour, to: 2 * hour }])).toBe(9 * hour);
    expect(alwaysOpen.due(0, 3 * hour, [{ from: hour, to: 2 * hour }])).toBe(4 * hour);
    expect(alwaysOpen.isOpen(0)).toBe(true);
    expect(alwaysOpen.openIntervals(0, hour)).toEqual([{ from: 0, to: hour }]);
  });
});

describe("composeCalendarVersions", () => {
  const nineToFive = newYorkNineToFive;
  const tenToSix = calendar({ timezone: "America/New_York", hours: weekdaysOpen("10:00-18:00") });
  const edited = at("2026-03-11T00:00:00-04:00");
  const versions = composeCalendarVersions([
    { effectiveFrom: edited, calendar: tenToSix },
    { effectiveFrom: at("2020-01-01T00:00:00Z"), calendar: nineToFive },
  ]);

  it("measures each segment with the version in force", () => {
    const from = at("2026-03-10T12:00:00-04:00");
    const to = at("2026-03-12T12:00:00-04:00");
    // Tuesday 12–17 under 09–17, Wednesday 10–18 and Thursday 10–12 under 10–18.
    expect(versions.elapsed(from, to)).toBe(15 * hour);
    expectInstant(
      versions.due(at("2026-03-10T16:00:00-04:00"), 2 * hour),
      "2026-03-11T11:00:00-04:00",
    );
    expect(versions.isOpen(at("2026-03-10T09:30:00-04:00"))).toBe(true);
    expect(versions.isOpen(at("2026-03-11T09:30:00-04:00"))).toBe(false);
  });

  it("uses the earliest version before its own date and honours pauses", () => {
    expectInstant(versions.due(at("2019-06-03T09:00:00-04:00"), hour), "2019-06-03T10:00:00-04:00");
    const pauses = [{ from: at("2026-03-10T16:30:00-04:00"), to: at("2026-03-11T10:30:00-04:00") }];
    expectInstant(
      versions.due(at("2026-03-10T16:00:00-04:00"), 2 * hour, pauses),
      "2026-03-11T12:00:00-04:00",
    );
    expect(
      versions.elapsed(at("2026-03-10T16:00:00-04:00"), at("2026-03-11T12:00:00-04:00"), pauses),
    ).toBe(2 * hour);
  });

  it("joins open intervals across the version change", () => {
    const intervals = versions.openIntervals(
      at("2026-03-10T00:00:00-04:00"),
      at("2026-03-12T00:00:00-04:00"),
    );
    expect(intervalsAsIso(intervals)).toEqual([
      ["2026-03-10T13:00:00.000Z", "2026-03-10T21:00:00.000Z"],
      ["2026-03-11T14:00:00.000Z", "2026-03-11T22:00:00.000Z"],
    ]);
  });

  it("is the calendar itself when there is one version", () => {
    expect(composeCalendarVersions([{ effectiveFrom: 0, calendar: nineToFive }])).toBe(nineToFive);
    expect(() => composeCalendarVersions([])).toThrow();
  });
});
