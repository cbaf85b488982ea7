import { IANAZone } from "luxon";
import { z } from "zod";
import type { AgreementIssue, LocatedIssue } from "../../core/agreement/agreement-issue.js";
import { parseDocumentWith } from "../../core/agreement/load-agreement.js";
import { locate } from "../../core/agreement/yaml-locations.js";

/**
 * The mapping file: which CSV column becomes which part of a lead. Presets (Salesforce, HubSpot)
 * are mapping files too, built in.
 *
 * ```yaml
 * system: salesforce          # with the id column, makes re-importing a row a no-op
 * timezone: America/New_York  # for dates written without an offset
 * dates: [iso, MM/DD/YYYY h:mm A]
 * columns:
 *   Id: externalId
 *   Email: { to: fields.email, required: true }
 *   Lead Source:
 *     to: fields.source
 *     values: { Web: website, Partner Referral: partner }
 *   Created Date: createdAt
 *   Employees: { to: company.employees, also: [NumberOfEmployees] }
 *   Owner: ignore
 * ```
 *
 * Glossary
 * - target: `fields.<name>` (a lead field), `company.<name>`, `externalId` (the row's id in
 *   `system`), `createdAt` (when the source system created it) or `ignore`.
 * - also: other header names for the same column (an export by API name or by label).
 * - values: a value map, looked up ignoring case, spaces and punctuation (`Organic Search`,
 *   `ORGANIC_SEARCH` and `organic-search` are one key); `unmapped` says what happens to a value
 *   the map lacks: `keep` it (default), leave the field `blank`, or make the row bad (`error`).
 * - dates: formats tried in order for `createdAt` and timestamp fields: `iso`, or a pattern of
 *   YYYY, YY, MM, M, DD, D, HH, H (0–23), hh, h (1–12), mm, ss, SSS and A (AM/PM); one- and
 *   two-digit months, days and hours are both read. A column may have its own `formats`.
 */

export const unmappedPolicies = ["keep", "blank", "error"] as const;
export type UnmappedPolicy = (typeof unmappedPolicies)[number];

const mappedValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const columnObjectSchema = z.strictObject({
  to: z.string(),
  also: z.array(z.string().min(1)).optional(),
  required: z.boolean().optional(),
  values: z.record(z.string(), mappedValue).optional(),
  unmapped: z.enum(unmappedPolicies).optional(),
  formats: z.array(z.string().min(1)).min(1).optional(),
  /** list fields: what separates the items in one cell (default `;`) */
  separator: z.string().min(1).optional(),
  /** number fields: the decimal mark (default `,` in `;`-delimited files, else `.`) */
  decimal: z.enum([".", ","]).optional(),
});

export const mappingFileSchema = z.strictObject({
  name: z.string().min(1).optional(),
  system: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, "a lower-case name such as salesforce, hubspot or csv")
    .max(100)
    .optional(),
  timezone: z.string().min(1).optional(),
  dates: z.array(z.string().min(1)).min(1).optional(),
  columns: z.record(z.string().min(1), z.union([z.string(), columnObjectSchema])),
});

export type MappingTarget =
  | { kind: "field"; scope: "fields" | "company"; name: string }
  | { kind: "externalId" }
  | { kind: "createdAt" }
  | { kind: "ignore" };

export type DateFormat = { kind: "iso" } | { kind: "pattern"; text: string; luxon: string };

export interface MappingColumn {
  /** the header name as the mapping writes it */
  column: string;
  /** other header names for the same column */
  also: string[];
  target: MappingTarget;
  required: boolean;
  /** normalised key → value */
  values?: ReadonlyMap<string, string | number | boolean | null>;
  unmapped: UnmappedPolicy;
  formats?: DateFormat[];
  separator: string;
  decimal?: "." | ",";
  /** where the column is written in the mapping file (1-based line and column) */
  line: number;
  lineColumn: number;
}

export interface CsvMapping {
  /** `preset salesforce` or the mapping file's path */
  name: string;
  file: string;
  system: string;
  timezone: string;
  dates: DateFormat[];
  columns: MappingColumn[];
}

export type MappingResult =
  | { ok: true; mapping: CsvMapping }
  | { ok: false; issues: LocatedIssue[] };

const mappingHint =
  "the keys of a mapping file are name, system, timezone, dates and columns; a column takes to, also, required, values, unmapped, formats, separator and decimal (see README, Importing a CSV)";

/** Parses a mapping file; every problem names the file, line and key, and says what to do. */
export function parseMapping(text: string, file: string): MappingResult {
  const parsed = parseDocumentWith(mappingFileSchema, text, file);
  if (!parsed.ok)
    return {
      ok: false,
      issues: parsed.issues.map((issue) =>
        issue.hint?.includes("agreement") ? { ...issue, hint: mappingHint } : issue,
      ),
    };
  const { value, source } = parsed;
  const issues: AgreementIssue[] = [];
  const error = (path: (string | number)[], message: string, hint: string) =>
    issues.push({ severity: "error", code: "mapping", path, message, hint });

  const timezone = value.timezone ?? "UTC";
  if (!IANAZone.isValidZone(timezone))
    error(
      ["timezone"],
      `'${timezone}' is not a time zone`,
      "use an IANA name such as America/New_York, Europe/London or UTC",
    );
  const dates = compileFormats(value.dates ?? ["iso"], ["dates"], error);

  const columns: MappingColumn[] = [];
  const headers = new Map<string, string>();
  for (const [column, entry] of Object.entries(value.columns)) {
    const spec = typeof entry === "string" ? { to: entry } : entry;
    const targetPath = typeof entry === "string" ? ["columns", column] : ["columns", column, "to"];
    const target = parseTarget(spec.to);
    if (target === undefined) {
      error(
        targetPath,
        `'${spec.to}' is not a target`,
        "write fields.<lead field>, company.<company field>, externalId, createdAt or ignore",
      );
      continue;
    }
    for (const name of [column, ...(spec.also ?? [])]) {
      const key = headerKey(name);
      const earlier = headers.get(key);
      if (earlier !== undefined)
        error(
          ["columns", column],
          `the header '${name}' is already mapped by column '${earlier}'`,
          "map each header once; list alternative header names under also:",
        );
      else headers.set(key, column);
    }
    const formats =
      spec.formats === undefined
        ? undefined
        : compileFormats(spec.formats, ["columns", column, "formats"], error);
    const values =
      spec.values === undefined
        ? undefined
        : new Map(Object.entries(spec.values).map(([key, mapped]) => [valueKey(key), mapped]));
    const at = locate(
      source,
      { severity: "error", code: "mapping", path: ["columns", column], message: "" },
      column,
    );
    columns.push({
      column,
      also: spec.also ?? [],
      target,
      required: spec.required ?? false,
      ...(values === undefined ? {} : { values }),
      unmapped: spec.unmapped ?? "keep",
      ...(formats === undefined ? {} : { formats }),
      separator: spec.separator ?? ";",
      ...(spec.decimal === undefined ? {} : { decimal: spec.decimal }),
      line: at.line,
      lineColumn: at.column,
    });
  }
  if (columns.length === 0 && issues.length === 0)
    error(
      ["columns"],
      "no columns are mapped",
      "map at least the e-mail column: Email: fields.email",
    );
  if (issues.length > 0) return { ok: false, issues: issues.map((issue) => locate(source, issue)) };
  return {
    ok: true,
    mapping: {
      name: value.name ?? file,
      file,
      system: value.system ?? "csv",
      timezone,
      dates,
      columns,
    },
  };
}

function parseTarget(text: string): MappingTarget | undefined {
  const trimmed = text.trim();
  if (trimmed === "externalId" || trimmed === "createdAt" || trimmed === "ignore")
    return { kind: trimmed };
  const field = /^(fields|company)\.([a-z_][a-z0-9_]*)$/.exec(trimmed);
  if (field === null) return undefined;
  return { kind: "field", scope: field[1] as "fields" | "company", name: field[2]! };
}

/** Header names compare trimmed and ignoring case: `Email`, ` email ` and `EMAIL` are one. */
export function headerKey(name: string): string {
  return name.trim().toLowerCase();
}

/** Value-map keys compare ignoring case, spaces and punctuation. */
export function valueKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
}

/** Tokens of the mapping's date notation and their Luxon equivalents (lenient on padding). */
const dateTokens: readonly [string, string][] = [
  ["YYYY", "yyyy"],
  ["YY", "yy"],
  ["MM", "M"],
  ["M", "M"],
  ["DD", "d"],
  ["D", "d"],
  ["HH", "H"],
  ["H", "H"],
  ["hh", "h"],
  ["h", "h"],
  ["mm", "mm"],
  ["ss", "ss"],
  ["SSS", "SSS"],
  ["A", "a"],
  ["a", "a"],
  ["T", "'T'"],
];

/** A date notation such as `MM/DD/YYYY h:mm A` as a Luxon format, or the token it does not know. */
export function compileDateFormat(
  text: string,
): { ok: true; format: DateFormat } | { ok: false; token: string } {
  if (text.trim().toLowerCase() === "iso") return { ok: true, format: { kind: "iso" } };
  let luxon = "";
  let rest = text;
  while (rest.length > 0) {
    const letters = /^[A-Za-z]+/.exec(rest)?.[0];
    if (letters === undefined) {
      const literal = /^[^A-Za-z]+/.exec(rest)![0];
      luxon += literal.replaceAll("'", "''");
      rest = rest.slice(literal.length);
      continue;
    }
    // AM/PM is written A, AM or PM
    if (/^(AM|PM)/.test(letters)) {
      luxon += "a";
      rest = rest.slice(2);
      continue;
    }
    let run = letters;
    while (run.length > 0) {
      const token = dateTokens.find(([name]) => run.startsWith(name));
      if (token === undefined) return { ok: false, token: letters };
      luxon += token[1];
      run = run.slice(token[0].length);
    }
    rest = rest.slice(letters.length);
  }
  return { ok: true, format: { kind: "pattern", text, luxon } };
}

function compileFormats(
  texts: readonly string[],
  path: (string | number)[],
  error: (path: (string | number)[], message: string, hint: string) => void,
): DateFormat[] {
  const formats: DateFormat[] = [];
  for (const [index, text] of texts.entries()) {
    const compiled = compileDateFormat(text);
    if (compiled.ok) formats.push(compiled.format);
    else
      error(
        [...path, index],
        `the date format '${text}' has '${compiled.token}', which is not a date token`,
        "write iso, or a pattern of YYYY, MM, DD, HH (0–23) or hh (1–12) with A, mm, ss, e.g. MM/DD/YYYY h:mm A",
      );
  }
  return formats;
}
