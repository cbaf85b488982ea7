import { IANAZone } from "luxon";
import { z } from "zod";
import type { AgreementIssue, LocatedIssue } from "../../core/agreement/agreement-issue.js";
import { parseDocumentWith } from "../../core/agreement/load-agreement.js";
import { locate } from "../../core/agreement/yaml-locations.js";
import { compileDateFormat, type DateFormat } from "../csv/csv-mapping.js";
import { type ExportField, leadFields, opportunityFields } from "./export-formats.js";
import { leadStatusMeanings, opportunityStageMeanings } from "./status-mapping.js";

/**
 * The audit's mapping file: how to read an export the audit does not recognise, or what to add
 * to one it does (a custom MQL date, a disqualification reason column). Its target is the
 * pipeline history, not a lead to import, so it is a different file from `baton import`'s.
 *
 * ```yaml
 * records: leads               # leads or opportunities; needed when the header is not recognised
 * timezone: Europe/Berlin      # for dates written without an offset (default UTC)
 * dates: [DD.MM.YYYY HH:mm, iso]
 * columns:
 *   Lead Ref: id
 *   Opened: createdAt
 *   Origin: source
 *   State: status
 *   MQL On: mqlAt
 *   First Call: firstTouchAt
 *   Why Not: reason
 *   Notes: ignore
 * statuses: { Fresh: new, Calling: working, Good fit: sql, No fit: disqualified }
 * stages: { Signed: won, Dead: lost }
 * marketingSources: [Web, Webinar, Paid Search]
 * calendar: 24/7
 * ```
 *
 * Glossary
 * - columns: header → export field (export-formats.ts) or `ignore`.
 * - statuses: a lead status or lifecycle value → its meaning (status-mapping.ts); values compare
 *   ignoring case, spaces and punctuation; it extends the built-in table.
 * - stages: an opportunity stage value → open, won or lost.
 * - marketingSources: lead sources that count as marketing (marketing-sourced pipeline).
 * - calendar: business minutes are counted 24/7 (the only calendar the audit knows; an export
 *   carries no working hours).
 */

const fieldNames = [...new Set<string>([...leadFields, ...opportunityFields])] as [
  string,
  ...string[],
];

export const auditMappingSchema = z.strictObject({
  name: z.string().min(1).optional(),
  records: z.enum(["leads", "opportunities"]).optional(),
  timezone: z.string().min(1).optional(),
  dates: z.array(z.string().min(1)).min(1).optional(),
  columns: z.record(z.string().min(1), z.enum([...fieldNames, "ignore"])).optional(),
  statuses: z.record(z.string().min(1), z.enum(leadStatusMeanings)).optional(),
  stages: z.record(z.string().min(1), z.enum(opportunityStageMeanings)).optional(),
  marketingSources: z.array(z.string().min(1)).optional(),
  calendar: z.literal("24/7").optional(),
});

export interface AuditMapping {
  file: string;
  name: string;
  records: "leads" | "opportunities" | null;
  timezone: string | null;
  dates: DateFormat[] | null;
  columns: ReadonlyMap<string, ExportField | "ignore">;
  statuses: ReadonlyMap<string, (typeof leadStatusMeanings)[number]>;
  stages: ReadonlyMap<string, (typeof opportunityStageMeanings)[number]>;
  marketingSources: string[] | null;
}

export type AuditMappingResult =
  | { ok: true; mapping: AuditMapping }
  | { ok: false; issues: LocatedIssue[] };

const hint =
  "the keys of an audit mapping file are name, records, timezone, dates, columns, statuses, stages, marketingSources and calendar (see README, baton audit)";

/** Parses an audit mapping file; each problem names the file, line and key and what to do. */
export function parseAuditMapping(text: string, file: string): AuditMappingResult {
  const parsed = parseDocumentWith(auditMappingSchema, text, file);
  if (!parsed.ok)
    return {
      ok: false,
      issues: parsed.issues.map((issue) =>
        issue.hint?.includes("agreement") ? { ...issue, hint } : issue,
      ),
    };
  const { value, source } = parsed;
  const issues: AgreementIssue[] = [];
  if (value.timezone !== undefined && !IANAZone.isValidZone(value.timezone))
    issues.push({
      severity: "error",
      code: "mapping",
      path: ["timezone"],
      message: `'${value.timezone}' is not a time zone`,
      hint: "use an IANA name such as America/New_York, Europe/London or UTC",
    });
  const dates: DateFormat[] = [];
  for (const [index, text] of (value.dates ?? []).entries()) {
    const compiled = compileDateFormat(text);
    if (compiled.ok) dates.push(compiled.format);
    else
      issues.push({
        severity: "error",
        code: "mapping",
        path: ["dates", index],
        message: `the date format '${text}' has '${compiled.token}', which is not a date token`,
        hint: "write iso, or a pattern of YYYY, MM, DD, HH (0–23) or hh (1–12) with A, mm, ss, e.g. MM/DD/YYYY h:mm A",
      });
  }
  if (issues.length > 0) return { ok: false, issues: issues.map((issue) => locate(source, issue)) };
  return {
    ok: true,
    mapping: {
      file,
      name: value.name ?? file,
      records: value.records ?? null,
      timezone: value.timezone ?? null,
      dates: value.dates === undefined ? null : dates,
      columns: new Map(Object.entries(value.columns ?? {}) as [string, ExportField | "ignore"][]),
      statuses: new Map(Object.entries(value.statuses ?? {})),
      stages: new Map(Object.entries(value.stages ?? {})),
      marketingSources: value.marketingSources ?? null,
    },
  };
}
