import { describe, expect, it } from "vitest";
import { expressionSchemaOf } from "../../core/agreement/expression-schema.js";
import { parseMapping } from "./csv-mapping.js";
import { presetMapping } from "./csv-presets.js";
import { type ColumnPlan, mapRow, parseInstant, parseNumber, planColumns } from "./lead-rows.js";

const variables = expressionSchemaOf({
  fields: { lead: { persona_match: "bool" }, company: { segment: "string" } },
});

function mappingOf(lines: string[]) {
  const parsed = parseMapping(lines.join("\n"), "map.yaml");
  if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join("; "));
  return parsed.mapping;
}

function plan(columns: string[], lines: string[], delimiter: "," | ";" = ","): ColumnPlan {
  const planned = planColumns(mappingOf(lines), columns, variables, {
    strictTargets: true,
    delimiter,
  });
  if (!planned.ok) throw new Error(planned.issues.map((issue) => issue.message).join("; "));
  return planned.plan;
}

describe("planColumns", () => {
  it("lists the columns used and those ignored, with why", () => {
    const planned = planColumns(
      presetMapping("hubspot"),
      ["Record ID", "Email", "Lifecycle Stage", "Contact owner", "Favourite colour", "Email"],
      variables,
      { strictTargets: false, delimiter: "," },
    );
    if (!planned.ok) throw new Error("expected a plan");
    expect(planned.plan.used.map((use) => [use.column, use.field])).toEqual([
      ["Record ID", "externalId"],
      ["Email", "fields.email"],
    ]);
    expect(planned.plan.ignored).toEqual([
      {
        column: "Lifecycle Stage",
        reason: "the agreement declares no field fields.lifecycle_stage",
      },
      { column: "Contact owner", reason: "ignored by the mapping" },
      { column: "Favourite colour", reason: "not in the mapping" },
      { column: "Email", reason: "a second column named 'Email'; the first is used" },
    ]);
  });

  it("makes an undeclared target in a mapping file an error at its line", () => {
    const planned = planColumns(
      mappingOf(["columns:", "  Email: fields.email", "  Persona: fields.persona_mach"]),
      ["Email", "Persona"],
      variables,
      { strictTargets: true, delimiter: "," },
    );
    expect(planned).toMatchObject({
      ok: false,
      issues: [{ file: "map.yaml", line: 3, path: ["columns", "Persona"] }],
    });
    if (!planned.ok)
      expect(planned.issues[0]?.message).toMatch(/did you mean fields.persona_match\?/);
  });

  it("refuses a file without a required column, listing the columns it has", () => {
    const planned = planColumns(
      presetMapping("salesforce"),
      ["Id", "Last Name", "Company"],
      variables,
      { strictTargets: false, delimiter: "," },
    );
    expect(planned.ok).toBe(false);
    if (!planned.ok)
      expect(planned.issues[0]?.message).toBe(
        "the file has no column 'Email', which the mapping marks required; its columns are: Id, Last Name, Company",
      );
  });
});

describe("mapRow", () => {
  const columns = ["Id", "Email", "Employees", "Persona", "Source", "Created", "Tags"];
  const mapping = [
    "system: crm",
    "timezone: America/New_York",
    "dates: [MM/DD/YYYY h:mm A, iso]",
    "columns:",
    "  Id: externalId",
    "  Email: { to: fields.email, required: true }",
    "  Employees: company.employees",
    "  Persona: fields.persona_match",
    "  Source: { to: fields.source, values: { Organic Search: website }, unmapped: error }",
    "  Created: createdAt",
    "  Tags: fields.tags",
  ];

  it("turns a row into a lead with typed values", () => {
    const row = mapRow(plan(columns, mapping), [
      "00Q1",
      " Ana@Example.com ",
      "1,200",
      "yes",
      "ORGANIC_SEARCH",
      "3/9/2026 9:30 AM",
      "a; b ;",
    ]);
    expect(row).toEqual({
      ok: true,
      lead: {
        system: "crm",
        externalId: "00Q1",
        createdAt: Date.parse("2026-03-09T13:30:00Z"),
        fields: {
          email: "Ana@Example.com",
          persona_match: true,
          source: "website",
          tags: ["a", "b"],
        },
        company: { employees: 1200 },
      },
      keys: { externalId: "00Q1", email: "ana@example.com" },
    });
  });

  it("gives every problem of a bad row with its column and field", () => {
    const row = mapRow(plan(columns, mapping), ["", "", "lots", "maybe", "TV", "31/12/2026", ""]);
    expect(row.ok).toBe(false);
    if (row.ok) return;
    expect(row.problems.map((problem) => [problem.column, problem.field])).toEqual([
      ["Email", "fields.email"],
      ["Employees", "company.employees"],
      ["Persona", "fields.persona_match"],
      ["Source", "fields.source"],
      ["Created", "createdAt"],
    ]);
    expect(row.problems[0]?.reason).toBe(
      "Email is blank and the mapping marks it required; fill it in or remove the row",
    );
    expect(row.problems[4]?.reason).toMatch(
      /matches none of the date formats \(MM\/DD\/YYYY h:mm A, iso\)/,
    );
  });

  it("refuses an address that is not one and a row of the wrong width", () => {
    const short = plan(["Email", "Id"], ["columns:", "  Email: fields.email", "  Id: externalId"]);
    expect(mapRow(short, ["bob@", "1"])).toMatchObject({
      ok: false,
      problems: [
        {
          column: "Email",
          reason: "'bob@' is not an e-mail address; correct it or remove the row",
        },
      ],
    });
    expect(mapRow(short, ["a@x.io", "1", "extra"])).toMatchObject({
      ok: false,
      problems: [
        { column: "(row)", reason: expect.stringMatching(/3 values but the header has 2/) },
      ],
    });
  });

  it("reads a decimal comma in ;-delimited files", () => {
    const semicolon = plan(
      ["Email", "Employees"],
      ["columns:", "  Email: fields.email", "  Employees: company.employees"],
      ";",
    );
    expect(mapRow(semicolon, ["a@x.io", "1.200"])).toMatchObject({
      ok: true,
      lead: { company: { employees: 1200 } },
    });
  });
});

describe("values", () => {
  it("parses numbers with either decimal mark", () => {
    expect(parseNumber("1,200.5", ".")).toBe(1200.5);
    expect(parseNumber("1.200,5", ",")).toBe(1200.5);
    expect(parseNumber("1 200", ".")).toBe(1200);
    expect(parseNumber("-3", ".")).toBe(-3);
    expect(parseNumber("12,00", ".")).toBeUndefined();
    expect(parseNumber("201-500", ".")).toBeUndefined();
  });

  it("reads dates in the mapping's zone unless they carry an offset", () => {
    const iso = [{ kind: "iso" as const }];
    expect(parseInstant("2026-03-09T09:00", iso, "America/New_York")).toBe(
      Date.parse("2026-03-09T13:00:00Z"),
    );
    expect(parseInstant("2026-03-09T09:00:00Z", iso, "America/New_York")).toBe(
      Date.parse("2026-03-09T09:00:00Z"),
    );
    const european = [{ kind: "pattern" as const, text: "DD/MM/YYYY", luxon: "d/M/yyyy" }];
    expect(parseInstant("31/12/2026", european, "Europe/London")).toBe(
      Date.parse("2026-12-31T00:00:00Z"),
    );
    expect(parseInstant("12/31/2026", european, "UTC")).toBeUndefined();
  });
});
