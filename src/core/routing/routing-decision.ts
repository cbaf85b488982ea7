import type { FieldRecord, Lead } from "../lead/lead.js";
import type { RoutingStrategy } from "./routing-schema.js";
import type { RoutingState } from "./routing-state.js";

/**
 * What a routing decision reads and returns. A decision carries its own explanation: every rule
 * tried and why it did or did not take the lead, every rep considered and why they were excluded,
 * and a sentence for humans.
 */

/**
 * The variables routing conditions read, as CEL sees them: `lead.country`, `company.employees`,
 * `account.owner`. `account` is absent when the lead matched no known account.
 */
export type RoutingInput = {
  lead: FieldRecord;
  company: FieldRecord;
  account?: FieldRecord | undefined;
};

/**
 * The routing input for a lead: its fields with the lifecycle's own `stage` and `created_at`
 * (which live on the lead, not in its fields), its company, and the matched account if any.
 */
export function routingInputOf(lead: Lead, account?: FieldRecord): RoutingInput {
  return {
    lead: { ...lead.fields, stage: lead.stage, created_at: lead.createdAt },
    company: lead.company,
    account,
  };
}

export type Assignee =
  | { readonly kind: "rep"; readonly id: string }
  | { readonly kind: "queue"; readonly id: string; readonly team: string };

/** Why a rep could not take the lead, in the order they are checked. */
export const exclusionReasons = ["out_of_office", "outside_working_hours", "at_cap"] as const;
export type ExclusionReason = (typeof exclusionReasons)[number];

/** How the assignee was picked: a pool strategy, or a target that names its assignee. */
export type SelectionMethod =
  | RoutingStrategy
  | "named_owner"
  | "account_owner"
  | "queue"
  | "overflow";

/** One rep considered for the lead. */
export interface Candidate {
  rep: string;
  /** rule whose target offered this rep; null for the fallback */
  ruleId: string | null;
  /** pool the rep was considered in; undefined for a named or account owner */
  pool: string | undefined;
  eligible: boolean;
  /** why the rep was excluded; undefined when eligible */
  reason: ExclusionReason | undefined;
  /** open leads the rep held before this decision */
  load: number;
  /** most open leads allowed; undefined for no cap */
  cap: number | undefined;
  weight: number;
  /**
   * Round robin: the member's current weight this turn (the highest eligible one is chosen).
   * Fewest assigned: load ÷ weight (the lowest eligible one is chosen). Undefined for owners.
   */
  score: number | undefined;
  /** catch-up pools: turns owed to the rep after this decision (see `PoolState.owed`) */
  owed: number | undefined;
}

/**
 * Candidates recorded compactly while deciding (a pool turn keeps its arrays) and expanded into
 * `Candidate` records only when somebody reads the explanation.
 */
export interface CandidateGroup {
  expand(out: Candidate[]): void;
}

/** One rule tried, in order. */
export interface RuleEvaluation {
  ruleId: string;
  /** the condition held (a rule without one always matches) */
  matched: boolean;
  /** the rule's target took the lead; false when it matched but nobody could take it */
  assigned: boolean;
  reason: string;
}

export interface RoutingExplanation {
  readonly rulesEvaluated: readonly RuleEvaluation[];
  readonly candidates: readonly Candidate[];
  readonly strategy: SelectionMethod;
  /** pool the assignee was chosen from (or overflowed from) */
  readonly pool: string | undefined;
  /** the pool's turn number when a pool member was chosen */
  readonly turn: number | undefined;
  /** total weight of the members available for a round robin turn */
  readonly totalWeight: number | undefined;
  /** a catch-up pool paid the assignee a turn owed from time away instead of rotating */
  readonly catchUpTurn: boolean;
  /**
   * "rule enterprise-na matched; alex chosen by weighted round robin (…); blair excluded: at cap
   * (30/30)". Built on first read, so deciding stays cheap when nobody reads it.
   */
  readonly why: string;
}

export interface RoutingDecision {
  assignee: Assignee;
  /** rule that assigned the lead; null when the fallback did */
  ruleId: string | null;
  viaFallback: boolean;
  /** the chosen pool had nobody available and sent the lead to its overflow */
  viaOverflow: boolean;
  explanation: RoutingExplanation;
  nextState: RoutingState;
}

const reasonText: Record<ExclusionReason, string> = {
  out_of_office: "out of office",
  outside_working_hours: "outside working hours",
  at_cap: "at cap",
};

/** "at cap (30/30)", "out of office". */
export function describeExclusion(candidate: Candidate): string {
  if (candidate.reason === undefined) return "available";
  if (candidate.reason === "at_cap") return `at cap (${candidate.load}/${candidate.cap})`;
  return reasonText[candidate.reason];
}

interface Outcome {
  assignee: Assignee;
  ruleId: string | null;
  viaFallback: boolean;
  viaOverflow: boolean;
}

/**
 * An explanation whose candidate records and sentence are built on first read, so deciding stays
 * cheap when nobody reads them. Copy it with `toJSON` (or JSON.stringify), not a spread: the
 * computed fields live on the prototype.
 */
export class LazyExplanation implements RoutingExplanation {
  #why: string | undefined;
  #candidates: readonly Candidate[] | undefined;
  readonly #sources: readonly (Candidate | CandidateGroup)[];
  readonly #outcome: Outcome;

  constructor(
    readonly rulesEvaluated: readonly RuleEvaluation[],
    sources: readonly (Candidate | CandidateGroup)[],
    readonly strategy: SelectionMethod,
    readonly pool: string | undefined,
    readonly turn: number | undefined,
    readonly totalWeight: number | undefined,
    readonly catchUpTurn: boolean,
    outcome: Outcome,
  ) {
    this.#sources = sources;
    this.#outcome = outcome;
  }

  get candidates(): readonly Candidate[] {
    if (this.#candidates === undefined) {
      const candidates: Candidate[] = [];
      for (const source of this.#sources) {
        if ("expand" in source) source.expand(candidates);
        else candidates.push(source);
      }
      this.#candidates = candidates;
    }
    return this.#candidates;
  }

  get why(): string {
    this.#why ??= describeDecision(this, this.#outcome);
    return this.#why;
  }

  /** Stored decisions keep the candidates and the sentence: getters are not serialised by themselves. */
  toJSON(): RoutingExplanation {
    return {
      rulesEvaluated: this.rulesEvaluated,
      candidates: this.candidates,
      strategy: this.strategy,
      pool: this.pool,
      turn: this.turn,
      totalWeight: this.totalWeight,
      catchUpTurn: this.catchUpTurn,
      why: this.why,
    };
  }
}

function describeDecision(explanation: RoutingExplanation, outcome: Outcome): string {
  const parts: string[] = [];
  const unmatched: string[] = [];
  for (const rule of explanation.rulesEvaluated) {
    if (rule.assigned) parts.push(`rule ${rule.ruleId} matched`);
    else if (rule.matched)
      parts.push(`rule ${rule.ruleId} matched but was skipped: ${rule.reason}`);
    else if (rule.reason === conditionFalse) unmatched.push(rule.ruleId);
    else parts.push(`rule ${rule.ruleId} did not match: ${rule.reason}`);
  }
  if (unmatched.length > 0)
    parts.unshift(
      `${unmatched.length === 1 ? "rule" : "rules"} ${unmatched.join(", ")} did not match`,
    );
  if (outcome.viaFallback)
    parts.push(
      explanation.rulesEvaluated.length === 0
        ? "no rules; fallback used"
        : "no rule assigned the lead; fallback used",
    );

  const { assignee } = outcome;
  // The assignee's own candidate record; an overflow owner or a queue was never a candidate.
  const picked = explanation.strategy !== "overflow" && explanation.strategy !== "queue";
  const chosen = explanation.candidates.find(
    (candidate) =>
      picked &&
      assignee.kind === "rep" &&
      candidate.rep === assignee.id &&
      candidate.ruleId === outcome.ruleId,
  );
  const eligibleInPool = explanation.candidates.filter(
    (candidate) =>
      candidate.pool === explanation.pool &&
      candidate.ruleId === outcome.ruleId &&
      candidate.eligible,
  ).length;
  switch (explanation.strategy) {
    case "round_robin":
      if (explanation.catchUpTurn) {
        parts.push(
          `${assignee.id} chosen from pool ${explanation.pool} to catch up on turns missed while away (${round(chosen?.owed)} still owed; pool turn ${explanation.turn})`,
        );
        break;
      }
      parts.push(
        `${assignee.id} chosen by weighted round robin from pool ${explanation.pool} (current weight ${round(chosen?.score)}, highest of ${eligibleInPool} eligible; weight ${chosen?.weight} of ${round(explanation.totalWeight)}; pool turn ${explanation.turn})`,
      );
      break;
    case "fewest_assigned":
      parts.push(
        `${assignee.id} chosen by fewest assigned from pool ${explanation.pool} (${chosen?.load} open ÷ weight ${chosen?.weight} = ${round(chosen?.score)}, lowest of ${eligibleInPool} eligible; pool turn ${explanation.turn})`,
      );
      break;
    case "named_owner":
      parts.push(
        chosen?.eligible === false
          ? `assigned to fallback owner ${assignee.id} although ${describeExclusion(chosen)}, because the fallback always accepts`
          : `assigned to named owner ${assignee.id}`,
      );
      break;
    case "account_owner":
      parts.push(`assigned to account owner ${assignee.id}`);
      break;
    case "queue":
      parts.push(
        `sent to queue ${assignee.id}${assignee.kind === "queue" ? ` (team ${assignee.team})` : ""}`,
      );
      break;
    case "overflow":
      parts.push(
        `nobody in pool ${explanation.pool} could take the lead; sent to its overflow, ${assignee.kind === "queue" ? `queue ${assignee.id}` : `owner ${assignee.id}`}`,
      );
      break;
  }
  for (const candidate of explanation.candidates) {
    if (!candidate.eligible && candidate !== chosen)
      parts.push(
        `${candidate.rep} excluded${candidate.pool === undefined ? "" : ` from ${candidate.pool}`}: ${describeExclusion(candidate)}`,
      );
  }
  return parts.join("; ");
}

function round(value: number | undefined): string {
  if (value === undefined) return "?";
  return String(Math.round(value * 1000) / 1000);
}

/** The reason recorded for a rule whose condition was false; shared so it costs no allocation. */
export const conditionFalse = "condition is false";
