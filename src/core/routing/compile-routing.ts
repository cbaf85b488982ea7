import { type CompiledPool, exclusionOf, ownNumber, takePoolTurn } from "./pool-turn.js";
import {
  type Assignee,
  type Candidate,
  conditionFalse,
  LazyExplanation,
  type RoutingDecision,
  type RoutingInput,
  type RuleEvaluation,
  type SelectionMethod,
} from "./routing-decision.js";
import { checkRouting, type Overflow, type RouteTarget, type Routing } from "./routing-schema.js";
import type { PoolState, RoutingState } from "./routing-state.js";

/**
 * A compiled `when:` condition. Routing takes the lead only when it returns exactly `true`; any
 * other value, or a thrown error (e.g. a field the lead lacks), counts as "did not match" and is
 * recorded in the explanation.
 */
export type Condition = (input: RoutingInput) => unknown;

/**
 * Turns a `when:` source into a condition. Injected so routing does not depend on the expression
 * engine (see `celConditions` for the CEL one). Conditions are checked when the agreement is
 * loaded, so a condition that does not compile here is a bug: throw.
 */
export type CompileCondition = (source: string) => Condition;

export interface Router {
  /**
   * Decides who gets the lead. Pure: the same input, state and time give the same decision, and
   * `state` is never changed; the decision carries the next state.
   */
  route(input: RoutingInput, state: RoutingState, now: number): RoutingDecision;
}

type CompiledTarget =
  | { kind: "pool"; pool: CompiledPool; overflow: Assignee | undefined }
  | { kind: "queue"; assignee: Assignee }
  | { kind: "owner"; rep: string; assignee: Assignee; cap: number; hoursRequired: boolean }
  | { kind: "account_owner"; cap: number; hoursRequired: boolean };

interface CompiledRule {
  id: string;
  condition: Condition | undefined;
  target: CompiledTarget;
  /** shared evaluation records for the common outcomes, so deciding allocates less */
  notMatched: RuleEvaluation;
  assigned: RuleEvaluation;
}

/** Result of offering a lead to a target that took it. */
interface Taken {
  assignee: Assignee;
  method: SelectionMethod;
  pool: string | undefined;
  turn: number | undefined;
  totalWeight: number | undefined;
  catchUpTurn: boolean;
  viaOverflow: boolean;
  /** open leads of the assigned rep before this lead; undefined for queues */
  load: number | undefined;
  poolState: PoolState | undefined;
}

/**
 * Prepares a routing section for deciding. The section must be valid (`routingSchema`); a routing
 * whose fallback could be empty, or that names an unknown pool or queue, is refused with an error
 * because deciding with it could leave a lead unassigned.
 */
export function compileRouting(routing: Routing, compileCondition: CompileCondition): Router {
  const issues = checkRouting(routing);
  if (issues.length > 0) {
    const list = issues.map((issue) => `routing.${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`cannot compile an invalid routing section; validate the agreement first:\n${list}`);
  }
  const queues = routing.queues ?? {};
  const assignees = new Map<string, Assignee>();
  const repAssignee = (rep: string): Assignee => {
    let assignee = assignees.get(rep);
    if (assignee === undefined) {
      assignee = Object.freeze({ kind: "rep", id: rep });
      assignees.set(rep, assignee);
    }
    return assignee;
  };
  const queueAssignee = (queue: string): Assignee =>
    Object.freeze({ kind: "queue", id: queue, team: queues[queue]!.team });
  const overflowAssignee = (overflow: Overflow): Assignee =>
    "queue" in overflow ? queueAssignee(overflow.queue) : repAssignee(overflow.owner);

  const pools = new Map<string, { pool: CompiledPool; overflow: Assignee | undefined }>();
  for (const [id, pool] of Object.entries(routing.pools ?? {})) {
    const members = pool.members.map((member) => {
      repAssignee(member.rep);
      return {
        rep: member.rep,
        weight: member.weight ?? 1,
        cap: member.cap ?? pool.cap ?? Number.POSITIVE_INFINITY,
      };
    });
    pools.set(id, {
      pool: {
        id,
        strategy: pool.strategy ?? "round_robin",
        members,
        hoursRequired: (pool.working_hours ?? "required") === "required",
        catchUp: pool.catch_up ?? false,
        scratch: new Float64Array(members.length),
        loads: new Float64Array(members.length),
        reasons: members.map(() => undefined),
      },
      overflow: pool.overflow === undefined ? undefined : overflowAssignee(pool.overflow),
    });
  }

  const compileTarget = (target: RouteTarget): CompiledTarget => {
    if ("pool" in target) return { kind: "pool", ...pools.get(target.pool)! };
    if ("queue" in target) return { kind: "queue", assignee: queueAssignee(target.queue) };
    if ("owner" in target)
      return {
        kind: "owner",
        rep: target.owner,
        assignee: repAssignee(target.owner),
        cap: target.cap ?? Number.POSITIVE_INFINITY,
        hoursRequired: target.working_hours === "required",
      };
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
    notMatched: Object.freeze({ ruleId: rule.id, matched: false, assigned: false, reason: conditionFalse }),
    assigned: Object.freeze({
      ruleId: rule.id,
      matched: true,
      assigned: true,
      reason: rule.when === undefined ? "rule has no condition" : "condition is true",
    }),
  }));
  const fallback = compileTarget(routing.fallback);

  /**
   * Offers the lead to a target; returns what it took, or why it could not (a sentence for the
   * rule's evaluation record). `forced` is the fallback: a named owner there always accepts.
   */
  const offer = (
    target: CompiledTarget,
    ruleId: string | null,
    input: RoutingInput,
    state: RoutingState,
    now: number,
    candidates: Candidate[],
    forced: boolean,
  ): Taken | string => {
    switch (target.kind) {
      case "queue":
        return taken(target.assignee, "queue");
      case "pool": {
        const turn = takePoolTurn(target.pool, ruleId, state, now, candidates);
        if (turn !== undefined)
          return {
            assignee: repAssignee(turn.chosen.rep),
            method: target.pool.strategy,
            pool: target.pool.id,
            turn: turn.turn,
            totalWeight: turn.totalWeight,
            catchUpTurn: turn.catchUpTurn,
            viaOverflow: false,
            load: turn.load,
            poolState: turn.poolState,
          };
        if (target.overflow !== undefined)
          return {
            ...taken(target.overflow, "overflow"),
            pool: target.pool.id,
            viaOverflow: true,
            load: target.overflow.kind === "rep" ? ownNumber(state.openLeads, target.overflow.id) : undefined,
          };
        return `nobody in pool ${target.pool.id} can take the lead (every member is at cap or away) and the pool has no overflow`;
      }
      case "owner":
      case "account_owner": {
        const rep = target.kind === "owner" ? target.rep : accountOwnerOf(input);
        if (rep === undefined) return "the lead has no known account owner";
        const load = ownNumber(state.openLeads, rep);
        const reason = exclusionOf(state.availability, rep, now, target.hoursRequired, load, target.cap);
        candidates.push({
          rep,
          ruleId,
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
          const detail = reason === "at_cap" ? `at cap (${load}/${target.cap})` : reason.replaceAll("_", " ");
          return `${role} ${rep} is ${detail}`;
        }
        return {
          ...(target.kind === "owner"
            ? taken(target.assignee, "named_owner")
            : // Account owners come from lead data, so they are not cached: the set is unbounded.
              taken(assignees.get(rep) ?? { kind: "rep", id: rep }, "account_owner")),
          load,
        };
      }
    }
  };

  return {
    route(input, state, now) {
      const rulesEvaluated: RuleEvaluation[] = [];
      const candidates: Candidate[] = [];
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
                : { ruleId: rule.id, matched: false, assigned: false, reason: `condition gave ${describeValue(result)}, not true or false` },
            );
            continue;
          }
          matchedReason = rule.assigned.reason;
        }
        const outcome = offer(rule.target, rule.id, input, state, now, candidates, false);
        if (typeof outcome !== "string") {
          rulesEvaluated.push(rule.assigned);
          return decide(outcome, rule.id, false, rulesEvaluated, candidates, state);
        }
        rulesEvaluated.push({
          ruleId: rule.id,
          matched: true,
          assigned: false,
          reason: matchedReason === undefined ? outcome : `${matchedReason}, but ${outcome}`,
        });
      }
      const outcome = offer(fallback, null, input, state, now, candidates, true);
      if (typeof outcome === "string")
        throw new Error(`routing fallback could not take a lead (${outcome}); compileRouting should have refused this routing`);
      return decide(outcome, null, true, rulesEvaluated, candidates, state);
    },
  };
}

function taken(assignee: Assignee, method: SelectionMethod): Taken {
  return {
    assignee,
    method,
    pool: undefined,
    turn: undefined,
    totalWeight: undefined,
    catchUpTurn: false,
    viaOverflow: false,
    load: undefined,
    poolState: undefined,
  };
}

function decide(
  outcome: Taken,
  ruleId: string | null,
  viaFallback: boolean,
  rulesEvaluated: RuleEvaluation[],
  candidates: Candidate[],
  state: RoutingState,
): RoutingDecision {
  const { assignee } = outcome;
  let nextState = state;
  if (assignee.kind === "rep" || outcome.poolState !== undefined) {
    nextState = {
      openLeads:
        assignee.kind === "rep"
          ? { ...state.openLeads, [assignee.id]: (outcome.load ?? 0) + 1 }
          : state.openLeads,
      pools:
        outcome.poolState !== undefined && outcome.pool !== undefined
          ? { ...state.pools, [outcome.pool]: outcome.poolState }
          : state.pools,
      availability: state.availability,
    };
  }
  return {
    assignee,
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
      { assignee, ruleId, viaFallback, viaOverflow: outcome.viaOverflow },
    ),
    nextState,
  };
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
