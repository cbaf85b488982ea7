import type { CsvDelimiter } from "./csv-reader.js";

/**
 * One CSV line (with its CRLF) in the same delimiter as the file it reports on, so a
 * spreadsheet that opened the input opens the error file the same way. A value is quoted when it
 * holds the delimiter, a quote, a line break or leading or trailing spaces.
 */
export function csvLine(values: readonly string[], delimiter: CsvDelimiter): string {
  return `${values.map((value) => quoted(value, delimiter)).join(delimiter)}\r\n`;
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
