import { viewSource } from "./period-view.js";
import type { LeadDecision, LeadHistory, PipelineHistory } from "./pipeline-history.js";
import { inPeriod, memoPerPeriod } from "./statistics.js";

/**
 * A lead's MQL cycles: one per MQL moment (an entry into the MQL stage), running until the next
 * MQL moment. What happened inside a cycle belongs to that qualification: the assignment, the
 * first touch, the sales decision, reaching SQL, the opportunity. Volume, acceptance, conversion
 * and speed metrics all read cycles, so a lead re-qualified after recycling is counted once per
 * qualification with the facts of that qualification.
 *
 * Decisions (METRICS.md is silent on these; the UI states them):
 * - assigned: if the lead had an owner at the MQL moment, the assignment is the moment itself
 *   (system delay 0); otherwise the first assignment inside the cycle.
 * - the sales decision is the cycle's first disposition: accept or convert → accepted; reject,
 *   disqualify or a recycle before any acceptance → rejected (sales declined the lead);
 *   `recycled` additionally marks every cycle with a recycle decision (recycle rate).
 */
export interface MqlCycle {
  lead: LeadHistory;
  /**
   * the lead's position in `history.leads`, or for a period view in its source history's leads
   * (LeadReference, distinct-leads.ts)
   */
  leadIndex: number;
  /** 0 for the lead's first qualification */
  index: number;
  /** the MQL moment */
  at: number;
  /** the next MQL moment of the same lead; null for the latest cycle */
  end: number | null;
  assignedAt: number | null;
  /** owner and team in force for the cycle: its assignment, else the lead's current owner */
  owner: string | null;
  team: string | null;
  firstTouchAt: number | null;
  /** the first disposition inside the cycle */
  decision: LeadDecision | null;
  outcome: "accepted" | "rejected" | null;
  /** the cycle's recycle decision, if any */
  recycle: LeadDecision | null;
  /** first entry into the SQL stage inside the cycle */
  sqlAt: number | null;
  /** the lead's opportunities created inside the cycle */
  opportunityIds: string[];
}

function within(at: number, cycle: { at: number; end: number | null }): boolean {
  return at >= cycle.at && (cycle.end === null || at < cycle.end);
}

/** Shared by every cycle without an opportunity (most of them); never changed. */
const noOpportunities: string[] = [];

/** The MQL cycles of one lead, in time order. */
export function leadMqlCycles(
  lead: LeadHistory,
  history: Pick<PipelineHistory, "funnel" | "opportunities" | "leads">,
  opportunityCreatedAt: (id: string) => number | undefined,
  leadIndex = history.leads.indexOf(lead),
): MqlCycle[] {
  const { mql, sql } = history.funnel;
  // Written as loops over the lead's lists, without a list per cycle: a million leads' cycles
  // are derived on an audit and on a dashboard's first snapshot.
  const moments: number[] = [];
  for (const entry of lead.stages) if (entry.stage === mql) moments.push(entry.at);
  const cycles: MqlCycle[] = [];
  for (let index = 0; index < moments.length; index++) {
    const span = { at: moments[index]!, end: moments[index + 1] ?? null };
    let owner: string | null = null;
    let team: string | null = null;
    let assignedAt: number | null = null;
    for (const assignment of lead.assignments) {
      if (assignment.at <= span.at) {
        owner = assignment.owner;
        team = assignment.team;
        assignedAt = span.at;
      } else if (assignedAt === null && within(assignment.at, span)) {
        owner = assignment.owner;
        team = assignment.team;
        assignedAt = assignment.at;
      }
    }
    if (owner === null) {
      owner = lead.owner;
      team = lead.team;
    }
    let decision: LeadDecision | null = null;
    let recycle: LeadDecision | null = null;
    for (const entry of lead.decisions) {
      if (!within(entry.at, span)) continue;
      decision ??= entry;
      if (entry.kind === "recycle") {
        recycle = entry;
        break;
      }
    }
    const outcome =
      decision === null
        ? null
        : decision.kind === "accept" || decision.kind === "convert"
          ? "accepted"
          : "rejected";
    let firstTouchAt: number | null = null;
    for (const touch of lead.touches)
      if (within(touch, span)) {
        firstTouchAt = touch;
        break;
      }
    let sqlAt: number | null = null;
    for (const entry of lead.stages)
      if (entry.stage === sql && within(entry.at, span)) {
        sqlAt = entry.at;
        break;
      }
    cycles.push({
      lead,
      leadIndex,
      index,
      at: span.at,
      end: span.end,
      assignedAt,
      owner,
      team,
      firstTouchAt,
      decision,
      outcome,
      recycle,
      sqlAt,
      opportunityIds:
        lead.opportunityIds.length === 0
          ? noOpportunities
          : lead.opportunityIds.filter((id) => {
              const createdAt = opportunityCreatedAt(id);
              return createdAt !== undefined && within(createdAt, span);
            }),
    });
  }
  return cycles;
}

const cyclesOfHistory = new WeakMap<PipelineHistory, readonly MqlCycle[]>();

/**
 * Cycles kept per lineage (the ledger fold's snapshots, see `PipelineHistory.lineage`): at each
 * lead's position, the lead object they were derived from and its cycles. A new snapshot shares
 * every lead that did not change, so it derives the cycles of the leads that changed only. Within
 * a lineage an opportunity's creation instant never changes, so a lead's cycles follow from the
 * lead object and the funnel; a new funnel (another agreement version) starts afresh.
 */
interface KeptCycles {
  funnel: PipelineHistory["funnel"];
  leads: (LeadHistory | undefined)[];
  cycles: MqlCycle[][];
}
const keptByLineage = new WeakMap<object, KeptCycles>();
const noCycles: MqlCycle[] = [];

/** The cycles kept for a history's lineage, or undefined for a history of no lineage. */
function keptOf(history: PipelineHistory): KeptCycles | undefined {
  if (history.lineage === undefined) return undefined;
  let kept = keptByLineage.get(history.lineage);
  if (kept === undefined || kept.funnel !== history.funnel) {
    kept = { funnel: history.funnel, leads: [], cycles: [] };
    keptByLineage.set(history.lineage, kept);
  }
  // Grown to the history's length in order, so a view's writes at scattered positions land in
  // a dense array (V8 makes an array with far-off holes a slow dictionary).
  while (kept.leads.length < history.leads.length) {
    kept.leads.push(undefined);
    kept.cycles.push(noCycles);
  }
  return kept;
}

/**
 * The cycles of the lead at `position` of `history`: kept ones while the lead object is the one
 * they were derived from, else derived now (and kept). `createdAt` finds an opportunity's
 * creation instant, built on first need (most leads have no opportunity, few changed).
 */
function cyclesAt(
  history: PipelineHistory,
  kept: KeptCycles | undefined,
  position: number,
  createdAt: (id: string) => number | undefined,
): readonly MqlCycle[] {
  const lead = history.leads[position]!;
  if (kept !== undefined && kept.leads[position] === lead) return kept.cycles[position]!;
  let ofLead = leadMqlCycles(lead, history, createdAt, position);
  if (ofLead.length === 0) ofLead = noCycles;
  if (kept !== undefined) {
    kept.leads[position] = lead;
    kept.cycles[position] = ofLead;
  }
  return ofLead;
}

function creationInstants(history: PipelineHistory): (id: string) => number | undefined {
  let createdAt: Map<string, number> | undefined;
  return (id) => {
    createdAt ??= new Map(history.opportunities.map((entry) => [entry.id, entry.createdAt]));
    return createdAt.get(id);
  };
}

/**
 * Every MQL cycle of the history, in lead order then time order. Memoised per history object
 * (histories are never mutated once built), so a dashboard computing many metrics over one
 * history derives the cycles once. A period view (period-view.ts) takes its leads' cycles from
 * those kept for the history it was taken from (a view holds every opportunity of its leads, so
 * they are the same cycles, their `leadIndex` a position in that history's leads, as
 * LeadReference says); when that history has a lineage, only its changed leads' cycles are
 * derived.
 */
export function mqlCycles(history: PipelineHistory): readonly MqlCycle[] {
  const known = cyclesOfHistory.get(history);
  if (known !== undefined) return known;
  const cycles: MqlCycle[] = [];
  const source = viewSource(history);
  const whole = source?.history ?? history;
  const kept = keptOf(whole);
  // a view holds every deal of its leads: its own are enough, and fewer
  const createdAt = creationInstants(history);
  for (let index = 0; index < history.leads.length; index++) {
    const position = source === undefined ? index : source.positions[index]!;
    for (const cycle of cyclesAt(whole, kept, position, createdAt)) cycles.push(cycle);
  }
  cyclesOfHistory.set(history, cycles);
  return cycles;
}

/**
 * The MQL cycles whose MQL moment is in the half-open period [from, to), in mqlCycles' order:
 * the cohort of the period. Memoised per history and period, as most volume and speed metrics of
 * one dashboard request ask for the same one.
 */
export const cohortCycles = memoPerPeriod(
  (history: PipelineHistory, from: number, to: number): readonly MqlCycle[] => {
    const cohort: MqlCycle[] = [];
    for (const cycle of mqlCycles(history)) if (inPeriod(cycle.at, from, to)) cohort.push(cycle);
    return cohort;
  },
);

/** The group attributes of a cycle: the lead's source, campaign and segment, the cycle's owner. */
export function cycleAttributes(cycle: MqlCycle) {
  return {
    source: cycle.lead.source,
    campaign: cycle.lead.campaign,
    segment: cycle.lead.segment,
    team: cycle.team,
    owner: cycle.owner,
  };
}
