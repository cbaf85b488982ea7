import type { z } from "zod";
import type { LocatedIssue } from "./agreement-issue.js";
import { type Agreement, agreementSchema } from "./agreement-schema.js";
import { checkAgreement, type ValidSections } from "./check-agreement.js";
import { fromZodIssue, isRecord } from "./schema-issues.js";
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
