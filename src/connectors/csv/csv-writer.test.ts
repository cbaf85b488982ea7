import { describe, expect, it } from "vitest";
import { csvLine, defused } from "./csv-writer.js";

describe("csvLine", () => {
  it("quotes delimiters, quotes and line breaks, in the file's delimiter", () => {
    expect(csvLine(["a;b", 'say "hi"', "two\nlines", "plain"], ";")).toBe(
      '"a;b";"say ""hi""";"two\nlines";plain\r\n',
    );
    expect(csvLine(["a,b", "c"], ",")).toBe('"a,b",c\r\n');
  });

  it("keeps a spreadsheet from running a value as a formula, but leaves numbers alone", () => {
    expect(defused('=HYPERLINK("http://evil.example","x")')).toBe(
      `'=HYPERLINK("http://evil.example","x")`,
    );
    expect(defused("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(defused("+1 555 0100 call")).toBe("'+1 555 0100 call");
    expect(defused("-12")).toBe("-12");
    expect(defused("-1,5")).toBe("-1,5");
    expect(defused("ana@acme.com")).toBe("ana@acme.com");
    expect(csvLine(["=1+1", "ok"], ",")).toBe("'=1+1,ok\r\n");
  });
});
