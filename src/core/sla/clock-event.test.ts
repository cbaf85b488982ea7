import { describe, expect, it } from "vitest";
import { clockEventSchema, warningKey } from "./clock-event.js";

describe("clockEventSchema", () => {
  it("parses each event type", () => {
    const goal = {
      goalId: "standard",
      agreementVersion: 3,
      targetMs: 14_400_000,
      calendarRef: "ny@2",
    };
    const events = [
      {
        type: "start",
        at: 1,
        seq: 1,
        goal: { ...goal, warnings: { percent: [75], minutesBefore: [30] } },
      },
      { type: "pause", at: 2, seq: 2, reason: "waiting-on-lead" },
      { type: "resume", at: 3, seq: 3 },
      { type: "calendar-change", at: 4, seq: 4, calendarRef: "london@1", reason: "owner changed" },
      { type: "recalculate", at: 5, seq: 5, mode: "new-and-open-cycles", goal },
      {
        type: "warn",
        at: 6,
        seq: 6,
        cycle: 0,
        threshold: { kind: "percent", value: 75 },
        dueAt: 6,
      },
      { type: "breach", at: 7, seq: 7, cycle: 0, breachedAt: 6 },
      { type: "stop", at: 8, seq: 8 },
      { type: "reset", at: 9, seq: 9 },
      { type: "cancel", at: 10, seq: 10 },
    ];
    for (const event of events) expect(clockEventSchema.safeParse(event).success).toBe(true);
  });

  it("refuses a recalculation that changes nothing, a misspelt key and a non-positive target", () => {
    expect(
      clockEventSchema.safeParse({ type: "recalculate", at: 1, seq: 1, mode: "new-cycles-only" })
        .success,
    ).toBe(false);
    expect(clockEventSchema.safeParse({ type: "stop", at: 1, seq: 1, reason: "x" }).success).toBe(
      false,
    );
    const goal = { goalId: "g", agreementVersion: 1, targetMs: 0, calendarRef: "c" };
    expect(clockEventSchema.safeParse({ type: "start", at: 1, seq: 1, goal }).success).toBe(false);
  });

  it("names thresholds by kind and value", () => {
    expect(warningKey({ kind: "percent", value: 75 })).toBe("percent:75");
    expect(warningKey({ kind: "minutes-before", value: 30 })).toBe("minutes-before:30");
  });
});
