import { describe, expect, it } from "vitest";
import { at, ClockLog, goal, hour, iso, resolveTestCalendar } from "./clock-test-fixtures.js";
import { fireDue, pendingTimers } from "./clock-timers.js";
import type { ClockState } from "./cycle.js";
import { replayClock } from "./replay-clock.js";

const mon = (time: string) => at(`2026-03-02T${time}:00Z`);

function replay(log: ClockLog, now: number): ClockState {
  const result = replayClock(log.events, resolveTestCalendar, now, "lead-1:first-touch");
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** What a worker does when it wakes at `now`: replay, fire, append. Returns what it fired. */
function wake(log: ClockLog, now: number): string[] {
  const fired = fireDue(replay(log, now), now);
  log.append(fired);
  return fired.map((event) =>
    event.type === "warn"
      ? `warn ${event.threshold.kind}:${event.threshold.value} due ${iso(event.dueAt)} at ${iso(event.at)}`
      : `breach ${iso(event.breachedAt)} at ${iso(event.at)}`,
  );
}

/** 4 h on Mon–Fri 09–17 UTC from Monday 09:00: due 13:00. */
const warned = goal({ warnings: { percent: [50, 75, 90], minutesBefore: [30] } });

describe("pendingTimers", () => {
  it("schedules each warning and the breach with a stable key", () => {
    const timers = pendingTimers(
      replay(new ClockLog().start(mon("09:00"), warned), mon("09:00")),
      mon("09:00"),
    );
    expect(timers.map((timer) => [timer.key, iso(timer.at)])).toEqual([
      ["lead-1:first-touch:1:warn:percent:50", iso(mon("11:00"))],
      ["lead-1:first-touch:1:warn:percent:75", iso(mon("12:00"))],
      ["lead-1:first-touch:1:warn:minutes-before:30", iso(mon("12:30"))],
      ["lead-1:first-touch:1:warn:percent:90", iso(mon("12:36"))],
      ["lead-1:first-touch:1:breach", iso(mon("13:00"))],
    ]);
  });

  it("holds nothing for a paused cycle: the instants are unknown until it resumes", () => {
    const clock = replay(
      new ClockLog().start(mon("09:00"), warned).pause(mon("10:00")),
      mon("10:30"),
    );
    expect(pendingTimers(clock, mon("10:30"))).toEqual([]);
  });

  it("moves the timers later by the business time paused", () => {
    const log = new ClockLog().start(mon("09:00"), warned).pause(mon("10:00")).resume(mon("11:00"));
    const timers = pendingTimers(replay(log, mon("11:00")), mon("11:00"));
    expect(timers.map((timer) => iso(timer.at))).toEqual(
      [mon("12:00"), mon("13:00"), mon("13:30"), mon("13:36"), mon("14:00")].map(iso),
    );
  });

  it("holds nothing once the cycle is met", () => {
    const clock = replay(
      new ClockLog().start(mon("09:00"), warned).stop(mon("10:00")),
      mon("10:00"),
    );
    expect(pendingTimers(clock, mon("10:00"))).toEqual([]);
  });

  it("skips a minutes-before threshold that is not shorter than the target", () => {
    const short = goal({ targetMs: hour, warnings: { minutesBefore: [60, 90, 15] } });
    const timers = pendingTimers(
      replay(new ClockLog().start(mon("09:00"), short), mon("09:00")),
      mon("09:00"),
    );
    expect(timers.map((timer) => timer.key)).toEqual([
      "lead-1:first-touch:1:warn:minutes-before:15",
      "lead-1:first-touch:1:breach",
    ]);
  });
});

describe("fireDue", () => {
  it("fires each warning once and the breach once, recorded when fired", () => {
    const log = new ClockLog().start(mon("09:00"), warned);
    expect(wake(log, mon("10:59"))).toEqual([]);
    expect(wake(log, mon("11:30"))).toEqual([
      `warn percent:50 due ${iso(mon("11:00"))} at ${iso(mon("11:30"))}`,
    ]);
    expect(wake(log, mon("11:30"))).toEqual([]);
    expect(wake(log, mon("12:40"))).toEqual([
      `warn percent:75 due ${iso(mon("12:00"))} at ${iso(mon("12:40"))}`,
      `warn minutes-before:30 due ${iso(mon("12:30"))} at ${iso(mon("12:40"))}`,
      `warn percent:90 due ${iso(mon("12:36"))} at ${iso(mon("12:40"))}`,
    ]);
    expect(wake(log, mon("13:00"))).toEqual([
      `breach ${iso(mon("13:00"))} at ${iso(mon("13:00"))}`,
    ]);
    expect(wake(log, mon("16:00"))).toEqual([]);
    const cycle = replay(log, mon("16:00")).cycles[0]!;
    expect(cycle.warnings.every((warning) => warning.notifiedAt !== null)).toBe(true);
    expect(iso(cycle.breachRecordedAt)).toBe(iso(mon("13:00")));
    expect(replay(log, mon("16:00")).issues).toEqual([]);
  });

  it("never back-dates: a recalculation that puts the breach in the past records it now", () => {
    const log = new ClockLog()
      .start(mon("09:00"), warned)
      .recalculate(mon("12:00"), "new-and-open-cycles", {
        goal: goal({ targetMs: 2 * hour, warnings: warned.warnings }),
      });
    // The breach supersedes the warnings that the shorter goal also put in the past.
    expect(wake(log, mon("12:00"))).toEqual([
      `breach ${iso(mon("11:00"))} at ${iso(mon("12:00"))}`,
    ]);
    const cycle = replay(log, mon("12:00")).cycles[0]!;
    expect(iso(cycle.breachedAt)).toBe(iso(mon("11:00")));
    expect(iso(cycle.breachRecordedAt)).toBe(iso(mon("12:00")));
    expect(wake(log, mon("12:00"))).toEqual([]);
  });

  it("fires a warning at most once per cycle, even after recalculation moves it", () => {
    const log = new ClockLog().start(mon("09:00"), warned);
    expect(wake(log, mon("11:00"))).toHaveLength(1);
    // 6 h goal: 50 % moves to 12:00, but it was already sent.
    log.recalculate(mon("11:30"), "new-and-open-cycles", {
      goal: goal({ targetMs: 6 * hour, warnings: warned.warnings }),
    });
    const timers = pendingTimers(replay(log, mon("11:30")), mon("11:30"));
    expect(timers.map((timer) => timer.key)).not.toContain("lead-1:first-touch:1:warn:percent:50");
    expect(wake(log, mon("12:00"))).toEqual([]);
    expect(wake(log, mon("13:30"))).toEqual([
      `warn percent:75 due ${iso(mon("13:30"))} at ${iso(mon("13:30"))}`,
    ]);
  });

  it("fires a breach no worker saw before the cycle stopped, but not one of a cancelled cycle", () => {
    const stopped = new ClockLog().start(mon("09:00"), warned).stop(mon("14:00"));
    expect(wake(stopped, mon("15:00"))).toEqual([
      `breach ${iso(mon("13:00"))} at ${iso(mon("15:00"))}`,
    ]);
    const cancelled = new ClockLog().start(mon("09:00"), warned).cancel(mon("14:00"));
    expect(wake(cancelled, mon("15:00"))).toEqual([]);
  });

  it("gives each cycle its own timers", () => {
    const log = new ClockLog().start(mon("09:00")).stop(mon("10:00")).start(mon("10:00"));
    expect(wake(log, mon("14:00"))).toEqual([
      `breach ${iso(mon("14:00"))} at ${iso(mon("14:00"))}`,
    ]);
    // Records name a cycle by the seq of the event that opened it: the second start is #3.
    expect(log.events.at(-1)).toMatchObject({ type: "breach", cycle: 3 });
  });

  it("keeps sent warnings on their cycle when a late start renumbers the cycles", () => {
    const log = new ClockLog().start(mon("13:00"), warned);
    expect(wake(log, mon("15:00"))).toHaveLength(1);
    // A start and stop from the morning arrive late, from a CRM sync.
    log.start(mon("09:00"), warned).stop(mon("10:00"));
    const clock = replay(log, mon("15:00"));
    expect(clock.cycles.map((cycle) => [cycle.index, cycle.id, cycle.state])).toEqual([
      [0, 3, "met"],
      [1, 1, "running"],
    ]);
    expect(
      clock.cycles[1]?.warnings.find((warning) => warning.key === "percent:50")?.notifiedAt,
    ).toBe(mon("15:00"));
    expect(wake(log, mon("15:00"))).toEqual([]);
  });
});
