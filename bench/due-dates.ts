/**
 * Due dates: how many `due` computations a second a compiled calendar answers, whether the cost
 * grows with the goal's length, and the ratio against a straightforward Luxon walk over the same
 * calendar (the approach the calendar module replaces). Prints figures; asserts nothing.
 */
import { DateTime } from "luxon";
import {
  type CalendarDefinition,
  calendarDefinitionSchema,
  compileCalendar,
  weekdays,
} from "../src/core/calendar/index.js";

const minuteMs = 60_000;
const businessDayMinutes = 7.5 * 60;
const computations = 1_000_000;
const baselineComputations = 20_000;

const definition: CalendarDefinition = calendarDefinitionSchema.parse({
  timezone: "America/New_York",
  hours: Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri"].map((weekday) => [weekday, ["09:00-12:00", "13:00-17:30"]]),
  ),
  holidays: [
    { date: "2026-01-01", name: "New Year's Day", yearly: true },
    { date: "2026-01-19", name: "Martin Luther King Jr. Day" },
    { date: "2026-02-16", name: "Presidents' Day" },
    { date: "2026-05-25", name: "Memorial Day" },
    { date: "2026-06-19", name: "Juneteenth", yearly: true },
    { date: "2026-07-03", name: "Independence Day (observed)" },
    { date: "2026-09-07", name: "Labor Day" },
    { date: "2026-11-26", name: "Thanksgiving" },
    { date: "2026-11-27", name: "Day after Thanksgiving", from: "13:00", to: "24:00" },
    { date: "2026-12-24", name: "Christmas Eve", from: "12:00", to: "24:00", yearly: true },
    { date: "2026-12-25", name: "Christmas Day", yearly: true },
    { date: "2027-01-18", name: "Martin Luther King Jr. Day" },
    { date: "2027-05-31", name: "Memorial Day" },
    { date: "2027-09-06", name: "Labor Day" },
    { date: "2027-11-25", name: "Thanksgiving" },
  ],
});

/** mulberry32: a seeded generator, so every run times the same inputs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Starts spread over 2026–2027 (to the ms) and goals in whole minutes within [low, high]. */
function inputs(count: number, lowMinutes: number, highMinutes: number, seed: number) {
  const next = random(seed);
  const from = Date.UTC(2026, 0, 1);
  const span = Date.UTC(2028, 0, 1) - from;
  const starts = new Float64Array(count);
  const goals = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    starts[index] = from + Math.floor(next() * span);
    goals[index] = (lowMinutes + Math.floor(next() * (highMinutes - lowMinutes + 1))) * minuteMs;
  }
  return { starts, goals };
}

/**
 * Runs `due` over the inputs; returns seconds taken and a checksum of the results (the sum of due
 * minutes modulo 2^32: cheap, and it keeps every call's result alive).
 */
function time(
  due: (start: number, goal: number) => number,
  starts: Float64Array,
  goals: Float64Array,
  results?: Float64Array,
) {
  let checksum = 0;
  const began = performance.now();
  for (let index = 0; index < starts.length; index++) {
    const result = due(starts[index]!, goals[index]!);
    if (results) results[index] = result;
    checksum = (checksum + Math.floor(result / minuteMs)) % 4_294_967_296;
  }
  return { seconds: (performance.now() - began) / 1000, checksum };
}

/**
 * The baseline: walk day by day with Luxon from the start's local date, building each window with
 * DateTime.set, skipping holidays and trimming windows by partial ones, until the goal is used up.
 * Windows and holidays are parsed once, so the time measured is the walk itself. The trim handles
 * closures that reach a window's start or end, which covers this calendar's partial holidays
 * (afternoons off); a closure strictly inside a window would need a split.
 */
function luxonWalk(calendar: CalendarDefinition): (start: number, goalMs: number) => number {
  const zone = calendar.timezone;
  const week = weekdays.map((weekday) => {
    const texts = calendar.hours === "24/7" ? ["00:00-24:00"] : (calendar.hours[weekday] ?? []);
    return texts.map((text) => text.split("-").map(minutesOf) as [number, number]);
  });
  const dated = new Map<number, [number, number][]>();
  const yearly = new Map<number, { firstKey: number; closure: [number, number] }[]>();
  for (const holiday of calendar.holidays ?? []) {
    const [year, month, day] = holiday.date.split("-").map(Number) as [number, number, number];
    const key = year * 10_000 + month * 100 + day;
    const closure: [number, number] = [
      holiday.from === undefined ? 0 : minutesOf(holiday.from),
      holiday.to === undefined ? 1440 : minutesOf(holiday.to),
    ];
    if (holiday.yearly === true)
      yearly.set(month * 100 + day, [
        ...(yearly.get(month * 100 + day) ?? []),
        { firstKey: key, closure },
      ]);
    else dated.set(key, [...(dated.get(key) ?? []), closure]);
  }
  return (start, goalMs) => {
    if (goalMs === 0) return start;
    let remaining = goalMs;
    let date = DateTime.fromMillis(start, { zone }).startOf("day");
    for (;;) {
      const key = date.year * 10_000 + date.month * 100 + date.day;
      const closures = [
        ...(dated.get(key) ?? []),
        ...(yearly.get(key % 10_000) ?? [])
          .filter((entry) => key >= entry.firstKey)
          .map((entry) => entry.closure),
      ];
      for (const [windowStart, windowEnd] of week[date.weekday - 1]!) {
        let startMinute = windowStart;
        let endMinute = windowEnd;
        for (const [closedFrom, closedTo] of closures) {
          if (closedFrom <= startMinute) startMinute = Math.max(startMinute, closedTo);
          if (closedTo >= endMinute) endMinute = Math.min(endMinute, closedFrom);
        }
        if (endMinute <= startMinute) continue;
        const from = Math.max(start, wallTime(date, startMinute));
        const to = wallTime(date, endMinute);
        if (to <= from) continue;
        if (remaining <= to - from) return from + remaining;
        remaining -= to - from;
      }
      date = date.plus({ days: 1 });
    }
  };
}

function minutesOf(text: string): number {
  const [hours, minutes] = text.split(":").map(Number) as [number, number];
  return hours * 60 + minutes;
}

function wallTime(date: DateTime, minutes: number): number {
  if (minutes === 1440) return date.plus({ days: 1 }).toMillis();
  return date.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).toMillis();
}

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString("en-US").padStart(12);
}

export async function runDueDatesBench(): Promise<void> {
  const calendar = compileCalendar(definition);
  const due = (start: number, goal: number) => calendar.due(start, goal);
  const fiveDays = 5 * businessDayMinutes;
  const cases = [
    { label: "all goals (1 min … 5 business days)", ...inputs(computations, 1, fiveDays, 1) },
    { label: "goals ≤ 60 min", ...inputs(computations, 1, 60, 2) },
    {
      label: "goals 4–5 business days",
      ...inputs(computations, 4 * businessDayMinutes, fiveDays, 3),
    },
  ];

  const coldBegan = performance.now();
  for (const { starts, goals } of cases) time(due, starts, goals);
  const warmUpMs = performance.now() - coldBegan;

  const results = cases.map(({ label, starts, goals }) => ({
    label,
    count: starts.length,
    ...time(due, starts, goals),
  }));
  const baselineInputs = inputs(baselineComputations, 1, fiveDays, 4);
  const baselineResults = new Float64Array(baselineComputations);
  const compiledResults = new Float64Array(baselineComputations);
  const baseline = time(
    luxonWalk(definition),
    baselineInputs.starts,
    baselineInputs.goals,
    baselineResults,
  );
  time(due, baselineInputs.starts, baselineInputs.goals, compiledResults);
  const agreeing = baselineResults.filter(
    (result, index) => result === compiledResults[index],
  ).length;

  const rows = [
    ...results.map((result) => ({ ...result, perSecond: result.count / result.seconds })),
    {
      label: "baseline: Luxon day-by-day walk",
      count: baselineComputations,
      ...baseline,
      perSecond: baselineComputations / baseline.seconds,
    },
  ];
  console.log(
    `due dates — ${definition.timezone}, Mon–Fri 09:00–12:00 + 13:00–17:30, ${definition.holidays?.length ?? 0} holidays (${definition.holidays?.filter((holiday) => holiday.yearly).length ?? 0} yearly), starts over 2026–2027`,
  );
  console.log(
    `${"case".padEnd(38)}${"computations".padStart(14)}${"ops/s".padStart(12)}${"ns/op".padStart(10)}   checksum`,
  );
  for (const row of rows)
    console.log(
      `${row.label.padEnd(38)}${row.count.toLocaleString("en-US").padStart(14)}${formatRate(row.perSecond)}${(1e9 / row.perSecond).toFixed(0).padStart(10)}   ${row.checksum}`,
    );
  const [all, short, long] = rows as [
    (typeof rows)[number],
    (typeof rows)[number],
    (typeof rows)[number],
  ];
  const baselineRow = rows[3]!;
  console.log(
    `cost of a 4–5-day goal vs a ≤ 60-min goal: ${(short.perSecond / long.perSecond).toFixed(2)}× (1.00× = no growth with goal length)`,
  );
  console.log(`speedup vs the Luxon walk: ${(all.perSecond / baselineRow.perSecond).toFixed(0)}×`);
  console.log(
    `compiled calendar and Luxon walk agree on ${agreeing.toLocaleString("en-US")} of ${baselineComputations.toLocaleString("en-US")} baseline inputs`,
  );
  console.log(
    `warm-up pass over the 3 × 1,000,000 inputs (fills the per-block cache, JIT): ${warmUpMs.toFixed(0)} ms`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await runDueDatesBench();
