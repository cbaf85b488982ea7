/**
 * CEL expressions for agreement conditions: parsed and type-checked by cel-js against the
 * declared fields, compiled to closures. See expression-types.ts for the glossary,
 * compile-ast.ts for how values behave (numbers, missing fields, strings) and
 * expression-frame.ts for evaluating many expressions over one record.
 */
export { compileCondition, compileExpression } from "./compile-expression.js";
export { ExpressionFrame } from "./expression-frame.js";
export * from "./expression-types.js";
