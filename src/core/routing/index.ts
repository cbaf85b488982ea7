/**
 * Lead routing: the agreement's `routing` section, validated and compiled into a pure decision
 * that explains itself (matched rule, fallback or overflow used, every rep considered and why
 * they were excluded). See routing-schema.ts for the glossary.
 */
export {
  type Availability,
  alwaysAvailable,
  availabilityFrom,
  type Leave,
  type WorkingHours,
} from "./availability.js";
export { celConditions, routingVariables } from "./cel-conditions.js";
export {
  type CompileCondition,
  type Condition,
  compileRouting,
  type Router,
} from "./compile-routing.js";
export {
  type Assignee,
  type Candidate,
  describeExclusion,
  type ExclusionReason,
  exclusionReasons,
  type RoutingDecision,
  type RoutingExplanation,
  type RoutingInput,
  type RuleEvaluation,
  routingInputOf,
  type SelectionMethod,
} from "./routing-decision.js";
export {
  accountOwnerTargetSchema,
  checkRouting,
  type Overflow,
  overflowSchema,
  ownerTargetSchema,
  type Pool,
  type PoolMember,
  poolMemberSchema,
  poolSchema,
  poolTargetSchema,
  type Queue,
  queueSchema,
  queueTargetSchema,
  type RepReference,
  type RouteTarget,
  type Routing,
  type RoutingIssue,
  type RoutingRule,
  type RoutingStrategy,
  referencedReps,
  routeTargetSchema,
  routingRuleSchema,
  routingSchema,
  routingShapeSchema,
  routingStrategies,
  type WorkingHoursPolicy,
  workingHoursPolicies,
} from "./routing-schema.js";
export { initialRoutingState, type PoolState, type RoutingState } from "./routing-state.js";
