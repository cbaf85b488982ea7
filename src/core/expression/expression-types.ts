import type { FieldTypeName } from "../lead/field-types.js";

/**
 * Vocabulary of Baton's expressions.
 *
 * Glossary
 * - scope: a top-level variable an expression reads, such as `lead`, `company`, `account` or
 *   `activity`. Each scope is a record of named fields.
 * - variable schema: the scopes an expression may read and the declared type of every field.
 * - missing: a field that is absent, `null`, or holds a value of another type than declared
 *   (e.g. a string in a number field). Every comparison, membership test and string test on a
 *   missing value is false; `has(lead.x)` asks for presence explicitly.
 * - context: the records handed to a compiled expression, one per scope; a scope may be absent
 *   (a lead without a known account) and then all its fields are missing.
 */

/** A declared field type; the same names the agreement's `fields:` section uses. */
export type FieldType = FieldTypeName;

/** Scope name → field name → declared type, e.g. `{ lead: { country: "string" } }`. */
export type VariableSchema = Readonly<Record<string, Readonly<Record<string, FieldType>>>>;

/** The records an expression reads: one per scope. Timestamps are epoch milliseconds. */
export type ExpressionContext = Readonly<
  Record<string, Readonly<Record<string, unknown>> | undefined>
>;

/**
 * The values compiled expressions read: one slot per field, filled by an `ExpressionFrame` from
 * the context and normalised to the field's type (a missing number is NaN, any other missing
 * value `undefined`).
 */
export type FrameValues = readonly unknown[];

/** A problem with an expression, located inside its source so callers can map it to a line and column. */
export interface ExpressionError {
  message: string;
  /** 0-based offset of the problem inside the expression source */
  offset: number;
  /** characters the problem spans, when it spans more than one point */
  length?: number;
  /** how to fix it, when the message alone does not say */
  hint?: string;
}

/**
 * The type an expression produces, as an author reads it. CEL's int, uint and double are all
 * `number` here: Baton evaluates with JavaScript numbers.
 */
export type ExpressionType =
  | "bool"
  | "number"
  | "string"
  | "timestamp"
  | "duration"
  | "list<string>"
  | "list<number>"
  | "list<bool>"
  | "list<timestamp>"
  | "list<duration>";

export type CompileResult =
  | {
      ok: true;
      /**
       * Evaluates the expression. A `bool` expression always returns `true` or `false`; other
       * types return their value or `undefined` when it depends on a missing field. Never throws.
       */
      evaluate: (context: ExpressionContext) => unknown;
      type: ExpressionType;
    }
  | { ok: false; errors: ExpressionError[] };

export type ConditionResult =
  | { ok: true; test: (context: ExpressionContext) => boolean }
  | { ok: false; errors: ExpressionError[] };

/** Guards against expressions that would be slow to check or deep enough to exhaust the stack. */
export const expressionLimits = {
  /** characters of source */
  maxLength: 4_000,
  /** nesting of parentheses, calls and lists, as the CEL parser counts it */
  maxNesting: 32,
  /** depth of the syntax tree; a chain `a && b && c` is as deep as it is long */
  maxDepth: 100,
  /** nodes of the syntax tree */
  maxNodes: 2_000,
} as const;
