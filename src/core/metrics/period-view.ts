import { leadPosition, shareLookup } from "./lead-lookup.js";
import type { MetricReach } from "./metric.js";
import type {
  LeadHistory,
  OpportunityHistory,
  PipelineHistory,
  SlaCycle,
} from "./pipeline-history.js";

/**
 * The part of a history a metric over a period can see. Most metrics count only what is dated
 * inside the period, or a cohort whose defining instant is inside it: a lead none of whose facts
 * is dated at or after the period's start adds nothing to them. A dashboard asks for this month
 * over years of leads, so those metrics run over the leads, opportunities and cycles with a fact
 * at or after the period's start instead of over all. A metric definition says what it reads
 * (`reads`, a MetricReach): `since` an instant (the period's start, or a trailing window's), and
 * with `openDeals` every open opportunity too (open pipeline at the period's end). Snapshots
 * (stuck leads, open cycles at risk) read the whole history.
 *
 * The view is a superset of what such a metric reads, closed over references:
 * - a lead, an opportunity or a cycle is in it when any of its instants is at or after `since`
 *   (and an opportunity still open, with `openDeals`);
 * - with the lead of an opportunity or a cycle in it, and every opportunity of a lead in it (a
 *   cohort lead's deal may be dated before its MQL moment);
 * - in the history's order, so drill-downs list records in the same order as over the whole.
 *
 * Each record's latest instant is kept per lineage (the ledger fold's snapshots) at the record's
 * position, with the object it was worked out from: a new snapshot shares every record that did
 * not change, so only the changed ones are looked at again. The view itself is kept per history
 * and reach, so the metrics of one dashboard request share it.
 */

/** The latest instant of a lead's facts (stages, assignments, touches, activity, decisions). */
function leadLatest(lead: LeadHistory): number {
  let latest = Math.max(lead.createdAt, lead.stageEnteredAt);
  for (const entry of lead.stages) if (entry.at > latest) latest = entry.at;
  for (const assignment of lead.assignments) if (assignment.at > latest) latest = assignment.at;
  for (const touch of lead.touches) if (touch > latest) latest = touch;
  for (const decision of lead.decisions) if (decision.at > latest) latest = decision.at;
  for (const touch of lead.marketingTouches) if (touch.at > latest) latest = touch.at;
  if (lead.lastActivityAt !== null && lead.lastActivityAt > latest) latest = lead.lastActivityAt;
  return latest;
}

function opportunityLatest(opportunity: OpportunityHistory): number {
  let latest = opportunity.createdAt;
  if (opportunity.closedAt !== null && opportunity.closedAt > latest) latest = opportunity.closedAt;
  for (const entry of opportunity.stages) if (entry.at > latest) latest = entry.at;
  return latest;
}

/** A cycle's latest instant: its start, warning, due or end (a breach is placed at its due). */
function cycleLatest(cycle: SlaCycle): number {
  return Math.max(
    cycle.startedAt,
    cycle.endedAt ?? cycle.startedAt,
    cycle.dueAt ?? cycle.startedAt,
    cycle.firstWarningAt ?? cycle.startedAt,
  );
}

const PAGE_BITS = 16;
/** Positions per page: a million leads are 16 pages. */
export const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

/**
 * Numbers by position, in pages of PAGE_SIZE. A later snapshot that changes a few values copies
 * the pages they are in and shares the rest: copies of a million leads' whole arrays after every
 * few new events were most of what a dashboard request allocated outside the heap, and what
 * started the collector's marking of the whole heap.
 */
export class PagedNumbers<Page extends Float64Array | Int32Array> {
  constructor(
    readonly length: number,
    readonly pages: readonly Page[],
  ) {}

  at(index: number): number {
    return this.pages[index >>> PAGE_BITS]![index & PAGE_MASK]!;
  }
}

interface KeptValues {
  latest: PagedNumbers<Float64Array>;
  ref: PagedNumbers<Int32Array>;
}

/**
 * What a record kind keeps per position: the object seen there, an instant worked out from it, and
 * a reference (a deal's or cycle's lead position in `history.leads`, -1 when none; an idle lead's
 * stage code).
 */
interface Kept<Item> {
  /** null for a history of no lineage: nothing of it is reused, so nothing is kept */
  items: (Item | undefined)[] | null;
  latest: Float64Array[];
  ref: Int32Array[];
  /** by page: a history was given it, so it is copied before a value a history can read there
   * (at a position under `givenLength`) changes */
  given: boolean[];
  /** the most positions a history was given: a value past them is seen by none */
  givenLength: number;
  /** the items last worked out (a snapshot's list, shared by the next while nothing changed) */
  lastItems?: readonly Item[];
  lastResult?: KeptValues;
}

function kept<Item>(keep: boolean): Kept<Item> {
  return { items: keep ? [] : null, latest: [], ref: [], given: [], givenLength: 0 };
}

/**
 * Pages for `length` positions: full ones, and a last one grown by half (so a history growing a
 * few leads at a time copies its last page now and then, and a small one stays small). A grown
 * page is a copy, so no history holds it.
 */
function grow(store: Kept<unknown>, length: number): void {
  const count = Math.ceil(length / PAGE_SIZE);
  for (let page = 0; page < count; page++) {
    const needed = page < count - 1 ? PAGE_SIZE : length - page * PAGE_SIZE;
    const have = store.latest[page]?.length ?? 0;
    if (have >= needed) continue;
    const size = Math.min(PAGE_SIZE, Math.max(needed, Math.ceil(have * 1.5)));
    const latest = new Float64Array(size);
    const ref = new Int32Array(size);
    if (have > 0) {
      latest.set(store.latest[page]!);
      ref.set(store.ref[page]!);
    }
    store.latest[page] = latest;
    store.ref[page] = ref;
    store.given[page] = false;
  }
}

/** Deals' and cycles' latest instants and their leads' positions, of one history. */
interface Instants {
  deals: PagedNumbers<Float64Array>;
  dealLeads: PagedNumbers<Int32Array>;
  cycles: PagedNumbers<Float64Array>;
  cycleLeads: PagedNumbers<Int32Array>;
}

interface Stores {
  leads: Kept<LeadHistory>;
  deals: Kept<OpportunityHistory>;
  cycles: Kept<SlaCycle>;
  /** leads' idle instants, with their stages as codes of `stages` */
  idle: Kept<LeadHistory>;
  stageCodes: Map<string, number>;
  stages: string[];
}

const keptBy = new WeakMap<object, Stores>();

/**
 * What is kept for the history's lineage; a history of no lineage (built once, an audit) gets
 * stores of its own that are not kept (its results are, per history).
 */
function storesOf(history: PipelineHistory): Stores {
  const fresh = (keep: boolean): Stores => ({
    leads: kept(keep),
    deals: kept(keep),
    cycles: kept(keep),
    idle: kept(keep),
    stageCodes: new Map(),
    stages: [],
  });
  if (history.lineage === undefined) return fresh(false);
  let stores = keptBy.get(history.lineage);
  if (stores === undefined) {
    stores = fresh(true);
    keptBy.set(history.lineage, stores);
  }
  return stores;
}

/**
 * Works out the instant (and the reference) of each item, reusing what is kept where the same
 * object is at its position, and returns values as long as `items`. A page a history was given is
 * copied before a value at a position a history can read changes (a later snapshot changes what
 * is kept, never what a history was given), and only then: a snapshot in which no value changed (nothing new was folded,
 * an open cycle's row remade with the same instants) allocates nothing, and one in which a few
 * changed copies their pages. A new object with the same key keeps its reference (within a
 * lineage a lead keeps its position): an open cycle's row is new in every snapshot, and finding a
 * lead's position by id is the costly part.
 */
function update<Item>(
  items: readonly Item[],
  store: Kept<Item>,
  latestOf: (item: Item) => number,
  ref?: { key: (item: Item) => string | null; resolve: (key: string | null, item: Item) => number },
): KeptValues {
  // the same list as last time (a snapshot sharing the last one's): lists are never changed
  if (items === store.lastItems) return store.lastResult!;
  grow(store, items.length);
  const { latest, ref: refs, given } = store;
  const seen = store.items;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const before = seen?.[index];
    if (before === item) continue;
    const page = index >>> PAGE_BITS;
    const offset = index & PAGE_MASK;
    const value = latestOf(item);
    let reference = refs[page]![offset]!;
    if (ref !== undefined) {
      const key = ref.key(item);
      if (before === undefined || ref.key(before) !== key) reference = ref.resolve(key, item);
    }
    // the same instant (NaN, "never", is the same as NaN) and the same reference: nothing to write
    if (!Object.is(value, latest[page]![offset]) || reference !== refs[page]![offset]) {
      if (given[page] && index < store.givenLength) {
        latest[page] = latest[page]!.slice();
        refs[page] = refs[page]!.slice();
        given[page] = false;
      }
      latest[page]![offset] = value;
      refs[page]![offset] = reference;
    }
    if (seen !== null) seen[index] = item;
  }
  const pages = Math.ceil(items.length / PAGE_SIZE);
  const result = {
    latest: new PagedNumbers(items.length, latest.slice(0, pages)),
    ref: new PagedNumbers(items.length, refs.slice(0, pages)),
  };
  // Nothing kept (no lineage): these pages are the history's alone.
  if (seen === null) return result;
  given.fill(true, 0, pages);
  store.givenLength = Math.max(store.givenLength, items.length);
  store.lastItems = items;
  store.lastResult = result;
  return result;
}

const leadInstantsOfHistory = new WeakMap<PipelineHistory, PagedNumbers<Float64Array>>();
const instantsOfHistory = new WeakMap<PipelineHistory, Instants>();

/** Each lead's latest instant, by position. */
function leadInstants(history: PipelineHistory): PagedNumbers<Float64Array> {
  const known = leadInstantsOfHistory.get(history);
  if (known !== undefined) return known;
  const { latest } = update(history.leads, storesOf(history).leads, leadLatest);
  leadInstantsOfHistory.set(history, latest);
  return latest;
}

/**
 * Deals' and cycles' latest instants and leads, worked out only when a view leaves leads out
 * (finding a lead's position by id is most of their cost).
 */
function instantsOf(history: PipelineHistory): Instants {
  const known = instantsOfHistory.get(history);
  if (known !== undefined) return known;
  const stores = storesOf(history);
  const position = (id: string | null, record: { leadPosition?: number }) =>
    id === null ? -1 : leadPosition(history, id, record.leadPosition);
  const deals = update(history.opportunities, stores.deals, opportunityLatest, {
    key: (entry) => entry.leadId,
    resolve: position,
  });
  const cycles = update(history.cycles, stores.cycles, cycleLatest, {
    key: (cycle) => cycle.leadId,
    resolve: position,
  });
  const instants: Instants = {
    deals: deals.latest,
    dealLeads: deals.ref,
    cycles: cycles.latest,
    cycleLeads: cycles.ref,
  };
  instantsOfHistory.set(history, instants);
  return instants;
}

const views = new WeakMap<PipelineHistory, Map<string, PipelineHistory>>();

/** The history a view was taken from, and each view lead's position in it. */
export interface ViewSource {
  history: PipelineHistory;
  /** by the lead's position in the view, its position in `history.leads` */
  positions: Int32Array;
}
const viewSources = new WeakMap<object, ViewSource>();

/** Where a view's leads sit in the history it was taken from; undefined for a whole history. */
export function viewSource(view: Pick<PipelineHistory, "leads">): ViewSource | undefined {
  return viewSources.get(view);
}

/**
 * Flags by position for the view being chosen, reused from one view to the next (cleared before
 * each; a view is chosen to its end before another begins): a million leads' flags per view were
 * a new array outside the heap each time. They keep the size of the largest history seen.
 */
const scratch = { leads: new Uint8Array(0), deals: new Uint8Array(0) };

function clearedFlags(kind: keyof typeof scratch, length: number): Uint8Array {
  if (scratch[kind].length < length) scratch[kind] = new Uint8Array(length);
  else scratch[kind].fill(0, 0, length);
  return scratch[kind];
}

/** The history as seen by a metric that reads `reach` of it (see the header). */
export function periodView(history: PipelineHistory, reach: MetricReach): PipelineHistory {
  const { since, openDeals } = reach;
  let byReach = views.get(history);
  if (byReach === undefined) {
    byReach = new Map();
    views.set(history, byReach);
  }
  const key = `${since}${openDeals ? "+open" : ""}`;
  const known = byReach.get(key);
  if (known !== undefined) return known;

  const { leads, opportunities, cycles } = history;
  const latest = leadInstants(history);
  const chosen = clearedFlags("leads", leads.length);
  let anyLeft = false;
  // page by page, here and below: a call of `at` per value took twice as long (1M values)
  for (let page = 0, index = 0; page < latest.pages.length; page++) {
    const pageInstants = latest.pages[page]!;
    for (let offset = 0; offset < pageInstants.length && index < leads.length; offset++, index++)
      if (pageInstants[offset]! >= since) chosen[index] = 1;
      else anyLeft = true;
  }
  if (!anyLeft) {
    // every lead is in (a period from before the history began): the whole history is the view
    byReach.set(key, history);
    return history;
  }

  // the chosen deals and cycles, and their leads
  const instants = instantsOf(history);
  const dealChosen = clearedFlags("deals", opportunities.length);
  for (let page = 0, index = 0; page < instants.deals.pages.length; page++) {
    const dealInstants = instants.deals.pages[page]!;
    const dealLeads = instants.dealLeads.pages[page]!;
    for (
      let offset = 0;
      offset < dealInstants.length && index < opportunities.length;
      offset++, index++
    )
      if (dealInstants[offset]! >= since || (openDeals && opportunities[index]!.outcome === null)) {
        dealChosen[index] = 1;
        const lead = dealLeads[offset]!;
        if (lead >= 0) chosen[lead] = 1;
      }
  }
  const viewCycles: SlaCycle[] = [];
  for (let page = 0, index = 0; page < instants.cycles.pages.length; page++) {
    const cycleInstants = instants.cycles.pages[page]!;
    const cycleLeads = instants.cycleLeads.pages[page]!;
    for (let offset = 0; offset < cycleInstants.length && index < cycles.length; offset++, index++)
      if (cycleInstants[offset]! >= since) {
        viewCycles.push(cycles[index]!);
        const lead = cycleLeads[offset]!;
        if (lead >= 0) chosen[lead] = 1;
      }
  }

  const viewLeads: LeadHistory[] = [];
  let chosenCount = 0;
  for (let index = 0; index < leads.length; index++) if (chosen[index] === 1) chosenCount++;
  const positions = new Int32Array(chosenCount);
  for (let index = 0; index < leads.length; index++)
    if (chosen[index] === 1) {
      positions[viewLeads.length] = index;
      viewLeads.push(leads[index]!);
    }
  // and every deal of a chosen lead
  const viewOpportunities: OpportunityHistory[] = [];
  for (let page = 0, index = 0; page < instants.dealLeads.pages.length; page++) {
    const dealLeads = instants.dealLeads.pages[page]!;
    for (
      let offset = 0;
      offset < dealLeads.length && index < opportunities.length;
      offset++, index++
    ) {
      const lead = dealLeads[offset]!;
      if (dealChosen[index] === 1 || (lead >= 0 && chosen[lead] === 1))
        viewOpportunities.push(opportunities[index]!);
    }
  }
  const view: PipelineHistory = {
    ...history,
    leads: viewLeads,
    opportunities: viewOpportunities,
    cycles: viewCycles,
  };
  // positions in the view are its own: facts kept by position belong to the whole history,
  // which the view's leads are found in through `positions`
  delete view.lineage;
  shareLookup(view, history);
  viewSources.set(view, { history, positions });
  byReach.set(key, view);
  return view;
}

/** No activity of any kind, and no touch, after the lead entered its current stage. */
function idleSinceStageEntry(lead: LeadHistory): boolean {
  const entered = lead.stageEnteredAt;
  if (lead.lastActivityAt !== null && lead.lastActivityAt > entered) return false;
  return !lead.touches.some((touch) => touch > entered);
}

/** Per lead: the instant it entered its stage when idle since (else NaN), and the stage's code. */
export interface IdleLeads {
  idleSince: PagedNumbers<Float64Array>;
  stage: PagedNumbers<Int32Array>;
  /** stage ids by code */
  stages: readonly string[];
}

const idleOfHistory = new WeakMap<PipelineHistory, IdleLeads>();

/**
 * Each lead's idle instant and stage, for the stuck-leads snapshot: kept per lineage like the
 * latest instants, so a snapshot of a million leads scans two paged arrays instead of every lead.
 */
export function idleLeads(history: PipelineHistory): IdleLeads {
  const known = idleOfHistory.get(history);
  if (known !== undefined) return known;
  const stores = storesOf(history);
  const codeOf = (stage: string) => {
    let code = stores.stageCodes.get(stage);
    if (code === undefined) {
      code = stores.stages.length;
      stores.stageCodes.set(stage, code);
      stores.stages.push(stage);
    }
    return code;
  };
  const { latest, ref } = update(
    history.leads,
    stores.idle,
    (entry) => (idleSinceStageEntry(entry) ? entry.stageEnteredAt : Number.NaN),
    { key: (entry) => entry.stage, resolve: (stage) => codeOf(stage!) },
  );
  const idle = { idleSince: latest, stage: ref, stages: stores.stages.slice() };
  idleOfHistory.set(history, idle);
  return idle;
}
