import { describe, expect, it } from "vitest";
import { clockSummary, slaAttainment } from "./clock-report.js";
import { at, ClockLog, hour, resolveTestCalendar } from "./clock-test-fixtures.js";
import type { ClockState } from "./cycle.js";
import { replayClock } from "./replay-clock.js";

const mon = (time: string) => at(`2026-03-02T${time}:00Z`);

function replay(log: ClockLog, now: number): ClockState {
  const result = replayClock(log.events, resolveTestCalendar, now, "lead-1:first-touch");
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe("clockSummary", () => {
  it("before any start, says nothing is running", () => {
    expect(clockSummary(replay(new ClockLog(), mon("09:00")))).toMatchObject({
      cycles: 0,
      state: null,
      breached: false,
      everBreached: false,
      running: false,
      paused: false,
      completed: false,
      elapsedBusinessMs: null,
    });
  });

  it("gives elapsed and remaining for the open cycle", () => {
    const summary = clockSummary(replay(new ClockLog().start(mon("09:00")), mon("10:00")));
    expect(summary).toMatchObject({
      state: "running",
      running: true,
      withinCalendar: true,
      elapsedBusinessMs: hour,
      remainingBusinessMs: 3 * hour,
      elapsedCalendarMs: hour,
      dueAt: mon("13:00"),
    });
  });

  it("tells the last cycle's breach from an earlier one", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .stop(mon("14:00"))
      .start(mon("14:00"))
      .pause(mon("15:00"));
    const summary = clockSummary(replay(log, mon("16:00")));
    expect(summary).toMatchObject({
      breached: false,
      everBreached: true,
      paused: true,
      running: false,
      completed: false,
    });
  });

  it("is completed once the last cycle stopped", () => {
    const summary = clockSummary(
      replay(new ClockLog().start(mon("09:00")).stop(mon("14:00")), mon("16:00")),
    );
    expect(summary).toMatchObject({
      state: "breached-closed",
      breached: true,
      completed: true,
      dueAt: null,
    });
  });
});

describe("slaAttainment", () => {
  it("is met ÷ (met + breached), cancelled and undecided cycles excluded", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .stop(mon("10:00")) // met
      .start(mon("10:00"))
      .stop(mon("15:00")) // breached
      .start(mon("15:00"))
      .cancel(mon("15:30")) // cancelled
      .start(mon("15:30")); // running, undecided
    const clock = replay(log, mon("16:00"));
    expect(clock.cycles.map((cycle) => cycle.state)).toEqual([
      "met",
      "breached-closed",
      "cancelled",
      "running",
    ]);
    expect(slaAttainment(clock.cycles)).toEqual({ met: 1, breached: 1, rate: 0.5 });
  });

  it("counts a breached open cycle as breached: it can no longer be met", () => {
    const clock = replay(new ClockLog().start(mon("09:00")), mon("14:00"));
    expect(slaAttainment(clock.cycles)).toEqual({ met: 0, breached: 1, rate: 0 });
  });

  it("has no rate when nothing is decided", () => {
    const clock = replay(new ClockLog().start(mon("09:00")).cancel(mon("10:00")), mon("11:00"));
    expect(slaAttainment(clock.cycles)).toEqual({ met: 0, breached: 0, rate: null });
  });
});
