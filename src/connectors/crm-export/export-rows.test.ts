import { describe, expect, it } from "vitest";
import { ExportDates } from "./export-dates.js";
import { detectFormat, planColumns } from "./export-formats.js";
import { Interner, LeadRowReader } from "./export-rows.js";
import { ValueMeanings } from "./status-mapping.js";

const header = [
  "Record ID",
  "Create Date",
  "Lifecycle Stage",
  "Lead Status",
  "Original Source",
  "Became a Marketing Qualified Lead Date",
  "Became a Sales Qualified Lead Date",
];

function hubspotReader(): LeadRowReader {
  const format = detectFormat(header)!.format;
  return new LeadRowReader({
    plan: planColumns(format, header),
    dates: new ExportDates([{ kind: "iso" }], "UTC"),
    meanings: new ValueMeanings("hubspot"),
    interner: new Interner(),
    decimal: ".",
  });
}

describe("LeadRowReader", () => {
  it("keeps stage entries in time order, then funnel order, whatever the columns' order", () => {
    const reader = hubspotReader();
    // an SQL date before the creation (a data problem the audit shows as it is), and the MQL
    // date on the created instant
    const result = reader.read(
      [
        "7",
        "2026-03-02 10:00",
        "marketingqualifiedlead",
        "",
        " Web ",
        "2026-03-02 10:00",
        "2026-03-01 09:00",
      ],
      2,
    );
    if (!result.ok) throw new Error(result.skip.reason);
    expect(
      result.record.stages.map((entry) => [entry.stage, new Date(entry.at).toISOString()]),
    ).toEqual([
      ["sql", "2026-03-01T09:00:00.000Z"],
      ["new", "2026-03-02T10:00:00.000Z"],
      ["mql", "2026-03-02T10:00:00.000Z"],
    ]);
    // the current stage is the last entry, as the lifecycle says; values are trimmed
    expect(result.record.stage).toBe("mql");
    expect(result.record.source).toBe("Web");
  });

  it("keeps entries that are in order already (created, MQL, SQL)", () => {
    const result = hubspotReader().read(
      [
        "8",
        "2026-03-01 09:00",
        "salesqualifiedlead",
        "",
        "Web",
        "2026-03-01 10:00",
        "2026-03-02 11:00",
      ],
      3,
    );
    if (!result.ok) throw new Error(result.skip.reason);
    expect(result.record.stages.map((entry) => entry.stage)).toEqual(["new", "mql", "sql"]);
    expect(result.record.stage).toBe("sql");
  });
});
