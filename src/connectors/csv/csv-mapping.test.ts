import { describe, expect, it } from "vitest";
import { compileDateFormat, parseMapping, valueKey } from "./csv-mapping.js";

const file = "leads.mapping.yaml";

function issuesOf(text: string) {
  const parsed = parseMapping(text, file);
  if (parsed.ok) throw new Error("expected the mapping to be refused");
  return parsed.issues;
}

describe("parseMapping", () => {
  it("reads columns in the short and the long form, with their lines", () => {
    const parsed = parseMapping(
      [
        "system: webinar-tool",
        "timezone: Europe/Paris",
        "dates: [DD/MM/YYYY, iso]",
        "columns:",
        "  Email: { to: fields.email, required: true }",
        "  Ref: externalId",
        "  Source:",
        "    to: fields.source",
        "    values: { Organic Search: website }",
        "    unmapped: error",
      ].join("\n"),
      file,
    );
    if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join("; "));
    const { mapping } = parsed;
    expect(mapping).toMatchObject({ system: "webinar-tool", timezone: "Europe/Paris" });
    expect(mapping.dates).toEqual([
      { kind: "pattern", text: "DD/MM/YYYY", luxon: "d/M/yyyy" },
      { kind: "iso" },
    ]);
    expect(mapping.columns.map((column) => [column.column, column.line, column.required])).toEqual([
      ["Email", 5, true],
      ["Ref", 6, false],
      ["Source", 7, false],
    ]);
    expect(mapping.columns[2]?.values?.get("organic_search")).toBe("website");
    expect(mapping.columns[2]?.unmapped).toBe("error");
  });

  it("names the file, line and key of an unknown key, with a suggestion", () => {
    const [issue, ...rest] = issuesOf(
      ["columns:", "  Email: fields.email", "  Phone: { to: fields.phone, requird: true }"].join(
        "\n",
      ),
    );
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ file, line: 3, path: ["columns", "Phone", "requird"] });
    expect(issue?.message).toMatch(/'requird'.*did you mean 'required'/);
  });

  it("refuses a bad target, time zone and date format, each at its line", () => {
    const issues = issuesOf(
      [
        "timezone: Mars/Olympus",
        "dates: [iso, DD.MM.YYYY QQ]",
        "columns:",
        "  Email: feilds.email",
        "  Created: { to: createdAt, formats: [YYYY-MM-DD] }",
      ].join("\n"),
    );
    expect(issues.map((issue) => [issue.line, issue.message])).toEqual([
      [1, "'Mars/Olympus' is not a time zone"],
      [2, "the date format 'DD.MM.YYYY QQ' has 'QQ', which is not a date token"],
      [4, "'feilds.email' is not a target"],
    ]);
    expect(issues.every((issue) => issue.hint !== undefined && issue.file === file)).toBe(true);
  });

  it("refuses a header mapped twice and a file without columns", () => {
    const twice = issuesOf(
      ["columns:", "  Email: fields.email", "  Mail: { to: fields.email, also: [email] }"].join(
        "\n",
      ),
    );
    expect(twice[0]).toMatchObject({ line: 3 });
    expect(twice[0]?.message).toMatch(/'email' is already mapped by column 'Email'/);
    expect(issuesOf("columns: {}")[0]?.message).toMatch(/no columns are mapped/);
    expect(issuesOf("system: x")[0]?.message).toMatch(/required field is missing/);
    expect(issuesOf("columns: [a")[0]).toMatchObject({ code: "syntax", line: 1 });
  });

  it("hints at the mapping keys, not the agreement's schema", () => {
    const issue = issuesOf(["colums:", "  Email: fields.email"].join("\n")).find((found) =>
      found.message.startsWith("unknown key 'colums'"),
    );
    expect(issue?.message).toMatch(/did you mean 'columns'/);
    expect(issue?.hint).toMatch(/mapping file/);
    expect(issue?.hint).not.toMatch(/agreement/);
  });
});

describe("date formats and value keys", () => {
  it("translates the notation to Luxon", () => {
    expect(compileDateFormat("MM/DD/YYYY h:mm A")).toEqual({
      ok: true,
      format: { kind: "pattern", text: "MM/DD/YYYY h:mm A", luxon: "M/d/yyyy h:mm a" },
    });
    expect(compileDateFormat("YYYY-MM-DDTHH:mm:ss")).toMatchObject({
      ok: true,
      format: { luxon: "yyyy-M-d'T'H:mm:ss" },
    });
    expect(compileDateFormat("ISO")).toEqual({ ok: true, format: { kind: "iso" } });
    expect(compileDateFormat("DD Month YYYY")).toEqual({ ok: false, token: "Month" });
  });

  it("compares value keys ignoring case, spaces and punctuation", () => {
    expect(valueKey(" Organic Search ")).toBe("organic_search");
    expect(valueKey("ORGANIC_SEARCH")).toBe("organic_search");
    expect(valueKey("Seminar - Internal")).toBe("seminar_internal");
  });
});
