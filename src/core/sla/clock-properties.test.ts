/**
 * Property tests: the rules hold for any pause pattern, event order and wake-up schedule
 * fast-check can think of, on the hand-written calendars (which share no code with the clock).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ClockCalendar } from "./clock-calendar.js";
import type { ClockEvent, UnsequencedClockEvent } from "./clock-event.js";
import {
  allHours,
  goal,
  hour,
  minute,
  monday,
  officeHours,
  resolveTestCalendar,
} from "./clock-test-fixtures.js";
import { fireDue } from "./clock-timers.js";
import type { ClockState } from "./cycle.js";
import { replayClock } from "./replay-clock.js";

const day = 24 * hour;

function replay(events: readonly ClockEvent[], now: number): ClockState {
  const result = replayClock(events, resolveTestCalendar, now, "clock");
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function sequenced(events: readonly UnsequencedClockEvent[]): ClockEvent[] {
  return events.map((event, index) => ({ ...event, seq: index + 1 }));
}

const calendars: { ref: string; calendar: ClockCalendar }[] = [
  { ref: "office@1", calendar: officeHours },
  { ref: "always@1", calendar: allHours },
];

describe("pauses move the due by exactly the business time paused", () => {
  it("due − due without pauses = business time paused before the due", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        fc.integer({ min: 0, max: 7 * 24 * 60 }),
        fc.integer({ min: 1, max: 40 * 60 }),
        fc.uniqueArray(fc.integer({ min: -24 * 60, max: 14 * 24 * 60 }), { maxLength: 12 }),
        ({ ref, calendar }, startMinute, targetMinutes, points) => {
          const start = monday + startMinute * minute;
          const targetMs = targetMinutes * minute;
          const sorted = [...points].sort((a, b) => a - b).map((point) => start + point * minute);
          const pauses: { from: number; to: number }[] = [];
          for (let index = 0; index + 1 < sorted.length; index += 2)
            pauses.push({ from: sorted[index]!, to: sorted[index + 1]! });
          const log: UnsequencedClockEvent[] = [
            { type: "start", at: start, goal: goal({ targetMs, calendarRef: ref }) },
            ...pauses.flatMap((pause): UnsequencedClockEvent[] => [
              { type: "pause", at: pause.from, reason: "p" },
              { type: "resume", at: pause.to },
            ]),
          ];
          const events = sequenced(log);
          const cycle = replay(events, start + 60 * day).cycles[0]!;
          const dueAt = cycle.dueAt!;
          const pausedBeforeDue = pauses.reduce(
            (total, pause) =>
              total + calendar.elapsed(Math.max(pause.from, start), Math.min(pause.to, dueAt)),
            0,
          );
          expect(calendar.elapsed(calendar.due(start, targetMs), dueAt)).toBe(pausedBeforeDue);

          const atDue = replay(events, dueAt).cycles[0]!;
          expect(atDue.elapsedBusinessMs).toBe(targetMs);
          expect(atDue.state).toBe("breached-open");
          if (dueAt - 1 >= start) expect(replay(events, dueAt - 1).cycles[0]!.breached).toBe(false);
        },
      ),
    );
  });
});

/** Any log: every kind of event, at hour granularity so that ties are common. */
const anyLog = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 5 * 24 }),
      fc.constantFrom(
        "start",
        "pause-a",
        "pause-b",
        "resume",
        "resume-a",
        "stop",
        "reset",
        "cancel",
        "calendar",
        "recalculate-open",
        "recalculate-new",
      ),
      fc.integer({ min: 1, max: 16 }),
    ),
    { maxLength: 25 },
  )
  .map((entries) =>
    sequenced(
      entries.map(([hourOffset, kind, hours]): UnsequencedClockEvent => {
        const at = monday + hourOffset * hour;
        const snapshot = goal({
          targetMs: hours * hour,
          calendarRef: hours % 2 === 0 ? "office@1" : "always@1",
          warnings: { percent: [50, 90], minutesBefore: [30] },
        });
        switch (kind) {
          case "start":
            return { type: "start", at, goal: snapshot };
          case "pause-a":
            return { type: "pause", at, reason: "a" };
          case "pause-b":
            return { type: "pause", at, reason: "b" };
          case "resume":
            return { type: "resume", at };
          case "resume-a":
            return { type: "resume", at, reason: "a" };
          case "stop":
            return { type: "stop", at };
          case "reset":
            return { type: "reset", at };
          case "cancel":
            return { type: "cancel", at };
          case "calendar":
            return {
              type: "calendar-change",
              at,
              calendarRef: hours % 3 === 0 ? "late-shift@1" : "office@2",
            };
          case "recalculate-open":
            return { type: "recalculate", at, mode: "new-and-open-cycles", goal: snapshot };
          default:
            return { type: "recalculate", at, mode: "new-cycles-only", goal: snapshot };
        }
      }),
    ),
  );

describe("replay", () => {
  it("does not depend on the order the log is read in", () => {
    fc.assert(
      fc.property(
        anyLog.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        fc.integer({ min: 0, max: 6 * 24 }),
        ([events, shuffled], nowHours) => {
          const now = monday + nowHours * hour;
          expect(replay(shuffled, now)).toEqual(replay(events, now));
        },
      ),
    );
  });

  it("keeps its accounts: net = gross − paused, segments cover the cycle, states match the due", () => {
    fc.assert(
      fc.property(anyLog, fc.integer({ min: 0, max: 6 * 24 }), (events, nowHours) => {
        const now = monday + nowHours * hour;
        for (const cycle of replay(events, now).cycles) {
          const end = cycle.stoppedAt ?? now;
          expect(cycle.elapsedBusinessMs).toBe(cycle.grossBusinessMs - cycle.pausedBusinessMs);
          expect(cycle.remainingBusinessMs).toBe(
            Math.max(0, cycle.goal.targetMs - cycle.elapsedBusinessMs),
          );
          expect(cycle.segments.reduce((total, segment) => total + segment.businessMs, 0)).toBe(
            cycle.grossBusinessMs,
          );
          expect(cycle.segments[0]?.from ?? end).toBe(cycle.startedAt);
          expect(cycle.segments.at(-1)?.to ?? cycle.startedAt).toBe(end);
          cycle.segments.forEach((segment, index) => {
            if (index > 0) expect(segment.from).toBe(cycle.segments[index - 1]!.to);
          });
          expect(cycle.breached).toBe(cycle.dueAt !== null && cycle.dueAt <= end);
          if (cycle.state === "met") expect(cycle.dueAt === null || cycle.dueAt > end).toBe(true);
          if (cycle.state === "breached-open" || cycle.state === "breached-closed")
            expect(cycle.elapsedBusinessMs).toBeGreaterThanOrEqual(cycle.goal.targetMs);
          if (cycle.state === "running" || cycle.state === "paused")
            expect(cycle.elapsedBusinessMs).toBeLessThan(cycle.goal.targetMs);
        }
      }),
    );
  });
});

describe("fireDue", () => {
  it("fires each warning and breach at most once per cycle, never back-dated, and is idempotent", () => {
    fc.assert(
      fc.property(
        anyLog,
        fc.uniqueArray(fc.integer({ min: 0, max: 6 * 24 * 4 }), { maxLength: 20 }),
        (lifecycle, wakeQuarters) => {
          const events = [...lifecycle];
          const append = (fired: readonly UnsequencedClockEvent[]) => {
            for (const event of fired) events.push({ ...event, seq: events.length + 1 });
          };
          for (const quarter of [...wakeQuarters].sort((a, b) => a - b)) {
            const now = monday + quarter * 15 * minute;
            const fired = fireDue(replay(events, now), now);
            for (const event of fired) {
              expect(event.at).toBe(now);
              if (event.type === "warn") expect(event.dueAt).toBeLessThanOrEqual(now);
              if (event.type === "breach") expect(event.breachedAt).toBeLessThanOrEqual(now);
            }
            append(fired);
            expect(fireDue(replay(events, now), now)).toEqual([]);
          }
          const codes = replay(events, monday + 30 * day).issues.map((issue) => issue.code);
          expect(codes).not.toContain("already_recorded");
          expect(codes).not.toContain("unknown_cycle");
        },
      ),
    );
  });
});
