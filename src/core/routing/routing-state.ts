import type { Availability } from "./availability.js";

/**
 * What routing remembers between decisions. `route` takes a state and returns the next one; it
 * never changes the state it was given, so a caller can replay history (backtests) or retry a
 * decision safely. `openLeads` and `pools` are plain JSON the caller may store; `availability`
 * is answered fresh by the caller and passed through unchanged.
 */
export interface RoutingState {
  /** open leads per rep, which caps are measured against; a rep not listed has none */
  openLeads: Readonly<Record<string, number>>;
  /** rotation memory per pool; a pool that has not assigned a lead yet has no entry */
  pools: Readonly<Record<string, PoolState>>;
  availability: Availability;
}

/** Rotation memory of one pool. */
export interface PoolState {
  /**
   * Smooth weighted round robin "current weight" per member (absent = 0). Each turn every
   * available member rises by its weight, the highest is chosen, and the chosen one drops by the
   * total weight of the available members. A positive current weight means the member is due a
   * turn soon, a negative one that it had a turn recently. A member who is skipped (away or at
   * cap) is reset to 0 and rejoins like a new member, so skipped turns never pile up into a run
   * of leads on return. `fewest_assigned` pools leave it empty.
   */
  current: Readonly<Record<string, number>>;
  /**
   * Catch-up pools only: turns owed to each member for rotation turns taken while they were away
   * (out of office or outside working hours). A member away for one turn is owed their share of
   * it, weight ÷ total weight of available and away members. Whole owed turns are paid back first
   * when the member is available again, which is the run of leads catch-up asks for.
   */
  owed: Readonly<Record<string, number>>;
  /** assignments this pool has made to its members (overflow does not count) */
  turns: number;
  /** per member, the turn of their latest assignment; breaks ties as "least recently assigned" */
  lastAssignedTurn: Readonly<Record<string, number>>;
}

/** A state with no history: every pool starts its rotation fresh. */
export function initialRoutingState(
  availability: Availability,
  openLeads: Readonly<Record<string, number>> = {},
): RoutingState {
  return { openLeads, pools: {}, availability };
}
