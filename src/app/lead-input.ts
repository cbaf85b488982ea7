import { z } from "zod";
import { closest } from "../core/agreement/agreement-issue.js";
import type { VariableSchema } from "../core/expression/index.js";
import {
  type Activity,
  activityTypes,
  type FieldRecord,
  type FieldValue,
} from "../core/lead/lead.js";

/**
 * A lead as every entry point hands it to the pipeline (API, form webhook, CRM sync, CSV import),
 * and its check against the active agreement's fields. Problems are values naming the field and
 * what to do, so an importer can print "row 12, field company.employees: …".
 */

const fieldValueSchema = z.union([
  z.string(),
  z.number().finite(),
  z.boolean(),
  z.null(),
  z.array(z.string()),
]);

const instantSchema = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
]);

export const activityInputSchema = z.strictObject({
  type: z.enum(activityTypes),
  at: instantSchema,
  actor: z.string().min(1).optional(),
  autoReply: z.boolean().optional(),
  fields: z.record(z.string(), fieldValueSchema).optional(),
});

export const leadInputSchema = z.strictObject({
  /**
   * the system that sent the lead: `web-form`, `hubspot`, `salesforce`, `csv` … (the marketing
   * channel is the lead's `source` field)
   */
  system: z.string().min(1).max(100).optional(),
  /** the lead's id in that system; with `system` it makes a repeated delivery a no-op */
  externalId: z.string().min(1).max(200).optional(),
  /** an explicit key for the same purpose, when the sender has one */
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** when the lead was created in the source system (speed-to-lead's starting point there) */
  createdAt: instantSchema.optional(),
  fields: z.record(z.string(), fieldValueSchema),
  company: z.record(z.string(), fieldValueSchema).optional(),
  activities: z.array(activityInputSchema).max(1000).optional(),
});

export type LeadInput = z.input<typeof leadInputSchema>;
export type ParsedLeadInput = z.output<typeof leadInputSchema>;

export interface InputProblem {
  code: "invalid_input" | "unknown_field" | "wrong_type";
  /** dotted path: `fields.email`, `company.employees`, `activities.2.type` */
  field: string;
  message: string;
}

export function parseLeadInput(
  raw: unknown,
  variables: VariableSchema,
): { ok: true; input: ParsedLeadInput } | { ok: false; problems: InputProblem[] } {
  const parsed = leadInputSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        code: "invalid_input" as const,
        field: issue.path.join(".") || "(lead)",
        message: issue.message,
      })),
    };
  const problems = [
    ...checkRecord("fields", parsed.data.fields, variables.lead ?? {}),
    ...checkRecord("company", parsed.data.company ?? {}, variables.company ?? {}),
  ];
  for (const [index, activity] of (parsed.data.activities ?? []).entries())
    problems.push(
      ...checkRecord(`activities.${index}.fields`, activity.fields ?? {}, variables.activity ?? {}),
    );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, input: parsed.data };
}

/** Fields the lifecycle owns: an entry point may not set them. */
const reserved = new Set(["stage", "score", "created_at"]);

function checkRecord(
  scope: string,
  record: Readonly<Record<string, FieldValue>>,
  declared: Readonly<Record<string, string>>,
): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [name, value] of Object.entries(record)) {
    const field = `${scope}.${name}`;
    if (scope === "fields" && reserved.has(name)) {
      problems.push({
        code: "unknown_field",
        field,
        message: `'${name}' is set by Baton's lifecycle, not by the sender; remove it from the payload`,
      });
      continue;
    }
    const type = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (type === undefined) {
      const suggestion = closest(name, Object.keys(declared));
      problems.push({
        code: "unknown_field",
        field,
        message: `'${name}' is not a field of the agreement${suggestion ? `; did you mean '${suggestion}'?` : ""}; declare it under fields: or map it to a known field`,
      });
      continue;
    }
    if (value === null) continue;
    if (!fitsType(value, type))
      problems.push({
        code: "wrong_type",
        field,
        message: `'${name}' is declared ${type} but the value ${JSON.stringify(value)} is ${describe(value)}; send ${exampleOf(type)}`,
      });
  }
  return problems;
}

function fitsType(value: FieldValue, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "bool":
      return typeof value === "boolean";
    case "timestamp":
      return typeof value === "number" && Number.isInteger(value);
    case "list<string>":
      return Array.isArray(value);
    default:
      return false;
  }
}

function describe(value: FieldValue): string {
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value}`;
}

function exampleOf(type: string): string {
  switch (type) {
    case "number":
      return "a number such as 250";
    case "bool":
      return "true or false";
    case "timestamp":
      return "epoch milliseconds";
    case "list<string>":
      return 'a list of strings such as ["a", "b"]';
    default:
      return "a string";
  }
}

export function activityOf(
  input: ParsedLeadInput["activities"] extends (infer A)[] | undefined ? A : never,
): Activity {
  return {
    type: input.type,
    at: input.at,
    ...(input.actor === undefined ? {} : { actor: input.actor }),
    ...(input.autoReply === undefined ? {} : { autoReply: input.autoReply }),
    ...(input.fields === undefined ? {} : { fields: input.fields as FieldRecord }),
  };
}
