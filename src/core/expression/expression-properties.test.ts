import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { celEnvironmentFor, parseAndCheck, toCelContext } from "./cel-environment.js";
import { findUnsupported } from "./compile-ast.js";
import { compileExpression } from "./compile-expression.js";
import type { ExpressionContext, VariableSchema } from "./expression-types.js";

/**
 * Baton's compiled closures against cel-js's own evaluator, on the same checked tree: for every
 * context where cel-js gives an answer, Baton gives the same one. cel-js reads numbers as CEL
 * doubles (the tree's integer literals are doubles too) and timestamps as Dates.
 */

const schema: VariableSchema = {
  lead: {
    country: "string",
    title: "string",
    score: "number",
    tags: "list<string>",
    student: "bool",
    persona_match: "bool",
    created_at: "timestamp",
  },
  company: { employees: "number", country: "string", industry: "string" },
};

const expressions = [
  'company.employees >= 200 && lead.country in ["US", "CA"]',
  "company.employees * 2 + lead.score > 300",
  "lead.country == company.country || lead.score < 10.5",
  '"trial" in lead.tags && !lead.student',
  'lead.title.contains("VP") || lead.title.startsWith("Dir")',
  'lead.title.endsWith("er") != lead.student',
  "size(lead.tags) >= 2 ? lead.score > 50 : company.employees <= 100",
  "company.employees - lead.score >= 0 && company.employees % 3 == 1",
  'lead.created_at > timestamp("2026-01-01T00:00:00Z")',
  'lead.created_at - duration("48h") < timestamp("2026-01-01T00:00:00Z")',
  "lead.country < company.country",
  "lead.persona_match == lead.student",
  "company.employees / 4 >= 62.5",
  "-company.employees < -100 || lead.score <= 0",
  'lead.country + company.country == "USCA"',
  'lead.title.lowerAscii() == "vp sales"',
  'lead.title.upperAscii().contains("SALES")',
  'size(lead.tags) > 0 && lead.tags[0] == "trial"',
  'company.industry in ["software", "fintech"] && lead.persona_match',
  "has(lead.country) && size(lead.country) == 2",
  "company.employees in [100, 250, 500]",
  '!(lead.country == "US") && company.employees != 250',
  'lead.tags == ["trial", "webinar"]',
  'company.employees > 100 ? lead.country != "US" : lead.title == ""',
  "size(lead.tags) in [0, 2] || (lead.student ? size(lead.title) : 0) > 3",
];

const countries = fc.constantFrom("US", "CA", "GB", "DE", "", "us");
const words = fc.constantFrom(
  "VP Sales",
  "vp sales",
  "Director",
  "Engineer",
  "Dir. Ops",
  "",
  "SALES lead",
);
const tag = fc.constantFrom("trial", "webinar", "demo", "");

const leadFields = {
  country: countries,
  title: fc.oneof(words, fc.string({ unit: "grapheme-ascii", maxLength: 12 })),
  score: fc.oneof(
    fc.integer({ min: -50, max: 500 }),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  ),
  tags: fc.array(tag, { maxLength: 4 }),
  student: fc.boolean(),
  persona_match: fc.boolean(),
  created_at: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 0, 1) }),
};

const companyFields = {
  employees: fc.oneof(
    fc.integer({ min: 0, max: 2_000 }),
    fc.constantFrom(100, 200, 250, 500),
    fc.double({ min: 0, max: 1e5, noNaN: true }),
  ),
  country: countries,
  industry: fc.constantFrom("software", "fintech", "retail", ""),
};

const completeContext = fc.record({
  lead: fc.record(leadFields),
  company: fc.record(companyFields),
});

/** Some fields absent, some scopes absent. */
const partialContext = fc.record(
  {
    lead: fc.record(leadFields, { requiredKeys: [] }),
    company: fc.record(companyFields, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

function celResult(
  source: string,
  context: ExpressionContext,
): { ok: true; value: unknown } | { ok: false } {
  const cel = celEnvironmentFor(schema);
  const checked = parseAndCheck(source, cel, findUnsupported);
  if (!checked.ok) throw new Error(`${source}: ${JSON.stringify(checked.errors)}`);
  try {
    return { ok: true, value: checked.evaluateWithCel(toCelContext(context, cel)) };
  } catch {
    return { ok: false };
  }
}

describe("compiled expressions agree with cel-js", () => {
  it.each(expressions)("%s on complete contexts", (source) => {
    const compiled = compileExpression(source, schema, "bool");
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    fc.assert(
      fc.property(completeContext, (context) => {
        const theirs = celResult(source, context);
        expect(theirs.ok).toBe(true);
        if (theirs.ok) expect(compiled.evaluate(context)).toBe(theirs.value);
      }),
      { numRuns: 300 },
    );
  });

  it.each(expressions)("%s on contexts with missing fields", (source) => {
    const compiled = compileExpression(source, schema, "bool");
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    fc.assert(
      fc.property(partialContext, (context) => {
        const ours = compiled.evaluate(context);
        expect(typeof ours).toBe("boolean");
        const theirs = celResult(source, context);
        if (theirs.ok) expect(ours).toBe(theirs.value);
      }),
      { numRuns: 200 },
    );
  });
});
