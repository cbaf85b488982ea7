import { describe, expect, it } from "vitest";
import { compileCalendar } from "./business-calendar.js";
import { endOfBusinessDays } from "./business-days.js";

const weekdays = ["09:00-17:00"];
const newYork = compileCalendar({
  timezone: "America/New_York",
  hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays },
  holidays: [{ date: "2026-03-10" }],
});
const at = (iso: string) => Date.parse(iso);

describe("endOfBusinessDays", () => {
  it("gives a lead that arrives before opening the whole of that day", () => {
    // Monday 9 March 2026, 07:30 EDT → end of Monday
    expect(endOfBusinessDays(newYork, at("2026-03-09T07:30:00-04:00"), 1)).toBe(
      at("2026-03-09T17:00:00-04:00"),
    );
  });

  it("gives a lead that arrives during the day until the end of the next business day, skipping holidays", () => {
    // Monday 11:00 → Tuesday is a holiday → end of Wednesday
    expect(endOfBusinessDays(newYork, at("2026-03-09T11:00:00-04:00"), 1)).toBe(
      at("2026-03-11T17:00:00-04:00"),
    );
    expect(endOfBusinessDays(newYork, at("2026-03-09T11:00:00-04:00"), 2)).toBe(
      at("2026-03-12T17:00:00-04:00"),
    );
  });

  it("counts from Monday for a lead arriving at the weekend, across the DST change", () => {
    // Saturday 7 March 20:00 EST → Monday 9 March is day 1 (EDT)
    expect(endOfBusinessDays(newYork, at("2026-03-07T20:00:00-05:00"), 1)).toBe(
      at("2026-03-09T17:00:00-04:00"),
    );
  });

  it("treats every day of a 24/7 calendar as a business day ending at local midnight", () => {
    const always = compileCalendar({ timezone: "Europe/London", hours: "24/7" });
    expect(endOfBusinessDays(always, at("2026-03-28T00:00:00Z"), 1)).toBe(
      at("2026-03-29T00:00:00Z"),
    );
    // 28 March started at its opening (00:00), so it counts; day 2 is the 23-hour 29 March
    expect(endOfBusinessDays(always, at("2026-03-28T00:00:00Z"), 2)).toBe(
      at("2026-03-29T23:00:00Z"),
    );
  });

  it("refuses a non-positive count", () => {
    expect(() => endOfBusinessDays(newYork, 0, 0)).toThrow(RangeError);
  });
});
