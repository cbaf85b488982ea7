import type { LeadHistory, PipelineHistory } from "./pipeline-history.js";
import type { RecordIds } from "./statistics.js";

/**
 * The distinct leads of a list, in the order first seen, found by the lead's position in
 * `history.leads` rather than by hashing ids: drill-downs list each lead once, and a cohort of a
 * million leads is deduplicated in one pass over a stamp array instead of a Set of a million ids.
 */

/** A lead and its position in `history.leads`. */
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
  readonly #leads: readonly LeadHistory[];

  /** `limit`: the most ids a list holds (recordLimit); the count is always exact */
  constructor(
    history: Pick<PipelineHistory, "leads">,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.#stamps = stampsFor(history.leads);
    this.#leads = history.leads;
  }

  /**
   * The ids of the distinct leads of the lists, in the order first seen. A reference's
   * `leadIndex` is its lead's position in the history's leads, which give the id.
   */
  ids<Item>(reference: (item: Item) => LeadReference, ...lists: (readonly Item[])[]): RecordIds {
    return this.idsAt((item: Item) => reference(item).leadIndex, ...lists);
  }

  /** As `ids`, for items that give their lead's position in the history's leads. */
  idsAt<Item>(leadIndexOf: (item: Item) => number, ...lists: (readonly Item[])[]): RecordIds {
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
