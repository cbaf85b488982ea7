import { isAscii } from "node:buffer";
import iconv from "iconv-lite";
import { CsvTokenizer, type TokenizedRecord } from "./csv-tokenizer.js";

/**
 * A streaming CSV reader for files people export from CRMs and spreadsheets: it never holds more
 * than a chunk of the file, and copes with what those files contain.
 *
 * Glossary
 * - encoding: UTF-8 when the bytes are valid UTF-8, otherwise Windows-1252 (a superset of the
 *   printable Latin-1 characters, which is what "ANSI" exports on Western systems are). The
 *   choice is made at the first byte above 0x7F: until then the file is `ascii`, which reads the
 *   same either way, so a 1M-row file is never read twice to decide.
 * - line: the physical line (1-based) where a record starts, counting every CR, LF or CRLF,
 *   including those inside quoted values (csv-tokenizer.ts splits the records).
 * - delimiter: `,`, `;` or tab, sniffed from the header line (the one found most often outside
 *   quotes; `,` when none is).
 */

export const csvDelimiters = [",", ";", "\t"] as const;
export type CsvDelimiter = (typeof csvDelimiters)[number];
export type CsvEncoding = "ascii" | "utf-8" | "windows-1252";

export interface CsvRecord {
  kind: "record";
  /** physical line where the record starts */
  line: number;
  values: string[];
}

/** The rest of the file cannot be read reliably (a quote never closed, a broken quoted value). */
export interface CsvBroken {
  kind: "broken";
  line: number;
  message: string;
  hint: string;
}

export type CsvRow = CsvRecord | CsvBroken;

export interface CsvReadError {
  code: "empty_file" | "utf16" | "binary" | "broken_header";
  message: string;
  hint: string;
}

export interface CsvFile {
  /** header cells, trimmed; an empty cell is named `(column N)` */
  columns: string[];
  headerLine: number;
  delimiter: CsvDelimiter;
  /** the file starts with a UTF-8 byte-order mark (removed from the first column's name) */
  bom: boolean;
  /** the encoding decided so far: `ascii` until the first byte above 0x7F has been read */
  encoding(): CsvEncoding;
  /** bytes read from the source so far */
  bytesRead(): number;
  /** problems with the bytes themselves, such as invalid UTF-8 after valid UTF-8 */
  warnings(): string[];
  /** data records after the header; blank lines are skipped (their lines still count) */
  rows: AsyncIterable<CsvRow>;
  /**
   * the same rows a chunk of the file at a time, for readers of a million rows (an await per
   * batch rather than per row); read either `rows` or `batches`, not both
   */
  batches: AsyncIterable<CsvRow[]>;
}

/** How much of the file is read before deciding the delimiter and, when it can, the encoding. */
const sampleBytes = 64 * 1024;

export async function openCsv(
  bytes: AsyncIterable<Uint8Array>,
): Promise<{ ok: true; file: CsvFile } | { ok: false; error: CsvReadError }> {
  const iterator = bytes[Symbol.asyncIterator]();
  const sampleChunks: Uint8Array[] = [];
  let sampled = 0;
  let exhausted = false;
  let bytesRead = 0;
  while (sampled < sampleBytes) {
    const next = await iterator.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    sampleChunks.push(next.value);
    sampled += next.value.length;
    bytesRead += next.value.length;
  }
  const sample = Buffer.concat(sampleChunks);
  const refused = refuseBytes(sample);
  if (refused !== undefined) return { ok: false, error: refused };

  const decoder = new Decoder();
  const sampleText = decoder.decode(sample, exhausted);
  const delimiter = sniffDelimiter(sampleText);

  async function* text(): AsyncGenerator<string> {
    yield sampleText;
    if (exhausted) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      bytesRead += next.value.length;
      yield decoder.decode(next.value, false);
    }
    yield decoder.decode(new Uint8Array(0), true);
  }

  const batches = parseRecords(text(), delimiter);
  // The header is the first row of the first batch that has one.
  let waiting: CsvRow[] = [];
  while (waiting.length === 0) {
    const next = await batches.next();
    if (next.done) break;
    waiting = next.value;
  }
  const first = waiting.shift();
  if (first === undefined)
    return {
      ok: false,
      error: {
        code: "empty_file",
        message: "the file has no header line",
        hint: "export the file again with its header row (column names) on the first line",
      },
    };
  if (first.kind === "broken")
    return {
      ok: false,
      error: {
        code: "broken_header",
        message: `line ${first.line}: ${first.message}`,
        hint: first.hint,
      },
    };
  const columns = first.values.map((cell, index) => cell.trim() || `(column ${index + 1})`);
  async function* rest(): AsyncGenerator<CsvRow[]> {
    if (waiting.length > 0) yield waiting;
    yield* batches;
  }
  const rowBatches = rest();
  async function* rows(): AsyncGenerator<CsvRow> {
    for await (const batch of rowBatches) yield* batch;
  }
  return {
    ok: true,
    file: {
      columns,
      headerLine: first.line,
      delimiter,
      bom: decoder.bom,
      encoding: () => decoder.encoding,
      bytesRead: () => bytesRead,
      warnings: () => decoder.warnings,
      rows: { [Symbol.asyncIterator]: rows },
      batches: { [Symbol.asyncIterator]: () => rowBatches },
    },
  };
}

function refuseBytes(sample: Buffer): CsvReadError | undefined {
  if (sample.length === 0)
    return {
      code: "empty_file",
      message: "the file is empty",
      hint: "check you passed the exported file, not a new one",
    };
  const utf16 =
    (sample[0] === 0xff && sample[1] === 0xfe) ||
    (sample[0] === 0xfe && sample[1] === 0xff) ||
    (sample.length > 1 && (sample[0] === 0 || sample[1] === 0));
  if (utf16)
    return {
      code: "utf16",
      message: "the file is UTF-16 encoded",
      hint: "save it as CSV UTF-8 (in Excel: Save As → CSV UTF-8) and import that",
    };
  if (sample.includes(0))
    return {
      code: "binary",
      message: "the file is not a text file (it contains NUL bytes)",
      hint: "export the data as CSV; spreadsheets (.xlsx) cannot be imported directly",
    };
  return undefined;
}

/**
 * Bytes to text, deciding between UTF-8 and Windows-1252 at the first byte above 0x7F.
 */
class Decoder {
  encoding: CsvEncoding = "ascii";
  bom = false;
  warnings: string[] = [];
  #started = false;
  #offset = 0;
  #carry: Uint8Array = new Uint8Array(0);
  #utf8 = new TextDecoder("utf-8", { fatal: true });
  #lenient: InstanceType<typeof TextDecoder> | undefined;

  decode(input: Uint8Array, final: boolean): string {
    let chunk: Uint8Array = input;
    if (this.#carry.length > 0) {
      chunk = Buffer.concat([this.#carry, input]);
      this.#carry = new Uint8Array(0);
    }
    if (!this.#started) {
      this.#started = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        this.bom = true;
        this.encoding = "utf-8";
        chunk = chunk.subarray(3);
        this.#offset = 3;
      }
    }
    const start = this.#offset;
    this.#offset += chunk.length;
    switch (this.encoding) {
      case "windows-1252":
        return iconv.decode(chunk, "win1252");
      case "utf-8":
        return this.#decodeUtf8(chunk, final, start);
      case "ascii": {
        if (isAscii(chunk)) return latin1(chunk);
        const high = chunk.findIndex((byte) => byte > 0x7f);
        const prefix = Buffer.from(chunk.subarray(0, high)).toString("latin1");
        const rest = chunk.subarray(high);
        // Too few bytes to tell a UTF-8 sequence from a Windows-1252 letter: wait for more.
        if (rest.length < 4 && !final) {
          this.#carry = rest.slice();
          this.#offset -= rest.length;
          return prefix;
        }
        try {
          const decoded = this.#utf8.decode(rest, { stream: !final });
          this.encoding = "utf-8";
          return prefix + decoded;
        } catch {
          this.#utf8 = new TextDecoder("utf-8", { fatal: true });
          this.encoding = "windows-1252";
          return prefix + iconv.decode(rest, "win1252");
        }
      }
    }
  }

  #decodeUtf8(chunk: Uint8Array, final: boolean, start: number): string {
    if (this.#lenient !== undefined) return this.#lenient.decode(chunk, { stream: !final });
    try {
      return this.#utf8.decode(chunk, { stream: !final });
    } catch {
      // Valid UTF-8 earlier, invalid here: a file pieced together from two sources. Read on, with
      // the replacement character for the invalid bytes, and say so.
      this.warnings.push(
        `the file is UTF-8 but has invalid bytes after byte ${start}; they were read as U+FFFD (�): check those rows`,
      );
      this.#lenient = new TextDecoder("utf-8");
      return this.#lenient.decode(chunk, { stream: !final });
    }
  }
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** The delimiter found most often outside quotes on the first line; `,` when none is. */
export function sniffDelimiter(text: string): CsvDelimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) break;
    else if (!quoted && csvDelimiters.includes(char as CsvDelimiter))
      counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: CsvDelimiter = ",";
  for (const delimiter of csvDelimiters)
    if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

/**
 * Records with the physical line each starts on; blank lines are skipped but counted. The
 * records before a quote that never closes are all read; then the rest of the file is reported
 * as broken at the line where that record starts.
 */
async function* parseRecords(
  text: AsyncIterable<string>,
  delimiter: CsvDelimiter,
): AsyncGenerator<CsvRow[], void, undefined> {
  const tokenizer = new CsvTokenizer(delimiter);
  const take = (records: TokenizedRecord[]): CsvRow[] => {
    const rows: CsvRow[] = [];
    for (const record of records)
      if (!isBlank(record.values))
        rows.push({ kind: "record", line: record.line, values: record.values });
    return rows;
  };
  for await (const chunk of text) {
    const records: TokenizedRecord[] = [];
    tokenizer.push(chunk, records);
    if (records.length > 0) yield take(records);
  }
  const records: TokenizedRecord[] = [];
  const open = tokenizer.end(records);
  const rows = take(records);
  if (open !== undefined)
    rows.push({
      kind: "broken",
      line: open.line,
      message:
        "the CSV cannot be read from here: a quoted value opened in this record never closes",
      hint: 'a value opens a quote (") that never closes; close it, or double the quotes inside it ("")',
    });
  if (rows.length > 0) yield rows;
}

function isBlank(values: readonly string[]): boolean {
  for (const value of values) if (value.trim() !== "") return false;
  return true;
}
