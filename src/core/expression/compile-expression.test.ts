import { describe, expect, it } from "vitest";
import { compileCondition, compileExpression } from "./compile-expression.js";
import type { ExpressionContext, VariableSchema } from "./expression-types.js";

const schema: VariableSchema = {
  lead: {
    country: "string",
    title: "string",
    email: "string",
    score: "number",
    tags: "list<string>",
    student: "bool",
    persona_match: "bool",
    created_at: "timestamp",
  },
  company: { employees: "number", revenue: "number", industry: "string", name: "string" },
  account: { owner: "string", has_open_opportunity: "bool" },
};

const lead: ExpressionContext = {
  lead: {
    country: "US",
    title: "VP Marketing",
    email: "ana@acme.example",
    score: 72.5,
    tags: ["webinar", "trial"],
    student: false,
    persona_match: true,
    created_at: Date.UTC(2026, 2, 15, 12),
  },
  company: {
    employees: 250,
    revenue: 12_500_000.5,
    industry: "software",
    name: "Acme  Analytics ",
  },
};

function evaluate(source: string, context: ExpressionContext = lead): unknown {
  const compiled = compileExpression(source, schema);
  if (!compiled.ok) throw new Error(`${source}: ${JSON.stringify(compiled.errors)}`);
  return compiled.evaluate(context);
}

describe("compileExpression: values", () => {
  it.each([
    ["company.employees >= 200", true],
    ["company.employees >= 251", false],
    ["company.employees == 250", true],
    ["company.employees != 250", false],
    ["company.employees > 249.5", true],
    ["company.employees < 1e3", true],
    ["company.revenue > 12500000", true],
    ["company.employees >= 200u", true],
    ['lead.country in ["US", "CA"]', true],
    ['lead.country in ["GB", "IE"]', false],
    ['!(lead.country in ["GB", "IE"])', true],
    ["company.employees in [100, 250, 500]", true],
    ['company.employees >= 200 && lead.country in ["US", "CA"]', true],
    ['company.employees >= 1000 || lead.country == "US"', true],
    ['company.employees >= 1000 || lead.country == "CA"', false],
    ['lead.country == "US"', true],
    ['lead.country == "us"', false],
    ['lead.country.lowerAscii() == "us"', true],
    ['lead.country != "CA"', true],
    ['"trial" in lead.tags', true],
    ['"demo" in lead.tags', false],
    ['lead.title.contains("Marketing")', true],
    ['lead.title.contains("marketing")', false],
    ['lead.title.lowerAscii().contains("marketing")', true],
    ['lead.email.endsWith("@acme.example")', true],
    ['lead.title.startsWith("VP")', true],
    ["size(lead.tags) == 2", true],
    ["lead.tags.size() >= 2", true],
    ["size(lead.country) == 2", true],
    ['company.name.trim() == "Acme  Analytics"', true],
    ['lead.title.upperAscii() == "VP MARKETING"', true],
    ["lead.persona_match", true],
    ["lead.persona_match == true", true],
    ["!lead.student", true],
    ["lead.student == false", true],
    ["has(lead.country)", true],
    ["has(account.owner)", false],
    ['lead["country"] == "US"', true],
    ['lead.tags[0] == "webinar"', true],
    ['lead.tags[5] == "webinar"', false],
    ["company.employees * 2 > 400", true],
    ["company.employees / 1000 == 0.25", true],
    ["company.employees % 7 == 5", true],
    ["-company.employees < 0", true],
    ["lead.score + 10 >= 82.5", true],
    ["size(lead.tags) + 1 == 3", true],
    ["1 + size(lead.tags) == 3", true],
    ["size(lead.tags) in [1, 2]", true],
    ["(lead.score > 0 ? size(lead.tags) : 0) == 2", true],
    ['company.employees >= 1000 ? "enterprise" == "x" : lead.country == "US"', true],
    ['lead.created_at > timestamp("2026-01-01T00:00:00Z")', true],
    ['lead.created_at < timestamp("2026-03-15T12:00:00Z") + duration("1s")', true],
    ['lead.created_at - timestamp("2026-03-14T12:00:00Z") >= duration("24h")', true],
    ['lead.country < "ZZ"', true],
    ['"b" + "c" == "bc"', true],
    ["[1, 2] == [1, 2]", true],
    ["true", true],
  ])("%s → %s", (source, expected) => {
    expect(evaluate(source)).toBe(expected);
  });

  it("returns non-boolean results with their type", () => {
    const score = compileExpression("company.employees / 10 + lead.score", schema, "number");
    expect(score.ok && score.type).toBe("number");
    expect(score.ok && score.evaluate(lead)).toBe(97.5);
    const text = compileExpression('lead.country + "-" + company.industry', schema);
    expect(text.ok && [text.type, text.evaluate(lead)]).toEqual(["string", "US-software"]);
    const tags = compileExpression('lead.tags + ["x"]', schema);
    expect(tags.ok && [tags.type, tags.evaluate(lead)]).toEqual([
      "list<string>",
      ["webinar", "trial", "x"],
    ]);
    const when = compileExpression("lead.created_at", schema);
    expect(when.ok && [when.type, when.evaluate(lead)]).toEqual([
      "timestamp",
      Date.UTC(2026, 2, 15, 12),
    ]);
  });

  it("treats integer and decimal literals as one number type", () => {
    expect(evaluate("company.employees == 250.0")).toBe(true);
    expect(evaluate("7 / 2 == 3.5")).toBe(true);
    expect(evaluate("company.employees in [250.0, 1]")).toBe(true);
  });

  it("compares strings exactly, case-sensitive, as CEL does", () => {
    expect(evaluate('lead.country == "US "')).toBe(false);
    expect(evaluate('lead.country == "us"')).toBe(false);
    expect(evaluate('lead.country in ["us"]')).toBe(false);
  });

  it("changes ASCII letters only in lowerAscii and upperAscii", () => {
    const context = { lead: { title: "ÉLAN Directeur" } };
    expect(evaluate('lead.title.lowerAscii() == "Élan directeur"', context)).toBe(true);
    expect(evaluate('lead.title.upperAscii() == "ÉLAN DIRECTEUR"', context)).toBe(true);
  });

  it("counts characters as code points", () => {
    expect(evaluate("size(lead.title) == 3", { lead: { title: "a😀é" } })).toBe(true);
  });
});

describe("compileExpression: missing values", () => {
  const empty: ExpressionContext = { lead: {}, company: {} };

  it.each([
    "company.employees >= 200",
    "company.employees < 200",
    "company.employees == 200",
    "company.employees != 200",
    'lead.country == "US"',
    'lead.country != "US"',
    'lead.country in ["US", "CA"]',
    '"trial" in lead.tags',
    'lead.title.contains("VP")',
    'lead.title.lowerAscii() == ""',
    "size(lead.tags) == 0",
    "size(lead.tags) != 0",
    "company.employees * 2 > 0",
    "company.employees * 2 != 1",
    "lead.persona_match",
    "lead.persona_match == false",
    "lead.persona_match != true",
    'lead.created_at < timestamp("2100-01-01T00:00:00Z")',
    "has(lead.country)",
    'lead.country < "ZZ"',
    "lead.country == company.industry",
    "lead.tags == lead.tags",
  ])("%s is false when its field is missing", (source) => {
    expect(evaluate(source, empty)).toBe(false);
    expect(evaluate(source, {})).toBe(false);
  });

  it("lets ! turn a failed test into true", () => {
    expect(evaluate('!(lead.country == "US")', empty)).toBe(true);
    expect(evaluate("!lead.student", empty)).toBe(true);
    expect(evaluate("!has(lead.country)", empty)).toBe(true);
  });

  it("treats null and values of another type as missing", () => {
    const odd = { lead: { country: null, score: "72" }, company: { employees: "250" } };
    expect(evaluate("has(lead.country)", odd)).toBe(false);
    expect(evaluate("lead.score > 1", odd)).toBe(false);
    expect(evaluate("company.employees >= 200", odd)).toBe(false);
    expect(evaluate("company.employees >= 200", { company: { employees: Number.NaN } })).toBe(
      false,
    );
  });

  it("returns undefined for a missing non-boolean result", () => {
    const score = compileExpression("company.employees / 10", schema, "number");
    expect(score.ok && score.evaluate(empty)).toBeUndefined();
  });

  it("lets || succeed on its other side", () => {
    expect(
      evaluate('company.employees >= 200 || lead.country == "US"', { lead: { country: "US" } }),
    ).toBe(true);
  });
});

describe("compileCondition", () => {
  it("returns a predicate", () => {
    const condition = compileCondition('lead.country == "US"', schema);
    expect(condition.ok && [condition.test(lead), condition.test({})]).toEqual([true, false]);
  });

  it("refuses a non-boolean expression", () => {
    const condition = compileCondition("lead.score + 90", schema);
    expect(condition.ok).toBe(false);
  });

  it("never throws while evaluating, whatever the context holds", () => {
    const condition = compileCondition(
      'lead.title.lowerAscii().contains("vp") && size(lead.tags) > 0',
      schema,
    );
    if (!condition.ok) throw new Error("expected to compile");
    for (const context of [
      {},
      { lead: undefined },
      { lead: { title: 3, tags: "x" } },
      { lead: { title: [], tags: {} } },
    ]) {
      expect(condition.test(context as ExpressionContext)).toBe(false);
    }
  });
});
