import { DateTime } from "luxon";
import type { DateFormat } from "../csv/csv-mapping.js";

/**
 * Dates as CRM exports write them, read fast enough for a million rows with several date columns
 * each: the common notations (ISO with or without time and offset, `MM/DD/YYYY h:mm A`,
 * `DD/MM/YYYY`, `DD.MM.YYYY HH:mm`) are read by hand; any other notation goes through Luxon.
 * A value without an offset is local time in the export's zone; the zone's offset is looked up
 * once per local hour (an instant inside a DST change takes the offset Luxon gives that hour).
 */

type Reader = (text: string) => number | undefined;

const isoLike =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const slashed =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$/;
const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

export class ExportDates {
  readonly #readers: Reader[];
  readonly #offsets = new Map<number, number>();

  constructor(
    formats: readonly DateFormat[],
    readonly zone: string,
  ) {
    this.#readers = formats.map((format) => this.#reader(format));
  }

  /** Epoch ms of the first notation that reads the text; undefined when none does. */
  parse(text: string): number | undefined {
    for (const read of this.#readers) {
      const at = read(text);
      if (at !== undefined) return at;
    }
    return undefined;
  }

  #reader(format: DateFormat): Reader {
    if (format.kind === "iso")
      return (text) =>
        this.#iso(text) ?? luxonValue(DateTime.fromISO(text, { zone: this.zone, setZone: true }));
    const notation = format.text.trim();
    if (/^YYYY-MM-DD( [Hh]{1,2}:mm(:ss)?)?$/.test(notation)) return (text) => this.#iso(text);
    if (/^MM\/DD\/YYYY( [Hh]{1,2}:mm(:ss)?( A)?)?$/.test(notation))
      return (text) => this.#slashed(text, true);
    if (/^DD\/MM\/YYYY( [Hh]{1,2}:mm(:ss)?( A)?)?$/.test(notation))
      return (text) => this.#slashed(text, false);
    if (/^DD\.MM\.YYYY( [Hh]{1,2}:mm(:ss)?)?$/.test(notation)) return (text) => this.#dotted(text);
    return (text) =>
      luxonValue(DateTime.fromFormat(text, format.luxon, { zone: this.zone, locale: "en-US" }));
  }

  #iso(text: string): number | undefined {
    if (isPlainIso(text)) {
      const long = text.length > 10;
      const year = digitsAt(text, 0, 4);
      const month = digitsAt(text, 5, 2);
      const day = digitsAt(text, 8, 2);
      const hour = long ? digitsAt(text, 11, 2) : 0;
      const minute = long ? digitsAt(text, 14, 2) : 0;
      const second = text.length === 19 ? digitsAt(text, 17, 2) : 0;
      // A letter where a digit belongs (any part NaN makes the sum NaN): let the general
      // pattern decide (it will refuse).
      if (!Number.isNaN(year + month + day + hour + minute + second))
        return this.#instant(year, month, day, hour, minute, second, 0, undefined);
    }
    const match = isoLike.exec(text);
    if (match === null) return undefined;
    const offset = match[8];
    const millis = match[7] === undefined ? 0 : Number(match[7].padEnd(3, "0"));
    return this.#instant(
      Number(match[1]),
      Number(match[2]),
      Number(match[3]),
      Number(match[4] ?? 0),
      Number(match[5] ?? 0),
      Number(match[6] ?? 0),
      millis,
      offset === undefined ? undefined : offsetMinutes(offset),
    );
  }

  #slashed(text: string, monthFirst: boolean): number | undefined {
    const match = slashed.exec(text);
    if (match === null) return undefined;
    let hour = Number(match[4] ?? 0);
    const meridiem = match[7]?.toLowerCase();
    if (meridiem !== undefined) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (meridiem === "pm" ? 12 : 0);
    }
    const first = Number(match[1]);
    const second = Number(match[2]);
    return this.#instant(
      Number(match[3]),
      monthFirst ? first : second,
      monthFirst ? second : first,
      hour,
      Number(match[5] ?? 0),
      Number(match[6] ?? 0),
      0,
      undefined,
    );
  }

  #dotted(text: string): number | undefined {
    const match = dotted.exec(text);
    if (match === null) return undefined;
    return this.#instant(
      Number(match[3]),
      Number(match[2]),
      Number(match[1]),
      Number(match[4] ?? 0),
      Number(match[5] ?? 0),
      Number(match[6] ?? 0),
      0,
      undefined,
    );
  }

  #instant(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    millis: number,
    offset: number | undefined,
  ): number | undefined {
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    const wall =
      daysFromCivil(year, month, day) * 86_400_000 +
      hour * 3_600_000 +
      minute * 60_000 +
      second * 1_000 +
      millis;
    if (offset !== undefined) return wall - offset * 60_000;
    if (this.zone === "UTC") return wall;
    const key = ((year * 100 + month) * 100 + day) * 100 + hour;
    let zoneOffset = this.#offsets.get(key);
    if (zoneOffset === undefined) {
      zoneOffset = DateTime.fromObject({ year, month, day, hour }, { zone: this.zone }).offset;
      if (this.#offsets.size > 100_000) this.#offsets.clear();
      this.#offsets.set(key, zoneOffset);
    }
    return wall - zoneOffset * 60_000;
  }
}

function luxonValue(value: DateTime): number | undefined {
  return value.isValid ? value.toMillis() : undefined;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1–12), as `Date.UTC` counts them but
 * in integer arithmetic: a quarter of the time of the call, which a million rows with several
 * dates each notice. Years start in March here, so the leap day is a year's last.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return monthDays[month - 1]!;
}

/** Two or four decimal digits at `from`; NaN when any is not a digit. */
function digitsAt(text: string, from: number, count: number): number {
  let value = 0;
  for (let at = from; at < from + count; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Whether the text is in the notation most exports write — `YYYY-MM-DD`, `YYYY-MM-DD HH:mm` or
 * `YYYY-MM-DD HH:mm:ss` (or `T` for the space), no offset — which is then read by position
 * rather than by the general pattern.
 */
function isPlainIso(text: string): boolean {
  const length = text.length;
  if (length !== 10 && length !== 16 && length !== 19) return false;
  if (text[4] !== "-" || text[7] !== "-") return false;
  if (length === 10) return true;
  const separator = text[10];
  if (separator !== " " && separator !== "T" && separator !== "t") return false;
  return text[13] === ":" && (length === 16 || text[16] === ":");
}
function offsetMinutes(text: string): number {
  if (text === "Z" || text === "z") return 0;
  const sign = text[0] === "-" ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
}
