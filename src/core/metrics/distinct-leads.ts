import { viewSource } from "./period-view.js";
import type { LeadHistory, PipelineHistory } from "./pipeline-history.js";
import type { RecordIds } from "./statistics.js";

/**
 * The distinct leads of a list, in the order first seen, found by the lead's position (in
 * `history.leads`, or for a period view in its source history's leads: LeadReference) rather than
 * by hashing ids: drill-downs list each lead once, and a cohort of a million leads is deduplicated
 * in one pass over a stamp array instead of a Set of a million ids.
 */

/**
 * A lead and its position among the leads it was found in: `history.leads`, or for a period view
 * (period-view.ts) the leads of the history the view was taken from, where an MQL cycle kept from
 * one request to the next has its lead (mql-cycles.ts).
 */
export interface LeadReference {
  lead: LeadHistory;
  leadIndex: number;
}

/**
 * One stamp array, by position, shared by every DistinctLeads whatever its list of leads: each
 * `ids` call takes a generation of its own and runs to its end before another begins, so the
 * calls never see each other's stamps. (One per snapshot's list was a million leads' array outside
 * the heap per dashboard request.) It keeps the size of the largest list seen.
 */
interface Stamps {
  stamps: Uint32Array;
  generation: number;
}
const shared: Stamps = { stamps: new Uint32Array(0), generation: 0 };

function stampsFor(leads: readonly LeadHistory[]): Stamps {
  if (shared.stamps.length < leads.length) {
    shared.stamps = new Uint32Array(leads.length);
    shared.generation = 0;
  }
  return shared;
}

export class DistinctLeads {
  readonly #stamps: Stamps;
  /** the leads positions are stamped in: the history's, or its source's for a view */
  readonly #leads: readonly LeadHistory[];
  /** a view's lead positions in its source; undefined for a whole history */
  readonly #toSource: Int32Array | undefined;

  /**
   * `history`: the very object the listed leads and cycles were taken from (a view is known by
   * its identity, so a copy of one would stamp in the wrong leads); `limit`: the most ids a list
   * holds (recordLimit); the count is always exact
   */
  constructor(
    history: Pick<PipelineHistory, "leads">,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    const source = viewSource(history);
    this.#leads = source === undefined ? history.leads : source.history.leads;
    this.#toSource = source?.positions;
    this.#stamps = stampsFor(this.#leads);
  }

  /**
   * The ids of the distinct leads of the lists, in the order first seen. A reference's
   * `leadIndex` is its lead's position as LeadReference says (an MQL cycle's).
   */
  ids<Item>(reference: (item: Item) => LeadReference, ...lists: (readonly Item[])[]): RecordIds {
    return this.#distinct((item: Item) => reference(item).leadIndex, lists);
  }

  /** As `ids`, for items that give their lead's position in the history's own `leads`. */
  idsAt<Item>(leadIndexOf: (item: Item) => number, ...lists: (readonly Item[])[]): RecordIds {
    const toSource = this.#toSource;
    if (toSource === undefined) return this.#distinct(leadIndexOf, lists);
    return this.#distinct((item: Item) => toSource[leadIndexOf(item)]!, lists);
  }

  #distinct<Item>(leadIndexOf: (item: Item) => number, lists: (readonly Item[])[]): RecordIds {
    const stamps = this.#stamps.stamps;
    const generation = this.#nextGeneration();
    const ids: string[] = [];
    let count = 0;
    for (const list of lists)
      for (const item of list) {
        const leadIndex = leadIndexOf(item);
        if (stamps[leadIndex] === generation) continue;
        stamps[leadIndex] = generation;
        count++;
        if (ids.length < this.limit) ids.push(this.#leads[leadIndex]!.id);
      }
    return this.limit === Number.POSITIVE_INFINITY ? ids : { ids, count };
  }

  /** A generation of stamps no earlier call used. */
  #nextGeneration(): number {
    const shared = this.#stamps;
    if (shared.generation === 0xffffffff) {
      shared.stamps.fill(0);
      shared.generation = 0;
    }
    return ++shared.generation;
  }
}

export const itself = <Item>(item: Item): Item => item;
