import type { CsvDelimiter } from "./csv-reader.js";

/**
 * One CSV line (with its CRLF) in the same delimiter as the file it reports on, so a
 * spreadsheet that opened the input opens the error file the same way. A value is quoted when it
 * holds the delimiter, a quote, a line break or leading or trailing spaces.
 *
 * A value a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
 * return, OWASP's list) gets a leading apostrophe: an error file of a hostile export must not run
 * anything when someone opens it. Numbers such as -12 are left as they are.
 */
export function csvLine(values: readonly string[], delimiter: CsvDelimiter): string {
  return `${values.map((value) => quoted(defused(value), delimiter)).join(delimiter)}\r\n`;
}

const formulaStart = /^[=+\-@\t\r]/;
const plainNumber = /^[+-]?\d+([.,]\d+)?$/;

export function defused(value: string): string {
  return formulaStart.test(value) && !plainNumber.test(value) ? `'${value}` : value;
}

function quoted(value: string, delimiter: CsvDelimiter): string {
  const needs =
    value.includes(delimiter) ||
    value.includes('"') ||
    value.includes("\n") ||
    value.includes("\r") ||
    value !== value.trim();
  return needs ? `"${value.replaceAll('"', '""')}"` : value;
}
