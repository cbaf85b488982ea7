import { describe, expect, it } from "vitest";
import type { MetricResult } from "../core/metrics/metric.js";
import { formatFigure, formatMetricTable } from "./metric-table.js";

describe("figures as cells", () => {
  it("shows rates with their counts, null as a dash, durations and money with units", () => {
    // 7 ÷ 17 = 0.41176… → 41.2 %
    expect(
      formatFigure({ value: 7 / 17, unit: "rate", numerator: 7, denominator: 17, records: [] }),
    ).toBe("41.2 % (7/17)");
    expect(
      formatFigure({ value: null, unit: "rate", numerator: 0, denominator: 0, records: [] }),
    ).toBe("— (0/0)");
    expect(formatFigure({ value: null, unit: "minutes", records: [] })).toBe("—");
    expect(formatFigure(undefined)).toBe("—");
    expect(formatFigure({ value: 12_345, unit: "count", records: [] })).toBe("12,345");
    expect(formatFigure({ value: 12.25, unit: "minutes", records: [] })).toBe("12.3 min");
    expect(formatFigure({ value: 1_500.5, unit: "currency", records: [] })).toBe("1,500.5");
  });
});

describe("the table", () => {
  const result: MetricResult = {
    metric: "acceptance",
    title: "MQL→SAL acceptance",
    definition: "…",
    records: "leads",
    // 2026-03-09 00:00 and 2026-03-16 00:00 in New York (EDT, UTC−4)
    from: Date.parse("2026-03-09T04:00:00Z"),
    to: Date.parse("2026-03-16T04:00:00Z"),
    by: "source",
    total: {
      decided: { value: 0.75, unit: "rate", numerator: 3, denominator: 4, records: [] },
      pending: { value: 2, unit: "count", records: [] },
    },
    groups: [
      {
        key: "webinar",
        label: "Webinar",
        figures: {
          decided: { value: null, unit: "rate", numerator: 0, denominator: 0, records: [] },
          pending: { value: 2, unit: "count", records: [] },
        },
      },
      {
        key: "website",
        label: "website",
        figures: {
          decided: { value: 0.75, unit: "rate", numerator: 3, denominator: 4, records: [] },
          pending: { value: 0, unit: "count", records: [] },
        },
      },
    ],
  };

  it("has a row per group and a Total row, a column per figure, aligned", () => {
    const table = formatMetricTable(result, { timezone: "America/New_York" });
    // widths: labels 7 ("Webinar"), decided 12 ("75.0 % (3/4)"), pending 7 (its title)
    expect(table.split("\n")).toEqual([
      "MQL→SAL acceptance · 2026-03-09 to 2026-03-16 (America/New_York) · by source",
      "",
      `source ${" ".repeat(7)}decided  pending`,
      "───────  ────────────  ───────",
      `Webinar  ${" ".repeat(5)}— (0/0)  ${" ".repeat(6)}2`,
      `website  75.0 % (3/4)  ${" ".repeat(6)}0`,
      "───────  ────────────  ───────",
      `Total    75.0 % (3/4)  ${" ".repeat(6)}2`,
    ]);
  });

  it("shows the total alone without a breakdown", () => {
    const table = formatMetricTable({ ...result, by: null, groups: [] });
    // in UTC the period starts at 04:00, so the time is shown
    expect(table.split("\n")[0]).toBe(
      "MQL→SAL acceptance · 2026-03-09 04:00 to 2026-03-16 04:00 (UTC)",
    );
    // widths: labels 5 ("Total"), decided 12, pending 7; no rule under the total alone
    expect(table.split("\n").slice(2)).toEqual([
      `${" ".repeat(12)}decided  pending`,
      "─────  ────────────  ───────",
      `Total  75.0 % (3/4)  ${" ".repeat(6)}2`,
    ]);
  });
});
