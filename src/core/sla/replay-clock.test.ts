import { describe, expect, it } from "vitest";
import type { ClockEvent } from "./clock-event.js";
import { clockSummary } from "./clock-report.js";
import {
  at,
  ClockLog,
  goal,
  hour,
  iso,
  minute,
  resolveTestCalendar,
} from "./clock-test-fixtures.js";
import type { ClockState, Cycle } from "./cycle.js";
import { checkClockEvent, replayClock } from "./replay-clock.js";

/** Scenarios on Mon–Fri 09–17 UTC ("office@1") starting the week of Monday 2 March 2026. */
const mon = (time: string) => at(`2026-03-02T${time}:00Z`);
const tue = (time: string) => at(`2026-03-03T${time}:00Z`);

function replay(log: ClockLog | readonly ClockEvent[], now: number): ClockState {
  const events = log instanceof ClockLog ? log.events : log;
  const result = replayClock(events, resolveTestCalendar, now, "lead-1:first-touch");
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function onlyCycle(clock: ClockState): Cycle {
  expect(clock.cycles).toHaveLength(1);
  return clock.cycles[0]!;
}

describe("a cycle without pauses", () => {
  it("runs from its start until the target of business time is used up", () => {
    const cycle = onlyCycle(replay(new ClockLog().start(mon("09:00")), mon("11:00")));
    expect(cycle.state).toBe("running");
    expect(iso(cycle.dueAt)).toBe(iso(mon("13:00")));
    expect(cycle.elapsedBusinessMs).toBe(2 * hour);
    expect(cycle.remainingBusinessMs).toBe(2 * hour);
    expect(cycle.withinCalendar).toBe(true);
  });

  it("is met when stopped before its due and breached when stopped at or after it", () => {
    expect(
      onlyCycle(replay(new ClockLog().start(mon("09:00")).stop(mon("12:59")), tue("09:00"))).state,
    ).toBe("met");
    const atDue = onlyCycle(
      replay(new ClockLog().start(mon("09:00")).stop(mon("13:00")), tue("09:00")),
    );
    expect(atDue.state).toBe("breached-closed");
    expect(iso(atDue.breachedAt)).toBe(iso(mon("13:00")));
  });

  it("is breached-open once now reaches the due", () => {
    const cycle = onlyCycle(replay(new ClockLog().start(mon("09:00")), mon("13:00")));
    expect(cycle.state).toBe("breached-open");
    expect(cycle.breached).toBe(true);
    expect(cycle.remainingBusinessMs).toBe(0);
  });

  it("follows the calendar: a Saturday 20:00 lead with a 1-hour goal is due Monday 10:00", () => {
    const saturday = at("2026-03-07T20:00:00Z");
    const cycle = onlyCycle(
      replay(new ClockLog().start(saturday, goal({ targetMs: hour })), saturday),
    );
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-09T10:00:00Z")));
  });
});

describe("out of hours is not a pause", () => {
  it("reports the calendar flag, not a pause, and keeps the due", () => {
    const friday = (time: string) => at(`2026-03-06T${time}:00Z`);
    const cycle = onlyCycle(
      replay(new ClockLog().start(friday("16:00")), at("2026-03-07T12:00:00Z")),
    );
    expect(cycle.state).toBe("running");
    expect(cycle.paused).toBe(false);
    expect(cycle.withinCalendar).toBe(false);
    expect(cycle.pausedBusinessMs).toBe(0);
    expect(cycle.elapsedBusinessMs).toBe(hour);
    expect(cycle.elapsedCalendarMs).toBe(20 * hour);
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-09T12:00:00Z")));
  });
});

describe("pauses", () => {
  it("move the due later by exactly the business time paused", () => {
    const log = new ClockLog().start(mon("09:00")).pause(mon("10:00")).resume(mon("11:00"));
    const cycle = onlyCycle(replay(log, mon("11:30")));
    expect(iso(cycle.dueAt)).toBe(iso(mon("14:00")));
    expect(cycle.pausedBusinessMs).toBe(hour);
    expect(cycle.elapsedBusinessMs).toBe(90 * minute);
  });

  it("count only business time: paused Monday 16:00 → Tuesday 10:00 is 2 business hours", () => {
    const log = new ClockLog().start(mon("14:00")).pause(mon("16:00")).resume(tue("10:00"));
    const cycle = onlyCycle(replay(log, tue("10:00")));
    expect(cycle.pausedBusinessMs).toBe(2 * hour);
    expect(cycle.pausedCalendarMs).toBe(18 * hour);
    expect(iso(cycle.dueAt)).toBe(iso(tue("12:00")));
  });

  it("report gross and net: net = gross − paused, with segments that explain them", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .pause(mon("10:00"))
      .resume(mon("11:00"))
      .pause(mon("12:00"), "rep-on-leave")
      .resume(mon("12:30"), "rep-on-leave");
    const cycle = onlyCycle(replay(log, mon("14:00")));
    expect(cycle.grossBusinessMs).toBe(5 * hour);
    expect(cycle.pausedBusinessMs).toBe(90 * minute);
    expect(cycle.elapsedBusinessMs).toBe(210 * minute);
    expect(cycle.elapsedCalendarMs).toBe(5 * hour);
    expect(cycle.pausedCalendarMs).toBe(90 * minute);
    expect(
      cycle.segments.map((segment) => [
        iso(segment.from),
        iso(segment.to),
        segment.paused,
        segment.businessMs,
      ]),
    ).toEqual([
      [iso(mon("09:00")), iso(mon("10:00")), false, hour],
      [iso(mon("10:00")), iso(mon("11:00")), true, hour],
      [iso(mon("11:00")), iso(mon("12:00")), false, hour],
      [iso(mon("12:00")), iso(mon("12:30")), true, 30 * minute],
      [iso(mon("12:30")), iso(mon("14:00")), false, 90 * minute],
    ]);
    expect(iso(cycle.dueAt)).toBe(iso(at("2026-03-02T14:30:00Z")));
  });

  it("never reset elapsed time, and leave the due unknown while the clock stands still", () => {
    const cycle = onlyCycle(
      replay(new ClockLog().start(mon("09:00")).pause(mon("12:00")), mon("15:00")),
    );
    expect(cycle.state).toBe("paused");
    expect(cycle.paused).toBe(true);
    expect(cycle.dueAt).toBeNull();
    expect(cycle.elapsedBusinessMs).toBe(3 * hour);
    expect(cycle.remainingBusinessMs).toBe(hour);
  });

  it("hold while any condition holds", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .pause(mon("10:00"), "a")
      .pause(mon("10:30"), "b")
      .resume(mon("11:00"), "a")
      .resume(mon("11:30"), "b");
    const cycle = onlyCycle(replay(log, mon("12:00")));
    expect(cycle.pausedBusinessMs).toBe(90 * minute);
    expect(iso(cycle.dueAt)).toBe(iso(mon("14:30")));
  });

  it("a cycle that starts while a pause condition holds starts paused", () => {
    const log = new ClockLog().pause(mon("08:00")).start(mon("09:00"));
    const paused = replay(log, mon("09:30"));
    expect(paused.pauseConditions).toEqual(["waiting-on-lead"]);
    expect(onlyCycle(paused).state).toBe("paused");
    expect(onlyCycle(paused).elapsedBusinessMs).toBe(0);
    const resumed = onlyCycle(replay(log.resume(mon("10:00")), mon("10:00")));
    expect(resumed.state).toBe("running");
    expect(iso(resumed.dueAt)).toBe(iso(mon("14:00")));
  });

  it("a breached cycle that pauses stays breached", () => {
    const cycle = onlyCycle(
      replay(new ClockLog().start(mon("09:00")).pause(mon("13:30")), mon("15:00")),
    );
    expect(cycle.state).toBe("breached-open");
    expect(cycle.paused).toBe(true);
    expect(iso(cycle.breachedAt)).toBe(iso(mon("13:00")));
  });
});

describe("cycles", () => {
  it("a stop followed by a new start opens a new cycle and keeps the completed one", () => {
    const log = new ClockLog().start(mon("09:00")).stop(mon("10:00")).start(mon("14:00"));
    const clock = replay(log, mon("15:00"));
    expect(clock.cycles.map((cycle) => [cycle.index, cycle.state])).toEqual([
      [0, "met"],
      [1, "running"],
    ]);
    expect(clock.cycles[1]!.elapsedBusinessMs).toBe(hour);
  });

  it("reset ends the cycle and starts a new one from zero on the same goal", () => {
    const clock = replay(new ClockLog().start(mon("09:00")).reset(mon("12:00")), mon("13:00"));
    const [before, after] = clock.cycles;
    expect(before?.state).toBe("cancelled");
    expect(before?.endedBy).toBe("reset");
    expect(after?.startedBy).toBe("reset");
    expect(after?.elapsedBusinessMs).toBe(hour);
    expect(iso(after?.dueAt)).toBe(iso(mon("16:00")));
  });

  it("a reset after the due cannot undo the breach", () => {
    const clock = replay(new ClockLog().start(mon("09:00")).reset(mon("14:00")), mon("14:00"));
    expect(clock.cycles[0]?.state).toBe("breached-closed");
  });

  it("cancel ends the cycle as cancelled, breached or not", () => {
    const clock = replay(new ClockLog().start(mon("09:00")).cancel(mon("14:00")), mon("15:00"));
    expect(clock.cycles[0]?.state).toBe("cancelled");
    expect(clock.cycles[0]?.breached).toBe(true);
  });
});

describe("owner calendar change", () => {
  it("carries the elapsed total on under the new owner's calendar", () => {
    // 2 h used on 09–17 by 11:00; the new owner works 14–22, so the last 2 h run 14:00–16:00.
    const log = new ClockLog().start(mon("09:00")).changeCalendar(mon("11:00"), "late-shift@1");
    const cycle = onlyCycle(replay(log, mon("12:00")));
    expect(cycle.elapsedBusinessMs).toBe(2 * hour);
    expect(cycle.withinCalendar).toBe(false);
    expect(cycle.calendarRef).toBe("late-shift@1");
    expect(iso(cycle.dueAt)).toBe(iso(mon("16:00")));
    expect(cycle.segments.map((segment) => [segment.calendarRef, segment.businessMs])).toEqual([
      ["office@1", 2 * hour],
      ["late-shift@1", 0],
    ]);
  });
});

describe("recalculation", () => {
  it("new-and-open-cycles recomputes the open cycle and records old and new due", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .recalculate(mon("10:00"), "new-and-open-cycles", {
        goal: goal({ targetMs: 2 * hour, agreementVersion: 2 }),
      });
    const cycle = onlyCycle(replay(log, mon("10:30")));
    expect(iso(cycle.dueAt)).toBe(iso(mon("11:00")));
    expect(cycle.goal.agreementVersion).toBe(2);
    expect(cycle.recalculations).toHaveLength(1);
    expect(iso(cycle.recalculations[0]?.oldDueAt)).toBe(iso(mon("13:00")));
    expect(iso(cycle.recalculations[0]?.newDueAt)).toBe(iso(mon("11:00")));
  });

  it("new-cycles-only leaves the open cycle on its snapshot", () => {
    const log = new ClockLog().start(mon("09:00")).recalculate(mon("10:00"), "new-cycles-only", {
      goal: goal({ targetMs: 2 * hour, agreementVersion: 2 }),
    });
    const cycle = onlyCycle(replay(log, mon("10:30")));
    expect(iso(cycle.dueAt)).toBe(iso(mon("13:00")));
    expect(cycle.goal.agreementVersion).toBe(1);
    expect(cycle.recalculations).toEqual([]);
  });

  it("measures each segment on the calendar version in force for it", () => {
    // 10 h target: 3 h on office@1 by 12:00, then office@2 (09–19) gives the other 7 h by 19:00.
    const log = new ClockLog()
      .start(mon("09:00"), goal({ targetMs: 10 * hour }))
      .recalculate(mon("12:00"), "new-and-open-cycles", { calendarRef: "office@2" });
    const cycle = onlyCycle(replay(log, mon("18:00")));
    expect(iso(cycle.dueAt)).toBe(iso(mon("19:00")));
    expect(iso(cycle.recalculations[0]?.oldDueAt)).toBe(iso(tue("11:00")));
    expect(cycle.segments.map((segment) => [segment.calendarRef, segment.businessMs])).toEqual([
      ["office@1", 3 * hour],
      ["office@2", 6 * hour],
    ]);
  });

  it("keeps completed cycles frozen: met under 4 h stays met when the goal becomes 2 h", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .stop(mon("12:00"))
      .start(mon("13:00"))
      .recalculate(mon("14:00"), "new-and-open-cycles", {
        goal: goal({ targetMs: 2 * hour, agreementVersion: 2 }),
      });
    const [completed, open] = replay(log, mon("14:30")).cycles;
    expect(completed?.state).toBe("met");
    expect(completed?.goal.targetMs).toBe(4 * hour);
    expect(completed?.recalculations).toEqual([]);
    expect(open?.goal.targetMs).toBe(2 * hour);
    expect(iso(open?.dueAt)).toBe(iso(mon("15:00")));
  });

  it("a recalculation that puts the due in the past breaches at the computed instant", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .recalculate(mon("12:00"), "new-and-open-cycles", { goal: goal({ targetMs: 2 * hour }) });
    const cycle = onlyCycle(replay(log, mon("12:00")));
    expect(cycle.state).toBe("breached-open");
    expect(iso(cycle.breachedAt)).toBe(iso(mon("11:00")));
    expect(cycle.breachRecordedAt).toBeNull();
  });

  it("while paused records unknown dues", () => {
    const log = new ClockLog()
      .start(mon("09:00"))
      .pause(mon("10:00"))
      .recalculate(mon("11:00"), "new-and-open-cycles", { goal: goal({ targetMs: 2 * hour }) });
    const cycle = onlyCycle(replay(log, mon("11:00")));
    expect(cycle.recalculations[0]).toMatchObject({ oldDueAt: null, newDueAt: null });
  });
});

describe("events that do not fit are skipped and reported", () => {
  it("lists each skipped event with its code, and replays the rest", () => {
    const log = new ClockLog()
      .resume(mon("08:00"))
      .stop(mon("08:30"))
      .start(mon("09:00"))
      .start(mon("09:30"))
      .pause(mon("10:00"), "a")
      .pause(mon("10:15"), "a")
      .resume(mon("10:30"), "b")
      .resume(mon("11:00"))
      .reset(mon("11:30"))
      .append([
        {
          type: "warn",
          at: mon("11:40"),
          cycle: 5,
          threshold: { kind: "percent", value: 50 },
          dueAt: 0,
        },
      ]);
    const clock = replay(log, mon("12:00"));
    expect(clock.issues.map((issue) => [issue.code, issue.seq])).toEqual([
      ["resume_without_pause", 1],
      ["no_open_cycle", 2],
      ["already_running", 4],
      ["already_paused", 6],
      ["resume_without_pause", 7],
      ["unknown_cycle", 10],
    ]);
    expect(clock.issues[0]?.message).toContain("lead-1:first-touch");
    expect(clock.cycles.map((cycle) => cycle.state)).toEqual(["cancelled", "running"]);
    expect(clock.cycles[0]?.pausedBusinessMs).toBe(hour);
  });

  it("reports two events at one instant with the same seq", () => {
    const events: ClockEvent[] = [
      { type: "start", at: mon("09:00"), seq: 1, goal: goal() },
      { type: "pause", at: mon("10:00"), seq: 2, reason: "a" },
      { type: "resume", at: mon("10:00"), seq: 2 },
    ];
    expect(replay(events, mon("11:00")).issues.map((issue) => issue.code)).toEqual([
      "duplicate_sequence",
    ]);
  });

  it("leaves out events after now: the clock as it stood then", () => {
    const log = new ClockLog().start(mon("09:00")).stop(mon("10:00"));
    expect(onlyCycle(replay(log, mon("09:30"))).state).toBe("running");
  });

  it("fails only when a calendar cannot be resolved", () => {
    const log = new ClockLog().start(mon("09:00"), goal({ calendarRef: "nowhere@1" }));
    const result = replayClock(log.events, resolveTestCalendar, mon("10:00"), "lead-1:first-touch");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("unknown_calendar");
      expect(result.error.message).toContain("nowhere@1");
    }
  });
});

describe("a breach that was notified", () => {
  it("stays in the lead's history when a recalculation later extends the goal", () => {
    const events: ClockEvent[] = [
      { type: "start", at: mon("09:00"), seq: 1, goal: goal() },
      { type: "breach", at: mon("13:05"), seq: 2, cycle: 1, breachedAt: mon("13:00") },
      {
        type: "recalculate",
        at: mon("13:30"),
        seq: 3,
        mode: "new-and-open-cycles",
        goal: goal({ targetMs: 8 * 3_600_000 }),
      },
    ];
    const clock = replay(events, mon("14:00"));
    expect(onlyCycle(clock).state).toBe("running");
    expect(clockSummary(clock).everBreached).toBe(true);
  });
});

describe("checkClockEvent", () => {
  const log = new ClockLog().start(mon("09:00"));

  it("accepts an event that fits and returns the clock with it", () => {
    const result = checkClockEvent(
      log.events,
      { type: "pause", at: mon("10:00"), seq: 2, reason: "a" },
      resolveTestCalendar,
      mon("10:00"),
      "c",
    );
    expect(result.ok && result.value.cycles[0]?.state).toBe("paused");
  });

  it("refuses a breach or warning record written before it was due", () => {
    // 4 business hours from Monday 09:00: due 13:00
    const early = checkClockEvent(
      log.events,
      { type: "breach", at: mon("10:00"), seq: 2, cycle: 1, breachedAt: mon("10:00") },
      resolveTestCalendar,
      mon("10:00"),
      "c",
    );
    expect(early).toMatchObject({ ok: false, error: { code: "breach_not_due" } });
    const onTime = checkClockEvent(
      log.events,
      { type: "breach", at: mon("13:00"), seq: 2, cycle: 1, breachedAt: mon("13:00") },
      resolveTestCalendar,
      mon("13:00"),
      "c",
    );
    expect(onTime.ok).toBe(true);
    const unknown = checkClockEvent(
      log.events,
      {
        type: "warn",
        at: mon("12:00"),
        seq: 2,
        cycle: 1,
        threshold: { kind: "percent", value: 33 },
        dueAt: mon("12:00"),
      },
      resolveTestCalendar,
      mon("12:00"),
      "c",
    );
    expect(unknown).toMatchObject({ ok: false, error: { code: "warning_not_due" } });
  });

  it("refuses a resume without a pause as a value", () => {
    const result = checkClockEvent(
      log.events,
      { type: "resume", at: mon("10:00"), seq: 2 },
      resolveTestCalendar,
      mon("10:00"),
      "c",
    );
    expect(result).toMatchObject({ ok: false, error: { code: "resume_without_pause" } });
  });

  it("refuses a back-dated event that would orphan a later one", () => {
    const stopped = new ClockLog().start(mon("09:00")).stop(mon("11:00"));
    const result = checkClockEvent(
      stopped.events,
      { type: "cancel", at: mon("10:00"), seq: 3 },
      resolveTestCalendar,
      mon("12:00"),
      "c",
    );
    expect(result).toMatchObject({ ok: false, error: { code: "no_open_cycle" } });
  });

  it("refuses an event dated after now", () => {
    const result = checkClockEvent(
      log.events,
      { type: "stop", at: mon("11:00"), seq: 2 },
      resolveTestCalendar,
      mon("10:00"),
      "c",
    );
    expect(result).toMatchObject({ ok: false, error: { code: "event_in_future" } });
  });
});
