import type { LeadHistory, PipelineHistory } from "./pipeline-history.js";

/**
 * A history's leads by id, found once per history for every metric that asks (attribution,
 * influenced pipeline, SLA cycles' campaigns). For histories of one lineage (the ledger fold's
 * snapshots) the positions by id are kept and only the leads appended since are added, so a new
 * snapshot of a million leads does not hash a million ids again; a position is trusted only when
 * the lead found there has the id asked.
 */

export type LeadLookup = (id: string) => LeadHistory | undefined;

const lookups = new WeakMap<PipelineHistory, LeadLookup>();
const positionsOf = new WeakMap<object, { positions: Map<string, number>; count: number }>();

export function leadLookup(history: PipelineHistory): LeadLookup {
  const known = lookups.get(history);
  if (known !== undefined) return known;
  const leads = history.leads;
  let lookup: LeadLookup;
  if (history.lineage === undefined) {
    let byId: Map<string, LeadHistory> | undefined;
    lookup = (id) => {
      byId ??= new Map(leads.map((lead) => [lead.id, lead]));
      return byId.get(id);
    };
  } else {
    let kept = positionsOf.get(history.lineage);
    if (kept === undefined || kept.count > leads.length) {
      kept = { positions: new Map(), count: 0 };
      positionsOf.set(history.lineage, kept);
    }
    for (let index = kept.count; index < leads.length; index++)
      kept.positions.set(leads[index]!.id, index);
    kept.count = leads.length;
    const { positions } = kept;
    let fallback: Map<string, LeadHistory> | undefined;
    lookup = (id) => {
      // every lead of the lineage has its position: an id without one is no lead of it
      const position = positions.get(id);
      if (position === undefined) return undefined;
      const lead = leads[position];
      if (lead !== undefined && lead.id === id) return lead;
      // not where the lineage put it: look it up the long way
      fallback ??= new Map(leads.map((entry) => [entry.id, entry]));
      return fallback.get(id);
    };
  }
  lookups.set(history, lookup);
  return lookup;
}

/**
 * The leads of a few ids (a few thousand deals' leads), in the order of `ids`: through the
 * lineage's kept positions; a history of no lineage (an audit) is scanned once instead, rather
 * than keep a map of every lead with it for the few asked.
 */
export function leadsWithIds(history: PipelineHistory, ids: ReadonlySet<string>): LeadHistory[] {
  if (ids.size === 0) return [];
  if (history.lineage === undefined) {
    const found = new Map<string, LeadHistory>();
    for (const lead of history.leads) if (ids.has(lead.id)) found.set(lead.id, lead);
    return [...ids].flatMap((id) => found.get(id) ?? []);
  }
  const leadOf = leadLookup(history);
  return [...ids].flatMap((id) => leadOf(id) ?? []);
}
