import { type Command, Option } from "commander";
import { DateTime } from "luxon";
import { parse } from "yaml";
import { z } from "zod";
import { formatIssue, unknownReference } from "../../core/agreement/agreement-issue.js";
import { agreementSchema } from "../../core/agreement/agreement-schema.js";
import { parseDocumentWith } from "../../core/agreement/load-agreement.js";
import {
  type CalendarDefinition,
  calendarDefinitionSchema,
  compileCalendar,
  type Interval,
} from "../../core/calendar/index.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import type { Outcome } from "../program.js";

interface CommonOptions {
  calendar: string;
  name?: string;
  pause?: string[];
  json?: boolean;
}

const minuteMs = 60_000;

export function registerCalendarCommands(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
): void {
  const calendar = program
    .command("calendar")
    .description(
      "check a business calendar before trusting it: due dates and elapsed business time",
    );

  const pauseOption = () =>
    new Option(
      "--pause <from/to...>",
      "a paused interval FROM/TO (ISO instants), repeatable",
    ).argParser(collect);

  calendar
    .command("due")
    .description("when a goal of N business minutes started at an instant is due")
    .requiredOption(
      "--calendar <file>",
      "one calendar in the agreement's format (YAML or JSON), or an agreement",
    )
    .option("--name <calendar>", "with an agreement file: which of its calendars")
    .requiredOption(
      "--start <iso>",
      "start instant; without an offset it is read in the calendar's time zone",
    )
    .requiredOption("--minutes <n>", "goal in business minutes", parseMinutes)
    .addOption(pauseOption())
    .option("--json", "print the result as JSON")
    .action(async (options: CommonOptions & { start: string; minutes: number }) => {
      const { definition, zone } = await readCalendar(io, options.calendar, options.name);
      const business = compileCalendar(definition);
      const start = parseInstant(options.start, zone, "--start", io);
      const pauses = parsePauses(options.pause ?? [], zone);
      const due = business.due(start, options.minutes * minuteMs, pauses);
      if (!Number.isFinite(due))
        throw new CliError(
          `the calendar never accumulates ${options.minutes} business minutes after ${options.start}`,
          exitCodes.invalid,
          "check the calendar's hours and holidays: it has no open time left",
        );
      const pausedBusinessMs = business.elapsed(start, due) - business.elapsed(start, due, pauses);
      const result = {
        calendar: options.calendar,
        timezone: zone,
        start: describeInstant(start, zone),
        startsWithinCalendar: business.isOpen(start),
        goalBusinessMinutes: options.minutes,
        pauses: pauses.map((pause) => ({
          from: describeInstant(pause.from, zone),
          to: describeInstant(pause.to, zone),
        })),
        pausedBusinessMinutes: pausedBusinessMs / minuteMs,
        due: describeInstant(due, zone),
        realHoursAfterStart: (due - start) / 3_600_000,
      };
      if (options.json) io.stdout(JSON.stringify(result, null, 2));
      else {
        io.stdout(
          `start  ${result.start.local}  (${result.start.utc})${result.startsWithinCalendar ? "" : "  — outside calendar hours"}`,
        );
        io.stdout(
          `goal   ${options.minutes} business minutes${pauses.length > 0 ? `, ${result.pausedBusinessMinutes} business minutes paused` : ""}`,
        );
        io.stdout(`due    ${result.due.local}  (${result.due.utc})`);
        io.stdout(
          `       ${formatHours(result.realHoursAfterStart)} real hour${result.realHoursAfterStart === 1 ? "" : "s"} after start`,
        );
      }
      finish(exitCodes.ok);
    });

  calendar
    .command("elapsed")
    .description("business time elapsed between two instants")
    .requiredOption(
      "--calendar <file>",
      "one calendar in the agreement's format (YAML or JSON), or an agreement",
    )
    .option("--name <calendar>", "with an agreement file: which of its calendars")
    .requiredOption(
      "--from <iso>",
      "start instant; without an offset it is read in the calendar's time zone",
    )
    .requiredOption("--to <iso>", "end instant")
    .addOption(pauseOption())
    .option("--json", "print the result as JSON")
    .action(async (options: CommonOptions & { from: string; to: string }) => {
      const { definition, zone } = await readCalendar(io, options.calendar, options.name);
      const business = compileCalendar(definition);
      const from = parseInstant(options.from, zone, "--from", io);
      const to = parseInstant(options.to, zone, "--to", io);
      if (to < from)
        throw new CliError(
          `--to (${options.to}) is before --from (${options.from})`,
          exitCodes.usage,
          "swap the two instants",
        );
      const pauses = parsePauses(options.pause ?? [], zone);
      const gross = business.elapsed(from, to);
      const net = business.elapsed(from, to, pauses);
      const result = {
        calendar: options.calendar,
        timezone: zone,
        from: describeInstant(from, zone),
        to: describeInstant(to, zone),
        businessMinutes: net / minuteMs,
        grossBusinessMinutes: gross / minuteMs,
        pausedBusinessMinutes: (gross - net) / minuteMs,
        calendarMinutes: (to - from) / minuteMs,
      };
      if (options.json) io.stdout(JSON.stringify(result, null, 2));
      else {
        io.stdout(`from   ${result.from.local}  (${result.from.utc})`);
        io.stdout(`to     ${result.to.local}  (${result.to.utc})`);
        io.stdout(
          `business time  ${formatHours(result.businessMinutes / 60)} h (${result.businessMinutes} minutes)`,
        );
        if (pauses.length > 0)
          io.stdout(
            `paused         ${result.pausedBusinessMinutes} business minutes (${result.grossBusinessMinutes} before pauses)`,
          );
        io.stdout(`calendar time  ${formatHours(result.calendarMinutes / 60)} h`);
      }
      finish(exitCodes.ok);
    });
}

/** The `calendars` map when the text is an agreement (has `calendars:`), else undefined. */
function agreementCalendars(text: string): Record<string, unknown> | undefined {
  try {
    const data: unknown = parse(text);
    if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
    const calendars = (data as Record<string, unknown>).calendars;
    return calendars !== null && typeof calendars === "object" && !Array.isArray(calendars)
      ? (calendars as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not YAML at all: the calendar parser reports where
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Ten years of minutes: beyond it a goal is a typing mistake, not an SLA. */
const maxMinutes = 10 * 366 * 24 * 60;

function parseMinutes(value: string): number {
  const minutes = Number(value);
  if (Number.isInteger(minutes) && minutes > maxMinutes)
    throw new CliError(
      `--minutes ${value} is more than ten years; SLA goals are minutes to days`,
      exitCodes.usage,
      "for 4 business hours write --minutes 240",
    );
  if (!Number.isInteger(minutes) || minutes < 0)
    throw new CliError(
      `--minutes must be a whole number of minutes ≥ 0, got '${value}'`,
      exitCodes.usage,
      "for 4 business hours write --minutes 240",
    );
  return minutes;
}

async function readCalendar(
  io: CliIo,
  file: string,
  name: string | undefined,
): Promise<{ definition: CalendarDefinition; zone: string }> {
  const text = await io.readText(file);
  const calendars = agreementCalendars(text);
  if (calendars !== undefined) {
    // An agreement file: take one of its calendars by name rather than refusing every key.
    const names = Object.keys(calendars);
    if (name === undefined)
      throw new CliError(
        `${file} is an agreement, not one calendar`,
        exitCodes.usage,
        `pick one of its calendars with --name (${names.join(", ")})`,
      );
    if (!names.includes(name))
      throw new CliError(
        unknownReference("calendar", name, names),
        exitCodes.usage,
        `pick one of: ${names.join(", ")}`,
      );
    // Only the calendars are checked here; `baton agreement validate` checks the rest.
    const single = parseDocumentWith(
      z.object({ calendars: agreementSchema.shape.calendars }),
      text,
      file,
    );
    if (!single.ok) {
      for (const issue of single.issues) io.stderr(formatIssue(issue));
      throw new CliError(`the calendars of ${file} are not valid`, exitCodes.invalid);
    }
    const definition = single.value.calendars[name]!;
    return { definition, zone: definition.timezone };
  }
  if (name !== undefined)
    throw new CliError(
      `--name applies to an agreement file; ${file} holds one calendar`,
      exitCodes.usage,
      "drop --name",
    );
  const parsed = parseDocumentWith(calendarDefinitionSchema, text, file);
  if (!parsed.ok) {
    for (const issue of parsed.issues) io.stderr(formatIssue(issue));
    throw new CliError(
      `${file} is not a valid calendar`,
      exitCodes.invalid,
      "a calendar file holds timezone, hours and optional holidays, as one entry of the agreement's calendars",
    );
  }
  return { definition: parsed.value, zone: parsed.value.timezone };
}

/** An ISO instant; without an offset it is a wall-clock time in the calendar's zone. */
function parseInstant(value: string, zone: string, flag: string, io?: CliIo): number {
  const parsed = DateTime.fromISO(value, { zone });
  if (parsed.isValid && io !== undefined && !/(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(value)) {
    // A wall-clock time the zone skips (spring forward) or repeats (fall back) is read one
    // way; say which, so nobody trusts a due date computed from a time they did not mean.
    const wall = DateTime.fromISO(value, { zone: "utc" });
    const shown = parsed.setZone("utc", { keepLocalTime: true });
    if (wall.isValid && wall.toMillis() !== shown.toMillis())
      io.stderr(
        `note: ${flag} ${value} does not exist in ${zone} (clocks skip it); read as ${parsed.toFormat("HH:mm ZZZZ")}`,
      );
    else if (
      parsed.minus({ hours: 1 }).toFormat("HH:mm") === parsed.toFormat("HH:mm") ||
      parsed.plus({ hours: 1 }).toFormat("HH:mm") === parsed.toFormat("HH:mm")
    )
      io.stderr(
        `note: ${flag} ${value} happens twice in ${zone} (clocks go back); read as the ${parsed.offset > parsed.plus({ hours: 1 }).offset ? "first" : "second"}, ${parsed.toFormat("HH:mm ZZZZ")}`,
      );
  }
  if (!parsed.isValid)
    throw new CliError(
      `${flag} '${value}' is not an ISO 8601 date-time (${parsed.invalidExplanation ?? parsed.invalidReason})`,
      exitCodes.usage,
      "write e.g. 2026-03-06T16:00 (calendar time) or 2026-03-06T21:00Z",
    );
  return parsed.toMillis();
}

function parsePauses(values: string[], zone: string): Interval[] {
  return values.map((value) => {
    const parts = value.split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new CliError(
        `--pause '${value}' must be FROM/TO`,
        exitCodes.usage,
        "write e.g. --pause 2026-03-09T10:00/2026-03-09T13:00",
      );
    const from = parseInstant(parts[0], zone, "--pause");
    const to = parseInstant(parts[1], zone, "--pause");
    if (to < from)
      throw new CliError(
        `--pause '${value}' ends before it starts`,
        exitCodes.usage,
        "swap the two instants",
      );
    return { from, to };
  });
}

function describeInstant(at: number, zone: string): { utc: string; local: string } {
  const local = DateTime.fromMillis(at, { zone });
  return {
    utc: DateTime.fromMillis(at, { zone: "utc" }).toISO({ suppressMilliseconds: true }) ?? "",
    local: `${local.toFormat("ccc d LLL yyyy HH:mm")} ${local.offsetNameShort ?? local.toFormat("ZZ")} (${local.toISO({ suppressMilliseconds: true })})`,
  };
}

function formatHours(hours: number): string {
  return Number.isInteger(hours) ? String(hours) : hours.toFixed(2);
}
