import type { Availability } from "./availability.js";
import type { Candidate, CandidateGroup, ExclusionReason } from "./routing-decision.js";
import type { RoutingStrategy } from "./routing-schema.js";
import type { PoolState } from "./routing-state.js";

/**
 * One turn of a pool: check every member, pick one by the pool's strategy, and return the pool's
 * next rotation memory. This is the hot path of routing, so it works on arrays prepared at
 * compile time and records the candidates as those arrays, expanded only when read.
 */

export interface CompiledMember {
  rep: string;
  /** position of the rep in the router's rep order, where its open leads are counted */
  repIndex: number;
  weight: number;
  /** Infinity when the member has no cap */
  cap: number;
}

export interface CompiledPool {
  id: string;
  strategy: RoutingStrategy;
  members: readonly CompiledMember[];
  /** member rep ids; new pool states share this array, so the next turn knows they line up */
  memberIds: readonly string[];
  hoursRequired: boolean;
  catchUp: boolean;
}

/** What a turn needs to know about the moment and the loads. */
export interface TurnContext {
  availability: Availability;
  now: number;
  /** open leads per rep, in the router's rep order */
  counts: readonly number[];
  ruleId: string | null;
}

export interface PoolTurn {
  chosen: CompiledMember;
  poolState: PoolState;
  turn: number;
  /** round robin: total weight of the members available this turn */
  totalWeight: number | undefined;
  /** a catch-up pool paid a turn owed to the chosen member instead of rotating */
  catchUpTurn: boolean;
}

const noValues: readonly number[] = Object.freeze([]);

/** Owed shares are sums of fractions; a hair under 1 (rounding) still counts as a whole turn. */
const wholeTurn = 1 - 1e-9;

/** Why a rep cannot take a lead now, or undefined when they can. Leave is checked first. */
export function exclusionOf(
  availability: Availability,
  rep: string,
  now: number,
  hoursRequired: boolean,
  load: number,
  cap: number,
): ExclusionReason | undefined {
  if (availability.isOutOfOffice(rep, now)) return "out_of_office";
  if (hoursRequired && !availability.isWorking(rep, now)) return "outside_working_hours";
  if (load >= cap) return "at_cap";
  return undefined;
}

/**
 * Takes a turn, or returns undefined (state untouched) when no member can take the lead. Every
 * member is recorded in `candidates` with its load, weight and exclusion reason (compactly; see
 * `PoolCandidates`).
 */
export function takePoolTurn(
  pool: CompiledPool,
  previous: PoolState | undefined,
  context: TurnContext,
  candidates: (Candidate | CandidateGroup)[],
): PoolTurn | undefined {
  const memory = alignedMemory(pool, previous);
  return pool.strategy === "round_robin"
    ? roundRobinTurn(pool, memory, context, candidates)
    : fewestAssignedTurn(pool, memory, context, candidates);
}

interface Memory {
  current: readonly number[];
  owed: readonly number[];
  lastAssignedTurn: readonly number[];
  turns: number;
}

/**
 * The previous memory with one value per current member, in member order. States this router
 * wrote line up already; a state from another agreement version (members added, removed or
 * reordered) is matched by rep id, and newcomers start at 0.
 */
function alignedMemory(pool: CompiledPool, previous: PoolState | undefined): Memory {
  const size = pool.members.length;
  if (previous === undefined)
    return {
      current: zeros(size),
      owed: pool.catchUp ? zeros(size) : noValues,
      lastAssignedTurn: zeros(size),
      turns: 0,
    };
  const lined =
    previous.members === pool.memberIds ||
    (previous.members.length === size &&
      previous.members.every((rep, index) => rep === pool.memberIds[index]));
  return {
    current:
      pool.strategy === "round_robin" ? aligned(pool, previous, previous.current, lined) : noValues,
    owed: pool.catchUp ? aligned(pool, previous, previous.owed, lined) : noValues,
    lastAssignedTurn: aligned(pool, previous, previous.lastAssignedTurn, lined),
    turns: previous.turns,
  };
}

/** One value per current member: as stored when the members line up, else matched by rep id. */
function aligned(
  pool: CompiledPool,
  previous: PoolState,
  values: readonly number[],
  lined: boolean,
): readonly number[] {
  if (lined && values.length === pool.memberIds.length) return values;
  const byRep = new Map(previous.members.map((rep, index) => [rep, values[index] ?? 0]));
  return pool.memberIds.map((rep) => byRep.get(rep) ?? 0);
}

function zeros(size: number): number[] {
  return new Array<number>(size).fill(0);
}

/**
 * Smooth weighted round robin (as in nginx): each available member rises by its weight, the
 * highest is chosen (ties: the member listed first) and drops by the total weight of the
 * available members. While the same members are available, each gets turns in proportion to its
 * weight, spread out rather than in runs: weights 2:1:1 give a, b, c, a, a, b, c, a, …
 *
 * A member who is skipped (away or at cap) is reset to 0, so they rejoin like a new member and
 * get no run of leads on return. The available members are shifted by the same amount so the
 * current weights still sum to 0 (shifting all of them alike keeps their order): that sum is what
 * keeps the rotation smooth, and resetting one member alone would leave the pool with runs a
 * fresh rotation never has. With catch-up, an away member is also owed their share of each
 * rotation turn they miss (see `PoolState.owed`); a turn in which an available member is owed a
 * whole turn pays the member owed most instead (ties: listed first) and leaves the rotation as it
 * was, so the pool resumes its normal order once the debt is paid. Being at cap is not a missed
 * turn: nothing is owed for it.
 */
function roundRobinTurn(
  pool: CompiledPool,
  memory: Memory,
  context: TurnContext,
  candidates: (Candidate | CandidateGroup)[],
): PoolTurn | undefined {
  const { members, catchUp } = pool;
  const { availability, now, counts } = context;
  const reasons: (ExclusionReason | undefined)[] = [];

  let availableWeight = 0;
  let awayWeight = 0;
  /** sum of the available members' current weights; 0 unless someone was just skipped */
  let availableSum = 0;
  let availableCount = 0;
  let payee = -1;
  let payeeOwed = 0;
  for (let index = 0; index < members.length; index++) {
    const member = members[index]!;
    const reason = exclusionOf(
      availability,
      member.rep,
      now,
      pool.hoursRequired,
      counts[member.repIndex]!,
      member.cap,
    );
    reasons.push(reason);
    if (reason === undefined) {
      availableWeight += member.weight;
      availableSum += memory.current[index]!;
      availableCount++;
      if (catchUp) {
        const owed = memory.owed[index]!;
        if (owed >= wholeTurn && owed > payeeOwed) {
          payee = index;
          payeeOwed = owed;
        }
      }
    } else if (reason !== "at_cap") {
      awayWeight += member.weight;
    }
  }

  const paying = payee >= 0;
  const shift = availableCount > 0 ? -availableSum / availableCount : 0;
  let best = payee;
  let bestScore = Number.NEGATIVE_INFINITY;
  const current = memory.current.slice();
  const owed = catchUp ? memory.owed.slice() : undefined;
  for (let index = 0; index < members.length; index++) {
    const member = members[index]!;
    const reason = reasons[index];
    let weight = current[index]!;
    if (reason !== undefined) weight = 0;
    else if (paying) weight += shift;
    else {
      weight += shift + member.weight;
      if (weight > bestScore) {
        best = index;
        bestScore = weight;
      }
    }
    current[index] = weight;
    if (owed !== undefined) {
      if (paying && index === payee) owed[index] = owed[index]! - 1;
      else if (!paying && availableWeight > 0 && reason !== undefined && reason !== "at_cap")
        owed[index] = owed[index]! + member.weight / (availableWeight + awayWeight);
    }
  }
  const dropped = best >= 0 && !paying ? availableWeight : 0;
  if (best >= 0) current[best] = current[best]! - dropped;
  candidates.push(
    new PoolCandidates(pool, context.ruleId, reasons, counts, current, owed, best, dropped),
  );
  if (best < 0) return undefined;
  return takeTurn(pool, memory, best, {
    totalWeight: availableWeight,
    catchUpTurn: paying,
    current,
    owed: owed ?? noValues,
  });
}

/**
 * The member with the lowest open load relative to weight (load ÷ weight). Ties go to the member
 * assigned least recently in this pool (never assigned first), then to the lowest rep id, so the
 * same state always gives the same choice.
 */
function fewestAssignedTurn(
  pool: CompiledPool,
  memory: Memory,
  context: TurnContext,
  candidates: (Candidate | CandidateGroup)[],
): PoolTurn | undefined {
  const { members } = pool;
  const { availability, now, counts } = context;
  const reasons: (ExclusionReason | undefined)[] = [];
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let index = 0; index < members.length; index++) {
    const member = members[index]!;
    const load = counts[member.repIndex]!;
    const reason = exclusionOf(availability, member.rep, now, pool.hoursRequired, load, member.cap);
    reasons.push(reason);
    if (reason !== undefined) continue;
    const score = load / member.weight;
    if (best < 0 || score < bestScore) {
      best = index;
      bestScore = score;
      continue;
    }
    if (score !== bestScore) continue;
    const last = memory.lastAssignedTurn[index]!;
    const bestLast = memory.lastAssignedTurn[best]!;
    if (last < bestLast || (last === bestLast && member.rep < members[best]!.rep)) best = index;
  }
  candidates.push(
    new PoolCandidates(pool, context.ruleId, reasons, counts, undefined, undefined, best, 0),
  );
  if (best < 0) return undefined;
  return takeTurn(pool, memory, best, {
    totalWeight: undefined,
    catchUpTurn: false,
    current: noValues,
    owed: noValues,
  });
}

/** The turn that gives the lead to member `best`: the pool's memory moves one turn on. */
function takeTurn(
  pool: CompiledPool,
  memory: Memory,
  best: number,
  strategy: Pick<PoolTurn, "totalWeight" | "catchUpTurn"> & Pick<PoolState, "current" | "owed">,
): PoolTurn {
  const turn = memory.turns + 1;
  const lastAssignedTurn = memory.lastAssignedTurn.slice();
  lastAssignedTurn[best] = turn;
  return {
    chosen: pool.members[best]!,
    turn,
    totalWeight: strategy.totalWeight,
    catchUpTurn: strategy.catchUpTurn,
    poolState: {
      members: pool.memberIds,
      current: strategy.current,
      owed: strategy.owed,
      lastAssignedTurn,
      turns: turn,
    },
  };
}

/**
 * The candidates of one pool turn, kept as the arrays the turn produced and expanded into
 * `Candidate` records only when an explanation is read. Every array here is immutable once the
 * turn ends (the pool state keeps `current` and `owed`, the load table keeps `counts`).
 */
class PoolCandidates implements CandidateGroup {
  constructor(
    private readonly pool: CompiledPool,
    private readonly ruleId: string | null,
    private readonly reasons: readonly (ExclusionReason | undefined)[],
    private readonly counts: readonly number[],
    /** round robin: current weights after the turn */
    private readonly current: readonly number[] | undefined,
    private readonly owed: readonly number[] | undefined,
    /** the chosen member, or -1 */
    private readonly chosen: number,
    /** how far the chosen member's current weight dropped after being compared */
    private readonly dropped: number,
  ) {}

  expand(out: Candidate[]): void {
    const { pool, reasons, counts, current, owed } = this;
    for (let index = 0; index < pool.members.length; index++) {
      const member = pool.members[index]!;
      const load = counts[member.repIndex]!;
      const reason = reasons[index];
      out.push({
        rep: member.rep,
        ruleId: this.ruleId,
        pool: pool.id,
        eligible: reason === undefined,
        reason,
        load,
        cap: member.cap === Number.POSITIVE_INFINITY ? undefined : member.cap,
        weight: member.weight,
        score:
          current === undefined
            ? load / member.weight
            : current[index]! + (index === this.chosen ? this.dropped : 0),
        owed: owed?.[index],
      });
    }
  }
}
