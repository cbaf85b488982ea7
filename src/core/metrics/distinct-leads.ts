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

export class DistinctLeads {
  readonly #stamps: Uint32Array;
  #generation = 0;

  /** `limit`: the most ids a list holds (recordLimit); the count is always exact */
  constructor(
    history: Pick<PipelineHistory, "leads">,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.#stamps = new Uint32Array(history.leads.length);
  }

  /** The ids of the distinct leads of the lists, in the order first seen. */
  ids<Item>(reference: (item: Item) => LeadReference, ...lists: (readonly Item[])[]): RecordIds {
    const stamps = this.#stamps;
    const generation = ++this.#generation;
    const ids: string[] = [];
    let count = 0;
    for (const list of lists)
      for (const item of list) {
        const { lead, leadIndex } = reference(item);
        if (stamps[leadIndex] === generation) continue;
        stamps[leadIndex] = generation;
        count++;
        if (ids.length < this.limit) ids.push(lead.id);
      }
    return this.limit === Number.POSITIVE_INFINITY ? ids : { ids, count };
  }
}

export const itself = <Item>(item: Item): Item => item;
