import {
  assertInstant,
  assertTarget,
  type BusinessTime,
  dueWithPauses,
  elapsedWithPauses,
  type Interval,
  type PauseFreeTime,
} from "./business-time.js";
import {
  alwaysOpenHours,
  type CalendarDefinition,
  type ParsedWindow,
  parseClock,
  parseDate,
  parseWindow,
  weekdays,
} from "./calendar-schema.js";
import {
  civilFromDays,
  dayMs,
  daysFromCivil,
  minutesPerDay,
  WallClock,
  weekdayOf,
} from "./wall-clock.js";

/**
 * A compiled business calendar: elapsed business time and due instants in O(log n) array
 * lookups, whatever the goal's length.
 *
 * How it works
 * - Local dates are grouped in blocks of 64 consecutive dates (block k holds day indexes
 *   64k … 64k+63; see wall-clock.ts for day index). A block is computed the first time an
 *   instant inside it is asked about, then kept.
 * - A block stores its open intervals as absolute instants (each weekly window converted with the
 *   zone's offsets on that date, holidays subtracted, touching intervals joined) and the prefix
 *   sums of their lengths ("cumulative open ms" before each interval).
 * - elapsed(a, b) is "open ms before b" minus "open ms before a": two binary searches, plus the
 *   totals of any whole blocks in between. due(start, g) finds the interval whose cumulative
 *   open ms reaches (open ms before start) + g: a binary search over the prefix sums, so a
 *   five-day goal costs the same as a one-minute one.
 * - Each local date owns the instants from its 00:00 to the next date's 00:00, so blocks and dates
 *   never overlap even where daylight saving bends a window past midnight.
 * - Blocks are kept for the compiled calendar's lifetime: about 2 KB per 64 dates for a Monday–
 *   Friday split-shift calendar, so a decade of dates costs about 120 KB.
 */

export interface BusinessCalendar extends BusinessTime {
  readonly timezone: string;
}

/** Local dates per block: small enough to compute quickly, large enough to hold most goals. */
const blockDays = 64;
const blockMs = blockDays * dayMs;

/**
 * After the last dated holiday the calendar repeats with the weekday and yearly-holiday cycle;
 * if this many consecutive blocks (over 28 years, a full weekday-and-leap-year cycle) are closed
 * too, the calendar never opens again and a due is never reached.
 */
const neverOpenBlocks = Math.ceil((28 * 366) / blockDays);

interface Block {
  index: number;
  /** the instant of the first date's 00:00 */
  start: number;
  /** the instant of the next block's first 00:00 */
  end: number;
  froms: Float64Array;
  tos: Float64Array;
  /** cumulative[i] = open ms of intervals 0 … i−1; cumulative[n] = total */
  cumulative: Float64Array;
  total: number;
}

/** A yearly holiday closes its month and day from its first date on. */
interface YearlyClosure {
  firstDay: number;
  closure: ParsedWindow;
}

export function compileCalendar(definition: CalendarDefinition): BusinessCalendar {
  return new CompiledCalendar(definition);
}

class CompiledCalendar implements BusinessCalendar, PauseFreeTime {
  readonly timezone: string;
  private readonly clock: WallClock;
  /** windows per weekday (0 = Monday), sorted by start */
  private readonly week: ParsedWindow[][];
  /** closed local time ranges by day index */
  private readonly datedClosures = new Map<number, ParsedWindow[]>();
  /** closed local time ranges by month * 100 + day */
  private readonly yearlyClosures = new Map<number, YearlyClosure[]>();
  /** the latest holiday date listed (as a day index): after it the open pattern only repeats */
  private readonly lastDatedDay: number;
  private readonly blocks = new Map<number, Block>();
  private lastBlock: Block | undefined;
  /** any offset of the zone: turns an instant into a block index that is at most one off */
  private readonly offsetGuess: number;

  constructor(definition: CalendarDefinition) {
    this.timezone = definition.timezone;
    this.clock = new WallClock(definition.timezone);
    this.offsetGuess = this.clock.offsetAt(daysFromCivil(2000, 1, 1) * dayMs);
    this.week = weekdays.map((weekday) => {
      const texts =
        definition.hours === alwaysOpenHours ? ["00:00-24:00"] : (definition.hours[weekday] ?? []);
      return texts.map((text) => trustedWindow(text)).sort((a, b) => a.start - b.start);
    });
    let lastDatedDay = Number.NEGATIVE_INFINITY;
    for (const holiday of definition.holidays ?? []) {
      const day = parseDate(holiday.date);
      if (day === undefined)
        throw new Error(
          `compileCalendar: holiday date '${holiday.date}' was not checked by calendarDefinitionSchema`,
        );
      lastDatedDay = Math.max(lastDatedDay, day);
      const closure =
        holiday.from !== undefined && holiday.to !== undefined
          ? { start: parseClock(holiday.from) ?? 0, end: parseClock(holiday.to) ?? minutesPerDay }
          : { start: 0, end: minutesPerDay };
      if (holiday.yearly === true) {
        const { month, day: dayOfMonth } = civilFromDays(day);
        const key = month * 100 + dayOfMonth;
        const list = this.yearlyClosures.get(key) ?? [];
        list.push({ firstDay: day, closure });
        this.yearlyClosures.set(key, list);
      } else {
        const list = this.datedClosures.get(day) ?? [];
        list.push(closure);
        this.datedClosures.set(day, list);
      }
    }
    this.lastDatedDay = lastDatedDay;
  }

  elapsed(from: number, to: number, pauses?: readonly Interval[]): number {
    assertInstant(from, "from");
    assertInstant(to, "to");
    if (pauses === undefined || pauses.length === 0) return this.elapsedUnpaused(from, to);
    return elapsedWithPauses(this.unpaused, from, to, pauses);
  }

  due(start: number, targetMs: number, pauses?: readonly Interval[]): number {
    assertInstant(start, "start");
    assertTarget(targetMs);
    if (pauses === undefined || pauses.length === 0) return this.dueUnpaused(start, targetMs);
    return dueWithPauses(this.unpaused, start, targetMs, pauses);
  }

  isOpen(at: number): boolean {
    assertInstant(at, "at");
    const block = this.blockAt(at);
    const index = firstEndingAfter(block, at);
    return index < block.froms.length && block.froms[index]! <= at;
  }

  openIntervals(from: number, to: number): Interval[] {
    assertInstant(from, "from");
    assertInstant(to, "to");
    const intervals: Interval[] = [];
    if (!(to > from)) return intervals;
    let block = this.blockAt(from);
    for (;;) {
      for (let index = firstEndingAfter(block, from); index < block.froms.length; index++) {
        const start = Math.max(from, block.froms[index]!);
        if (start >= to) return intervals;
        const end = Math.min(to, block.tos[index]!);
        const last = intervals[intervals.length - 1];
        if (last !== undefined && last.to === start) last.to = end;
        else intervals.push({ from: start, to: end });
      }
      if (block.end >= to) return intervals;
      block = this.block(block.index + 1);
    }
  }

  /** The pause-free view the pause walk builds on (bound once, not per call). */
  private readonly unpaused: PauseFreeTime = {
    elapsed: (from, to) => this.elapsedUnpaused(from, to),
    due: (start, targetMs) => this.dueUnpaused(start, targetMs),
  };

  private elapsedUnpaused(from: number, to: number): number {
    if (!(to > from)) return 0;
    const first = this.blockAt(from);
    if (to <= first.end) return openBefore(first, to) - openBefore(first, from);
    let elapsed = first.total - openBefore(first, from);
    let block = this.block(first.index + 1);
    while (to > block.end) {
      elapsed += block.total;
      block = this.block(block.index + 1);
    }
    return elapsed + openBefore(block, to);
  }

  private dueUnpaused(start: number, targetMs: number): number {
    if (targetMs === 0) return start;
    let block = this.blockAt(start);
    // `need` is counted from the block's start, so it is > 0 from here on.
    let need = openBefore(block, start) + targetMs;
    let closedBlocks = 0;
    while (need > block.total) {
      need -= block.total;
      block = this.block(block.index + 1);
      if (block.total > 0) closedBlocks = 0;
      else if (++closedBlocks >= neverOpenBlocks && block.index * blockDays > this.lastDatedDay)
        return Number.POSITIVE_INFINITY;
    }
    return instantReaching(block, need);
  }

  private blockAt(at: number): Block {
    const last = this.lastBlock;
    if (last !== undefined && at >= last.start && at < last.end) return last;
    let block = this.block(Math.floor((at + this.offsetGuess) / blockMs));
    while (at < block.start) block = this.block(block.index - 1);
    while (at >= block.end) block = this.block(block.index + 1);
    this.lastBlock = block;
    return block;
  }

  private block(index: number): Block {
    let block = this.blocks.get(index);
    if (block === undefined) {
      block = this.buildBlock(index);
      this.blocks.set(index, block);
    }
    return block;
  }

  private buildBlock(index: number): Block {
    const firstDay = index * blockDays;
    const dayStarts: number[] = [];
    for (let offset = 0; offset <= blockDays; offset++)
      dayStarts.push(this.clock.toInstant(firstDay + offset, 0, "start"));
    const froms: number[] = [];
    const tos: number[] = [];
    for (let offset = 0; offset < blockDays; offset++) {
      for (const interval of this.openOnDay(
        firstDay + offset,
        dayStarts[offset]!,
        dayStarts[offset + 1]!,
      )) {
        const last = tos.length - 1;
        if (last >= 0 && tos[last]! >= interval.from) tos[last] = Math.max(tos[last]!, interval.to);
        else {
          froms.push(interval.from);
          tos.push(interval.to);
        }
      }
    }
    this.clock.forgetSamples();
    const cumulative = new Float64Array(froms.length + 1);
    for (let at = 0; at < froms.length; at++)
      cumulative[at + 1] = cumulative[at]! + (tos[at]! - froms[at]!);
    return {
      index,
      start: dayStarts[0]!,
      end: dayStarts[blockDays]!,
      froms: Float64Array.from(froms),
      tos: Float64Array.from(tos),
      cumulative,
      total: cumulative[froms.length]!,
    };
  }

  /** One local date's open intervals, absolute, sorted, disjoint, inside [dayStart, nextDayStart). */
  private openOnDay(day: number, dayStart: number, nextDayStart: number): Interval[] {
    const windows = this.week[weekdayOf(day)]!;
    if (windows.length === 0) return [];
    const closures = this.closuresOn(day);
    if (closures.some((closure) => closure.start === 0 && closure.end === minutesPerDay)) return [];
    const pieces: Interval[] = [];
    for (const window of windows) {
      const from = Math.max(dayStart, this.clock.toInstant(day, window.start, "start"));
      const to = Math.min(nextDayStart, this.clock.toInstant(day, window.end, "end"));
      if (to > from) pieces.push({ from, to });
    }
    // Wall-clock order is not time order at a DST change: a window starting in a spring-forward
    // gap moves forward by the gap, past the start of a later window (02:26 becomes 03:26, after
    // a window from 03:23), and in a fall-back overlap windows disjoint on the wall clock can
    // overlap in time (a start takes the earlier instant, the previous end the later one). So
    // the pieces are put in time order, then the overlapping or touching ones joined.
    pieces.sort((a, b) => a.from - b.from);
    let open: Interval[] = [];
    for (const piece of pieces) {
      const last = open[open.length - 1];
      if (last !== undefined && piece.from <= last.to) last.to = Math.max(last.to, piece.to);
      else open.push(piece);
    }
    for (const closure of closures) {
      // A closure is widened like a window: its start earliest, its end latest.
      const from = this.clock.toInstant(day, closure.start, "start");
      const to = this.clock.toInstant(day, closure.end, "end");
      if (to > from) open = subtract(open, from, to);
    }
    return open;
  }

  private closuresOn(day: number): ParsedWindow[] {
    const dated = this.datedClosures.get(day);
    if (this.yearlyClosures.size === 0) return dated ?? [];
    const { month, day: dayOfMonth } = civilFromDays(day);
    const yearly = this.yearlyClosures.get(month * 100 + dayOfMonth);
    if (yearly === undefined) return dated ?? [];
    const closures = dated === undefined ? [] : [...dated];
    for (const entry of yearly) if (day >= entry.firstDay) closures.push(entry.closure);
    return closures;
  }
}

function trustedWindow(text: string): ParsedWindow {
  const parsed = parseWindow(text);
  if (!parsed.ok)
    throw new Error(
      `compileCalendar: window '${text}' was not checked by calendarDefinitionSchema (${parsed.message})`,
    );
  return parsed.window;
}

/** Sorted disjoint intervals less [from, to). */
function subtract(intervals: Interval[], from: number, to: number): Interval[] {
  const kept: Interval[] = [];
  for (const interval of intervals) {
    if (interval.to <= from || interval.from >= to) kept.push(interval);
    else {
      if (interval.from < from) kept.push({ from: interval.from, to: from });
      if (interval.to > to) kept.push({ from: to, to: interval.to });
    }
  }
  return kept;
}

/** Index of the first interval ending after `at` (the one containing it, or the next one). */
function firstEndingAfter(block: Block, at: number): number {
  const tos = block.tos;
  let low = 0;
  let high = tos.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (tos[middle]! > at) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Open ms in [block.start, at), for an instant inside the block or at its end. */
function openBefore(block: Block, at: number): number {
  const index = firstEndingAfter(block, at);
  if (index === block.froms.length) return block.total;
  const from = block.froms[index]!;
  return block.cumulative[index]! + (at > from ? at - from : 0);
}

/**
 * The earliest instant at which the block's open ms since its start reach `need`
 * (0 < need ≤ total): inside the first interval whose cumulative end reaches it, so a target met
 * exactly at a window's end is due at that end.
 */
function instantReaching(block: Block, need: number): number {
  const cumulative = block.cumulative;
  let low = 0;
  let high = block.froms.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle + 1]! >= need) high = middle;
    else low = middle + 1;
  }
  return block.froms[low]! + (need - cumulative[low]!);
}
