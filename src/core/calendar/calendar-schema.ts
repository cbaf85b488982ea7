import { IANAZone } from "luxon";
import { z } from "zod";
import { daysFromCivil, minutesPerDay } from "./wall-clock.js";

/**
 * One business calendar as the agreement writes it (under `calendars.<name>`, or alone in a file
 * for `baton calendar`).
 *
 * Glossary
 * - window: an open stretch of one weekday, local wall-clock time "HH:MM-HH:MM", start inclusive,
 *   end exclusive. Several windows on a day leave breaks between them. "24:00" may end a window
 *   (end of day); windows never cross midnight: end one at 24:00 and start the next at 00:00.
 * - holiday: a local date closed all day, or closed between `from` and `to` (local times). A
 *   `yearly` holiday repeats on the same month and day every year from its date on.
 * - "24/7": open every minute of every day, except holidays.
 *
 * Every object is strict so a misspelt key is an error. Semantic problems (bad times, overlapping
 * windows, unknown zones, impossible dates) are reported as issues at the exact item with what
 * was expected and how to fix it; they never stop the other checks, so an author sees every
 * problem at once.
 */

export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof weekdays)[number];

export const alwaysOpenHours = "24/7";

/** Minutes since local midnight; 1440 is "24:00", the end of the day. */
export type MinuteOfDay = number;

export interface ParsedWindow {
  start: MinuteOfDay;
  end: MinuteOfDay;
}

const clockPattern = /^(\d{2}):(\d{2})$/;
const windowPattern = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "HH:MM" → minutes, "24:00" → 1440; undefined when it is not a 24-hour wall time. */
export function parseClock(text: string): MinuteOfDay | undefined {
  const match = clockPattern.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (hours === 24 && minutes === 0) return minutesPerDay;
  if (hours > 23 || minutes > 59) return undefined;
  return hours * 60 + minutes;
}

/** A window's text → its minutes, or what is wrong with it in words an author can act on. */
export function parseWindow(
  text: string,
): { ok: true; window: ParsedWindow } | { ok: false; message: string } {
  const match = windowPattern.exec(text);
  const start = match ? parseClock(match[1]!) : undefined;
  const end = match ? parseClock(match[2]!) : undefined;
  if (start === undefined || end === undefined)
    return {
      ok: false,
      message: `'${text}' is not a window; write "HH:MM-HH:MM" in 24-hour local time, e.g. "09:00-17:00" (24:00 may end a window)`,
    };
  if (start === minutesPerDay)
    return {
      ok: false,
      message: `window ${text} starts at 24:00; 24:00 can only end a window — start at "00:00" instead`,
    };
  if (end <= start)
    return {
      ok: false,
      message:
        end === start
          ? `window ${text} is empty; its end must be after its start`
          : `window ${text} ends before it starts; a window cannot cross midnight — end it at "24:00" and start the next day's window at "00:00"`,
    };
  return { ok: true, window: { start, end } };
}

/** "YYYY-MM-DD" → day index (days since 1970-01-01), undefined when it is not a real date. */
export function parseDate(text: string): number | undefined {
  const match = datePattern.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

function daysInMonth(year: number, month: number): number {
  return (
    daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) -
    daysFromCivil(year, month, 1)
  );
}

/** Fixed offsets look like zones to Intl but follow no daylight-saving rules. */
const fixedOffsetPattern = /^(?:(?:utc|gmt|z)?\s*[+\-−]\s*\d|etc\/gmt[+-])/i;
/** Legacy abbreviations the zone database keeps as fixed offsets (EST is always UTC−5). */
const fixedOffsetNames = new Set(["est", "mst", "hst"]);

function timezoneProblem(name: string): string | undefined {
  if (fixedOffsetPattern.test(name) || fixedOffsetNames.has(name.toLowerCase()))
    return `'${name}' is a fixed UTC offset; name the place's IANA time zone instead (e.g. America/New_York, Europe/London) so daylight saving follows its rules`;
  if (IANAZone.isValidZone(name)) return undefined;
  // The example doubles as the suggestion when the name only differs in case or underscores.
  return `'${name}' is not an IANA time zone; use a name like ${similarZone(name) ?? "America/New_York"}`;
}

/** A known zone that differs only in case, spaces or underscores ("America/NewYork"). */
function similarZone(name: string): string | undefined {
  const squash = (zone: string) => zone.toLowerCase().replace(/[\s_-]/g, "");
  const wanted = squash(name);
  return Intl.supportedValuesOf("timeZone").find((zone) => squash(zone) === wanted);
}

/*
 * The JSON Schema descriptions and patterns below only guide editors; the checks beside them
 * decide, and say what is wrong in words.
 */
const clockJsonPattern = "([01]\\d|2[0-3]):[0-5]\\d";

export const timezoneSchema = z
  .string()
  .check((ctx) => {
    const problem = timezoneProblem(ctx.value);
    if (problem)
      ctx.issues.push({ code: "custom", message: problem, input: ctx.value, continue: true });
  })
  .meta({ description: "IANA time zone, e.g. America/New_York; never a fixed UTC offset" });

const windowSchema = z
  .string()
  .check((ctx) => {
    const parsed = parseWindow(ctx.value);
    if (!parsed.ok)
      ctx.issues.push({
        code: "custom",
        message: parsed.message,
        input: ctx.value,
        continue: true,
      });
  })
  .meta({
    description: 'open window in local time, "HH:MM-HH:MM"; 24:00 may end it',
    pattern: `^${clockJsonPattern}-(${clockJsonPattern}|24:00)$`,
  });

/**
 * One weekday's windows. Each window is compared with the windows listed before it, so the issue
 * lands on the later one; touching windows ("09:00-12:00", "12:00-17:00") do not overlap.
 */
function daySchema(weekday: Weekday) {
  return z.array(windowSchema).check((ctx) => {
    const seen: { text: string; window: ParsedWindow }[] = [];
    ctx.value.forEach((text, index) => {
      const parsed = parseWindow(text);
      if (!parsed.ok) return;
      const { window } = parsed;
      const clash = seen.find(
        (other) => window.start < other.window.end && other.window.start < window.end,
      );
      if (clash)
        ctx.issues.push({
          code: "custom",
          message: `window ${text} overlaps ${clash.text} on ${weekday}; make windows on one day disjoint`,
          input: ctx.value,
          path: [index],
          continue: true,
        });
      seen.push({ text, window });
    });
  });
}

const weekSchema = z
  .strictObject({
    mon: daySchema("mon").optional(),
    tue: daySchema("tue").optional(),
    wed: daySchema("wed").optional(),
    thu: daySchema("thu").optional(),
    fri: daySchema("fri").optional(),
    sat: daySchema("sat").optional(),
    sun: daySchema("sun").optional(),
  })
  .check((ctx) => {
    // A calendar with no window never opens, so every goal on it would be due never.
    const windows = weekdays.reduce(
      (count, weekday) => count + (ctx.value[weekday]?.length ?? 0),
      0,
    );
    if (windows === 0)
      ctx.issues.push({
        code: "custom",
        message: `the calendar is never open; list windows for the open weekdays, e.g. mon: ["09:00-17:00"], or write hours: "24/7"`,
        input: ctx.value,
        continue: true,
      });
  });

const holidayDateSchema = z
  .string()
  .check((ctx) => {
    if (parseDate(ctx.value) === undefined)
      ctx.issues.push({
        code: "custom",
        message: `'${ctx.value}' is not a calendar date; write the local date as YYYY-MM-DD, e.g. 2026-12-25`,
        input: ctx.value,
        continue: true,
      });
  })
  .meta({ description: "local date, YYYY-MM-DD", pattern: "^\\d{4}-\\d{2}-\\d{2}$" });

const holidayTimeSchema = z
  .string()
  .check((ctx) => {
    if (parseClock(ctx.value) === undefined)
      ctx.issues.push({
        code: "custom",
        message: `'${ctx.value}' is not a time of day; write "HH:MM" in 24-hour local time, e.g. "13:00" ("24:00" is the end of the day)`,
        input: ctx.value,
        continue: true,
      });
  })
  .meta({
    description: 'local time "HH:MM"; 24:00 is the end of the day',
    pattern: `^(${clockJsonPattern}|24:00)$`,
  });

const holidaySchema = z
  .strictObject({
    /** the local date, YYYY-MM-DD */
    date: holidayDateSchema,
    name: z.string().optional(),
    /** repeats on this month and day every year from `date` on (29 February: leap years only) */
    yearly: z.boolean().optional(),
    /** with `to`: closed only between these local times on that date */
    from: holidayTimeSchema.optional(),
    to: holidayTimeSchema.optional(),
  })
  .check((ctx) => {
    const { from, to } = ctx.value;
    const issue = (path: string, message: string): void => {
      ctx.issues.push({ code: "custom", message, input: ctx.value, path: [path], continue: true });
    };
    if (from !== undefined && to === undefined)
      return issue(
        "from",
        "a partial-day holiday needs both 'from' and 'to'; add 'to' (\"24:00\" for the rest of the day) or remove 'from' to close the whole day",
      );
    if (to !== undefined && from === undefined)
      return issue(
        "to",
        "a partial-day holiday needs both 'from' and 'to'; add 'from' or remove 'to' to close the whole day",
      );
    if (from === undefined || to === undefined) return;
    const start = parseClock(from);
    const end = parseClock(to);
    if (start === undefined || end === undefined) return;
    if (start === minutesPerDay)
      return issue("from", `'from' is 24:00; 24:00 can only be a 'to' (the end of the day)`);
    if (end <= start)
      issue("to", `holiday 'to' (${to}) must be after 'from' (${from}) on the same date`);
  });

export const calendarDefinitionSchema = z.strictObject({
  /** an IANA zone name such as America/New_York; never a fixed UTC offset */
  timezone: timezoneSchema,
  /** "24/7", or windows per weekday; a weekday left out is closed */
  hours: z.union([z.literal(alwaysOpenHours), weekSchema]),
  holidays: z.array(holidaySchema).optional(),
});

export type CalendarDefinition = z.infer<typeof calendarDefinitionSchema>;
export type HolidayDefinition = NonNullable<CalendarDefinition["holidays"]>[number];
