import type { z } from "zod";
import { type AgreementIssue, closest, type LocatedIssue } from "./agreement-issue.js";
import { type Agreement, agreementSchema } from "./agreement-schema.js";
import { checkAgreement, type ValidSections } from "./check-agreement.js";
import { locate, parseYaml, type YamlSource } from "./yaml-locations.js";

export type LoadResult =
  | { ok: true; agreement: Agreement; warnings: LocatedIssue[] }
  | { ok: false; issues: LocatedIssue[] };

/**
 * Parse and check an agreement: YAML syntax, then the schema (types, unknown keys), then meaning
 * (references, expressions, calendars, lifecycle reachability, routing that could leave a lead
 * without an owner). All problems of the first failing layer and every later layer that can
 * still run are reported together, sorted by position in the file.
 */
export function loadAgreement(text: string, file = "agreement.yaml"): LoadResult {
  const read = readDocument(file, text);
  if (!read.ok) return read;
  const { source, data } = read;
  const parsed = agreementSchema.safeParse(data);
  const schemaIssues = parsed.success
    ? []
    : parsed.error.issues
        .flatMap((issue) => fromZodIssue(issue, data, agreementSchema))
        .map(({ issue, unknownKey }) => locate(source, issue, unknownKey));
  const sections = parsed.success ? parsed.data : validSections(data);
  const invalid = new Set(
    isRecord(data)
      ? Object.keys(data).filter((key) => data[key] !== undefined && !(key in sections))
      : [],
  );
  const fieldsValid =
    parsed.success || !isRecord(data) || data.fields === undefined || sections.fields !== undefined;
  const meaningIssues = checkAgreement(sections, fieldsValid, invalid).map((issue) =>
    locate(source, issue),
  );
  const issues = sortIssues([...schemaIssues, ...meaningIssues]);
  if (!parsed.success || issues.some((issue) => issue.severity === "error"))
    return { ok: false, issues };
  return { ok: true, agreement: parsed.data, warnings: issues };
}

/** Each top-level section that passes its own schema, for meaning checks on a broken file. */
function validSections(data: unknown): ValidSections {
  if (!isRecord(data)) return {};
  const sections: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(agreementSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(data[key]);
    if (result.success && result.data !== undefined) sections[key] = result.data;
  }
  return sections as ValidSections;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * YAML (or JSON, which is YAML) text checked against a schema, with every problem located at
 * its line and column. Used for the agreement and for standalone files such as one calendar.
 */
export function parseDocumentWith<T>(
  schema: z.ZodType<T>,
  text: string,
  file: string,
): { ok: true; value: T; source: YamlSource } | { ok: false; issues: LocatedIssue[] } {
  const read = readDocument(file, text);
  if (!read.ok) return read;
  const { source, data } = read;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => fromZodIssue(issue, data, schema));
    return {
      ok: false,
      issues: sortIssues(issues.map(({ issue, unknownKey }) => locate(source, issue, unknownKey))),
    };
  }
  return { ok: true, value: parsed.data, source };
}

/**
 * YAML text to plain data, or the reasons it cannot be: syntax errors, an empty document, or
 * an alias bomb (nested `&a`/`*a` references that would expand without bound).
 */
function readDocument(
  file: string,
  text: string,
): { ok: true; source: YamlSource; data: unknown } | { ok: false; issues: LocatedIssue[] } {
  const { source, syntax } = parseYaml(file, text);
  const syntaxErrors = syntax.filter((issue) => issue.severity === "error");
  if (syntaxErrors.length > 0) return { ok: false, issues: syntaxErrors };
  const at = (message: string, hint: string): { ok: false; issues: LocatedIssue[] } => ({
    ok: false,
    issues: [
      { file, line: 1, column: 1, severity: "error", code: "syntax", path: [], message, hint },
    ],
  });
  let data: unknown;
  try {
    data = source.document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    if (error instanceof ReferenceError)
      return at(
        "too many alias references (*name): the document would expand without bound",
        "write the repeated parts out, or use fewer nested aliases",
      );
    throw error;
  }
  if (data === null || data === undefined)
    return at(
      "the file is empty",
      "start from examples/agreement.yaml, or check you passed the right file",
    );
  return { ok: true, source, data };
}

function sortIssues(issues: LocatedIssue[]): LocatedIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

type ZodIssue = z.core.$ZodIssue;

/** Turns a schema issue into Baton's words: what was expected at which field, and how to fix it. */
function fromZodIssue(
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
