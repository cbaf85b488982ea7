/**
 * Text → CSV records, chunk by chunk, with the physical line where each record starts. Written
 * for speed on the files CRMs export (a million rows should cost about as much as reading them):
 * a record without quotes is one `split`; quoted values are found with `indexOf`. It reads what
 * csv-parse reads with `relax_quotes` and `relax_column_count`, so `baton import` and
 * `baton audit` keep their behaviour:
 *
 * - records end at CRLF, LF or CR; a line break inside a quoted value belongs to the value and
 *   still counts as a physical line (CRLF as one);
 * - a value is quoted only when its first character is `"`; inside, `""` is one quote;
 * - a quote anywhere else is an ordinary character;
 * - a closing quote followed by something other than the delimiter or a line break ("relaxed"):
 *   the value keeps both quotes and runs on, unquoted, to the next delimiter or line break
 *   (`"a"b` reads as `"a"b`);
 * - a quote still open at the end of the input is the one failure (the rest cannot be read).
 *
 * An empty line is a record of one empty value; callers decide to skip it.
 */

export interface TokenizedRecord {
  /** physical line (1-based) where the record starts */
  line: number;
  values: string[];
}

export interface QuoteNotClosed {
  /** the line where the record with the open quote starts */
  line: number;
}

const QUOTE = '"';

export class CsvTokenizer {
  readonly #delimiter: string;
  /** the start of a record not yet complete, read again with the text that follows */
  #carry = "";
  /** text received since the carry was last tried */
  #pending: string[] = [];
  #pendingLength = 0;
  /** the physical line of the next record */
  #line = 1;

  constructor(delimiter: string) {
    this.#delimiter = delimiter;
  }

  /**
   * Appends `text` and adds every record it completes to `records`. An unfinished record is
   * tried again only once the text after it is at least as long as itself, so a value spanning
   * many chunks (or a quote that never closes) is read in linear, not quadratic, time.
   */
  push(text: string, records: TokenizedRecord[]): void {
    if (text.length === 0) return;
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength < this.#carry.length) return;
    this.#run(false, records);
  }

  /** The end of the input: the last records, or the record whose quote never closes. */
  end(records: TokenizedRecord[]): QuoteNotClosed | undefined {
    return this.#run(true, records);
  }

  #run(final: boolean, records: TokenizedRecord[]): QuoteNotClosed | undefined {
    const text = this.#carry + this.#pending.join("");
    this.#pending = [];
    this.#pendingLength = 0;
    const scan = this.#scan(text, final, records);
    this.#carry = scan.rest < text.length ? text.slice(scan.rest) : "";
    return scan.failure;
  }

  #scan(
    text: string,
    final: boolean,
    records: TokenizedRecord[],
  ): { rest: number; failure?: QuoteNotClosed } {
    const length = text.length;
    const delimiter = this.#delimiter;
    // Next positions of LF, CR and quote at or after the scan position (length when none).
    let nextLf = -1;
    let nextCr = -1;
    let nextQuote = -1;
    const find = (char: string, from: number) => {
      const at = text.indexOf(char, from);
      return at === -1 ? length : at;
    };
    let at = 0;
    while (at < length) {
      const start = at;
      const line = this.#line;
      if (nextLf < at) nextLf = find("\n", at);
      if (nextCr < at) nextCr = find("\r", at);
      if (nextQuote < at) nextQuote = find(QUOTE, at);
      const lineEnd = Math.min(nextLf, nextCr);

      if (nextQuote >= lineEnd) {
        // No quote before the line break: the record is the line.
        if (lineEnd === length && !final) return { rest: start };
        const breakLength = lineBreakAt(text, lineEnd, final);
        if (breakLength === -1) return { rest: start };
        records.push({ line, values: text.slice(at, lineEnd).split(delimiter) });
        this.#line = line + 1;
        at = lineEnd + breakLength;
        continue;
      }

      // A record with quotes: value by value.
      const values: string[] = [];
      let breaks = 0;
      for (;;) {
        let value: string;
        if (text.charCodeAt(at) === 34) {
          let content = "";
          let from = at + 1;
          let close: number;
          for (;;) {
            close = text.indexOf(QUOTE, from);
            if (close === -1) {
              if (final) return { rest: length, failure: { line } };
              return { rest: start };
            }
            if (close + 1 === length && !final) return { rest: start };
            if (text.charCodeAt(close + 1) === 34) {
              content += text.slice(from, close + 1);
              from = close + 2;
              continue;
            }
            content += text.slice(from, close);
            break;
          }
          breaks += lineBreaksIn(content);
          at = close + 1;
          if (at < length && !isSeparator(text, at, delimiter)) {
            // Relaxed closing quote: the value keeps its quotes and runs on unquoted.
            const end = this.#valueEnd(text, at, delimiter);
            if (end === length && !final) return { rest: start };
            value = `"${content}"${text.slice(at, end)}`;
            at = end;
          } else value = content;
        } else {
          const end = this.#valueEnd(text, at, delimiter);
          if (end === length && !final) return { rest: start };
          value = text.slice(at, end);
          at = end;
        }
        values.push(value);
        if (at < length && text.startsWith(delimiter, at)) {
          at += delimiter.length;
          continue;
        }
        // A line break or the end of the input ends the record.
        const breakLength = lineBreakAt(text, at, final);
        if (breakLength === -1) return { rest: start };
        records.push({ line, values });
        this.#line = line + breaks + 1;
        at += breakLength;
        break;
      }
    }
    return { rest: length };
  }

  /** The end of an unquoted value: the next delimiter or line break, or the end of the text. */
  #valueEnd(text: string, from: number, delimiter: string): number {
    let end = text.indexOf(delimiter, from);
    if (end === -1) end = text.length;
    const lf = text.indexOf("\n", from);
    if (lf !== -1 && lf < end) end = lf;
    const cr = text.indexOf("\r", from);
    if (cr !== -1 && cr < end) end = cr;
    return end;
  }
}

/**
 * The length of the line break at `at` (CRLF 2, LF or CR 1, end of text 0); -1 when a CR is the
 * last character of text that is not final, since an LF may follow in the next chunk.
 */
function lineBreakAt(text: string, at: number, final: boolean): number {
  if (at >= text.length) return 0;
  if (text.charCodeAt(at) === 13) {
    if (at + 1 === text.length) return final ? 1 : -1;
    return text.charCodeAt(at + 1) === 10 ? 2 : 1;
  }
  return 1;
}

function isSeparator(text: string, at: number, delimiter: string): boolean {
  const code = text.charCodeAt(at);
  return code === 10 || code === 13 || text.startsWith(delimiter, at);
}

/** Physical line breaks inside a value: CRLF, LF or CR, each one line. */
function lineBreaksIn(value: string): number {
  let count = 0;
  for (let index = value.indexOf("\n"); index !== -1; index = value.indexOf("\n", index + 1))
    count++;
  for (let index = value.indexOf("\r"); index !== -1; index = value.indexOf("\r", index + 1))
    if (value.charCodeAt(index + 1) !== 10) count++;
  return count;
}
