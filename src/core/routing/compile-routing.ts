import {
  type CompiledMember,
  type CompiledPool,
  exclusionOf,
  type TurnContext,
  takePoolTurn,
} from "./pool-turn.js";
import {
  type Assignee,
  type Candidate,
  type CandidateGroup,
  conditionFalse,
  LazyExplanation,
  type RoutingDecision,
  type RoutingInput,
  type RuleEvaluation,
  type SelectionMethod,
} from "./routing-decision.js";
import { checkRouting, type Overflow, type RouteTarget, type Routing } from "./routing-schema.js";
import { loadTableOf, type PoolState, type RoutingState, threadedState } from "./routing-state.js";

/**
 * A compiled `when:` condition. Routing takes the lead only when it returns exactly `true`; any
 * other value, or a thrown error (e.g. a field the lead lacks), counts as "did not match" and is
 * recorded in the explanation.
 */
export type Condition = (input: RoutingInput) => unknown;

/**
 * Turns a `when:` source into a condition. Injected so routing does not depend on the expression
 * engine. Conditions are checked when the agreement is loaded, so a condition that does not
 * compile here is a bug: throw.
 */
export type CompileCondition = (source: string) => Condition;

export interface Router {
  /**
   * Decides who gets the lead. Pure: the same input, state and time give the same decision, and
   * `state` is never changed; the decision carries the next state, with the assigned rep's open
   * leads one higher and the pool's rotation moved on.
   */
  route(input: RoutingInput, state: RoutingState, now: number): RoutingDecision;
}

type CompiledTarget =
  | { kind: "pool"; pool: CompiledPool; overflow: Taken | undefined }
  | { kind: "queue"; taken: Taken }
  | {
      kind: "owner";
      rep: string;
      repIndex: number;
      assignee: Assignee;
      cap: number;
      hoursRequired: boolean;
    }
  | { kind: "account_owner"; cap: number; hoursRequired: boolean };

interface CompiledRule {
  id: string;
  condition: Condition | undefined;
  target: CompiledTarget;
  /** shared evaluation records for the common outcomes, so deciding allocates less */
  notMatched: RuleEvaluation;
  assigned: RuleEvaluation;
}

/** What a target that took the lead decided. */
interface Taken {
  assignee: Assignee;
  method: SelectionMethod;
  /** where the assigned rep's open leads are counted in the router's rep order; -1 for none */
  loadIndex: number;
  /** a rep outside the router's rep order (an account owner outside every pool) */
  loadRep: string | undefined;
  pool: string | undefined;
  poolState: PoolState | undefined;
  turn: number | undefined;
  totalWeight: number | undefined;
  catchUpTurn: boolean;
  viaOverflow: boolean;
}

/** Open leads for one decision: counts in the router's rep order, and the caller's record. */
interface Loads {
  counts: readonly number[];
  others: Readonly<Record<string, number>>;
}

/**
 * Prepares a routing section for deciding. The section must be valid (`routingSchema`); a routing
 * whose fallback could be empty, or that names an unknown pool or queue, is refused with an error
 * because deciding with it could leave a lead unassigned.
 */
export function compileRouting(routing: Routing, compileCondition: CompileCondition): Router {
  const issues = checkRouting(routing);
  if (issues.length > 0) {
    const list = issues
      .map((issue) => `routing.${issue.path.join(".")}: ${issue.message}`)
      .join("\n");
    throw new Error(
      `cannot compile an invalid routing section; validate the agreement first:\n${list}`,
    );
  }
  /** identifies this router's load tables; states from another router are re-read from records */
  const identity = {};
  const queues = routing.queues ?? {};

  // Every rep the routing names gets a position; their open leads are counted in that order.
  const repIds: string[] = [];
  const repIndexes = new Map<string, number>();
  const repAssignees: Assignee[] = [];
  const indexOf = (rep: string): number => {
    let index = repIndexes.get(rep);
    if (index === undefined) {
      index = repIds.length;
      repIds.push(rep);
      repIndexes.set(rep, index);
      repAssignees.push(Object.freeze({ kind: "rep", id: rep }));
    }
    return index;
  };
  const queueAssignee = (queue: string): Assignee =>
    Object.freeze({ kind: "queue", id: queue, team: queues[queue]!.team });
  /** An overflow always accepts, so what it decides is the same every time: prepared once. */
  const compileOverflow = (pool: string, overflow: Overflow): Taken => {
    const repIndex = "queue" in overflow ? -1 : indexOf(overflow.owner);
    const assignee = "queue" in overflow ? queueAssignee(overflow.queue) : repAssignees[repIndex]!;
    return Object.freeze({ ...taken(assignee, "overflow", repIndex), pool, viaOverflow: true });
  };

  const pools = new Map<string, { pool: CompiledPool; overflow: Taken | undefined }>();
  for (const [id, pool] of Object.entries(routing.pools ?? {})) {
    const members: CompiledMember[] = pool.members.map((member) => ({
      rep: member.rep,
      repIndex: indexOf(member.rep),
      weight: member.weight ?? 1,
      cap: member.cap ?? pool.cap ?? Number.POSITIVE_INFINITY,
    }));
    pools.set(id, {
      pool: {
        id,
        strategy: pool.strategy ?? "round_robin",
        members,
        memberIds: Object.freeze(members.map((member) => member.rep)),
        hoursRequired: (pool.working_hours ?? "required") === "required",
        catchUp: pool.catch_up ?? false,
      },
      overflow: pool.overflow === undefined ? undefined : compileOverflow(id, pool.overflow),
    });
  }

  const compileTarget = (target: RouteTarget): CompiledTarget => {
    if ("pool" in target) return { kind: "pool", ...pools.get(target.pool)! };
    if ("queue" in target)
      return {
        kind: "queue",
        taken: Object.freeze(taken(queueAssignee(target.queue), "queue", -1)),
      };
    if ("owner" in target) {
      const repIndex = indexOf(target.owner);
      return {
        kind: "owner",
        rep: target.owner,
        repIndex,
        assignee: repAssignees[repIndex]!,
        cap: target.cap ?? Number.POSITIVE_INFINITY,
        hoursRequired: target.working_hours === "required",
      };
    }
    return {
      kind: "account_owner",
      cap: target.cap ?? Number.POSITIVE_INFINITY,
      hoursRequired: target.working_hours === "required",
    };
  };

  const rules: CompiledRule[] = routing.rules.map((rule) => ({
    id: rule.id,
    condition: rule.when === undefined ? undefined : compileCondition(rule.when),
    target: compileTarget(rule.to),
    notMatched: Object.freeze({
      ruleId: rule.id,
      matched: false,
      assigned: false,
      reason: conditionFalse,
    }),
    assigned: Object.freeze({
      ruleId: rule.id,
      matched: true,
      assigned: true,
      reason: rule.when === undefined ? "rule has no condition" : "condition is true",
    }),
  }));
  const fallback = compileTarget(routing.fallback);
  Object.freeze(repIds);

  /** Loads of a state this router returned come ready; any other state's are read from its record. */
  const loadsOf = (state: RoutingState): Loads => {
    const table = loadTableOf(state, identity);
    if (table !== undefined) return table;
    const others = state.openLeads;
    return { counts: repIds.map((rep) => ownCount(others, rep)), others };
  };

  /**
   * Offers the lead to a target; returns what it took, or why it could not (a sentence for the
   * rule's evaluation record). `forced` is the fallback: a named owner there always accepts.
   */
  const offer = (
    target: CompiledTarget,
    input: RoutingInput,
    state: RoutingState,
    loads: Loads,
    context: TurnContext,
    candidates: (Candidate | CandidateGroup)[],
    forced: boolean,
  ): Taken | string => {
    switch (target.kind) {
      case "queue":
        return target.taken;
      case "pool": {
        const { pool, overflow } = target;
        const previous = Object.hasOwn(state.pools, pool.id) ? state.pools[pool.id] : undefined;
        const turn = takePoolTurn(pool, previous, context, candidates);
        if (turn !== undefined)
          return {
            assignee: repAssignees[turn.chosen.repIndex]!,
            method: pool.strategy,
            loadIndex: turn.chosen.repIndex,
            loadRep: undefined,
            pool: pool.id,
            poolState: turn.poolState,
            turn: turn.turn,
            totalWeight: turn.totalWeight,
            catchUpTurn: turn.catchUpTurn,
            viaOverflow: false,
          };
        if (overflow !== undefined) return overflow;
        return `nobody in pool ${pool.id} can take the lead (every member is at cap or away) and the pool has no overflow`;
      }
      case "owner":
      case "account_owner": {
        const rep = target.kind === "owner" ? target.rep : accountOwnerOf(input);
        if (rep === undefined) return "the lead has no known account owner";
        const repIndex = target.kind === "owner" ? target.repIndex : repIndexes.get(rep);
        const load = repIndex === undefined ? ownCount(loads.others, rep) : loads.counts[repIndex]!;
        const reason = exclusionOf(
          state.availability,
          rep,
          context.now,
          target.hoursRequired,
          load,
          target.cap,
        );
        candidates.push({
          rep,
          ruleId: context.ruleId,
          pool: undefined,
          eligible: reason === undefined,
          reason,
          load,
          cap: target.cap === Number.POSITIVE_INFINITY ? undefined : target.cap,
          weight: 1,
          score: undefined,
          owed: undefined,
        });
        const role = target.kind === "owner" ? "named owner" : "account owner";
        if (reason !== undefined && !forced) {
          const detail =
            reason === "at_cap" ? `at cap (${load}/${target.cap})` : reason.replaceAll("_", " ");
          return `${role} ${rep} is ${detail}`;
        }
        const method = target.kind === "owner" ? "named_owner" : "account_owner";
        if (repIndex !== undefined) return taken(repAssignees[repIndex]!, method, repIndex);
        return { ...taken({ kind: "rep", id: rep }, method, -1), loadRep: rep };
      }
    }
  };

  const decide = (
    outcome: Taken,
    ruleId: string | null,
    viaFallback: boolean,
    rulesEvaluated: RuleEvaluation[],
    candidates: (Candidate | CandidateGroup)[],
    state: RoutingState,
    loads: Loads,
  ): RoutingDecision => {
    let nextState = state;
    if (
      outcome.loadIndex >= 0 ||
      outcome.loadRep !== undefined ||
      outcome.poolState !== undefined
    ) {
      let { counts, others } = loads;
      if (outcome.loadIndex >= 0) {
        const next = counts.slice();
        next[outcome.loadIndex] = next[outcome.loadIndex]! + 1;
        counts = next;
      } else if (outcome.loadRep !== undefined) {
        // A rep outside every pool (an account owner): rare, so the record copy is affordable.
        others = { ...others, [outcome.loadRep]: ownCount(others, outcome.loadRep) + 1 };
      }
      const pools =
        outcome.poolState !== undefined && outcome.pool !== undefined
          ? { ...state.pools, [outcome.pool]: outcome.poolState }
          : state.pools;
      nextState = threadedState(pools, state.availability, identity, repIds, counts, others);
    }
    return {
      assignee: outcome.assignee,
      ruleId,
      viaFallback,
      viaOverflow: outcome.viaOverflow,
      explanation: new LazyExplanation(
        rulesEvaluated,
        candidates,
        outcome.method,
        outcome.pool,
        outcome.turn,
        outcome.totalWeight,
        outcome.catchUpTurn,
        { assignee: outcome.assignee, ruleId, viaFallback, viaOverflow: outcome.viaOverflow },
      ),
      nextState,
    };
  };

  return {
    route(input, state, now) {
      const rulesEvaluated: RuleEvaluation[] = [];
      const candidates: (Candidate | CandidateGroup)[] = [];
      const loads = loadsOf(state);
      const context: TurnContext = {
        availability: state.availability,
        now,
        counts: loads.counts,
        ruleId: null,
      };
      for (const rule of rules) {
        let matchedReason: string | undefined;
        if (rule.condition !== undefined) {
          let result: unknown;
          try {
            result = rule.condition(input);
          } catch (error) {
            rulesEvaluated.push({
              ruleId: rule.id,
              matched: false,
              assigned: false,
              reason: `condition could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
            });
            continue;
          }
          if (result !== true) {
            rulesEvaluated.push(
              result === false
                ? rule.notMatched
                : {
                    ruleId: rule.id,
                    matched: false,
                    assigned: false,
                    reason: `condition gave ${describeValue(result)}, not true or false`,
                  },
            );
            continue;
          }
          matchedReason = rule.assigned.reason;
        }
        context.ruleId = rule.id;
        const outcome = offer(rule.target, input, state, loads, context, candidates, false);
        if (typeof outcome !== "string") {
          rulesEvaluated.push(rule.assigned);
          return decide(outcome, rule.id, false, rulesEvaluated, candidates, state, loads);
        }
        rulesEvaluated.push({
          ruleId: rule.id,
          matched: true,
          assigned: false,
          reason: matchedReason === undefined ? outcome : `${matchedReason}, but ${outcome}`,
        });
      }
      context.ruleId = null;
      const outcome = offer(fallback, input, state, loads, context, candidates, true);
      if (typeof outcome === "string")
        throw new Error(
          `routing fallback could not take a lead (${outcome}); compileRouting should have refused this routing`,
        );
      return decide(outcome, null, true, rulesEvaluated, candidates, state, loads);
    },
  };
}

function taken(assignee: Assignee, method: SelectionMethod, loadIndex: number): Taken {
  return {
    assignee,
    method,
    loadIndex,
    loadRep: undefined,
    pool: undefined,
    poolState: undefined,
    turn: undefined,
    totalWeight: undefined,
    catchUpTurn: false,
    viaOverflow: false,
  };
}

/** A count from a caller's record, ignoring inherited keys (a rep may be called "constructor"). */
function ownCount(record: Readonly<Record<string, number>>, rep: string): number {
  return Object.hasOwn(record, rep) ? (record[rep] ?? 0) : 0;
}

function accountOwnerOf(input: RoutingInput): string | undefined {
  const owner = input.account?.owner;
  return typeof owner === "string" && owner !== "" ? owner : undefined;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "no value";
  if (value === null) return "null";
  return `${typeof value} ${String(value)}`;
}
