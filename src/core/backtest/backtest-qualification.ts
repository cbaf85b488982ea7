import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { LeadScore, ScoringInput } from "../qualification/index.js";
import type { BacktestLead, Conversions } from "./backtest-report.js";

/** A lead's first MQL moment under one version, with the score that met the threshold. */
export interface MqlMoment {
  at: number;
  score: LeadScore;
}

/** What the scorer reads about a lead, built once: the scorer ignores activities after `now`. */
export function scoringInputOf(lead: BacktestLead, stage: string): ScoringInput {
  return {
    lead: { ...lead.fields, stage, created_at: lead.createdAt },
    company: lead.company,
    activities: lead.activities.map((activity) => ({
      ...activity.fields,
      type: activity.type,
      at: activity.at,
    })),
  };
}

/**
 * The instants at which a lead's score can first cross a threshold: its creation and each later
 * activity before the window's end. Between two activities, time only ages activities (windows
 * close, decay lowers weight), so a score never rises there.
 */
export function scoringInstants(lead: BacktestLead, to: number): number[] {
  const instants = [lead.createdAt];
  for (const activity of lead.activities)
    if (activity.at > lead.createdAt && activity.at < to) instants.push(activity.at);
  instants.sort((a, b) => a - b);
  return instants.filter((at, index) => index === 0 || at !== instants[index - 1]);
}

export function firstMqlMoment(
  compiled: CompiledAgreement,
  input: ScoringInput,
  instants: readonly number[],
): MqlMoment | null {
  for (const at of instants) {
    const score = compiled.qualification.scoreLead(input, at);
    if (score.mql.qualified) return { at, score };
  }
  return null;
}

/**
 * Both versions' first MQL moments when they share their scoring rules and differ only in
 * thresholds: each instant is scored once and judged by both, until both have qualified (or the
 * instants run out). The same moments as two `firstMqlMoment` walks, at about half the cost.
 */
export function firstMqlMoments(
  active: CompiledAgreement,
  proposed: CompiledAgreement,
  input: ScoringInput,
  instants: readonly number[],
): { before: MqlMoment | null; after: MqlMoment | null } {
  let before: MqlMoment | null = null;
  let after: MqlMoment | null = null;
  for (const at of instants) {
    const score = active.qualification.scoreLead(input, at);
    if (before === null && score.mql.qualified) before = { at, score };
    if (after === null) {
      const judged = proposed.qualification.rejudge(score);
      if (judged.mql.qualified) after = { at, score: judged };
    }
    if (before !== null && after !== null) break;
  }
  return { before, after };
}

/** The stage a lead enters when it qualifies automatically; "mql" when the lifecycle has none. */
export function mqlStageOf(compiled: CompiledAgreement): string {
  const { lifecycle } = compiled;
  for (const transition of lifecycle.transitionsFrom.get(lifecycle.initial)?.values() ?? [])
    if (transition.by.includes("system") && transition.requires.reason === undefined)
      return transition.to;
  return "mql";
}

/** The target of `qualify_sales`, else a stage called sql (as the metrics read the funnel). */
export function sqlStageOf(compiled: CompiledAgreement): string {
  for (const byAction of compiled.lifecycle.transitionsFrom.values()) {
    const transition = byAction.get("qualify_sales");
    if (transition !== undefined) return transition.to;
  }
  return "sql";
}

export function emptyConversions(): Conversions {
  return { leads: 0, reachedSql: 0, opportunity: 0, won: 0, wonAmount: 0 };
}

export interface LeadOutcome {
  reachedSql: boolean;
  opportunity: boolean;
  won: boolean;
  amount: number | null;
}

export function outcomeOf(lead: BacktestLead, sqlStage: string): LeadOutcome {
  const opportunity = lead.opportunity;
  return {
    reachedSql: lead.stages.some((entry) => entry.stage === sqlStage),
    opportunity: opportunity !== null,
    won: opportunity?.outcome === "won",
    amount: opportunity?.amount ?? null,
  };
}

export function addConversion(conversions: Conversions, outcome: LeadOutcome): void {
  conversions.leads++;
  if (outcome.reachedSql) conversions.reachedSql++;
  if (outcome.opportunity) conversions.opportunity++;
  if (outcome.won) {
    conversions.won++;
    conversions.wonAmount += outcome.amount ?? 0;
  }
}
