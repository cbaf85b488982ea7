import {
  type CalendarPiece,
  type ClockCalendar,
  calendarPieces,
  type Interval,
  pieceAt,
  piecewiseDue,
  type ResolveCalendar,
} from "./clock-calendar.js";
import {
  type ClockIssue,
  type ClockIssueCode,
  type ClockResult,
  formatInstant,
} from "./clock-error.js";
import {
  type ClockEvent,
  type ClockEventOf,
  type GoalSnapshot,
  type WarningThreshold,
  warningKey,
} from "./clock-event.js";
import type {
  ClockState,
  Cycle,
  CycleEnding,
  CycleSegment,
  CycleState,
  CycleWarning,
  Recalculation,
} from "./cycle.js";

/**
 * Replays a clock's event log into its cycles as of `now`.
 *
 * - Order: events are sorted by `at`, then `seq` (then input position, reported as an issue), so
 *   the answer does not depend on the order the log was read in.
 * - Time: events after `now` are left out — the replay describes the clock as it stood at `now`,
 *   which is also how a backtest replays history.
 * - Tolerance: an event that does not fit (see clock-error.ts) is skipped and listed in
 *   `issues`; replay fails only when a calendar ref named by an event up to `now` (even one
 *   then skipped) cannot be resolved.
 * - Recalculation: a "new-and-open-cycles" event changes the open cycle's goal (for the whole
 *   cycle) and its calendar (from the event on; time before keeps the version that was in force).
 *   A "new-cycles-only" event leaves open cycles alone; later cycles bring their own snapshot in
 *   their start event. Cycles that ended before are never touched, which keeps them frozen.
 * - Calendar change: from `at` on, the open cycle is measured on the new calendar; the elapsed
 *   total carries on (an owner change is not a reset).
 */
export function replayClock(
  events: readonly ClockEvent[],
  resolveCalendar: ResolveCalendar,
  now: number,
  clockId: string,
): ClockResult<ClockState> {
  const known = events.filter((event) => event.at <= now);
  const calendars = new Map<string, ClockCalendar>();
  for (const event of known) {
    for (const calendarRef of calendarRefsOf(event)) {
      if (calendars.has(calendarRef)) continue;
      const calendar = resolveCalendar(calendarRef);
      if (calendar === undefined)
        return {
          ok: false,
          error: {
            code: "unknown_calendar",
            message: `clock ${clockId}: the ${event.type} event #${event.seq} at ${formatInstant(event.at)} names calendar '${calendarRef}', which resolveCalendar does not know; load that calendar version (versions are never deleted while a log refers to them)`,
          },
        };
      calendars.set(calendarRef, calendar);
    }
  }
  const replay = new Replay(clockId, (calendarRef) => calendars.get(calendarRef)!);
  const ordered = known
    .map((event, position) => ({ event, position }))
    .sort((a, b) => a.event.at - b.event.at || a.event.seq - b.event.seq || a.position - b.position)
    .map(({ event }) => event);
  ordered.forEach((event, index) => {
    const previous = ordered[index - 1];
    if (previous !== undefined && previous.at === event.at && previous.seq === event.seq)
      replay.issue(
        event,
        "duplicate_sequence",
        `two events share instant ${formatInstant(event.at)} and seq ${event.seq} (${previous.type}, ${event.type}); the store must give each appended event its own seq`,
      );
    replay.apply(event);
  });
  return { ok: true, value: replay.result(now) };
}

/**
 * Whether appending `candidate` to the log would be accepted: refused with the first issue it
 * would add (to itself or to events after it, e.g. a back-dated stop that orphans a later one),
 * otherwise the clock with it appended. For the edge, before an event is stored.
 */
export function checkClockEvent(
  events: readonly ClockEvent[],
  candidate: ClockEvent,
  resolveCalendar: ResolveCalendar,
  now: number,
  clockId: string,
): ClockResult<ClockState> {
  if (candidate.at > now)
    return {
      ok: false,
      error: {
        code: "event_in_future",
        message: `clock ${clockId}: the ${candidate.type} event is dated ${formatInstant(candidate.at)}, after now (${formatInstant(now)}); record events when they happen`,
      },
    };
  const before = replayClock(events, resolveCalendar, now, clockId);
  if (!before.ok) return before;
  // Records come from the scheduler; one written early would stand for a notification that
  // was never due and would suppress the real one, so it must match what the clock says.
  if (candidate.type === "breach" || candidate.type === "warn") {
    const cycle = before.value.cycles.find((known) => known.id === candidate.cycle);
    if (
      cycle !== undefined &&
      candidate.type === "breach" &&
      (cycle.dueAt === null || cycle.dueAt > candidate.at)
    )
      return {
        ok: false,
        error: {
          code: "breach_not_due",
          message: `clock ${clockId}: cycle ${candidate.cycle} is not due until ${cycle.dueAt === null ? "it resumes" : formatInstant(cycle.dueAt)}; a breach cannot be recorded at ${formatInstant(candidate.at)}`,
        },
      };
    if (cycle !== undefined && candidate.type === "warn") {
      const warning = cycle.warnings.find((known) => known.key === warningKey(candidate.threshold));
      if (warning === undefined || warning.dueAt === null || warning.dueAt > candidate.at)
        return {
          ok: false,
          error: {
            code: "warning_not_due",
            message: `clock ${clockId}: warning ${warningKey(candidate.threshold)} of cycle ${candidate.cycle} is ${warning === undefined ? "not one of the goal's thresholds" : warning.dueAt === null ? "not due while the cycle is paused" : `not due until ${formatInstant(warning.dueAt)}`}`,
          },
        };
    }
  }
  const after = replayClock([...events, candidate], resolveCalendar, now, clockId);
  if (!after.ok) return after;
  const issueId = (issue: ClockIssue) => `${issue.code}|${issue.seq}|${issue.at}`;
  const existing = new Set(before.value.issues.map(issueId));
  const added = after.value.issues.find((issue) => !existing.has(issueId(issue)));
  if (added !== undefined)
    return { ok: false, error: { code: added.code, message: added.message } };
  return after;
}

/** The calendar refs an event names (a start's goal, a calendar change, a recalculation). */
export function calendarRefsOf(event: ClockEvent): string[] {
  switch (event.type) {
    case "start":
      return [event.goal.calendarRef];
    case "calendar-change":
      return [event.calendarRef];
    case "recalculate":
      return [event.goal?.calendarRef, event.calendarRef].filter(
        (calendarRef): calendarRef is string => calendarRef !== undefined,
      );
    default:
      return [];
  }
}

interface CalendarSwitch {
  from: number;
  calendarRef: string;
  calendar: ClockCalendar;
}

/** A cycle while the log is being replayed; turned into a Cycle at the end. */
interface CycleDraft {
  index: number;
  id: number;
  startedAt: number;
  startedBy: "start" | "reset";
  goal: GoalSnapshot;
  switches: CalendarSwitch[];
  /** paused intervals already over, in time order */
  pauses: Interval[];
  /** start of the pause in progress */
  pausedSince: number | null;
  recalculations: Recalculation[];
  notified: Map<string, { at: number; dueAt: number; threshold: WarningThreshold }>;
  breachRecordedAt: number | null;
  ending: { at: number; by: CycleEnding } | null;
}

class Replay {
  private readonly cycles: CycleDraft[] = [];
  private open: CycleDraft | undefined;
  /** pause conditions holding now; they belong to the lead, so they outlive cycles */
  private readonly conditions = new Set<string>();
  private readonly issues: ClockIssue[] = [];

  constructor(
    private readonly clockId: string,
    private readonly calendarOf: (calendarRef: string) => ClockCalendar,
  ) {}

  issue(event: ClockEvent, code: ClockIssueCode, detail: string): void {
    this.issues.push({
      code,
      seq: event.seq,
      at: event.at,
      message: `clock ${this.clockId}: ${event.type} event #${event.seq} at ${formatInstant(event.at)} skipped: ${detail}`,
    });
  }

  apply(event: ClockEvent): void {
    switch (event.type) {
      case "start":
        this.start(event);
        break;
      case "pause":
        this.pause(event);
        break;
      case "resume":
        this.resume(event);
        break;
      case "stop":
      case "cancel":
        this.end(event, event.type);
        break;
      case "reset":
        this.reset(event);
        break;
      case "calendar-change":
        this.changeCalendar(event);
        break;
      case "recalculate":
        this.recalculate(event);
        break;
      case "warn":
        this.recordWarning(event);
        break;
      case "breach":
        this.recordBreach(event);
        break;
    }
  }

  private start(event: ClockEventOf<"start">): void {
    if (this.open !== undefined) {
      this.issue(
        event,
        "already_running",
        `cycle ${this.open.index} has been running since ${formatInstant(this.open.startedAt)}; a start only opens a cycle after a stop`,
      );
      return;
    }
    this.openCycle(event, "start", event.goal, event.goal.calendarRef);
  }

  private openCycle(
    opening: ClockEvent,
    startedBy: "start" | "reset",
    goal: GoalSnapshot,
    calendarRef: string,
  ): void {
    const cycle: CycleDraft = {
      index: this.cycles.length,
      id: opening.seq,
      startedAt: opening.at,
      startedBy,
      goal,
      switches: [{ from: opening.at, calendarRef, calendar: this.calendarOf(calendarRef) }],
      pauses: [],
      // A cycle that starts while a pause condition holds starts paused.
      pausedSince: this.conditions.size > 0 ? opening.at : null,
      recalculations: [],
      notified: new Map(),
      breachRecordedAt: null,
      ending: null,
    };
    this.cycles.push(cycle);
    this.open = cycle;
  }

  private pause(event: ClockEventOf<"pause">): void {
    if (this.conditions.has(event.reason)) {
      this.issue(event, "already_paused", `pause condition '${event.reason}' already holds`);
      return;
    }
    this.conditions.add(event.reason);
    if (this.open !== undefined && this.open.pausedSince === null) this.open.pausedSince = event.at;
  }

  private resume(event: ClockEventOf<"resume">): void {
    if (this.conditions.size === 0) {
      this.issue(event, "resume_without_pause", "no pause condition holds");
      return;
    }
    if (event.reason !== undefined && !this.conditions.delete(event.reason)) {
      this.issue(
        event,
        "resume_without_pause",
        `pause condition '${event.reason}' does not hold (holding: ${[...this.conditions].sort().join(", ")})`,
      );
      return;
    }
    if (event.reason === undefined) this.conditions.clear();
    if (this.conditions.size === 0 && this.open !== undefined) closePause(this.open, event.at);
  }

  private end(event: ClockEvent, by: CycleEnding): void {
    const cycle = this.open;
    if (cycle === undefined) {
      this.issue(
        event,
        "no_open_cycle",
        `no cycle is open; a ${event.type} needs a start before it`,
      );
      return;
    }
    closePause(cycle, event.at);
    cycle.ending = { at: event.at, by };
    this.open = undefined;
  }

  /** The open cycle ends and a new one starts from zero on the same goal and current calendar. */
  private reset(event: ClockEventOf<"reset">): void {
    const cycle = this.open;
    this.end(event, "reset");
    if (cycle === undefined) return;
    this.openCycle(event, "reset", cycle.goal, currentSwitch(cycle).calendarRef);
  }

  private changeCalendar(event: ClockEventOf<"calendar-change">): void {
    // With no open cycle there is nothing to measure: the next start brings its own calendar.
    if (this.open === undefined) return;
    switchCalendar(this.open, event.at, event.calendarRef, this.calendarOf(event.calendarRef));
  }

  private recalculate(event: ClockEventOf<"recalculate">): void {
    const cycle = this.open;
    if (cycle === undefined || event.mode === "new-cycles-only") return;
    const oldGoal = cycle.goal;
    const oldCalendarRef = currentSwitch(cycle).calendarRef;
    const oldDueAt = dueOf(cycle, oldGoal.targetMs);
    const newCalendarRef = event.calendarRef ?? event.goal?.calendarRef ?? oldCalendarRef;
    cycle.goal = event.goal ?? oldGoal;
    switchCalendar(cycle, event.at, newCalendarRef, this.calendarOf(newCalendarRef));
    cycle.recalculations.push({
      at: event.at,
      seq: event.seq,
      oldGoal,
      newGoal: cycle.goal,
      oldCalendarRef,
      newCalendarRef,
      oldDueAt,
      newDueAt: dueOf(cycle, cycle.goal.targetMs),
    });
  }

  private recordWarning(event: ClockEventOf<"warn">): void {
    const cycle = this.recordedCycle(event, event.cycle);
    if (cycle === undefined) return;
    const key = warningKey(event.threshold);
    const earlier = cycle.notified.get(key);
    if (earlier !== undefined) {
      this.issue(
        event,
        "already_recorded",
        `warning ${key} of cycle ${cycle.index} was already sent at ${formatInstant(earlier.at)}; each threshold fires once per cycle`,
      );
      return;
    }
    cycle.notified.set(key, { at: event.at, dueAt: event.dueAt, threshold: event.threshold });
  }

  private recordBreach(event: ClockEventOf<"breach">): void {
    const cycle = this.recordedCycle(event, event.cycle);
    if (cycle === undefined) return;
    if (cycle.breachRecordedAt !== null) {
      this.issue(
        event,
        "already_recorded",
        `the breach of cycle ${cycle.index} was already recorded at ${formatInstant(cycle.breachRecordedAt)}`,
      );
      return;
    }
    cycle.breachRecordedAt = event.at;
  }

  private recordedCycle(event: ClockEvent, id: number): CycleDraft | undefined {
    const cycle = this.cycles.find((candidate) => candidate.id === id);
    if (cycle === undefined)
      this.issue(
        event,
        "unknown_cycle",
        `no cycle opened by event #${id} had started by then (cycles so far: ${this.cycles.map((candidate) => `#${candidate.id}`).join(", ") || "none"})`,
      );
    return cycle;
  }

  result(now: number): ClockState {
    return {
      clockId: this.clockId,
      asOf: now,
      cycles: this.cycles.map((cycle) => describeCycle(cycle, now)),
      pauseConditions: [...this.conditions].sort(),
      issues: this.issues,
    };
  }
}

function currentSwitch(cycle: CycleDraft): CalendarSwitch {
  return cycle.switches[cycle.switches.length - 1]!;
}

function switchCalendar(
  cycle: CycleDraft,
  at: number,
  calendarRef: string,
  calendar: ClockCalendar,
): void {
  if (currentSwitch(cycle).calendarRef !== calendarRef)
    cycle.switches.push({ from: at, calendarRef, calendar });
}

function closePause(cycle: CycleDraft, at: number): void {
  if (cycle.pausedSince === null) return;
  if (at > cycle.pausedSince) cycle.pauses.push({ from: cycle.pausedSince, to: at });
  cycle.pausedSince = null;
}

/**
 * When net business time reaches `offsetMs` with the pauses known so far. A pause in progress
 * has no end yet, so an instant after its start is unknown (null); one before it is final.
 */
function dueOf(cycle: CycleDraft, offsetMs: number): number | null {
  const due = piecewiseDue(calendarPieces(cycle.switches), cycle.startedAt, offsetMs, cycle.pauses);
  if (!Number.isFinite(due)) return null;
  if (cycle.pausedSince !== null && due > cycle.pausedSince) return null;
  return due;
}

/**
 * The business-time offsets of a goal's warnings. Percentages are rounded to the millisecond;
 * a minutes-before threshold that is not shorter than the target would warn at the start, so it
 * does not apply to that goal.
 */
function warningOffsets(goal: GoalSnapshot): { threshold: WarningThreshold; offsetMs: number }[] {
  const thresholds: { threshold: WarningThreshold; offsetMs: number }[] = [
    ...(goal.warnings?.percent ?? []).map((value) => ({
      threshold: { kind: "percent" as const, value },
      offsetMs: Math.round((goal.targetMs * value) / 100),
    })),
    ...(goal.warnings?.minutesBefore ?? []).map((value) => ({
      threshold: { kind: "minutes-before" as const, value },
      offsetMs: goal.targetMs - value * 60_000,
    })),
  ];
  return thresholds.filter(
    (entry, index) =>
      entry.offsetMs > 0 &&
      entry.offsetMs < goal.targetMs &&
      thresholds.findIndex(
        (other) => warningKey(other.threshold) === warningKey(entry.threshold),
      ) === index,
  );
}

function describeCycle(cycle: CycleDraft, now: number): Cycle {
  const pieces = calendarPieces(cycle.switches);
  const end = cycle.ending?.at ?? now;
  const pauses =
    cycle.pausedSince === null
      ? cycle.pauses
      : [...cycle.pauses, { from: cycle.pausedSince, to: end }];
  const segments = describeSegments(pieces, cycle.startedAt, end, pauses);
  const grossBusinessMs = sum(segments.map((segment) => segment.businessMs));
  const pausedBusinessMs = sum(
    segments.filter((segment) => segment.paused).map((segment) => segment.businessMs),
  );
  const elapsedBusinessMs = grossBusinessMs - pausedBusinessMs;
  const dueAt = dueOf(cycle, cycle.goal.targetMs);
  const breached = dueAt !== null && dueAt <= end;
  const paused = cycle.ending === null && cycle.pausedSince !== null;
  return {
    index: cycle.index,
    id: cycle.id,
    startedAt: cycle.startedAt,
    startedBy: cycle.startedBy,
    stoppedAt: cycle.ending?.at ?? null,
    endedBy: cycle.ending?.by ?? null,
    goal: cycle.goal,
    calendarRef: currentSwitch(cycle).calendarRef,
    state: stateOf(cycle.ending?.by ?? null, breached, paused),
    paused,
    breached,
    dueAt,
    breachedAt: breached ? dueAt : null,
    breachRecordedAt: cycle.breachRecordedAt,
    grossBusinessMs,
    pausedBusinessMs,
    elapsedBusinessMs,
    remainingBusinessMs: Math.max(0, cycle.goal.targetMs - elapsedBusinessMs),
    elapsedCalendarMs: end - cycle.startedAt,
    pausedCalendarMs: sum(pauses.map((pause) => Math.max(0, pause.to - pause.from))),
    withinCalendar: cycle.ending === null ? pieceAt(pieces, now).calendar.isOpen(now) : null,
    warnings: describeWarnings(cycle),
    recalculations: cycle.recalculations,
    segments,
  };
}

function stateOf(endedBy: CycleEnding | null, breached: boolean, paused: boolean): CycleState {
  switch (endedBy) {
    case "cancel":
      return "cancelled";
    case "stop":
      return breached ? "breached-closed" : "met";
    case "reset":
      return breached ? "breached-closed" : "cancelled";
    case null:
      if (breached) return "breached-open";
      return paused ? "paused" : "running";
  }
}

/** The goal's thresholds with their instants, then any sent under an earlier goal. */
function describeWarnings(cycle: CycleDraft): CycleWarning[] {
  const warnings: CycleWarning[] = warningOffsets(cycle.goal).map(({ threshold, offsetMs }) => {
    const notified = cycle.notified.get(warningKey(threshold));
    return {
      threshold,
      key: warningKey(threshold),
      dueAt: dueOf(cycle, offsetMs),
      notifiedAt: notified?.at ?? null,
      notifiedDueAt: notified?.dueAt ?? null,
    };
  });
  for (const [key, notified] of cycle.notified) {
    if (warnings.some((warning) => warning.key === key)) continue;
    warnings.push({
      threshold: notified.threshold,
      key,
      dueAt: null,
      notifiedAt: notified.at,
      notifiedDueAt: notified.dueAt,
    });
  }
  return warnings;
}

/**
 * Cuts [start, end) wherever the calendar or the pause status changes; neighbours that agree on
 * both are joined, so each segment is one reason for the figures.
 */
function describeSegments(
  pieces: readonly CalendarPiece[],
  start: number,
  end: number,
  pauses: readonly Interval[],
): CycleSegment[] {
  const cuts = new Set<number>([start, end]);
  const inside = (at: number) => at > start && at < end;
  for (const piece of pieces) if (inside(piece.from)) cuts.add(piece.from);
  for (const pause of pauses) {
    if (inside(pause.from)) cuts.add(pause.from);
    if (inside(pause.to)) cuts.add(pause.to);
  }
  const instants = [...cuts].sort((a, b) => a - b);
  const segments: CycleSegment[] = [];
  for (let index = 0; index + 1 < instants.length; index++) {
    const from = instants[index]!;
    const to = instants[index + 1]!;
    const piece = pieceAt(pieces, from);
    const paused = pauses.some((pause) => pause.from <= from && from < pause.to);
    const businessMs = piece.calendar.elapsed(from, to);
    const last = segments[segments.length - 1];
    if (last !== undefined && last.calendarRef === piece.calendarRef && last.paused === paused) {
      last.to = to;
      last.businessMs += businessMs;
    } else segments.push({ from, to, calendarRef: piece.calendarRef, paused, businessMs });
  }
  return segments;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
