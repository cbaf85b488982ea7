/** How figures read: a rate as a percentage, minutes as hours and minutes, null as a dash. */

export interface FigureLike {
  value: number | null;
  unit: string;
  numerator?: number;
  denominator?: number;
  count?: number;
}

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const oneDecimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = Math.round(minutes - hours * 60);
    return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  }
  return `${oneDecimal.format(minutes / 1440)} days`;
}

export function formatValue(value: number | null, unit: string): string {
  if (value === null) return "—";
  switch (unit) {
    case "rate":
      return `${oneDecimal.format(value * 100)} %`;
    case "minutes":
      return formatMinutes(value);
    case "hours":
      return formatMinutes(value * 60);
    case "days":
      return `${oneDecimal.format(value)} days`;
    case "currency":
      return compact.format(value);
    default:
      return Math.abs(value) >= 10_000 ? compact.format(value) : integer.format(value);
  }
}

export function formatFigure(figure: FigureLike | undefined): string {
  return figure === undefined ? "—" : formatValue(figure.value, figure.unit);
}

/** "15 of 48" for a rate, so a small denominator shows. */
export function formatRatio(figure: FigureLike | undefined): string | undefined {
  if (figure?.numerator === undefined || figure.denominator === undefined) return undefined;
  return `${integer.format(figure.numerator)} of ${integer.format(figure.denominator)}`;
}

/** Milliseconds as a countdown: "12:34", "3 h 05 min", "2 days". */
export function formatCountdown(ms: number): string {
  const seconds = Math.floor(Math.abs(ms) / 1000);
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return `${m}:${String(s).padStart(2, "0")}`;
  }
  const hours = Math.floor(seconds / 3600);
  if (hours < 48)
    return `${hours} h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} days`;
}

const dateTime = new Intl.DateTimeFormat("en", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
export function formatDateTime(at: string | number | null | undefined): string {
  if (at === null || at === undefined) return "—";
  return dateTime.format(new Date(at));
}

const acronyms = new Set(["mql", "sql", "sal", "sdr", "icp", "ae", "sla"]);

/** identifiers as words: "paid_search" → "Paid search", "sdr-first-effort" → "SDR first effort" */
export function humanise(id: string): string {
  const words = id
    .replaceAll(/[_-]+/g, " ")
    .trim()
    .split(" ")
    .map((word) => (acronyms.has(word.toLowerCase()) ? word.toUpperCase() : word));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
