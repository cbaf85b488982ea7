import { describe, expect, it } from "vitest";
import { ExpressionFrame } from "./expression-frame.js";
import type { VariableSchema } from "./expression-types.js";

const schema: VariableSchema = {
  lead: {
    country: "string",
    score: "number",
    tags: "list<string>",
    student: "bool",
    created_at: "timestamp",
  },
  company: { employees: "number" },
};

function compiled(frame: ExpressionFrame, source: string) {
  const condition = frame.compileCondition(source);
  if (!condition.ok) throw new Error(JSON.stringify(condition.errors));
  return condition.test;
}

describe("ExpressionFrame", () => {
  it("gives a field read by several expressions one slot", () => {
    const frame = new ExpressionFrame(schema);
    compiled(frame, 'lead.country == "US"');
    compiled(frame, 'lead.country in ["CA"] || company.employees > 10');
    compiled(frame, "has(lead.country)");
    expect(frame.size).toBe(2);
  });

  it("evaluates every expression over one load of the record", () => {
    const frame = new ExpressionFrame(schema);
    const us = compiled(frame, 'lead.country == "US"');
    const big = compiled(frame, "company.employees >= 200");
    const values = frame.values();
    frame.load(values, "lead", { country: "US" });
    frame.load(values, "company", { employees: 500 });
    expect([us(values), big(values)]).toEqual([true, true]);
    frame.load(values, "company", undefined);
    expect([us(values), big(values)]).toEqual([true, false]);
  });

  it("normalises values to the declared type when loading", () => {
    const frame = new ExpressionFrame(schema);
    const tests = [
      compiled(frame, "has(lead.score)"),
      compiled(frame, "has(lead.tags)"),
      compiled(frame, "has(lead.student)"),
      compiled(frame, 'lead.created_at == timestamp("2026-01-01T00:00:00Z")'),
    ];
    const values = frame.values();
    frame.load(values, "lead", {
      score: "12",
      tags: "a,b",
      student: "yes",
      created_at: new Date("2026-01-01T00:00:00Z"),
    });
    expect(tests.map((test) => test(values))).toEqual([false, false, false, true]);
  });

  it("starts with every slot missing", () => {
    const frame = new ExpressionFrame(schema);
    const test = compiled(frame, "!has(lead.score) && !has(lead.country)");
    expect(test(frame.values())).toBe(true);
  });

  it("reports compile errors like compileExpression", () => {
    const frame = new ExpressionFrame(schema);
    const result = frame.compileCondition("lead.scor > 1");
    expect(result.ok === false && result.errors[0]?.message).toContain("Did you mean 'score'?");
    expect(frame.compileCondition("lead.score").ok).toBe(false);
  });
});
