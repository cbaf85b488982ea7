import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { FieldRecord } from "../lead/lead.js";
import type { Assignee, PoolState, RoutingState } from "../routing/index.js";
import type { BacktestLead } from "./backtest-report.js";

/** One MQL to route: the lead, its MQL moment and its score then, under one version. */
export interface RoutingTurn {
  lead: BacktestLead;
  at: number;
  score: number;
  stage: string;
}

export interface RoutingSimulation {
  /** assignee per lead id */
  assignees: Map<string, Assignee>;
  /** per rep */
  assigned: Map<string, number>;
  capExclusions: Map<string, number>;
  /** per pool: leads given to a member, leads sent to its overflow */
  pools: Map<string, { assigned: number; overflowed: number }>;
  queues: Map<string, number>;
}

/** A min-heap of instants with the rep whose load falls then. */
class Closes {
  readonly #heap: { at: number; rep: string }[] = [];

  push(at: number, rep: string): void {
    const heap = this.#heap;
    heap.push({ at, rep });
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= heap[index]!.at) break;
      [heap[parent], heap[index]] = [heap[index]!, heap[parent]!];
      index = parent;
    }
  }

  /** removes and returns the earliest close at or before `at` */
  popUntil(at: number): string | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.at > at) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && heap[left]!.at < heap[smallest]!.at) smallest = left;
        if (right < heap.length && heap[right]!.at < heap[smallest]!.at) smallest = right;
        if (smallest === index) break;
        [heap[smallest], heap[index]] = [heap[index]!, heap[smallest]!];
        index = smallest;
      }
    }
    return top.rep;
  }
}

/** The instant the lead actually stopped being open after `at`, or null while still open. */
export function closeAfter(lead: BacktestLead, at: number): number | null {
  for (const entry of lead.stages) if (entry.at > at && !entry.open) return entry.at;
  return null;
}

/**
 * Routes `turns` (in MQL order) under one version from a fresh rotation. Loads start with the
 * open leads carried into the window, rise at each simulated assignment and fall at each lead's
 * actual close, so caps bite as they would have.
 */
export function simulateRouting(
  compiled: CompiledAgreement,
  turns: readonly RoutingTurn[],
  carriedLoads: readonly { rep: string; closesAt: number | null }[],
  hasOpenOpportunity: (accountId: string, at: number) => boolean,
): RoutingSimulation {
  const loads: Record<string, number> = {};
  const closes = new Closes();
  for (const carried of carriedLoads) {
    loads[carried.rep] = (loads[carried.rep] ?? 0) + 1;
    if (carried.closesAt !== null) closes.push(carried.closesAt, carried.rep);
  }
  let pools: Readonly<Record<string, PoolState>> = {};
  const result: RoutingSimulation = {
    assignees: new Map(),
    assigned: new Map(),
    capExclusions: new Map(),
    pools: new Map(),
    queues: new Map(),
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const turn of turns) {
    for (let rep = closes.popUntil(turn.at); rep !== undefined; rep = closes.popUntil(turn.at))
      loads[rep] = Math.max(0, (loads[rep] ?? 0) - 1);
    const { lead } = turn;
    const account: FieldRecord | undefined =
      lead.accountId === null
        ? undefined
        : {
            id: lead.accountId,
            ...(lead.accountOwner === null ? {} : { owner: lead.accountOwner }),
            has_open_opportunity: hasOpenOpportunity(lead.accountId, turn.at),
          };
    const state: RoutingState = {
      openLeads: { ...loads },
      pools,
      availability: compiled.availability,
    };
    const decision = compiled.router.route(
      {
        lead: { ...lead.fields, stage: turn.stage, score: turn.score, created_at: lead.createdAt },
        company: lead.company,
        ...(account === undefined ? {} : { account }),
      },
      state,
      turn.at,
    );
    pools = decision.nextState.pools;
    const { assignee, explanation } = decision;
    result.assignees.set(lead.id, assignee);
    for (const candidate of explanation.candidates)
      if (candidate.reason === "at_cap") bump(result.capExclusions, candidate.rep);
    if (explanation.pool !== undefined) {
      const pool = result.pools.get(explanation.pool) ?? { assigned: 0, overflowed: 0 };
      if (decision.viaOverflow) pool.overflowed++;
      else pool.assigned++;
      result.pools.set(explanation.pool, pool);
    }
    if (assignee.kind === "queue") {
      bump(result.queues, assignee.id);
      continue;
    }
    bump(result.assigned, assignee.id);
    loads[assignee.id] = (loads[assignee.id] ?? 0) + 1;
    const closesAt = closeAfter(lead, turn.at);
    if (closesAt !== null) closes.push(closesAt, assignee.id);
  }
  return result;
}
