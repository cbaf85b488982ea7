import { describe, expect, it } from "vitest";
import { decimalValue, RecordIds } from "./record-ids.js";

function reader(ids: readonly string[]) {
  const records: { id: string }[] = [];
  const known = new RecordIds(records);
  const repeated: string[] = [];
  for (const id of ids) {
    if (known.add(id, records.length)) records.push({ id });
    else repeated.push(id);
  }
  return { records, known, repeated };
}

describe("record ids", () => {
  it("reads only plain decimal numbers as numbers", () => {
    expect(decimalValue("0")).toBe(0);
    expect(decimalValue("901")).toBe(901);
    expect(decimalValue("123456789012345")).toBe(123456789012345);
    for (const id of ["", "007", "-1", "+1", "1.5", "1e3", " 1", "00Q5e000001", "1234567890123456"])
      expect(decimalValue(id)).toBe(-1);
  });

  it("finds records by binary search while the ids ascend", () => {
    const { records, known, repeated } = reader(["3", "10", "11", "250", "1000"]);
    expect(repeated).toEqual([]);
    expect(records.map((_, at) => known.positionOf(records[at]!.id))).toEqual([0, 1, 2, 3, 4]);
    for (const absent of ["4", "1001", "0", "010", "abc", ""])
      expect(known.positionOf(absent)).toBe(undefined);
  });

  it("skips a repeat whether it comes in order or after the order broke", () => {
    const { records, known, repeated } = reader([
      "1",
      "2",
      "2",
      "5",
      "3",
      "5",
      "1",
      "00Q1",
      "00Q1",
      "7",
    ]);
    expect(repeated).toEqual(["2", "5", "1", "00Q1"]);
    expect(records.map((record) => record.id)).toEqual(["1", "2", "5", "3", "00Q1", "7"]);
    for (const [at, record] of records.entries()) expect(known.positionOf(record.id)).toBe(at);
    expect(known.positionOf("4")).toBe(undefined);
  });

  it("treats ids that are not plain numbers as text ('007' is not '7')", () => {
    const { records, known, repeated } = reader(["7", "007", "7.0", "007"]);
    expect(repeated).toEqual(["007"]);
    expect(records.map((record) => record.id)).toEqual(["7", "007", "7.0"]);
    expect(known.positionOf("007")).toBe(1);
    expect(known.positionOf("7")).toBe(0);
  });

  it("forgets every id when cleared, in order or not", () => {
    for (const ids of [
      ["1", "2"],
      ["2", "1"],
    ]) {
      const { records, known } = reader(ids);
      known.clear();
      expect(records.map((record) => known.positionOf(record.id))).toEqual([undefined, undefined]);
      expect(known.add("1", records.length)).toBe(true);
    }
  });

  it("skips a repeat of the first id when it is the next one", () => {
    const { repeated } = reader(["0", "0"]);
    expect(repeated).toEqual(["0"]);
  });
});
