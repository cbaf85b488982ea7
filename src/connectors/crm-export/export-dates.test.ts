import { describe, expect, it } from "vitest";
import { daysFromCivil, ExportDates } from "./export-dates.js";

const iso = [{ kind: "iso" as const }];

describe("ExportDates", () => {
  it("reads the plain notations by position, in UTC and in the export's zone", () => {
    const utc = new ExportDates(iso, "UTC");
    expect(utc.parse("2026-03-05")).toBe(Date.UTC(2026, 2, 5));
    expect(utc.parse("2026-03-05 14:30")).toBe(Date.UTC(2026, 2, 5, 14, 30));
    expect(utc.parse("2026-03-05T14:30:07")).toBe(Date.UTC(2026, 2, 5, 14, 30, 7));
    // Berlin is UTC+2 in July: 12:00 local is 10:00 UTC
    expect(new ExportDates(iso, "Europe/Berlin").parse("2026-07-01 12:00")).toBe(
      Date.UTC(2026, 6, 1, 10, 0),
    );
  });

  it("refuses impossible dates and leaves other notations to the general pattern", () => {
    const utc = new ExportDates(iso, "UTC");
    expect(utc.parse("2026-02-29")).toBeUndefined(); // 2026 is not a leap year
    expect(utc.parse("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(utc.parse("2100-02-29")).toBeUndefined(); // divisible by 100, not by 400
    expect(utc.parse("2026-04-31 10:00")).toBeUndefined();
    expect(utc.parse("2026-03-05 24:00")).toBeUndefined();
    expect(utc.parse("2026-0a-05")).toBeUndefined();
    // one-digit month and day, an offset, milliseconds: the general pattern
    expect(utc.parse("2026-3-5")).toBe(Date.UTC(2026, 2, 5));
    expect(utc.parse("2026-03-05T14:30:00+02:00")).toBe(Date.UTC(2026, 2, 5, 12, 30));
    expect(utc.parse("2026-03-05 14:30:00.250")).toBe(Date.UTC(2026, 2, 5, 14, 30, 0, 250));
  });

  it("counts days from the epoch as Date.UTC does, every day from 1600 to 2400", () => {
    const first = Date.UTC(1600, 0, 1) / 86_400_000;
    const last = Date.UTC(2400, 11, 31) / 86_400_000;
    const wrong: string[] = [];
    for (let days = first; days <= last; days++) {
      const date = new Date(days * 86_400_000);
      const counted = daysFromCivil(
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
      );
      if (counted !== days) wrong.push(`${date.toISOString()}: ${counted}`);
    }
    expect(last - first).toBeGreaterThan(290_000);
    expect(wrong).toEqual([]);
  });

  it("reads a year before 100 as written, not as 19xx (Date.UTC's reading of two-digit years)", () => {
    const utc = new ExportDates(iso, "UTC");
    expect(utc.parse("0025-03-01")).toBe(Date.parse("0025-03-01T00:00:00Z"));
    expect(new Date(utc.parse("0099-12-31 23:00")!).getUTCFullYear()).toBe(99);
  });
});
