import { foldKey } from "../metrics/grouping.js";
import type { Figure, MetricResult } from "../metrics/metric.js";
import type { PipelineHistory } from "../metrics/pipeline-history.js";
import type { RedFlag } from "./audit-report.js";

/**
 * The gap assessment of the seeds (000: "What changes on Monday?"): the red flags a RevOps lead
 * looks for first, each decided by a number from the metric registry and shown with its evidence.
 *
 * - stuck leads: leads in New/Working with no activity for more than 48 hours ("your immediate
 *   point of failure");
 * - MQL→SQL below the 20 % warning line (PRODUCT.md);
 * - dispositions without a reason ("if the Disqualification Reason is empty, the process is
 *   broken");
 * - no recorded first touch: speed to lead cannot be measured;
 * - source values that differ only in spelling (case, spaces, punctuation): the same channel
 *   split across rows of every source report;
 * - pipeline with no source: opportunities nobody can credit.
 */

export const mqlToSqlWarningLine = 0.2;
/** record ids a red flag lists as examples */
export const exampleCount = 5;

export interface GapInput {
  history: PipelineHistory;
  stuckHours: number;
  /** the stuck-leads metric by owner */
  stuck: MetricResult | null;
  mqlToSql: MetricResult | null;
  rejections: MetricResult | null;
  recycles: MetricResult | null;
  speed: MetricResult | null;
  sourced: MetricResult | null;
  /** whether any lead export had a first-touch column */
  firstTouchColumn: boolean;
  /** whether any lead export had a disqualification-reason column */
  reasonColumn: boolean;
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const count = (value: number, noun: string, plural = `${noun}s`) =>
  `${value.toLocaleString("en-US")} ${value === 1 ? noun : plural}`;

function figureOf(result: MetricResult | null, name: string): Figure | undefined {
  return result?.total[name];
}

export function assessGaps(input: GapInput): RedFlag[] {
  return [
    stuckFlag(input),
    conversionFlag(input),
    reasonFlag(input),
    firstTouchFlag(input),
    sourceSpellingFlag(input.history),
    sourceFlag(input),
  ];
}

function stuckFlag(input: GapInput): RedFlag {
  const base = {
    id: "stuck-leads" as const,
    title: `Leads stuck in New/Working past ${input.stuckHours} hours`,
    action:
      "work or disposition every lead on the list today; then put a clock on the New → Working handoff so none waits unseen",
  };
  const stuck = figureOf(input.stuck, "stuck");
  if (stuck === undefined || input.stuck === null)
    return {
      ...base,
      status: "unknown",
      summary: "the stuck-leads metric is not available",
      evidence: [],
      examples: [],
    };
  const total = stuck.value ?? 0;
  const age = figureOf(input.stuck, "age-p50-hours")?.value;
  const owners = input.stuck.groups
    .map((group) => ({ label: group.label, stuck: group.figures.stuck?.value ?? 0 }))
    .filter((owner) => owner.stuck > 0)
    .sort((a, b) => b.stuck - a.stuck || a.label.localeCompare(b.label));
  return {
    ...base,
    status: total > 0 ? "flagged" : "clear",
    summary:
      total > 0
        ? `${count(total, "lead")} in New/Working with no activity for more than ${input.stuckHours} hours${age === null || age === undefined ? "" : ` (median ${(age / 24).toFixed(1)} days)`}`
        : `no lead has waited in New/Working for more than ${input.stuckHours} hours without activity`,
    evidence: owners
      .slice(0, 8)
      .map((owner) => `${owner.label}: ${count(owner.stuck, "stuck lead")}`),
    examples: stuck.records.slice(0, exampleCount),
  };
}

function conversionFlag(input: GapInput): RedFlag {
  const base = {
    id: "mql-to-sql-below-line" as const,
    title: `MQL→SQL conversion below ${percent(mqlToSqlWarningLine)}`,
    action:
      "sit marketing and sales down over the MQL definition: score the rejected leads against it and raise the threshold or fix the fields sales asks for",
  };
  const rate = figureOf(input.mqlToSql, "rate");
  if (rate === undefined || rate.value === null)
    return {
      ...base,
      status: "unknown",
      summary: "no MQLs in the period, so no conversion to judge",
      evidence: [],
      examples: [],
    };
  return {
    ...base,
    status: rate.value < mqlToSqlWarningLine ? "flagged" : "clear",
    summary: `${percent(rate.value)} of MQLs reached SQL (${rate.numerator} of ${rate.denominator}); the warning line is ${percent(mqlToSqlWarningLine)}`,
    evidence: [`${rate.numerator} SQLs from ${count(rate.denominator ?? 0, "MQL")} in the period`],
    examples: [],
  };
}

function reasonFlag(input: GapInput): RedFlag {
  const base = {
    id: "disposition-without-reason" as const,
    title: "Dispositions without a reason",
    action:
      "make the disqualification reason required at disposition (a picklist of approved reasons) and backfill the listed leads",
  };
  const rejections = figureOf(input.rejections, "rejections")?.value ?? 0;
  const noReason = figureOf(input.rejections, "no-reason");
  const recycledNoReason = figureOf(input.recycles, "no-reason");
  if (input.rejections === null)
    return {
      ...base,
      status: "unknown",
      summary: "the rejection mix is not available",
      evidence: [],
      examples: [],
    };
  const missing = (noReason?.value ?? 0) + (recycledNoReason?.value ?? 0);
  const evidence: string[] = [];
  if (rejections > 0)
    evidence.push(
      `${count(noReason?.value ?? 0, "rejection")} of ${rejections} without a reason (${percent((noReason?.value ?? 0) / rejections)})`,
    );
  if ((recycledNoReason?.value ?? 0) > 0)
    evidence.push(`${count(recycledNoReason?.value ?? 0, "recycle")} without a reason`);
  if (!input.reasonColumn) evidence.push("the export has no disqualification-reason column at all");
  return {
    ...base,
    status: missing > 0 ? "flagged" : rejections > 0 ? "clear" : "unknown",
    summary:
      missing > 0
        ? `${count(missing, "disposition")} in the period ${missing === 1 ? "carries" : "carry"} no reason`
        : rejections > 0
          ? "every disposition in the period has a reason"
          : "no dispositions in the period",
    evidence,
    examples: [...(noReason?.records ?? []), ...(recycledNoReason?.records ?? [])].slice(
      0,
      exampleCount,
    ),
  };
}

function firstTouchFlag(input: GapInput): RedFlag {
  const base = {
    id: "no-first-touch" as const,
    title: "No recorded first touch",
    action:
      "log calls and e-mails against the lead (or export the first-touch date) so speed to lead can be measured",
  };
  const untouched = figureOf(input.speed, "untouched");
  const touched = figureOf(input.speed, "touched")?.value ?? 0;
  if (untouched === undefined)
    return {
      ...base,
      status: "unknown",
      summary: "speed to lead is not available",
      evidence: [],
      examples: [],
    };
  const missing = untouched.value ?? 0;
  if (!input.firstTouchColumn)
    return {
      ...base,
      status: missing + touched > 0 ? "flagged" : "unknown",
      summary: `the export records no first touch: ${count(missing, "MQL")} in the period have none, so speed to lead cannot be measured`,
      evidence: [
        "no first-touch column was found (looked for First Touch Date, First Contact Date, Date of first engagement and similar; map yours as firstTouchAt in a mapping file)",
      ],
      examples: untouched.records.slice(0, exampleCount),
    };
  return {
    ...base,
    status: missing > 0 ? "flagged" : "clear",
    summary:
      missing > 0
        ? `${count(missing, "MQL")} of ${missing + touched} in the period have no recorded first touch`
        : `every MQL in the period has a recorded first touch`,
    evidence: [`${count(touched, "MQL")} touched, ${missing} not touched`],
    examples: untouched.records.slice(0, exampleCount),
  };
}

/**
 * Spellings of one source, compared ignoring case, spaces and punctuation (`Paid Search`,
 * `paid_search`, `PAID-SEARCH`). Metrics already merge case and space variants (foldKey); the
 * punctuation variants stay apart there, which is why the flag names both kinds.
 */
export function sourceSpellings(
  history: PipelineHistory,
): { key: string; spellings: { value: string; count: number }[] }[] {
  const raw = new Map<string, number>();
  const add = (source: string | null) => {
    if (source !== null) raw.set(source, (raw.get(source) ?? 0) + 1);
  };
  for (const lead of history.leads) add(lead.source);
  for (const opportunity of history.opportunities) add(opportunity.source);
  const groups = new Map<string, { value: string; count: number }[]>();
  for (const [value, n] of raw) {
    const key = foldKey(value).replace(/[^\p{L}\p{N}]+/gu, "");
    if (key === "") continue;
    const list = groups.get(key) ?? [];
    list.push({ value, count: n });
    groups.set(key, list);
  }
  return [...groups]
    .filter(([, spellings]) => spellings.length > 1)
    .map(([key, spellings]) => ({
      key,
      spellings: spellings.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function sourceSpellingFlag(history: PipelineHistory): RedFlag {
  const variants = sourceSpellings(history);
  const shown = (value: string) => JSON.stringify(value);
  return {
    id: "source-spellings",
    title: "Source values that differ only in spelling",
    status: variants.length > 0 ? "flagged" : "clear",
    summary:
      variants.length > 0
        ? `${count(variants.length, "source")} spelled more than one way, splitting every source report`
        : "every source is spelled one way",
    evidence: variants
      .slice(0, 10)
      .map(({ spellings }) =>
        spellings.map((entry) => `${shown(entry.value)} (${entry.count})`).join(", "),
      ),
    examples: [],
    action:
      "make Lead Source a restricted picklist and merge the variants into one value (the audit's metrics merge case and space variants; punctuation variants stay apart)",
  };
}

function sourceFlag(input: GapInput): RedFlag {
  const base = {
    id: "pipeline-without-source" as const,
    title: "Pipeline with no source",
    action:
      "require Lead Source on opportunities (or carry it from the converted lead) so pipeline can be credited",
  };
  const noSource = figureOf(input.sourced, "no-source");
  if (noSource === undefined)
    return {
      ...base,
      status: "unknown",
      summary: "marketing-sourced pipeline is not available",
      evidence: [],
      examples: [],
    };
  // Opportunities created in the period, sourced or not (marketing-sourced counts only its own).
  const opportunities = input.history.opportunities.filter(
    (entry) =>
      entry.createdAt >= (input.sourced?.from ?? 0) && entry.createdAt < (input.sourced?.to ?? 0),
  ).length;
  const missing = noSource.value ?? 0;
  return {
    ...base,
    status: missing > 0 ? "flagged" : opportunities === 0 ? "unknown" : "clear",
    summary:
      missing > 0
        ? `${count(missing, "opportunity", "opportunities")} created in the period ${missing === 1 ? "has" : "have"} no source`
        : opportunities === 0
          ? "no opportunities created in the period"
          : "every opportunity created in the period has a source",
    evidence: [],
    examples: noSource.records.slice(0, exampleCount),
  };
}
