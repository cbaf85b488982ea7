import { createReadStream, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditExports } from "../src/app/audit.js";
import { type AuditReport, isAvailable, summariseResult } from "../src/core/audit/audit-report.js";
import { computeMetric } from "../src/core/metrics/metric-registry.js";
import { writeHubspotExport } from "./audit-export-generator.js";
import { cliRunner } from "./cli-runner.js";

const run = cliRunner({});
const fixture = (name: string) => join("test/fixtures/audit", name);
let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "baton-audit-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function auditJson(...argv: string[]): Promise<AuditReport> {
  const result = await run("audit", ...argv, "--json");
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as AuditReport;
}

const flag = (report: AuditReport, id: string) => report.flags.find((entry) => entry.id === id)!;
const figure = (report: AuditReport, metric: string, name: string) => {
  const entry = report.metrics[metric];
  if (entry === undefined || "unavailable" in entry) throw new Error(`${metric} unavailable`);
  return entry.total[name]!;
};

describe("baton audit: Salesforce lead export by labels, BOM, semicolons", () => {
  it("prints what it understood before the numbers", async () => {
    const result = await run(
      "audit",
      fixture("salesforce-leads.csv"),
      "--as-of",
      "2026-11-10T12:00:00Z",
    );
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("Salesforce Lead export, recognised by its columns Lead ID");
    expect(out).toContain("utf-8, semicolon-delimited; 11 rows, 11 read, 0 skipped");
    expect(out).toContain("Lead Status → status");
    expect(out).toContain("columns ignored: Company");
    expect(out).toContain("Open - Not Contacted → new (3)");
    expect(out).toContain("Closed - Not Converted → disqualified (1)");
    expect(out).toContain("Pending Review → UNMAPPED (1)");
    expect(out).toContain("SLA attainment needs Baton's own data");
    expect(out.indexOf("What was understood")).toBeLessThan(out.indexOf("Red flags"));
    expect(out.indexOf("Red flags")).toBeLessThan(out.indexOf("Numbers"));
  });

  it("names the red flags with their evidence", async () => {
    const report = await auditJson(
      fixture("salesforce-leads.csv"),
      "--as-of",
      "2026-11-10T12:00:00Z",
    );
    // No MQL date column: all 11 leads are MQLs at creation. SQL: 00Q003 (Qualified) and 00Q004
    // (converted) → 2/11 = 18.2 %, below the 20 % line.
    const conversion = flag(report, "mql-to-sql-below-line");
    expect(conversion.status).toBe("flagged");
    expect(figure(report, "mql-to-sql", "rate")).toMatchObject({ numerator: 2, denominator: 11 });
    // Stuck at 2026-11-10 12:00 (> 48 h, no activity since the stage began):
    // 00Q001 MQL since 02.11 09:00 (195 h), 00Q007 Working since 05.11 09:00 (123 h),
    // 00Q008 "Pending Review" (unmapped → stays MQL) since 06.11 14:00 (94 h).
    // 00Q002 is Working since 02.11 but has activity on 09.11; 00Q009/00Q010 are < 48 h old.
    const stuck = flag(report, "stuck-leads");
    expect(stuck.status).toBe("flagged");
    expect([...stuck.examples].sort()).toEqual(["00Q001", "00Q007", "00Q008"]);
    expect(stuck.evidence).toEqual(["Cara Lin: 2 stuck leads", "Ana Ruiz: 1 stuck lead"]);
    // median of 195, 123, 94 hours
    expect(figure(report, "stuck-leads", "age-p50-hours").value).toBe(123);
    // Rejections: 00Q005 and 00Q011 without a reason, 00Q006 with "Budget".
    const reasons = flag(report, "disposition-without-reason");
    expect(reasons.status).toBe("flagged");
    expect([...reasons.examples].sort()).toEqual(["00Q005", "00Q011"]);
    expect(figure(report, "rejection-mix", "rejections").value).toBe(3);
    // No first-touch column: all 11 MQLs are untouched.
    const touch = flag(report, "no-first-touch");
    expect(touch.status).toBe("flagged");
    expect(touch.summary).toContain("11 MQLs");
    // Web ×4 ("Web " trimmed), web ×1, WEB ×1
    const spellings = flag(report, "source-spellings");
    expect(spellings.status).toBe("flagged");
    expect(spellings.evidence[0]).toContain('"Web" (4)');
    expect(spellings.evidence[0]).toContain('"web" (1)');
    expect(spellings.evidence[0]).toContain('"WEB" (1)');
  });
});

describe("baton audit: Salesforce leads joined to opportunities", () => {
  it("joins by ConvertedOpportunityId and measures win rate and pipeline without source", async () => {
    const report = await auditJson(
      fixture("salesforce-leads.csv"),
      fixture("salesforce-opportunities.csv"),
      "--as-of",
      "2026-11-10T12:00:00Z",
    );
    // 00Q004 converted to 006A1; no other opportunity names a lead.
    expect(report.counts).toEqual({ leads: 11, opportunities: 4, joined: 1 });
    // Closed in the period: 006A1 won (11/09), 006A3 lost (11/08) → 1/2.
    expect(figure(report, "win-rate", "decided")).toMatchObject({
      value: 0.5,
      numerator: 1,
      denominator: 2,
    });
    // 006A1: created 05.11 12:00, closed 09.11 00:00 → 3.5 days.
    expect(figure(report, "sales-cycle", "won-mean-days").value).toBeCloseTo(3.5, 10);
    // 006A2 and 006A4 have no LeadSource and no lead to take one from.
    const noSource = flag(report, "pipeline-without-source");
    expect(noSource.status).toBe("flagged");
    expect([...noSource.examples].sort()).toEqual(["006A2", "006A4"]);
    const opportunities = report.files[1]!;
    expect(opportunities.values.find((entry) => entry.value === "Closed Won")?.meaning).toBe("won");
  });

  it("gives each metric's total as the metric asked without a breakdown", async () => {
    // The report takes a total from the metric's breakdown when it has one; check it against the
    // metric computed on its own, for every metric of the report.
    const files = ["salesforce-leads.csv", "salesforce-opportunities.csv"].map((name) => {
      const path = fixture(name);
      return { name: path, open: () => createReadStream(path), size: statSync(path).size };
    });
    const outcome = await auditExports({
      files,
      mapping: null,
      asOf: Date.parse("2026-11-10T12:00:00Z"),
    });
    if (!outcome.ok) throw new Error(outcome.error.message);
    const { report, history } = outcome;
    const query = {
      from: Date.parse(report.period.from),
      to: Date.parse(report.period.to),
      records: false as const,
    };
    const compared = Object.entries(report.metrics).filter(
      ([name, entry]) => isAvailable(entry) && name !== "stuck-leads",
    );
    expect(compared.map(([name]) => name)).toEqual(
      expect.arrayContaining(["mqls", "mql-to-sql", "deal-quality", "speed-to-lead", "win-rate"]),
    );
    for (const [name, entry] of compared) {
      const alone = computeMetric(history, name, query);
      if (!alone.ok) throw new Error(alone.error.message);
      expect({ name, ...entry }).toEqual({ name, ...summariseResult(alone.result) });
    }
  });
});

describe("baton audit: HubSpot contacts and deals", () => {
  it("reads lifecycle dates, first contact and the malformed row, and joins deals to contacts", async () => {
    const report = await auditJson(fixture("hubspot-contacts.csv"), fixture("hubspot-deals.csv"));
    // as of the latest date in the data: 105 became a customer and 9001 closed 2026-11-09 10:00
    expect(report.asOf).toBe("2026-11-09T10:00:00.000Z");
    const contacts = report.files[0]!;
    expect(contacts.format).toBe("hubspot-contacts");
    expect(contacts.skipped.rows).toEqual([
      {
        line: 11,
        reason:
          "the created date 'not a date' in column Create Date is not a date this export's formats read",
      },
    ]);
    expect(contacts.values).toContainEqual(
      expect.objectContaining({ value: "Bad timing", meaning: "rejected", origin: "built-in" }),
    );
    // MQLs: 101, 102, 104, 105, 106, 107, 108 = 7; SQL: 102, 105 → 2/7 = 28.6 % (clear).
    expect(figure(report, "mql-to-sql", "rate")).toMatchObject({ numerator: 2, denominator: 7 });
    expect(flag(report, "mql-to-sql-below-line").status).toBe("clear");
    // First touch − MQL: 3, 10, 45, 120, 30 minutes → sorted 3, 10, 30, 45, 120:
    // P50 = 30; P90 at rank 3.6 = 45 + 0.6 × 75 = 90.
    expect(figure(report, "speed-to-lead", "p50-minutes").value).toBe(30);
    expect(figure(report, "speed-to-lead", "p90-minutes").value).toBeCloseTo(90, 10);
    expect(figure(report, "speed-to-lead", "band:15-60")).toMatchObject({
      numerator: 2,
      denominator: 5,
    });
    // 107 and 108 were never touched
    expect(flag(report, "no-first-touch").examples.sort()).toEqual(["107", "108"]);
    // Stuck at 11-09 10:00: 103 (new, 146 h), 108 (MQL, 73 h), 109 (subscriber stays new, 72.5 h)
    expect(flag(report, "stuck-leads").examples.sort()).toEqual(["103", "108", "109"]);
    // ORGANIC_SEARCH ×3 and "Organic Search" ×1 differ only in case and punctuation
    expect(flag(report, "source-spellings").evidence).toEqual([
      '"ORGANIC_SEARCH" (3), "Organic Search" (1)',
    ]);
    // 9001 → contact 105, 9002 → contact 102; 9003 and 9004 have neither source nor contact.
    expect(report.counts.joined).toBe(2);
    expect(flag(report, "pipeline-without-source").examples.sort()).toEqual(["9003", "9004"]);
    expect(report.files[1]!.values).toContainEqual(
      expect.objectContaining({ value: "custom_stage_x", origin: "unmapped" }),
    );
    // Won 9001 (20,000) is PAID_SEARCH through contact 105; 9002 (3,000) is PAID_SEARCH itself.
    expect(figure(report, "marketing-sourced", "pipeline").value).toBe(23_000);
    expect(figure(report, "marketing-sourced", "revenue").value).toBe(20_000);
  });

  it("validates against the published JSON Schema", async () => {
    const report = await auditJson(fixture("hubspot-contacts.csv"), fixture("hubspot-deals.csv"));
    const schema = JSON.parse(await readFile("schema/audit-report.schema.json", "utf8"));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.version).toBe(1);
    expect(validate({ ...report, version: 2 })).toBe(false);
  });

  it("writes a self-contained HTML report with the charts", async () => {
    const file = join(folder, "audit.html");
    const result = await run(
      "audit",
      fixture("hubspot-contacts.csv"),
      fixture("hubspot-deals.csv"),
      "--html",
      file,
    );
    expect(result.code).toBe(0);
    const html = await readFile(file, "utf8");
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toContain("<script");
    expect(html).toContain("@media print");
    for (const chart of [
      "Funnel: leads entering each stage in the period",
      "Speed to lead: minutes from MQL to first touch",
      "MQL→SQL conversion by source",
      "Stuck leads by owner",
      "Win rate by owner (won ÷ decided)",
      "MQLs per month, with MQL→SQL conversion",
    ])
      expect(html).toContain(`<svg role="img" aria-label="${chart}"`);
    expect(html).toContain("Deal quality by source");
  });
});

describe("baton audit: a custom export through a mapping file", () => {
  it("reads columns, statuses and marketing sources from the mapping", async () => {
    const report = await auditJson(
      fixture("custom-leads.tsv"),
      "--mapping",
      fixture("custom-mapping.yaml"),
    );
    const file = report.files[0]!;
    expect(file.format).toBe("custom");
    expect(file.delimiter).toBe("tab");
    expect(file.values).toContainEqual(
      expect.objectContaining({ value: "Good fit", meaning: "sql", origin: "mapping file" }),
    );
    expect(file.values).toContainEqual(
      expect.objectContaining({ value: "Whatever", origin: "unmapped" }),
    );
    // 5 MQLs, C3 reached SQL → 1/5 = 20 %: on the line, not below it.
    expect(figure(report, "mql-to-sql", "rate")).toMatchObject({ numerator: 1, denominator: 5 });
    expect(flag(report, "mql-to-sql-below-line").status).toBe("clear");
    // touches 20, 60, 5, 120 minutes → sorted 5, 20, 60, 120: P50 = (20 + 60) / 2 = 40
    expect(figure(report, "speed-to-lead", "p50-minutes").value).toBe(40);
    // C4's rejection has a reason ("too small")
    expect(flag(report, "disposition-without-reason").status).toBe("clear");
  });

  it("reports mapping-file problems at their line", async () => {
    const result = await run(
      "audit",
      fixture("custom-leads.tsv"),
      "--mapping",
      fixture("bad-mapping.yaml"),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("bad-mapping.yaml:3");
    expect(result.stderr).toContain("identifier");
  });
});

describe("baton audit: bad input", () => {
  it("reports malformed rows with their lines and audits the rest", async () => {
    const result = await run("audit", fixture("malformed-leads.csv"), "--json");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as AuditReport;
    const file = report.files[0]!;
    // line 3 has 7 values, line 4 no id, line 5 an unreadable date; line 7 opens a quote that
    // never closes, so M6 and M7 are not read; M1 and M5 are.
    expect(file.read).toBe(2);
    expect(file.skipped.rows.map((row) => row.line)).toEqual([3, 4, 5]);
    expect(file.skipped.rows[0]!.reason).toContain("7 values but the header has 5");
    expect(file.stoppedAt?.line).toBe(7);
    expect(report.counts.leads).toBe(2);
  });

  it("skips a repeated id, whether the ids ascend or not, within a file and across files", async () => {
    const header = "Record ID,Create Date,Lifecycle Stage,Lead Status,Original Source";
    const first = join(folder, "contacts-1.csv");
    const second = join(folder, "contacts-2.csv");
    await writeFile(
      first,
      [
        header,
        "1,2026-11-01,lead,New,Web",
        "2,2026-11-01,lead,New,Web",
        "2,2026-11-02,lead,New,Web",
        "10,2026-11-02,lead,New,Web",
        "5,2026-11-03,lead,New,Web",
        "10,2026-11-03,lead,New,Web",
        "",
      ].join("\n"),
    );
    await writeFile(
      second,
      [header, "7,2026-11-04,lead,New,Web", "1,2026-11-04,lead,New,Web", ""].join("\n"),
    );
    const report = await auditJson(first, second);
    expect(report.counts.leads).toBe(5);
    expect(report.files[0]!.skipped.rows).toEqual([
      { line: 4, reason: "the lead id 2 appears earlier" },
      { line: 7, reason: "the lead id 10 appears earlier" },
    ]);
    expect(report.files[1]!.skipped.rows).toEqual([
      { line: 3, reason: "the lead id 1 appears earlier" },
    ]);
  });

  it("names an unrecognised file, its headers and what to do", async () => {
    const result = await run("audit", fixture("unknown.csv"));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown.csv is not an export baton audit recognises");
    expect(result.stderr).toContain("its columns are: Name, Email, Phone");
    expect(result.stderr).toContain("--mapping");
  });

  it("says when a file is missing", async () => {
    const result = await run("audit", fixture("nope.csv"));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("nope.csv: no such file");
  });
});

describe("baton audit: streaming", () => {
  it("audits 200,000 generated rows in bounded memory", async () => {
    const file = join(folder, "large.csv");
    await writeHubspotExport(file, 200_000);
    const before = process.memoryUsage().rss;
    const report = await auditJson(file);
    const after = process.memoryUsage().rss;
    expect(report.counts.leads).toBe(200_000);
    // Every 10th contact is an MQL (see writeHubspotExport): 20,000 MQLs.
    expect(figure(report, "mqls", "leads").value).toBe(20_000);
    // loose: the history of 200k leads plus metric work stays far below 1 GB of growth
    expect(after - before).toBeLessThan(600 * 1024 * 1024);
  }, 120_000);
});
