import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvTokenizer, type QuoteNotClosed, type TokenizedRecord } from "./csv-tokenizer.js";

/** Tokenizes `text` cut into chunks at `cuts` (positions), as the reader feeds it. */
function tokenize(
  text: string,
  cuts: number[] = [],
  delimiter = ",",
): { records: TokenizedRecord[]; open: QuoteNotClosed | undefined } {
  const tokenizer = new CsvTokenizer(delimiter);
  const records: TokenizedRecord[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    tokenizer.push(text.slice(from, cut), records);
    from = cut;
  }
  tokenizer.push(text.slice(from), records);
  const open = tokenizer.end(records);
  return { records, open };
}

const rows = (records: TokenizedRecord[]) =>
  records.map((record) => [record.line, ...record.values]);

describe("CsvTokenizer", () => {
  it("splits plain, quoted and empty records with their physical lines", () => {
    const { records, open } = tokenize('a,b\r\n"x, ""y""",\r\n\n"one\r\ntwo\nthree",z\rlast');
    expect(open).toBeUndefined();
    // line 3 is empty; the quoted value spans lines 4–6 (CRLF counts once); CR alone ends line 6
    expect(rows(records)).toEqual([
      [1, "a", "b"],
      [2, 'x, "y"', ""],
      [3, ""],
      [4, "one\r\ntwo\nthree", "z"],
      [7, "last"],
    ]);
  });

  it("reads a quote inside a value as a character, and a relaxed closing quote as csv-parse does", () => {
    const { records } = tokenize('5" screen,"a"b,c\n');
    // `"a"b`: the quote closes before b, so the value keeps both quotes and runs on to the comma
    expect(rows(records)).toEqual([[1, '5" screen', '"a"b', "c"]]);
  });

  it("reports a quote that never closes at the line its record starts, after the records before it", () => {
    const { records, open } = tokenize('a\nb\n"c\nd\n');
    expect(rows(records)).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
    expect(open).toEqual({ line: 3 });
  });

  it("gives the same records whatever the chunks, CRLF and doubled quotes split across them", () => {
    const text = 'id;note\r\n1;"a ""b""\r\nc"\r\n2;plain\r\n';
    const whole = tokenize(text, [], ";");
    for (let cut = 1; cut < text.length; cut++)
      expect(tokenize(text, [cut], ";").records).toEqual(whole.records);
    expect(rows(whole.records)).toEqual([
      [1, "id", "note"],
      [2, "1", 'a "b"\r\nc'],
      [4, "2", "plain"],
    ]);
  });

  it("reads what csv-parse reads (relax_quotes, relax_column_count), in any chunks", () => {
    const alphabet = fc.constantFrom("a", "b", ",", '"', "\n", "\r", "\r\n", " ");
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join("")),
        fc.array(fc.nat(40), { maxLength: 4 }),
        (text, cuts) => {
          let expected: string[][] | "open";
          try {
            expected = parse(text, {
              record_delimiter: ["\r\n", "\n", "\r"],
              relax_quotes: true,
              relax_column_count: true,
              skip_empty_lines: false,
            }) as string[][];
          } catch {
            expected = "open";
          }
          const { records, open } = tokenize(
            text,
            cuts.filter((cut) => cut < text.length),
          );
          if (expected === "open") expect(open).toBeDefined();
          else {
            expect(open).toBeUndefined();
            expect(records.map((record) => record.values)).toEqual(expected);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
