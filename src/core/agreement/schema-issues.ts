import type { z } from "zod";
import { type AgreementIssue, closest } from "./agreement-issue.js";

/**
 * Schema issues in Baton's words: what was expected at which field, what was found, and how to
 * fix it. zod's own messages name types ("Invalid input"); an agreement author needs the keys and
 * values the schema allows at that place, read here from the schema itself.
 */

type ZodIssue = z.core.$ZodIssue;

/** Turns a schema issue into Baton's words: what was expected at which field, and how to fix it. */
export function fromZodIssue(
  issue: ZodIssue,
  data: unknown,
  schema: unknown,
): { issue: AgreementIssue; unknownKey?: string }[] {
  const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
  const base = { severity: "error" as const, code: "schema", path };
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const known = knownKeysOfSchema(schema, path);
        const suggestion = closest(key, known);
        return {
          issue: {
            ...base,
            path: [...path, key],
            message: `unknown key '${key}'${suggestion ? `; did you mean '${suggestion}'?` : ""}`,
            hint: "remove it or correct its spelling; the JSON Schema in schema/agreement.schema.json lists every key",
          },
          unknownKey: key,
        };
      });
    case "invalid_type": {
      const actual = describeValue(valueAt(data, path));
      const missing = actual === "nothing";
      return [
        {
          issue: {
            ...base,
            message: missing
              ? `required field is missing (expected ${issue.expected})`
              : `expected ${issue.expected}, got ${actual}`,
            hint: missing ? `add '${String(path[path.length - 1])}'` : undefined,
          },
        },
      ];
    }
    case "too_small":
    case "too_big": {
      const value = valueAt(data, path);
      const small = issue.code === "too_small";
      const bound = String(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const inclusive = issue.inclusive !== false;
      const relation = small
        ? inclusive
          ? "at least"
          : "more than"
        : inclusive
          ? "at most"
          : "less than";
      const message =
        issue.origin === "array"
          ? `needs ${relation} ${bound} item${bound === "1" ? "" : "s"}, got ${Array.isArray(value) ? value.length : 0}`
          : issue.origin === "string"
            ? small && bound === "1"
              ? "must not be empty"
              : `must be ${relation} ${bound} characters long`
            : `expected a number ${relation} ${bound}, got ${describeValue(value)}`;
      return [{ issue: { ...base, message } }];
    }
    case "invalid_format": {
      const expected =
        issue.format === "date"
          ? "a date written YYYY-MM-DD"
          : issue.format === "email"
            ? "an e-mail address"
            : issue.format === "regex"
              ? issue.message
              : `a ${issue.format}`;
      return [
        {
          issue: {
            ...base,
            message: `expected ${expected}, got ${describeValue(valueAt(data, path))}`,
          },
        },
      ];
    }
    case "invalid_union": {
      const value = valueAt(data, path);
      if (value === undefined)
        return [
          {
            issue: {
              ...base,
              message: "required field is missing",
              hint: `add '${String(path[path.length - 1])}'`,
            },
          },
        ];
      return [
        {
          issue: {
            ...base,
            message: unionMessage(value, schema, path),
            hint: "see the allowed forms for this field in schema/agreement.schema.json",
          },
        },
      ];
    }
    case "invalid_value":
      return [
        {
          issue: {
            ...base,
            message: `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, got ${describeValue(valueAt(data, path))}`,
          },
        },
      ];
    default:
      return [{ issue: { ...base, message: issue.message } }];
  }
}

/** What a value that fits none of a field's forms was, and which forms there are. */
function unionMessage(value: unknown, schema: unknown, path: readonly (string | number)[]): string {
  const literals = literalsOfSchema(schema, path);
  const keys = knownKeysOfSchema(schema, path);
  if (typeof value === "string" && literals.length > 0) {
    const suggestion = closest(value, literals.map(String));
    return `expected ${literals.map((literal) => JSON.stringify(literal)).join(" or ")}${keys.length > 0 ? " or a mapping" : ""}, got ${describeValue(value)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ""}`;
  }
  if (isRecord(value) && keys.length > 0) {
    const given = Object.keys(value);
    const only = given.length === 1 ? given[0] : undefined;
    if (only !== undefined && keys.includes(only)) {
      // The form is right; its value is not (e.g. `notify: ownr`).
      const allowed = literalsOfSchema(schema, [...path, only]).map(String);
      const inner = value[only];
      if (allowed.length > 0 && typeof inner === "string") {
        const suggestion = closest(inner, allowed);
        return `'${only}: ${inner}' is not allowed; ${only} is one of ${allowed.join(", ")}${suggestion ? `. Did you mean '${suggestion}'?` : ""}`;
      }
    }
    const unknown = given.filter((key) => !keys.includes(key));
    const suggestion = unknown[0] === undefined ? undefined : closest(unknown[0], keys);
    return `a mapping with ${given.map((key) => `'${key}'`).join(", ") || "no keys"} fits none of the allowed forms; allowed keys: ${keys.join(", ")}${suggestion ? `. Did you mean '${suggestion}'?` : ""}`;
  }
  return `${describeValue(value)} does not match any allowed form`;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Keys the schema allows at a path, read from the zod object shapes. */
function knownKeysOfSchema(root: unknown, path: readonly (string | number)[]): string[] {
  let candidates: unknown[] = [root];
  for (const part of path) {
    candidates = candidates.flatMap((schema) => {
      const def = definition(unwrap(schema));
      if (!def) return [];
      if (def.type === "object" && def.shape) return [def.shape[String(part)]];
      if (def.type === "record") return [def.valueType];
      if (def.type === "array") return [def.element];
      if (def.type === "union" && def.options)
        return def.options.flatMap((option) => stepInto(option, part));
      return [];
    });
  }
  const keys = candidates.flatMap((schema) => objectKeys(schema));
  return [...new Set(keys)];
}

function stepInto(schema: unknown, part: string | number): unknown[] {
  const def = definition(unwrap(schema));
  if (def?.type === "object" && def.shape) return [def.shape[String(part)]];
  if (def?.type === "union" && def.options)
    return def.options.flatMap((option) => stepInto(option, part));
  return [];
}

/** Literal values a schema (or the options of a union) accepts at a path, e.g. "24/7". */
function literalsOfSchema(root: unknown, path: readonly (string | number)[]): unknown[] {
  let candidates: unknown[] = [root];
  for (const part of path)
    candidates = candidates.flatMap((schema) =>
      stepInto(schema, part).concat(stepIntoContainer(schema)),
    );
  const literals = (schema: unknown): unknown[] => {
    const def = definition(unwrap(schema));
    if (def?.type === "literal" && def.values) return def.values;
    if (def?.type === "enum" && def.entries) return Object.values(def.entries);
    if (def?.type === "union" && def.options) return def.options.flatMap(literals);
    return [];
  };
  return [...new Set(candidates.flatMap(literals))];
}

function stepIntoContainer(schema: unknown): unknown[] {
  const def = definition(unwrap(schema));
  if (def?.type === "record") return [def.valueType];
  if (def?.type === "array") return [def.element];
  if (def?.type === "union" && def.options) return def.options.flatMap(stepIntoContainer);
  return [];
}

function objectKeys(schema: unknown): string[] {
  const def = definition(unwrap(schema));
  if (def?.type === "object" && def.shape) return Object.keys(def.shape);
  if (def?.type === "union" && def.options) return def.options.flatMap(objectKeys);
  return [];
}

interface SchemaDefinition {
  type: string;
  shape?: Record<string, unknown>;
  valueType?: unknown;
  element?: unknown;
  innerType?: unknown;
  options?: unknown[];
  values?: unknown[];
  entries?: Record<string, unknown>;
}

function definition(schema: unknown): SchemaDefinition | undefined {
  if (schema === null || typeof schema !== "object") return undefined;
  const internals = (schema as { _zod?: { def?: SchemaDefinition } })._zod;
  return internals?.def;
}

function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = definition(current);
    if (def && (def.type === "optional" || def.type === "nullable" || def.type === "default")) {
      current = def.innerType;
    } else {
      return current;
    }
  }
  return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
