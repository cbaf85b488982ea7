import { DateTime } from "luxon";
import { closest, type LocatedIssue } from "../../core/agreement/agreement-issue.js";
import type { VariableSchema } from "../../core/expression/index.js";
import type { FieldTypeName } from "../../core/lead/field-types.js";
import type { FieldValue } from "../../core/lead/lead.js";
import { normaliseEmail } from "../../core/matching/index.js";
import {
  type CsvMapping,
  type DateFormat,
  headerKey,
  type MappingColumn,
  valueKey,
} from "./csv-mapping.js";
import type { CsvDelimiter } from "./csv-reader.js";

/**
 * A mapping applied to one file's header (the column plan), then to each row: a row becomes a
 * lead as ingest takes it, or the reasons it cannot, each naming the line, the column and the
 * field. Pure: no I/O, no clock.
 */

export type ColumnTarget =
  | { kind: "field"; scope: "fields" | "company"; name: string; type: FieldTypeName }
  | { kind: "externalId" }
  | { kind: "createdAt" };

export interface UsedColumn {
  /** position in the header (0-based) */
  index: number;
  /** the header as the file writes it */
  column: string;
  target: ColumnTarget;
  /** `fields.email`, `company.employees`, `externalId`, `createdAt` */
  field: string;
  setting: MappingColumn;
}

export interface IgnoredColumn {
  column: string;
  reason: string;
}

export interface ColumnPlan {
  columns: readonly string[];
  used: UsedColumn[];
  ignored: IgnoredColumn[];
  system: string;
  timezone: string;
  dates: DateFormat[];
  decimal: "." | ",";
}

/** The lead a row becomes: a `LeadInput` for ingest. */
export interface MappedLead {
  system: string;
  externalId?: string;
  createdAt?: number;
  fields: Record<string, FieldValue>;
  company?: Record<string, FieldValue>;
}

export interface RowProblem {
  /** the header of the column at fault, or `(row)` for the row as a whole */
  column: string;
  /** the target it maps to, or empty */
  field: string;
  reason: string;
}

/** Fields the lifecycle owns; a CSV column may not set them. */
const reservedFields = new Set(["stage", "score", "created_at"]);

export interface PlanOptions {
  /**
   * A mapping file's targets must be fields the agreement declares (a typo is an error at its
   * line); a preset's targets that the agreement lacks are reported as ignored instead.
   */
  strictTargets: boolean;
  delimiter: CsvDelimiter;
  /** overrides the mapping's time zone */
  timezone?: string;
}

export function planColumns(
  mapping: CsvMapping,
  columns: readonly string[],
  variables: VariableSchema,
  options: PlanOptions,
): { ok: true; plan: ColumnPlan } | { ok: false; issues: LocatedIssue[] } {
  const issues: LocatedIssue[] = [];
  const issue = (setting: MappingColumn, message: string, hint: string) =>
    issues.push({
      file: mapping.file,
      line: setting.line,
      column: setting.lineColumn,
      severity: "error",
      code: "mapping",
      path: ["columns", setting.column],
      message,
      hint,
    });
  const indexByHeader = new Map<string, number>();
  for (const [index, column] of columns.entries())
    if (!indexByHeader.has(headerKey(column))) indexByHeader.set(headerKey(column), index);

  const used: UsedColumn[] = [];
  const ignored: IgnoredColumn[] = [];
  const claimed = new Map<number, string>();
  const targets = new Map<string, string>();
  for (const setting of mapping.columns) {
    const index = [setting.column, ...setting.also]
      .map((name) => indexByHeader.get(headerKey(name)))
      .find((found) => found !== undefined);
    if (index === undefined) {
      if (setting.required)
        issue(
          setting,
          `the file has no column '${setting.column}'${setting.also.length > 0 ? ` (or ${setting.also.join(", ")})` : ""}, which the mapping marks required; its columns are: ${columns.join(", ")}`,
          "export the file with that column, or map the column that holds it",
        );
      continue;
    }
    const column = columns[index]!;
    claimed.set(index, setting.column);
    const target = setting.target;
    if (target.kind === "ignore") {
      ignored.push({ column, reason: "ignored by the mapping" });
      continue;
    }
    let resolved: ColumnTarget;
    let field: string;
    if (target.kind === "field") {
      field = `${target.scope}.${target.name}`;
      const declared = variables[target.scope === "fields" ? "lead" : "company"] ?? {};
      const type = Object.hasOwn(declared, target.name) ? declared[target.name] : undefined;
      const reserved = target.scope === "fields" && reservedFields.has(target.name);
      if (type === undefined || reserved) {
        const suggestion = closest(target.name, Object.keys(declared));
        const reason = reserved
          ? `${field} is set by Baton's lifecycle${target.name === "created_at" ? "; map the column to createdAt" : ""}`
          : `the agreement declares no field ${field}${suggestion ? ` (did you mean ${target.scope}.${suggestion}?)` : ""}`;
        if (options.strictTargets)
          issue(
            setting,
            reason,
            reserved
              ? "map it to another target"
              : "declare the field under fields: in the agreement, correct the name, or write ignore",
          );
        else ignored.push({ column, reason });
        continue;
      }
      resolved = { kind: "field", scope: target.scope, name: target.name, type };
    } else {
      field = target.kind;
      resolved = target;
    }
    const earlier = targets.get(field);
    if (earlier !== undefined) {
      ignored.push({ column, reason: `column '${earlier}' already fills ${field}` });
      continue;
    }
    targets.set(field, column);
    used.push({ index, column, target: resolved, field, setting });
  }
  for (const [index, column] of columns.entries())
    if (!claimed.has(index))
      ignored.push({
        column,
        reason:
          indexByHeader.get(headerKey(column)) === index
            ? "not in the mapping"
            : `a second column named '${column}'; the first is used`,
      });
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    plan: {
      columns,
      used,
      ignored,
      system: mapping.system,
      timezone: options.timezone ?? mapping.timezone,
      dates: mapping.dates,
      decimal: options.delimiter === ";" ? "," : ".",
    },
  };
}

export type MappedRow =
  | {
      ok: true;
      lead: MappedLead;
      /** the row's identities within the file: its external id and its normalised e-mail */
      keys: { externalId?: string; email?: string };
    }
  | { ok: false; problems: RowProblem[] };

export function mapRow(plan: ColumnPlan, values: readonly string[]): MappedRow {
  const problems: RowProblem[] = [];
  if (values.length !== plan.columns.length)
    problems.push({
      column: "(row)",
      field: "",
      reason:
        values.length > plan.columns.length
          ? `the row has ${values.length} values but the header has ${plan.columns.length} columns; quote values that contain the delimiter`
          : `the row has ${values.length} values but the header has ${plan.columns.length} columns; a value or a delimiter is missing`,
    });
  const lead: MappedLead = { system: plan.system, fields: {} };
  const company: Record<string, FieldValue> = {};
  for (const use of plan.used) {
    const raw = (values[use.index] ?? "").replace(/\r\n?/g, "\n").trim();
    const fail = (reason: string) =>
      problems.push({ column: use.column, field: use.field, reason });
    if (raw === "") {
      if (use.setting.required)
        fail(
          `${use.column} is blank and the mapping marks it required; fill it in or remove the row`,
        );
      continue;
    }
    let value: string | number | boolean | null = raw;
    const map = use.setting.values;
    if (map !== undefined) {
      const key = valueKey(raw);
      if (map.has(key)) value = map.get(key)!;
      else if (use.setting.unmapped === "blank") continue;
      else if (use.setting.unmapped === "error") {
        fail(
          `'${raw}' is not one of the mapped values (${[...map.keys()].join(", ")}); add it under values: in the mapping`,
        );
        continue;
      }
    }
    if (value === null) continue;
    const converted = convert(plan, use, value);
    if (!converted.ok) {
      fail(converted.reason);
      continue;
    }
    const target = use.target;
    if (target.kind === "externalId") lead.externalId = String(converted.value);
    else if (target.kind === "createdAt") lead.createdAt = converted.value as number;
    else if (target.scope === "fields") lead.fields[target.name] = converted.value;
    else company[target.name] = converted.value;
  }
  if (Object.keys(company).length > 0) lead.company = company;
  if (problems.length > 0) return { ok: false, problems };
  const email =
    typeof lead.fields.email === "string" ? normaliseEmail(lead.fields.email) : undefined;
  return {
    ok: true,
    lead,
    keys: {
      ...(lead.externalId === undefined ? {} : { externalId: lead.externalId }),
      ...(email === undefined ? {} : { email }),
    },
  };
}

type Converted = { ok: true; value: FieldValue } | { ok: false; reason: string };

function convert(plan: ColumnPlan, use: UsedColumn, value: string | number | boolean): Converted {
  const target = use.target;
  const text = String(value);
  if (target.kind === "externalId")
    return text.length <= 200
      ? { ok: true, value: text }
      : { ok: false, reason: "the id is longer than 200 characters; map the record's id column" };
  const type = target.kind === "createdAt" ? "timestamp" : target.type;
  switch (type) {
    case "string": {
      if (target.kind === "field" && target.scope === "fields" && target.name === "email") {
        if (normaliseEmail(text) === undefined)
          return {
            ok: false,
            reason: `'${text}' is not an e-mail address; correct it or remove the row`,
          };
      }
      return { ok: true, value: text };
    }
    case "number": {
      if (typeof value === "number") return { ok: true, value };
      const number = parseNumber(text, use.setting.decimal ?? plan.decimal);
      return number === undefined
        ? {
            ok: false,
            reason: `'${text}' is not a number (${use.field} is declared number); write digits such as 250 or 1${plan.decimal === "," ? "." : ","}200`,
          }
        : { ok: true, value: number };
    }
    case "bool": {
      if (typeof value === "boolean") return { ok: true, value };
      const key = text.toLowerCase();
      if (["true", "yes", "y", "1"].includes(key)) return { ok: true, value: true };
      if (["false", "no", "n", "0"].includes(key)) return { ok: true, value: false };
      return {
        ok: false,
        reason: `'${text}' is not true or false (${use.field} is declared bool); write true/false, yes/no or 1/0`,
      };
    }
    case "timestamp": {
      if (typeof value === "number") return { ok: true, value };
      const formats = use.setting.formats ?? plan.dates;
      const instant = parseInstant(text, formats, plan.timezone);
      return instant === undefined
        ? {
            ok: false,
            reason: `'${text}' matches none of the date formats (${formats.map(describeFormat).join(", ")}); add its format under dates: in the mapping`,
          }
        : { ok: true, value: instant };
    }
    case "list<string>":
      return {
        ok: true,
        value: text
          .split(use.setting.separator)
          .map((item) => item.trim())
          .filter((item) => item !== ""),
      };
  }
}

/**
 * Digits with an optional sign, thousands separators and decimal mark: `1200`, `1,200.5` (or
 * `1.200,5` when the decimal mark is a comma), `1 200`. Anything else is not a number.
 */
export function parseNumber(text: string, decimal: "." | ","): number | undefined {
  const thousands = decimal === "." ? "," : ".";
  let compact = text.replace(/[\s\u00a0\u202f]/g, "");
  const grouped = new RegExp(`^[+-]?\\d{1,3}(\\${thousands}\\d{3})+(\\${decimal}\\d+)?$`).test(
    compact,
  );
  if (grouped) compact = compact.replaceAll(thousands, "");
  if (!new RegExp(`^[+-]?\\d+(\\${decimal}\\d+)?$`).test(compact)) return undefined;
  return Number(decimal === "," ? compact.replace(",", ".") : compact);
}

/** Epoch milliseconds for the first format that reads the text; undefined when none does. */
export function parseInstant(
  text: string,
  formats: readonly DateFormat[],
  zone: string,
): number | undefined {
  for (const format of formats) {
    const parsed =
      format.kind === "iso"
        ? DateTime.fromISO(text, { zone, setZone: true })
        : DateTime.fromFormat(text, format.luxon, { zone, locale: "en-US" });
    if (parsed.isValid) return parsed.toMillis();
  }
  return undefined;
}

function describeFormat(format: DateFormat): string {
  return format.kind === "iso" ? "iso" : format.text;
}
