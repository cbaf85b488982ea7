import { z } from "zod";
import { unknownReference } from "../agreement/agreement-issue.js";
import { idSchema } from "../agreement/sections-schema.js";

/**
 * The agreement's `routing` section: who gets a new lead.
 *
 * Glossary
 * - rule: a condition (`when`, CEL over lead, company and account) and a target (`to`). Rules are
 *   tried in order; the first whose condition holds AND whose target can take the lead wins.
 * - target: where a rule sends a lead — a pool, a queue, a named owner, or the account owner.
 * - pool: reps who take turns. `round_robin` is turn order (smooth weighted round robin);
 *   `fewest_assigned` picks the lowest open load relative to weight.
 * - queue: a team inbox worked by whoever is free. A queue always accepts a lead.
 * - cap: the most open leads a rep may hold; a rep at cap is never chosen.
 * - overflow: where a pool sends a lead when no member can take it (a queue or a named owner;
 *   both always accept).
 * - fallback: the target used when no rule assigns the lead. It must never be empty.
 *
 * Every object is strict so a misspelt key is an error, not a silently ignored setting. Defaults
 * are applied when the routing is compiled, so this type is the file as written.
 */

export const routingStrategies = ["round_robin", "fewest_assigned"] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

/** `required`: reps outside their working hours are skipped. `ignored`: hours do not matter. */
export const workingHoursPolicies = ["required", "ignored"] as const;
export type WorkingHoursPolicy = (typeof workingHoursPolicies)[number];

/** A cap counts open leads, so it is a whole number; 0 would mean "never route here". */
const capSchema = z.number().int({ error: "a cap is a whole number of open leads" }).min(1, {
  error: "a cap must be at least 1; remove the rep from the pool instead of capping at 0",
});

const weightSchema = z
  .number()
  .finite()
  .positive({ error: "a weight must be greater than 0; remove the member instead of weighting 0" });

export const poolTargetSchema = z.strictObject({ pool: idSchema });
export const queueTargetSchema = z.strictObject({ queue: idSchema });

/** A named rep. Skipped (the next rule is tried) when out of office, at cap or, if asked, off hours. */
export const ownerTargetSchema = z.strictObject({
  owner: idSchema,
  cap: capSchema.optional(),
  /** default `ignored`: a deliberately named owner gets the lead even outside their hours */
  working_hours: z.enum(workingHoursPolicies).optional(),
});

/** The owner of the lead's matched account; skipped like a named owner, or when there is none. */
export const accountOwnerTargetSchema = z.strictObject({
  account_owner: z.literal(true),
  cap: capSchema.optional(),
  working_hours: z.enum(workingHoursPolicies).optional(),
});

export const routeTargetSchema = z.union([
  poolTargetSchema,
  queueTargetSchema,
  ownerTargetSchema,
  accountOwnerTargetSchema,
]);

/** Overflow always accepts, so it has no cap or hours: a queue, or a named owner (e.g. a manager). */
export const overflowSchema = z.union([queueTargetSchema, z.strictObject({ owner: idSchema })]);

export const poolMemberSchema = z.strictObject({
  rep: idSchema,
  /** share of turns relative to the other members; default 1 */
  weight: weightSchema.optional(),
  /** most open leads this rep may hold; default the pool's cap, else no cap */
  cap: capSchema.optional(),
});

export const poolSchema = z.strictObject({
  /** default `round_robin` */
  strategy: z.enum(routingStrategies).optional(),
  members: z.array(poolMemberSchema),
  /** default cap per member */
  cap: capSchema.optional(),
  /** default `required` */
  working_hours: z.enum(workingHoursPolicies).optional(),
  /**
   * default false: a rep back from leave or from outside their hours rejoins the rotation as if
   * new. true: the turns they missed are owed to them and paid back in a row on their return.
   */
  catch_up: z.boolean().optional(),
  overflow: overflowSchema.optional(),
});

export const queueSchema = z.strictObject({
  /** team that works the queue */
  team: idSchema,
  label: z.string().min(1).optional(),
});

export const routingRuleSchema = z.strictObject({
  id: idSchema,
  description: z.string().min(1).optional(),
  /** CEL condition over lead, company and account; absent means the rule always matches */
  when: z.string().min(1).optional(),
  to: routeTargetSchema,
});

/**
 * The section's shape alone. `routingSchema` adds the meaning checks of `checkRouting` as schema
 * issues; a loader that reports meaning problems in a later pass (so they appear together with
 * other sections' reference errors) can parse with this and call `checkRouting` itself.
 */
export const routingShapeSchema = z.strictObject({
  rules: z.array(routingRuleSchema),
  pools: z.record(idSchema, poolSchema).optional(),
  queues: z.record(idSchema, queueSchema).optional(),
  fallback: routeTargetSchema,
});

/** The section with its meaning checks: unknown pools or queues, a fallback that can be empty, … */
export const routingSchema = routingShapeSchema.superRefine((routing, context) => {
  for (const issue of checkRouting(routing)) {
    context.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  }
});

export type Routing = z.infer<typeof routingSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
export type RouteTarget = z.infer<typeof routeTargetSchema>;
export type Pool = z.infer<typeof poolSchema>;
export type PoolMember = z.infer<typeof poolMemberSchema>;
export type Queue = z.infer<typeof queueSchema>;
export type Overflow = z.infer<typeof overflowSchema>;

/** A problem in a routing section; the path is relative to `routing`. */
export interface RoutingIssue {
  path: readonly (string | number)[];
  message: string;
}

/**
 * Meaning checks the shape cannot express: references resolve, ids are unique, pools have
 * members, no rule hides behind a catch-all, and the fallback can always take a lead. Rep ids are
 * not checked here (the routing section does not know the people); see `referencedReps`.
 */
export function checkRouting(routing: Routing): RoutingIssue[] {
  const issues: RoutingIssue[] = [];
  const pools = routing.pools ?? {};
  const queues = routing.queues ?? {};
  const poolIds = Object.keys(pools);
  const queueIds = Object.keys(queues);

  const checkTarget = (target: RouteTarget | Overflow, path: (string | number)[]) => {
    if ("pool" in target && !Object.hasOwn(pools, target.pool))
      issues.push({
        path: [...path, "pool"],
        message: unknownReference("pool", target.pool, poolIds),
      });
    if ("queue" in target && !Object.hasOwn(queues, target.queue))
      issues.push({
        path: [...path, "queue"],
        message: unknownReference("queue", target.queue, queueIds),
      });
  };

  const seenRules = new Map<string, number>();
  let catchAll: string | undefined;
  for (const [index, rule] of routing.rules.entries()) {
    const first = seenRules.get(rule.id);
    if (first !== undefined)
      issues.push({
        path: ["rules", index, "id"],
        message: `duplicate rule id '${rule.id}' (also rules[${first}]); give every rule its own id so decisions name the rule that matched`,
      });
    else seenRules.set(rule.id, index);
    checkTarget(rule.to, ["rules", index, "to"]);
    if (catchAll !== undefined)
      issues.push({
        path: ["rules", index, "id"],
        message: `rule '${rule.id}' can never apply: rule '${catchAll}' before it has no condition and always assigns; move this rule above it or give '${catchAll}' a 'when'`,
      });
    else if (rule.when === undefined && alwaysAccepts(rule.to, pools)) catchAll = rule.id;
  }

  for (const [id, pool] of Object.entries(pools)) {
    if (pool.members.length === 0)
      issues.push({
        path: ["pools", id, "members"],
        message: `pool '${id}' has no members; add at least one '- { rep: … }' or remove the pool`,
      });
    const seenReps = new Map<string, number>();
    for (const [index, member] of pool.members.entries()) {
      const first = seenReps.get(member.rep);
      if (first !== undefined)
        issues.push({
          path: ["pools", id, "members", index, "rep"],
          message: `${member.rep} is listed twice in pool '${id}' (also members[${first}]); list each rep once and use 'weight' for a larger share`,
        });
      else seenReps.set(member.rep, index);
    }
    if (pool.overflow !== undefined) checkTarget(pool.overflow, ["pools", id, "overflow"]);
    if (pool.catch_up === true && pool.strategy === "fewest_assigned")
      issues.push({
        path: ["pools", id, "catch_up"],
        message: `catch_up applies to round_robin pools only; pool '${id}' picks the lowest open load, which already favours a rep back from leave. Remove catch_up or use strategy: round_robin`,
      });
  }

  checkTarget(routing.fallback, ["fallback"]);
  const fallback = routing.fallback;
  if (
    "pool" in fallback &&
    Object.hasOwn(pools, fallback.pool) &&
    pools[fallback.pool]?.overflow === undefined
  )
    issues.push({
      path: ["fallback", "pool"],
      message: `fallback pool '${fallback.pool}' can leave a lead unassigned when every member is at cap or away; add \`overflow: { queue: … }\` to pool '${fallback.pool}' or make the fallback a queue`,
    });
  if ("account_owner" in fallback)
    issues.push({
      path: ["fallback", "account_owner"],
      message:
        "the fallback cannot be the account owner: a lead with no known account has none, so it would stay unassigned; make the fallback a queue or a named owner",
    });
  if ("owner" in fallback && fallback.cap !== undefined)
    issues.push({
      path: ["fallback", "cap"],
      message:
        "a fallback owner with a cap can be full and leave a lead unassigned; remove 'cap' or make the fallback a queue",
    });
  if ("owner" in fallback && fallback.working_hours === "required")
    issues.push({
      path: ["fallback", "working_hours"],
      message:
        "a fallback owner who is skipped outside working hours leaves leads unassigned at night; remove 'working_hours' or make the fallback a queue",
    });
  return issues;
}

/** True when a target takes every lead it is offered, so rules after an unconditional one are dead. */
function alwaysAccepts(target: RouteTarget, pools: Record<string, Pool>): boolean {
  if ("queue" in target) return true;
  if ("pool" in target) return pools[target.pool]?.overflow !== undefined;
  // Named and account owners can be out of office, so the next rule stays reachable.
  return false;
}

/** A rep id the routing names, with where (relative to `routing`), so the caller can check it. */
export interface RepReference {
  rep: string;
  path: (string | number)[];
}

/** Every rep id the routing refers to: pool members, named owners, overflow owners. */
export function referencedReps(routing: Routing): RepReference[] {
  const references: RepReference[] = [];
  for (const [index, rule] of routing.rules.entries()) {
    if ("owner" in rule.to)
      references.push({ rep: rule.to.owner, path: ["rules", index, "to", "owner"] });
  }
  for (const [id, pool] of Object.entries(routing.pools ?? {})) {
    for (const [index, member] of pool.members.entries())
      references.push({ rep: member.rep, path: ["pools", id, "members", index, "rep"] });
    if (pool.overflow !== undefined && "owner" in pool.overflow)
      references.push({ rep: pool.overflow.owner, path: ["pools", id, "overflow", "owner"] });
  }
  if ("owner" in routing.fallback)
    references.push({ rep: routing.fallback.owner, path: ["fallback", "owner"] });
  return references;
}
