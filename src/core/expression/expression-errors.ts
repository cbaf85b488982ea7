import type { ASTNode, TypeError as CelTypeError, ParseError } from "@marcbachmann/cel-js";
import { closest } from "../agreement/agreement-issue.js";
import { sizeFunction } from "./cel-environment.js";
import type { ExpressionError, ExpressionType, VariableSchema } from "./expression-types.js";

/**
 * cel-js's errors rewritten for an agreement author: Baton's type names (number, not double),
 * the field or variable in question, what is declared, and a "did you mean".
 */

/** Functions and methods Baton compiles; anything else is refused with this list. */
export const supportedFunctions = [
  "has(scope.field)",
  "size(x) / x.size()",
  "s.contains(t)",
  "s.startsWith(t)",
  "s.endsWith(t)",
  "s.lowerAscii()",
  "s.upperAscii()",
  "s.trim()",
  'timestamp("2026-01-01T00:00:00Z")',
  'duration("36h")',
] as const;

/** CEL type names as an author reads them. */
export function authorType(celType: string | undefined): string {
  if (celType === undefined) return "a value";
  return celType
    .replaceAll("google.protobuf.Timestamp", "timestamp")
    .replaceAll("google.protobuf.Duration", "duration")
    .replaceAll(/\b(double|int|uint)\b/g, "number")
    .replaceAll(/\$([a-z][\w-]*)/g, "$1 record");
}

export function unknownVariable(
  name: string,
  offset: number,
  schema: VariableSchema,
): ExpressionError {
  const known = Object.keys(schema);
  const suggestion = closest(name, known);
  return {
    message: `unknown variable '${name}'; known variables: ${known.join(", ")}${suggestion ? `. Did you mean '${suggestion}'?` : ""}`,
    offset,
    length: name.length,
    hint: suggestion
      ? `write ${suggestion}`
      : "expressions read fields of the variables listed, e.g. lead.country",
  };
}

export function unknownField(
  scope: string,
  field: string,
  offset: number,
  schema: VariableSchema,
): ExpressionError {
  const known = Object.keys(schema[scope] ?? {});
  const suggestion = closest(field, known);
  return {
    message: `unknown field ${scope}.${field}; known fields: ${known.join(", ")}${suggestion ? `. Did you mean '${suggestion}'?` : ""}`,
    offset,
    length: field.length,
    hint: suggestion
      ? `write ${scope}.${suggestion}`
      : `declare it under fields.${scope} in the agreement, or use one of the known fields`,
  };
}

export function describeCelError(
  error: ParseError | CelTypeError,
  source: string,
  schema: VariableSchema,
): ExpressionError {
  const node = error.node as ASTNode | undefined;
  const start = node?.start ?? error.range?.start ?? 0;
  const end = node?.end ?? error.range?.end ?? start;
  const at = { offset: start, ...(end > start ? { length: end - start } : {}) };
  // size() is checked under another name (cel-environment.ts); authors wrote `size`.
  const summary = error.summary.replaceAll(sizeFunction, "size");
  const text = (child: ASTNode) => source.slice(child.start, child.end);

  switch (error.code) {
    case "unknown_variable":
      if (node?.op === "id") return unknownVariable(node.args, node.start, schema);
      break;
    case "no_such_key":
      if (node?.op === "." && node.args[0].op === "id")
        return unknownField(
          node.args[0].args,
          node.args[1],
          node.end - node.args[1].length,
          schema,
        );
      if (node?.op === "[]" && node.args[0].op === "id" && node.args[1].op === "value")
        return unknownField(
          node.args[0].args,
          String(node.args[1].args),
          node.args[1].start,
          schema,
        );
      break;
    case "no_such_overload": {
      if (node === undefined || !Array.isArray(node.args)) break;
      const operands = (node.args as unknown[]).filter(
        (argument): argument is ASTNode =>
          typeof argument === "object" && argument !== null && "op" in argument,
      );
      if (operands.length === 2) {
        const [left, right] = operands as [ASTNode, ASTNode];
        const leftType = authorType(typeOf(left));
        const rightType = authorType(typeOf(right));
        return {
          message: `'${node.op}' cannot combine ${leftType} (${text(left)}) with ${rightType} (${text(right)})`,
          ...at,
          hint: mismatchHint(node.op, leftType, rightType),
        };
      }
      break;
    }
    case "no_matching_overload": {
      const match = /'(?:([\w.<>$]+)\.)?(\w+)\(([^)]*)\)'/.exec(summary);
      if (match) {
        const [, receiver, name, argumentTypes] = match;
        const call = receiver
          ? `${authorType(receiver)}.${name}(${authorType(argumentTypes)})`
          : `${name}(${authorType(argumentTypes)})`;
        return {
          message: `no function ${call}`,
          ...at,
          hint: `Baton supports ${supportedFunctions.join(", ")}`,
        };
      }
      break;
    }
    case "incompatible_ternary_branches":
      return {
        message: `both branches of '? :' must have the same type: ${authorType(summary.match(/got '([^']+)'/)?.[1])} and ${authorType(summary.match(/and '([^']+)'/)?.[1])}`,
        ...at,
      };
    case "invalid_logical_operand":
      return {
        message: `'&&' and '||' combine conditions, but ${authorType(summary.match(/got '([^']+)'/)?.[1])} is not one`,
        ...at,
        hint: "compare the value, e.g. company.employees >= 200",
      };
    case "invalid_index_type":
      return { message: "a list index is a whole number written out, e.g. lead.tags[0]", ...at };
    case "invalid_macro_argument":
      return { message: "has() takes one field, e.g. has(lead.country)", ...at };
    case "unexpected_character":
    case "unexpected_token": {
      const word = /^[A-Za-z_]\w*/.exec(source.slice(start))?.[0];
      if (word === "and" || word === "or" || word === "not")
        return {
          message: `'${word}' is not an operator in CEL`,
          offset: start,
          length: word.length,
          hint: "write && for and, || for or, ! for not",
        };
      if (summary.includes("EOF"))
        return {
          message: "the expression ends too early; something is missing at the end",
          offset: source.length,
          hint: "complete the comparison or close the bracket",
        };
      const character = source[start];
      if (error.code === "unexpected_character")
        return {
          message: `unexpected character '${character ?? ""}'`,
          ...at,
          hint:
            character === "="
              ? "compare with == (one = is not an operator)"
              : character === "&" || character === "|"
                ? "write && for and, || for or"
                : undefined,
        };
      return { message: summary.charAt(0).toLowerCase() + summary.slice(1), ...at };
    }
    case "limit_exceeded":
      return {
        message: `expression is too large: ${summary.charAt(0).toLowerCase()}${summary.slice(1)}`,
        ...at,
        hint: "split it into several rules",
      };
  }
  return { message: summary.charAt(0).toLowerCase() + summary.slice(1), ...at };
}

function typeOf(node: ASTNode): string | undefined {
  const checked = (node as { checkedType?: { name?: unknown } }).checkedType;
  return typeof checked?.name === "string" ? checked.name : undefined;
}

function mismatchHint(operator: string, left: string, right: string): string | undefined {
  const pair = new Set([left, right]);
  if (pair.has("number") && pair.has("string"))
    return 'numbers are written without quotes (company.employees >= 200), text with quotes (lead.country == "US")';
  if (operator === "in" && right.startsWith("list<"))
    return `the list holds ${right.slice(5, -1)} values; compare it with a ${right.slice(5, -1)}`;
  if (pair.has("timestamp"))
    return 'compare timestamps with timestamps: lead.created_at > timestamp("2026-01-01T00:00:00Z")';
  if (pair.has("bool"))
    return "a bool field is a condition by itself: lead.persona_match, or !lead.student";
  return undefined;
}

/** The expression checks, but gives another type than the caller needs. */
export function wrongType(
  source: string,
  expect: "bool" | "number",
  actual: ExpressionType,
): ExpressionError {
  const leading = source.length - source.trimStart().length;
  const length = source.trim().length;
  return expect === "bool"
    ? {
        message: `a condition must be true or false, but this expression gives a ${actual}`,
        offset: leading,
        length,
        hint:
          actual === "number"
            ? "compare it, e.g. lead.score >= 90"
            : actual === "string"
              ? 'compare it, e.g. lead.country == "US"'
              : undefined,
      }
    : {
        message: `expected a number, but this expression gives a ${actual}`,
        offset: leading,
        length,
      };
}
