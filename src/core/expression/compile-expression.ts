import { wrongType } from "./expression-errors.js";
import { ExpressionFrame } from "./expression-frame.js";
import type { CompileResult, ConditionResult, VariableSchema } from "./expression-types.js";

/**
 * Compiles a CEL expression against the declared variables: parse and type-check with cel-js,
 * then build plain closures (see compile-ast.ts for the value rules).
 *
 * `expect` names the type the caller needs: a condition must be `bool`, a score `number`.
 * Every failure is returned as errors located in the source; evaluating never throws.
 *
 * Each compiled expression has a frame of its own, reused by every evaluation: evaluating runs
 * to completion without calling out, so one values array is enough. To evaluate many
 * expressions over the same record, compile them into one `ExpressionFrame` so shared fields
 * are read once.
 */
export function compileExpression(
  source: string,
  schema: VariableSchema,
  expect?: "bool" | "number",
): CompileResult {
  const frame = new ExpressionFrame(schema);
  const result = frame.compile(source);
  if (!result.ok) return result;
  const { evaluate, type } = result.compiled;
  if (expect !== undefined && type !== expect)
    return { ok: false, errors: [wrongType(source, expect, type)] };
  const values = frame.values();
  const load = frame.contextLoader();
  return {
    ok: true,
    type,
    evaluate: (context) => {
      load(values, context);
      return evaluate(values);
    },
  };
}

/** A `bool` expression as a predicate: true only when the expression is exactly true. */
export function compileCondition(source: string, schema: VariableSchema): ConditionResult {
  const frame = new ExpressionFrame(schema);
  const result = frame.compileCondition(source);
  if (!result.ok) return result;
  const { test } = result;
  const values = frame.values();
  const load = frame.contextLoader();
  return {
    ok: true,
    test: (context) => {
      load(values, context);
      return test(values);
    },
  };
}
