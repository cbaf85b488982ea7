import { describe, expect, it } from "vitest";
import { compileExpression } from "./compile-expression.js";
import { type ExpressionError, expressionLimits, type VariableSchema } from "./expression-types.js";

const schema: VariableSchema = {
  lead: {
    country: "string",
    score: "number",
    tags: "list<string>",
    student: "bool",
    created_at: "timestamp",
  },
  company: { employees: "number", industry: "string" },
};

function errorOf(source: string, expect?: "bool" | "number"): ExpressionError {
  const compiled = compileExpression(source, schema, expect);
  if (compiled.ok) throw new Error(`expected '${source}' to be refused`);
  expect_(compiled.errors).toHaveLength(1);
  return compiled.errors[0]!;
}
const expect_ = expect;

describe("compileExpression: errors", () => {
  it("names an unknown field, lists the known ones and suggests the closest", () => {
    const error = errorOf("company.employes >= 200");
    expect(error.message).toBe(
      "unknown field company.employes; known fields: employees, industry. Did you mean 'employees'?",
    );
    expect(error).toMatchObject({ offset: 8, length: 8, hint: "write company.employees" });
  });

  it("finds an unknown field inside a larger expression", () => {
    const source = 'company.employees >= 200 && lead.contry in ["US"]';
    const error = errorOf(source);
    expect(error.message).toContain("unknown field lead.contry");
    expect(error.message).toContain("Did you mean 'country'?");
    expect(error.offset).toBe(source.indexOf("contry"));
  });

  it("finds an unknown field inside has()", () => {
    const error = errorOf("has(lead.countyr)");
    expect(error.message).toContain("unknown field lead.countyr");
    expect(error.offset).toBe(9);
  });

  it("finds an unknown field written with brackets", () => {
    const error = errorOf('lead["contry"] == "US"');
    expect(error.message).toContain("unknown field lead.contry");
    expect(error.offset).toBe(5);
  });

  it("names an unknown variable", () => {
    const error = errorOf('leed.country == "US"');
    expect(error.message).toBe(
      "unknown variable 'leed'; known variables: lead, company. Did you mean 'lead'?",
    );
    expect(error).toMatchObject({ offset: 0, length: 4 });
  });

  it("explains a number compared with a quoted string", () => {
    const error = errorOf('company.employees == "200"');
    expect(error.message).toBe(
      `'==' cannot combine number (company.employees) with string ("200")`,
    );
    expect(error.hint).toContain("without quotes");
    expect(error).toMatchObject({ offset: 0, length: 26 });
  });

  it("explains a list of the wrong element type", () => {
    const error = errorOf('company.employees in ["200", "500"]');
    expect(error.message).toContain("'in' cannot combine number");
  });

  it("locates a syntax error", () => {
    expect(errorOf('lead.country = "US"')).toMatchObject({
      offset: 13,
      hint: "compare with == (one = is not an operator)",
    });
    expect(errorOf('lead.country == "US" and lead.student')).toMatchObject({
      message: "'and' is not an operator in CEL",
      offset: 21,
      length: 3,
    });
    expect(errorOf('lead.country == "US" &&')).toMatchObject({ offset: 23 });
    expect(errorOf('lead.country == "US').message).toContain("nterminated");
  });

  it("refuses a condition that is not true or false", () => {
    const error = errorOf("  lead.score + 90", "bool");
    expect(error.message).toBe(
      "a condition must be true or false, but this expression gives a number",
    );
    expect(error).toMatchObject({ offset: 2, length: 15 });
  });

  it("refuses a number expression that is not a number", () => {
    expect(errorOf('lead.country == "US"', "number").message).toBe(
      "expected a number, but this expression gives a bool",
    );
  });

  it("refuses unsupported functions and suggests the supported one", () => {
    const lower = errorOf('lead.country.lowercase() == "us"');
    expect(lower).toMatchObject({ offset: 13, length: 9 });
    expect(lower.hint).toContain("did you mean lowerAscii?");
    expect(errorOf('lead.country.matches("^U")').hint).toContain(
      "regular expressions are not supported",
    );
    expect(errorOf('lead.tags.exists(t, t == "x")').message).toContain(
      ".exists() is not supported",
    );
    expect(errorOf("int(lead.score) > 1").message).toContain("function int() is not supported");
  });

  it("refuses maps, null and bytes", () => {
    expect(errorOf('lead.country in {"US": 1}').message).toContain("maps are not supported");
    expect(errorOf("lead.country == null").hint).toContain("has(lead.field)");
    expect(errorOf('b"x" == b"x"').message).toContain("bytes");
  });

  it("refuses a bad timestamp or duration literal at the literal", () => {
    const timestamp = errorOf('lead.created_at > timestamp("2026-13-45")');
    expect(timestamp.message).toBe("'2026-13-45' is not a valid timestamp");
    expect(timestamp.offset).toBe(28);
    expect(
      errorOf('lead.created_at > timestamp("2026-01-01T00:00:00Z") + duration("3 days")').message,
    ).toContain("not a valid duration");
  });

  it("refuses comparing a timestamp with a number", () => {
    expect(errorOf("lead.created_at > 1700000000000").hint).toContain("timestamp(");
  });

  it("asks for a literal list index", () => {
    expect(errorOf('lead.tags[size(lead.tags) - 1] == "x"').message).toContain(
      "whole number written out",
    );
  });

  it("names size() as written in its errors", () => {
    expect(errorOf("size(lead.score) > 1").message).toBe("no function size(number)");
  });

  it("refuses a record used as a value", () => {
    expect(errorOf("has(lead)").message).toContain("has() takes one field");
  });

  it("refuses mixed ternary branches and non-boolean logic", () => {
    expect(errorOf('lead.student ? 1 : "x"').message).toContain("same type");
    expect(errorOf("lead.score && lead.student").message).toContain("combine conditions");
  });

  it("guards the length and depth of an expression", () => {
    const long = `lead.country == "${"x".repeat(expressionLimits.maxLength)}"`;
    expect(errorOf(long)).toMatchObject({ offset: expressionLimits.maxLength });
    const nested = `${"(".repeat(40)}lead.student${")".repeat(40)}`;
    expect(errorOf(nested).message).toContain("too large");
    const chain = Array.from(
      { length: expressionLimits.maxDepth + 5 },
      (_, index) => `lead.score == ${index}`,
    ).join(" || ");
    expect(errorOf(chain).message).toContain(
      `nested more than ${expressionLimits.maxDepth} levels`,
    );
  });
});
