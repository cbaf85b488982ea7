import type { Availability } from "./availability.js";
import type { Candidate, ExclusionReason } from "./routing-decision.js";
import type { RoutingStrategy } from "./routing-schema.js";
import type { PoolState, RoutingState } from "./routing-state.js";

/**
 * One turn of a pool: check every member, pick one by the pool's strategy, and return the pool's
 * next rotation memory. This is the hot path of routing, so it works on arrays prepared at
 * compile time and writes the candidates straight into the caller's list.
 */

export interface CompiledMember {
  rep: string;
  weight: number;
  /** Infinity when the member has no cap */
  cap: number;
}

export interface CompiledPool {
  id: string;
  strategy: RoutingStrategy;
  members: readonly CompiledMember[];
  hoursRequired: boolean;
  catchUp: boolean;
  /**
   * Next current weights, one per member, reused by every turn. Safe because a turn runs to the
   * end synchronously and never calls back into routing.
   */
  scratch: Float64Array;
  /** each member's open leads this turn; reused like `scratch` */
  loads: Float64Array;
  /** each member's exclusion this turn; reused like `scratch` */
  reasons: (ExclusionReason | undefined)[];
}

export interface PoolTurn {
  chosen: CompiledMember;
  /** the chosen member's open leads before this lead */
  load: number;
  poolState: PoolState;
  turn: number;
  /** round robin: total weight of the members taking part this turn */
  totalWeight: number | undefined;
  /** a catch-up pool paid a turn owed to the chosen member instead of rotating */
  catchUpTurn: boolean;
}

const emptyRecord: Readonly<Record<string, number>> = Object.freeze({});

/** Owed shares are sums of fractions; a hair under 1 (rounding) still counts as a whole turn. */
const wholeTurn = 1 - 1e-9;

/** A number from a caller's record, ignoring inherited keys (a rep may be called "constructor"). */
export function ownNumber(record: Readonly<Record<string, number>>, key: string): number {
  return Object.hasOwn(record, key) ? (record[key] ?? 0) : 0;
}

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
 * member is appended to `candidates` with its load, weight and exclusion reason.
 */
export function takePoolTurn(
  pool: CompiledPool,
  ruleId: string | null,
  state: RoutingState,
  now: number,
  candidates: Candidate[],
): PoolTurn | undefined {
  const previous = Object.hasOwn(state.pools, pool.id) ? state.pools[pool.id] : undefined;
  return pool.strategy === "round_robin"
    ? roundRobinTurn(pool, ruleId, state, now, candidates, previous)
    : fewestAssignedTurn(pool, ruleId, state, now, candidates, previous);
}

/**
 * Smooth weighted round robin (as in nginx): each available member rises by its weight, the
 * highest is chosen (ties: the member listed first) and drops by the total weight of the
 * available members. While the same members are available, each gets turns in proportion to its
 * weight, spread out rather than in runs: weights 2:1:1 give a, b, c, a, a, b, c, a, …
 *
 * A member who is skipped (away or at cap) is reset to 0, so they rejoin like a new member and
 * get no run of leads on return. With catch-up, an away member is also owed their share of each
 * rotation turn they miss (see `PoolState.owed`); a turn in which an available member is owed a
 * whole turn pays the member owed most instead (ties: listed first) and leaves the rotation as it
 * was, so the pool resumes its normal order once the debt is paid. Being at cap is not a missed
 * turn: nothing is owed for it.
 */
function roundRobinTurn(
  pool: CompiledPool,
  ruleId: string | null,
  state: RoutingState,
  now: number,
  candidates: Candidate[],
  previous: PoolState | undefined,
): PoolTurn | undefined {
  const { members, scratch, loads, reasons, catchUp } = pool;
  const previousCurrent = previous?.current ?? emptyRecord;
  const previousOwed = previous?.owed ?? emptyRecord;
  const { openLeads, availability } = state;

  let availableWeight = 0;
  let awayWeight = 0;
  let payee = -1;
  let payeeOwed = 0;
  for (let index = 0; index < members.length; index++) {
    const member = members[index]!;
    const load = ownNumber(openLeads, member.rep);
    const reason = exclusionOf(availability, member.rep, now, pool.hoursRequired, load, member.cap);
    loads[index] = load;
    reasons[index] = reason;
    if (reason === undefined) {
      availableWeight += member.weight;
      if (catchUp) {
        const owed = ownNumber(previousOwed, member.rep);
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
  let best = payee;
  let bestScore = Number.NEGATIVE_INFINITY;
  const owedNext: Record<string, number> | undefined = catchUp ? {} : undefined;
  for (let index = 0; index < members.length; index++) {
    const member = members[index]!;
    const reason = reasons[index];
    let current = ownNumber(previousCurrent, member.rep);
    if (reason !== undefined) current = 0;
    else if (!paying) {
      current += member.weight;
      if (current > bestScore) {
        best = index;
        bestScore = current;
      }
    }
    scratch[index] = current;
    let owed: number | undefined;
    if (owedNext !== undefined) {
      owed = ownNumber(previousOwed, member.rep);
      if (paying && index === payee) owed -= 1;
      else if (!paying && availableWeight > 0 && reason !== undefined && reason !== "at_cap")
        owed += member.weight / (availableWeight + awayWeight);
      if (owed !== 0) owedNext[member.rep] = owed;
    }
    candidates.push({
      rep: member.rep,
      ruleId,
      pool: pool.id,
      eligible: reason === undefined,
      reason,
      load: loads[index]!,
      cap: member.cap === Number.POSITIVE_INFINITY ? undefined : member.cap,
      weight: member.weight,
      score: current,
      owed,
    });
  }
  if (best < 0) return undefined;
  if (!paying) scratch[best] = scratch[best]! - availableWeight;
  const current: Record<string, number> = {};
  for (let index = 0; index < members.length; index++) current[members[index]!.rep] = scratch[index]!;
  const chosen = members[best]!;
  const turn = (previous?.turns ?? 0) + 1;
  return {
    chosen,
    load: loads[best]!,
    turn,
    totalWeight: availableWeight,
    catchUpTurn: paying,
    poolState: {
      current,
      owed: owedNext ?? emptyRecord,
      turns: turn,
      lastAssignedTurn: { ...previous?.lastAssignedTurn, [chosen.rep]: turn },
    },
  };
}

/**
 * The member with the lowest open load relative to weight (load ÷ weight). Ties go to the member
 * assigned least recently in this pool (never assigned first), then to the lowest rep id, so the
 * same state always gives the same choice.
 */
function fewestAssignedTurn(
  pool: CompiledPool,
  ruleId: string | null,
  state: RoutingState,
  now: number,
  candidates: Candidate[],
  previous: PoolState | undefined,
): PoolTurn | undefined {
  const { members } = pool;
  const lastAssigned = previous?.lastAssignedTurn ?? emptyRecord;
  const { openLeads, availability } = state;
  let best: CompiledMember | undefined;
  let bestLoad = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  let bestLast = 0;
  for (const member of members) {
    const load = ownNumber(openLeads, member.rep);
    const reason = exclusionOf(availability, member.rep, now, pool.hoursRequired, load, member.cap);
    const score = load / member.weight;
    candidates.push({
      rep: member.rep,
      ruleId,
      pool: pool.id,
      eligible: reason === undefined,
      reason,
      load,
      cap: member.cap === Number.POSITIVE_INFINITY ? undefined : member.cap,
      weight: member.weight,
      score,
      owed: undefined,
    });
    if (reason !== undefined) continue;
    // Never assigned counts as assigned before every real turn.
    const last = Object.hasOwn(lastAssigned, member.rep) ? (lastAssigned[member.rep] ?? -1) : -1;
    if (
      best === undefined ||
      score < bestScore ||
      (score === bestScore && (last < bestLast || (last === bestLast && member.rep < best.rep)))
    ) {
      best = member;
      bestLoad = load;
      bestScore = score;
      bestLast = last;
    }
  }
  if (best === undefined) return undefined;
  const turn = (previous?.turns ?? 0) + 1;
  return {
    chosen: best,
    load: bestLoad,
    turn,
    totalWeight: undefined,
    catchUpTurn: false,
    poolState: {
      current: previous?.current ?? emptyRecord,
      owed: previous?.owed ?? emptyRecord,
      turns: turn,
      lastAssignedTurn: { ...lastAssigned, [best.rep]: turn },
    },
  };
}
