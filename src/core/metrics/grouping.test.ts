import { describe, expect, it } from "vitest";
import { Groups, periodKey, periodKeys } from "./grouping.js";
import { MINUTE } from "./statistics.js";

describe("periodKeys", () => {
  it("gives periodKey's answer for every instant, across DST and in half-hour zones", () => {
    // 2026-03-27 → 2026-04-02 covers Berlin's spring change (29 March), a month end and a
    // Monday; Kolkata (+05:30) and Kathmandu (+05:45) put every boundary inside a UTC hour.
    const from = Date.UTC(2026, 2, 27);
    const to = Date.UTC(2026, 3, 2);
    for (const zone of ["Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "UTC"])
      for (const dimension of ["day", "week", "month", "quarter"] as const) {
        const cached = periodKeys(dimension, zone);
        // 7 minutes does not divide an hour, so the steps land on many minutes of the hour;
        // going backwards as well makes the cache answer for instants it was not filled from.
        for (let at = from; at < to; at += 7 * MINUTE)
          expect(cached(at)).toBe(periodKey(at, dimension, zone));
        for (let at = to; at >= from; at -= 11 * MINUTE)
          expect(cached(at)).toBe(periodKey(at, dimension, zone));
      }
  });

  it("places Kolkata's midnight exactly: 18:29 and 18:30 UTC are different days", () => {
    const keys = periodKeys("day", "Asia/Kolkata");
    expect(keys(Date.UTC(2026, 2, 30, 18, 29))).toBe("2026-03-30");
    expect(keys(Date.UTC(2026, 2, 30, 18, 30))).toBe("2026-03-31");
  });
});

describe("Groups", () => {
  it("folds each raw value into its key and labels a group with its most frequent spelling", () => {
    const groups = new Groups<number>();
    for (const [index, raw] of ["web", "Web ", "WEB", "Web", " web", "Email", null, ""].entries())
      groups.add(raw, index);
    // "web" key: spellings web ×2 (web, " web" trimmed), Web ×2 ("Web ", "Web"), WEB ×1; the tie
    // goes to the first seen, "web". null and "" both fall in (none).
    expect(groups.entries()).toEqual([
      { key: "(none)", label: "(none)", members: [6, 7] },
      { key: "email", label: "Email", members: [5] },
      { key: "web", label: "web", members: [0, 1, 2, 3, 4] },
    ]);
  });
});
