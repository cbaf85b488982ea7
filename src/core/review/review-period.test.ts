import { describe, expect, it } from "vitest";
import {
  currentPeriod,
  lastCompletePeriod,
  localDate,
  parsePeriod,
  previousPeriod,
} from "./review-period.js";

const NEW_YORK = "America/New_York";
const HOUR = 3_600_000;
const iso = (at: number) => new Date(at).toISOString();

describe("lastCompletePeriod", () => {
  it("gives the week that ended at Monday 00:00 local, across the end of DST (169 hours)", () => {
    // Tuesday 2026-11-03 15:00 UTC = 10:00 EST. DST ended Sunday 2026-11-01 02:00 EDT.
    const { period, previous } = lastCompletePeriod(
      "week",
      Date.parse("2026-11-03T15:00:00Z"),
      NEW_YORK,
    );
    expect(iso(period.from)).toBe("2026-10-26T04:00:00.000Z"); // Monday 00:00 EDT
    expect(iso(period.to)).toBe("2026-11-02T05:00:00.000Z"); // Monday 00:00 EST
    expect(period.to - period.from).toBe(169 * HOUR);
    expect(period.label).toBe("2026-W44");
    expect(iso(previous.from)).toBe("2026-10-19T04:00:00.000Z");
    expect(previous.to).toBe(period.from);
    expect(previous.label).toBe("2026-W43");
  });

  it("gives a 167-hour week when DST starts, in New York and in London", () => {
    // New York springs forward on Sunday 2026-03-08, London on Sunday 2026-03-29.
    const ny = lastCompletePeriod("week", Date.parse("2026-03-10T15:00:00Z"), NEW_YORK).period;
    expect([iso(ny.from), iso(ny.to), ny.label]).toEqual([
      "2026-03-02T05:00:00.000Z",
      "2026-03-09T04:00:00.000Z",
      "2026-W10",
    ]);
    expect(ny.to - ny.from).toBe(167 * HOUR);
    const london = lastCompletePeriod("week", Date.parse("2026-03-31T09:00:00Z"), "Europe/London");
    expect(iso(london.period.from)).toBe("2026-03-23T00:00:00.000Z");
    expect(iso(london.period.to)).toBe("2026-03-29T23:00:00.000Z");
    expect(london.period.to - london.period.from).toBe(167 * HOUR);
  });

  it("counts a period ending exactly at the instant as complete", () => {
    const monday = Date.parse("2026-11-02T05:00:00Z"); // 00:00 EST
    expect(iso(lastCompletePeriod("week", monday, NEW_YORK).period.to)).toBe(iso(monday));
    expect(iso(lastCompletePeriod("week", monday - 1, NEW_YORK).period.to)).toBe(
      "2026-10-26T04:00:00.000Z",
    );
  });

  it("gives whole months at month ends, February of a leap year included", () => {
    const { period, previous } = lastCompletePeriod(
      "month",
      Date.parse("2028-03-01T00:30:00Z"),
      "UTC",
    );
    expect([iso(period.from), iso(period.to), period.label]).toEqual([
      "2028-02-01T00:00:00.000Z",
      "2028-03-01T00:00:00.000Z",
      "2028-02",
    ]);
    expect(period.to - period.from).toBe(29 * 24 * HOUR);
    expect([iso(previous.from), previous.label]).toEqual(["2028-01-01T00:00:00.000Z", "2028-01"]);
    // 00:30 UTC on 1 March is still 29 February in New York: February is not complete there.
    const there = lastCompletePeriod("month", Date.parse("2028-03-01T00:30:00Z"), NEW_YORK);
    expect(there.period.label).toBe("2028-01");
    expect(iso(there.period.to)).toBe("2028-02-01T05:00:00.000Z");
  });

  it("gives quarters, the previous one across a year end", () => {
    const { period, previous } = lastCompletePeriod(
      "quarter",
      Date.parse("2027-01-15T12:00:00Z"),
      NEW_YORK,
    );
    expect(period.label).toBe("2026-Q4");
    expect(iso(period.from)).toBe("2026-10-01T04:00:00.000Z");
    expect(iso(period.to)).toBe("2027-01-01T05:00:00.000Z");
    expect(previous.label).toBe("2026-Q3");
    expect(iso(previous.from)).toBe("2026-07-01T04:00:00.000Z");
  });

  it("starts 2-week periods on even ISO weeks in 2026 and keeps them two weeks long past 2026-W53", () => {
    // Wednesday of 2026-W47 (odd): the running period is W46–W47, the last complete W44–W45.
    const mid = lastCompletePeriod("2 weeks", Date.parse("2026-11-18T12:00:00Z"), "UTC");
    expect(mid.period.label).toBe("2026-W44–W45");
    expect(iso(mid.period.from)).toBe("2026-10-26T00:00:00.000Z");
    expect(iso(mid.period.to)).toBe("2026-11-09T00:00:00.000Z");
    expect(mid.previous.label).toBe("2026-W42–W43");
    // Wednesday of 2026-W46 (even): the same running period, so the same last complete one.
    expect(
      lastCompletePeriod("2 weeks", Date.parse("2026-11-11T12:00:00Z"), "UTC").period.label,
    ).toBe("2026-W44–W45");
    // Across the 53-week year: W52–W53, then 2027-W01–W02, each 14 days.
    const after = lastCompletePeriod("2 weeks", Date.parse("2027-01-20T12:00:00Z"), "UTC");
    expect(after.period.label).toBe("2027-W01–W02");
    expect(after.previous.label).toBe("2026-W52–W53");
    expect(after.period.to - after.period.from).toBe(14 * 24 * HOUR);
    expect(after.period.from - after.previous.from).toBe(14 * 24 * HOUR);
  });
});

describe("currentPeriod and previousPeriod", () => {
  it("gives the running week and month and the one before", () => {
    const now = Date.parse("2026-11-04T12:00:00Z");
    expect(currentPeriod("week", now, "UTC").period.label).toBe("2026-W45");
    const month = currentPeriod("month", now, "UTC");
    expect(month.period.label).toBe("2026-11");
    expect(previousPeriod(month.period, "month", "UTC").label).toBe("2026-10");
    expect(iso(month.previous.from)).toBe("2026-10-01T00:00:00.000Z");
  });
});

describe("parsePeriod", () => {
  const now = Date.parse("2026-11-04T12:00:00Z"); // Wednesday of 2026-W45

  it("reads each word", () => {
    const label = (text: string) => {
      const parsed = parsePeriod(text, now, "UTC");
      if (!parsed.ok) throw new Error(parsed.error.message);
      return `${parsed.value.period.label} / ${parsed.value.previous.label}`;
    };
    expect(label("this-week")).toBe("2026-W45 / 2026-W44");
    expect(label("last-week")).toBe("2026-W44 / 2026-W43");
    expect(label("this-month")).toBe("2026-11 / 2026-10");
    expect(label("last-month")).toBe("2026-10 / 2026-09");
    expect(label("this-quarter")).toBe("2026-Q4 / 2026-Q3");
    expect(label("last-quarter")).toBe("2026-Q3 / 2026-Q2");
    expect(label("Last-2-Weeks")).toBe("2026-W43–W44 / 2026-W41–W42");
  });

  it("reads an explicit range with the end date excluded, and the previous as many days before", () => {
    const parsed = parsePeriod("2026-11-01..2026-12-01", now, NEW_YORK);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(iso(parsed.value.period.from)).toBe("2026-11-01T04:00:00.000Z"); // still EDT
    expect(iso(parsed.value.period.to)).toBe("2026-12-01T05:00:00.000Z");
    // 30 local days before 1 November: 2 October.
    expect(iso(parsed.value.previous.from)).toBe("2026-10-02T04:00:00.000Z");
    expect(parsed.value.previous.to).toBe(parsed.value.period.from);
    expect(parsed.value.previous.label).toBe("2026-10-02..2026-11-01");
  });

  it("refuses unknown words, impossible dates and empty ranges, saying what to write", () => {
    const error = (text: string) => {
      const parsed = parsePeriod(text, now, "UTC");
      if (parsed.ok) throw new Error(`${text} parsed`);
      return parsed.error.message;
    };
    expect(error("fortnight")).toMatch(/this-week, last-week.*YYYY-MM-DD\.\.YYYY-MM-DD/);
    expect(error("2026-02-30..2026-03-10")).toMatch(/2026-02-30 is not a calendar date/);
    expect(error("2026-11-05..2026-11-05")).toMatch(
      /empty.*2026-11-05\.\.2026-11-06 covers one day/,
    );
  });
});

describe("localDate", () => {
  it("is the date in the zone", () => {
    expect(localDate(Date.parse("2026-11-04T03:00:00Z"), NEW_YORK)).toBe("2026-11-03");
    expect(localDate(Date.parse("2026-11-04T03:00:00Z"), "UTC")).toBe("2026-11-04");
  });
});
