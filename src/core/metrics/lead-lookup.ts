import type { LeadHistory, PipelineHistory } from "./pipeline-history.js";

/**
 * A history's leads by id, found once per history for every metric that asks (attribution,
 * influenced pipeline, SLA cycles' campaigns). For histories of one lineage (the ledger fold's
 * snapshots) the positions by id are kept and only the leads appended since are added, so a new
 * snapshot of a million leads does not hash a million ids again; a position is trusted only when
 * the lead found there has the id asked.
 */

/**
 * The lead of this id, if any. `position` is a record's hint (`leadPosition`): where the lead sits
 * in `leads` of the history that built the record; it is used when the lead found there has the
 * id, which saves a lookup by id in a map of every lead.
 */
export type LeadLookup = (id: string, position?: number) => LeadHistory | undefined;

const lookups = new WeakMap<PipelineHistory, LeadLookup>();
const positionLookups = new WeakMap<PipelineHistory, (id: string) => number>();
const positionsOf = new WeakMap<object, { positions: Map<string, number>; count: number }>();

/** A lead's position in `history.leads` by its id, -1 when none has it. */
function positionLookup(history: PipelineHistory): (id: string) => number {
  const known = positionLookups.get(history);
  if (known !== undefined) return known;
  const leads = history.leads;
  let byId: Map<string, number> | undefined;
  const everyPosition = () => new Map(leads.map((lead, index) => [lead.id, index]));
  let lookup: (id: string) => number;
  if (history.lineage === undefined) {
    lookup = (id) => {
      byId ??= everyPosition();
      return byId.get(id) ?? -1;
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
    lookup = (id) => {
      // every lead of the lineage has its position: an id without one is no lead of it
      const position = positions.get(id);
      if (position === undefined) return -1;
      if (leads[position]?.id === id) return position;
      // not where the lineage put it: look it up the long way
      byId ??= everyPosition();
      return byId.get(id) ?? -1;
    };
  }
  positionLookups.set(history, lookup);
  return lookup;
}

/**
 * The position in `history.leads` of the lead with this id; -1 when there is none. `hint` is a
 * record's `leadPosition`, taken when the lead there has the id.
 */
export function leadPosition(history: PipelineHistory, id: string, hint?: number): number {
  if (hint !== undefined && history.leads[hint]?.id === id) return hint;
  return positionLookup(history)(id);
}

/**
 * A view of a history (period-view.ts) finds leads through the history it was taken from: the
 * same lead objects, without a map of the view's own leads per view.
 */
export function shareLookup(view: PipelineHistory, history: PipelineHistory): void {
  lookups.set(view, leadLookup(history));
}

export function leadLookup(history: PipelineHistory): LeadLookup {
  const known = lookups.get(history);
  if (known !== undefined) return known;
  const positionOf = positionLookup(history);
  const leads = history.leads;
  const lookup: LeadLookup = (id, hint) => {
    if (hint !== undefined) {
      const lead = leads[hint];
      if (lead !== undefined && lead.id === id) return lead;
    }
    const position = positionOf(id);
    return position < 0 ? undefined : leads[position];
  };
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
  // a view finds its leads through its history's lookup (shareLookup)
  if (history.lineage === undefined && !lookups.has(history)) {
    const found = new Map<string, LeadHistory>();
    for (const lead of history.leads) if (ids.has(lead.id)) found.set(lead.id, lead);
    return [...ids].flatMap((id) => found.get(id) ?? []);
  }
  const leadOf = leadLookup(history);
  return [...ids].flatMap((id) => leadOf(id) ?? []);
}
