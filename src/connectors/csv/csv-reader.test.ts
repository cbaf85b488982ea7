import { describe, expect, it } from "vitest";
import { type CsvFile, type CsvRow, openCsv, sniffDelimiter } from "./csv-reader.js";

async function* chunks(bytes: Uint8Array, size = bytes.length): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(bytes: Uint8Array, size?: number) {
  const opened = await openCsv(chunks(bytes, size));
  if (!opened.ok) throw new Error(opened.error.message);
  const rows: CsvRow[] = [];
  for await (const row of opened.file.rows) rows.push(row);
  return { file: opened.file, rows };
}

const text = (value: string) => new TextEncoder().encode(value);
const records = (rows: CsvRow[]) =>
  rows.map((row) => (row.kind === "record" ? [row.line, ...row.values] : row));

describe("openCsv", () => {
  it("strips a byte-order mark and reads CRLF files", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("Email,Name\r\na@x.io,Ann\r\nb@x.io,Bo\r\n"),
    ]);
    const { file, rows } = await read(bytes);
    expect(file.columns).toEqual(["Email", "Name"]);
    expect(file.bom).toBe(true);
    expect(file.encoding()).toBe("utf-8");
    expect(records(rows)).toEqual([
      [2, "a@x.io", "Ann"],
      [3, "b@x.io", "Bo"],
    ]);
  });

  it("keeps the physical line where a record with quoted newlines starts", async () => {
    const { rows } = await read(
      text(
        'Email,Note\r\na@x.io,"one\r\ntwo\r\nthree"\r\n\r\nb@x.io,plain\r\nc@x.io,"x\ny"\nd@x.io,last',
      ),
    );
    expect(records(rows)).toEqual([
      [2, "a@x.io", "one\r\ntwo\r\nthree"],
      [6, "b@x.io", "plain"],
      [7, "c@x.io", "x\ny"],
      [9, "d@x.io", "last"],
    ]);
  });

  it("sniffs ; and tab delimiters from the header line, ignoring quoted ones", async () => {
    const semicolon = await read(text('Email;"Company, Inc";Note\na@x.io;Acme, Inc;"a;b"\n'));
    expect(semicolon.file.delimiter).toBe(";");
    expect(semicolon.file.columns).toEqual(["Email", "Company, Inc", "Note"]);
    expect(records(semicolon.rows)).toEqual([[2, "a@x.io", "Acme, Inc", "a;b"]]);
    const tab = await read(text("Email\tName\na@x.io\tAnn, Jr\n"));
    expect(tab.file.delimiter).toBe("\t");
    expect(records(tab.rows)).toEqual([[2, "a@x.io", "Ann, Jr"]]);
    expect(sniffDelimiter("single\nrow")).toBe(",");
  });

  it("reads Windows-1252 (é, €) and Latin-1 when the bytes are not UTF-8", async () => {
    // "Café;5 €" in Windows-1252: é = 0xE9, € = 0x80
    const windows = Buffer.concat([
      Buffer.from("Name;Price\n"),
      Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x3b, 0x35, 0x20, 0x80, 0x0a]),
    ]);
    const first = await read(windows);
    expect(first.file.encoding()).toBe("windows-1252");
    expect(records(first.rows)).toEqual([[2, "Café", "5 €"]]);
    // Latin-1 "Müller,Zoë"
    const latin1 = Buffer.from("Last,First\nM\u00fcller,Zo\u00eb\n", "latin1");
    const second = await read(latin1);
    expect(second.file.encoding()).toBe("windows-1252");
    expect(records(second.rows)).toEqual([[2, "Müller", "Zoë"]]);
  });

  it("keeps UTF-8 when it is valid, even when a letter is split across chunks", async () => {
    const bytes = text("Name\nJosé\nZoë\n€uro\n");
    for (const size of [1, 2, 3, 5, 64]) {
      const { file, rows } = await read(bytes, size);
      expect(file.encoding()).toBe("utf-8");
      expect(records(rows)).toEqual([
        [2, "José"],
        [3, "Zoë"],
        [4, "€uro"],
      ]);
    }
  });

  it("decides the encoding at the first non-ASCII byte, after the sample", async () => {
    const ascii = "Name\n".concat("plain\n".repeat(20_000));
    const bytes = Buffer.concat([Buffer.from(ascii), Buffer.from([0x47, 0xe9, 0x0a])]);
    const { file, rows } = await read(bytes, 4096);
    expect(file.encoding()).toBe("windows-1252");
    expect(rows.at(-1)).toEqual({ kind: "record", line: 20_002, values: ["Gé"] });
  });

  it("reports a quote that never closes at the line where its record starts", async () => {
    const { rows } = await read(text('Email,Note\na@x.io,ok\nb@x.io,"never closed\nc@x.io,x\n'));
    expect(rows[0]).toMatchObject({ kind: "record", line: 2 });
    expect(rows[1]).toMatchObject({ kind: "broken", line: 3 });
    expect((rows[1] as { hint: string }).hint).toMatch(/never closes/);
  });

  it("refuses UTF-16, binary and empty files with what to do", async () => {
    const refused = async (bytes: Uint8Array) => {
      const opened = await openCsv(chunks(bytes));
      return opened.ok ? undefined : opened.error;
    };
    expect(await refused(Buffer.from([0xff, 0xfe, 0x45, 0x00]))).toMatchObject({
      code: "utf16",
      hint: expect.stringMatching(/CSV UTF-8/),
    });
    expect(await refused(Buffer.from("PK\u0003\u0004\u0000\u0000"))).toMatchObject({
      code: "binary",
    });
    expect(await refused(new Uint8Array(0))).toMatchObject({ code: "empty_file" });
    expect(await refused(text("\n\n"))).toMatchObject({ code: "empty_file" });
  });

  it("counts bytes read for progress", async () => {
    const bytes = text("Email\na@x.io\n");
    const { file } = await read(bytes);
    expect((file as CsvFile).bytesRead()).toBe(bytes.length);
  });
});
