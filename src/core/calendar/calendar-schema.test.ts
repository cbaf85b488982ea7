import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { calendarDefinitionSchema, parseClock, parseDate, parseWindow } from "./calendar-schema.js";

/** The issues of a calendar as [path, message] pairs, the way an author reads them. */
function issuesOf(input: unknown): [string, string][] {
  const result = calendarDefinitionSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => [issue.path.join("."), issue.message]);
}

describe("calendarDefinitionSchema", () => {
  it("accepts the agreement's calendar format, read from YAML", () => {
    const text = `
timezone: America/New_York
hours:
  mon: ["09:00-12:00", "13:00-17:00"]
  tue: ["09:00-17:00"]
  sat: ["22:00-24:00"]
holidays:
  - date: 2026-12-25
    name: Christmas Day
    yearly: true
  - date: 2026-11-27
    from: "13:00"
    to: "24:00"
`;
    const parsed = calendarDefinitionSchema.parse(parse(text));
    expect(parsed.holidays?.[0]).toEqual({
      date: "2026-12-25",
      name: "Christmas Day",
      yearly: true,
    });
    expect(issuesOf({ timezone: "UTC", hours: "24/7" })).toEqual([]);
  });

  it("names the overlapping window, its day and the fix", () => {
    expect(
      issuesOf({ timezone: "America/New_York", hours: { mon: ["09:00-12:30", "12:00-13:30"] } }),
    ).toEqual([
      [
        "hours.mon.1",
        "window 12:00-13:30 overlaps 09:00-12:30 on mon; make windows on one day disjoint",
      ],
    ]);
    expect(issuesOf({ timezone: "UTC", hours: { tue: ["09:00-12:00", "12:00-17:00"] } })).toEqual(
      [],
    );
  });

  it("explains malformed and backwards windows at the item", () => {
    const issues = issuesOf({
      timezone: "UTC",
      hours: {
        mon: ["9-17"],
        tue: ["17:00-09:00"],
        wed: ["10:00-10:00"],
        thu: ["24:00-24:00"],
        fri: ["09:00-25:00"],
      },
    });
    expect(issues.map(([path]) => path)).toEqual([
      "hours.mon.0",
      "hours.tue.0",
      "hours.wed.0",
      "hours.thu.0",
      "hours.fri.0",
    ]);
    expect(issues[0]?.[1]).toBe(
      `'9-17' is not a window; write "HH:MM-HH:MM" in 24-hour local time, e.g. "09:00-17:00" (24:00 may end a window)`,
    );
    expect(issues[1]?.[1]).toContain("cannot cross midnight");
    expect(issues[2]?.[1]).toContain("is empty");
    expect(issues[3]?.[1]).toContain("24:00 can only end a window");
  });

  it("refuses unknown and fixed-offset time zones with a fix", () => {
    expect(issuesOf({ timezone: "America/NewYork", hours: "24/7" })).toEqual([
      ["timezone", "'America/NewYork' is not an IANA time zone; use a name like America/New_York"],
    ]);
    expect(issuesOf({ timezone: "Mars/Olympus", hours: "24/7" })[0]?.[1]).toBe(
      "'Mars/Olympus' is not an IANA time zone; use a name like America/New_York",
    );
    for (const fixed of ["+05:00", "UTC+5", "GMT-3", "Etc/GMT+5", "EST", "MST", "HST"])
      expect(issuesOf({ timezone: fixed, hours: "24/7" })[0]?.[1]).toContain(
        "is a fixed UTC offset",
      );
  });

  it("refuses impossible holiday dates and half-given time ranges", () => {
    const issues = issuesOf({
      timezone: "UTC",
      hours: "24/7",
      holidays: [
        { date: "2026-02-30" },
        { date: "2027-02-29", yearly: true },
        { date: "2026-11-27", from: "13:00" },
        { date: "2026-11-27", to: "13:00" },
        { date: "2026-11-27", from: "14:00", to: "13:00" },
        { date: "2026-11-27", from: "1pm", to: "24:00" },
        { date: "2026-11-27", from: "24:00", to: "24:00" },
      ],
    });
    expect(issues).toEqual([
      [
        "holidays.0.date",
        "'2026-02-30' is not a calendar date; write the local date as YYYY-MM-DD, e.g. 2026-12-25",
      ],
      [
        "holidays.1.date",
        "'2027-02-29' is not a calendar date; write the local date as YYYY-MM-DD, e.g. 2026-12-25",
      ],
      ["holidays.2.from", expect.stringContaining("needs both 'from' and 'to'")],
      ["holidays.3.to", expect.stringContaining("needs both 'from' and 'to'")],
      ["holidays.4.to", "holiday 'to' (13:00) must be after 'from' (14:00) on the same date"],
      ["holidays.5.from", expect.stringContaining(`'1pm' is not a time of day; write "HH:MM"`)],
      ["holidays.6.from", expect.stringContaining("24:00 can only be a 'to'")],
    ]);
  });

  it("refuses a calendar that is never open, unknown keys, and other shapes of hours", () => {
    expect(issuesOf({ timezone: "UTC", hours: { mon: [] } })).toEqual([
      ["hours", expect.stringContaining("never open")],
    ]);
    const unknown = calendarDefinitionSchema.safeParse({
      timezone: "UTC",
      hours: { monday: ["09:00-17:00"] },
    });
    expect(unknown.error?.issues[0]).toMatchObject({
      code: "unrecognized_keys",
      keys: ["monday"],
      path: ["hours"],
    });
    expect(issuesOf({ timezone: "UTC", hours: "24/5" })).toHaveLength(1);
    expect(issuesOf({ timezone: "UTC", hours: "24/7", closed: true })[0]?.[0]).toBe("");
  });

  it("reports every problem of a calendar at once", () => {
    const issues = issuesOf({
      timezone: "Europe/Londn",
      hours: { mon: ["09:00-12:30", "12:00-13:30"], tue: ["9:00-17:00"] },
      holidays: [{ date: "2026-13-01" }],
    });
    expect(issues.map(([path]) => path)).toEqual([
      "timezone",
      "hours.mon.1",
      "hours.tue.0",
      "holidays.0.date",
    ]);
  });
});

describe("parsing helpers", () => {
  it("reads wall times, windows and dates", () => {
    expect(parseClock("00:00")).toBe(0);
    expect(parseClock("24:00")).toBe(1440);
    expect(parseClock("23:59")).toBe(1439);
    expect(parseClock("24:01")).toBeUndefined();
    expect(parseClock("9:00")).toBeUndefined();
    expect(parseWindow("13:00-17:30")).toEqual({ ok: true, window: { start: 780, end: 1050 } });
    expect(parseDate("1970-01-01")).toBe(0);
    expect(parseDate("2024-02-29")).toBe(19_782);
    expect(parseDate("1969-12-31")).toBe(-1);
    expect(parseDate("2100-02-29")).toBeUndefined();
  });
});
