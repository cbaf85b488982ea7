/**
 * Shared test data for routing tests. Conditions are written as the CEL an agreement would hold,
 * evaluated here by hand-written predicates so routing tests do not depend on the expression
 * engine (the CEL adapter has its own test).
 */
import type { Availability } from "./availability.js";
import type { CompileCondition, Condition } from "./compile-routing.js";
import type { RoutingInput } from "./routing-decision.js";
import { type Routing, routingSchema } from "./routing-schema.js";

const predicates: Record<string, Condition> = {
  "has(account.owner)": (input) => typeof input.account?.owner === "string",
  'company.employees >= 1000 && lead.country in ["US", "CA"]': (input) =>
    Number(input.company.employees) >= 1000 && ["US", "CA"].includes(String(input.lead.country)),
  'company.tier == "strategic"': (input) => input.company.tier === "strategic",
  'lead.region == "emea"': (input) => input.lead.region === "emea",
  "lead.score > 1000": (input) => {
    if (typeof input.lead.score !== "number") throw new Error("no such key: score");
    return input.lead.score > 1000;
  },
};

export const testConditions: CompileCondition = (source) => {
  const predicate = predicates[source];
  if (predicate === undefined) throw new Error(`no test predicate for '${source}'`);
  return predicate;
};

/** The documented example routing, validated. */
export function exampleRouting(): Routing {
  return routingSchema.parse({
    rules: [
      { id: "named-accounts", when: "has(account.owner)", to: { account_owner: true } },
      {
        id: "enterprise-na",
        when: 'company.employees >= 1000 && lead.country in ["US", "CA"]',
        to: { pool: "enterprise-na" },
      },
      { id: "strategic", when: 'company.tier == "strategic"', to: { owner: "alex" } },
      { id: "emea", when: 'lead.region == "emea"', to: { pool: "emea" } },
    ],
    pools: {
      "enterprise-na": {
        strategy: "round_robin",
        members: [
          { rep: "alex", weight: 2, cap: 30 },
          { rep: "blair" },
          { rep: "casey", weight: 1 },
        ],
        cap: 40,
        working_hours: "required",
        catch_up: false,
        overflow: { queue: "sdr-queue" },
      },
      emea: {
        strategy: "fewest_assigned",
        members: [{ rep: "emery" }, { rep: "finn", weight: 2 }, { rep: "gale" }],
        cap: 10,
      },
    },
    queues: { "sdr-queue": { team: "sdr" } },
    fallback: { queue: "sdr-queue" },
  });
}

export function input(
  lead: RoutingInput["lead"] = {},
  company: RoutingInput["company"] = {},
  account?: RoutingInput["account"],
): RoutingInput {
  return { lead, company, account };
}

export const enterpriseLead = input({ country: "US" }, { employees: 5000 });

/** Availability from sets of reps away, for scenarios that do not need calendars. */
export function availabilityOf(
  options: { outOfOffice?: string[]; offHours?: string[] } = {},
): Availability {
  const outOfOffice = new Set(options.outOfOffice ?? []);
  const offHours = new Set(options.offHours ?? []);
  return {
    isOutOfOffice: (rep) => outOfOffice.has(rep),
    isWorking: (rep) => !outOfOffice.has(rep) && !offHours.has(rep),
  };
}

/** Freezes a value and everything in it, so a test fails if routing mutates its input. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
