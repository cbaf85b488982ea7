import type { Availability } from "./availability.js";

/**
 * What routing remembers between decisions. `route` takes a state and returns the next one; it
 * never changes the state it was given, so a caller can replay history (backtests) or retry a
 * decision safely. `openLeads` and `pools` are plain data the caller may store; `availability`
 * is answered by the caller and passed through unchanged.
 */
export interface RoutingState {
  /** open leads per rep, which caps are measured against; a rep not listed has none */
  readonly openLeads: Readonly<Record<string, number>>;
  /** rotation memory per pool; a pool that has not assigned a lead yet has no entry */
  readonly pools: Readonly<Record<string, PoolState>>;
  readonly availability: Availability;
}

/**
 * Rotation memory of one pool. Per-member values are arrays in the order of `members` (the pool's
 * member order when the state was written) so that the next state is a few array copies, not a
 * rebuilt record per member. A state written under an older agreement is matched up by rep id.
 */
export interface PoolState {
  readonly members: readonly string[];
  /**
   * Smooth weighted round robin "current weight" per member. Each turn every available member
   * rises by its weight, the highest is chosen, and the chosen one drops by the total weight of
   * the available members. Positive means due a turn soon, negative had one recently. A member
   * who is skipped (away or at cap) is reset to 0, the others shifted alike so the weights still
   * sum to 0, and rejoins like a new member: skipped turns never pile up into a run of leads on
   * return. Empty for `fewest_assigned` pools.
   */
  readonly current: readonly number[];
  /**
   * Catch-up pools only (empty otherwise): turns owed to each member for rotation turns taken
   * while they were away (out of office or outside working hours). A member away for a turn is
   * owed their share of it, weight ÷ total weight of available and away members. Whole owed
   * turns are paid first once the member is available again: the run of leads catch-up asks for.
   */
  readonly owed: readonly number[];
  /** per member, the turn of their latest assignment, 0 for never: "least recently assigned" */
  readonly lastAssignedTurn: readonly number[];
  /** assignments this pool has made to its members (overflow does not count) */
  readonly turns: number;
}

/** A state with no history: every pool starts its rotation fresh. */
export function initialRoutingState(
  availability: Availability,
  openLeads: Readonly<Record<string, number>> = {},
): RoutingState {
  return { openLeads, pools: {}, availability };
}

/**
 * Open leads as routing threads them from one decision to the next: a count per rep the routing
 * names (pool members, named and overflow owners), in the router's rep order, plus the caller's
 * record for anyone else (account owners outside every pool). Copying an array of counts per
 * decision is cheap; copying a record with one key per rep is not (about 20 ns a key in V8).
 */
export interface LoadTable {
  /** the router whose rep order `counts` follows */
  readonly router: object;
  readonly counts: readonly number[];
  readonly others: Readonly<Record<string, number>>;
  readonly repIds: readonly string[];
  /** `openLeads` as a record, built the first time somebody reads it */
  record: Readonly<Record<string, number>> | undefined;
}

const loadTableKey = Symbol("baton.routing.loads");

/**
 * The states `route` returns. They are ordinary `RoutingState`s to read, spread and serialise;
 * `openLeads` is an own enumerable property whose record is built from the load table on first
 * read, so a decision whose state nobody inspects never pays for it.
 */
class ThreadedRoutingState implements RoutingState {
  declare readonly openLeads: Readonly<Record<string, number>>;
  readonly [loadTableKey]: LoadTable;

  constructor(
    readonly pools: Readonly<Record<string, PoolState>>,
    readonly availability: Availability,
    table: LoadTable,
  ) {
    this[loadTableKey] = table;
    Object.defineProperty(this, "openLeads", openLeadsProperty);
  }
}

const openLeadsProperty: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: ThreadedRoutingState): Readonly<Record<string, number>> {
    const table = this[loadTableKey];
    table.record ??= recordOf(table);
    return table.record;
  },
};

function recordOf(table: LoadTable): Readonly<Record<string, number>> {
  const record: Record<string, number> = { ...table.others };
  for (let index = 0; index < table.repIds.length; index++) {
    const rep = table.repIds[index]!;
    const count = table.counts[index]!;
    if (count !== 0 || Object.hasOwn(record, rep)) record[rep] = count;
  }
  return Object.freeze(record);
}

/** The load table of a state `router` returned, or undefined for any other state. */
export function loadTableOf(state: RoutingState, router: object): LoadTable | undefined {
  if (!(state instanceof ThreadedRoutingState)) return undefined;
  const table = state[loadTableKey];
  return table.router === router ? table : undefined;
}

export function threadedState(
  pools: Readonly<Record<string, PoolState>>,
  availability: Availability,
  router: object,
  repIds: readonly string[],
  counts: readonly number[],
  others: Readonly<Record<string, number>>,
): RoutingState {
  return new ThreadedRoutingState(pools, availability, {
    router,
    repIds,
    counts,
    others,
    record: undefined,
  });
}
