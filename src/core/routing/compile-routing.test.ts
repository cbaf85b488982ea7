import { describe, expect, it } from "vitest";
import { alwaysAvailable, availabilityFrom } from "./availability.js";
import { compileRouting } from "./compile-routing.js";
import { type Routing, routingSchema } from "./routing-schema.js";
import { initialRoutingState, type RoutingState } from "./routing-state.js";
import {
  availabilityOf,
  deepFreeze,
  enterpriseLead,
  exampleRouting,
  input,
  testConditions,
} from "./routing-test-fixtures.js";

/** A fixed reference time: routing never reads the clock. */
const now = Date.UTC(2026, 2, 2, 15, 0);

const router = compileRouting(exampleRouting(), testConditions);

/** Routes `count` identical leads, threading the state; returns the assignee ids. */
function routeMany(
  count: number,
  state: RoutingState,
  lead = enterpriseLead,
  route = router.route,
): string[] {
  const assignees: string[] = [];
  let current = state;
  for (let index = 0; index < count; index++) {
    const decision = route(lead, current, now + index);
    assignees.push(decision.assignee.id);
    current = decision.nextState;
  }
  return assignees;
}

describe("compileRouting: rules", () => {
  it("takes the first rule that matches, and records the ones before it", () => {
    // Matches enterprise-na and strategic; enterprise-na comes first.
    const decision = router.route(
      input({ country: "CA" }, { employees: 2000, tier: "strategic" }),
      initialRoutingState(alwaysAvailable),
      now,
    );
    expect(decision.ruleId).toBe("enterprise-na");
    expect(decision.viaFallback).toBe(false);
    expect(decision.explanation.rulesEvaluated).toEqual([
      { ruleId: "named-accounts", matched: false, assigned: false, reason: "condition is false" },
      { ruleId: "enterprise-na", matched: true, assigned: true, reason: "condition is true" },
    ]);
    expect(decision.explanation.strategy).toBe("round_robin");
  });

  it("sends known accounts to their account owner", () => {
    const decision = router.route(
      input({ country: "US" }, { employees: 5000 }, { id: "acme", owner: "dana" }),
      initialRoutingState(alwaysAvailable),
      now,
    );
    expect(decision.assignee).toEqual({ kind: "rep", id: "dana" });
    expect(decision.ruleId).toBe("named-accounts");
    expect(decision.explanation.strategy).toBe("account_owner");
    expect(decision.explanation.why).toBe(
      "rule named-accounts matched; assigned to account owner dana",
    );
    expect(decision.nextState.openLeads).toEqual({ dana: 1 });
  });

  it("skips an account owner who is out of office, with the reason, and tries the next rule", () => {
    const decision = router.route(
      input({ country: "US" }, { employees: 5000 }, { owner: "dana" }),
      initialRoutingState(availabilityOf({ outOfOffice: ["dana"] })),
      now,
    );
    expect(decision.ruleId).toBe("enterprise-na");
    expect(decision.explanation.rulesEvaluated[0]).toEqual({
      ruleId: "named-accounts",
      matched: true,
      assigned: false,
      reason: "condition is true, but account owner dana is out of office",
    });
    expect(decision.explanation.candidates[0]).toMatchObject({
      rep: "dana",
      eligible: false,
      reason: "out_of_office",
    });
    expect(decision.explanation.why).toContain("dana excluded: out of office");
  });

  it("gives an account owner the lead outside their hours (deliberate owner), unless the rule asks", () => {
    const offHours = initialRoutingState(availabilityOf({ offHours: ["dana"] }));
    const lead = input({}, {}, { owner: "dana" });
    expect(router.route(lead, offHours, now).assignee.id).toBe("dana");
    const strict = compileRouting(
      {
        ...exampleRouting(),
        rules: [{ id: "accounts", to: { account_owner: true, working_hours: "required" } }],
      },
      testConditions,
    );
    const decision = strict.route(lead, offHours, now);
    expect(decision.viaFallback).toBe(true);
    expect(decision.explanation.rulesEvaluated[0]?.reason).toBe(
      "account owner dana is outside working hours",
    );
  });

  it("uses the fallback when no rule matches, and says so", () => {
    const decision = router.route(
      input({ country: "FR" }, { employees: 10 }),
      initialRoutingState(alwaysAvailable),
      now,
    );
    expect(decision.assignee).toEqual({ kind: "queue", id: "sdr-queue", team: "sdr" });
    expect(decision.ruleId).toBeNull();
    expect(decision.viaFallback).toBe(true);
    expect(decision.explanation.rulesEvaluated.map((rule) => rule.matched)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(decision.explanation.why).toBe(
      "rules named-accounts, enterprise-na, strategic, emea did not match; no rule assigned the lead; fallback used; sent to queue sdr-queue (team sdr)",
    );
    // A queue holds the lead, not a rep: loads and rotations are unchanged.
    expect(decision.nextState.openLeads).toEqual({});
    expect(decision.nextState.pools).toEqual({});
  });

  it("treats a condition that fails to evaluate as not matching, with the error", () => {
    const routing: Routing = {
      ...exampleRouting(),
      rules: [{ id: "big-score", when: "lead.score > 1000", to: { owner: "alex" } }],
    };
    const decision = compileRouting(routing, testConditions).route(
      input(),
      initialRoutingState(alwaysAvailable),
      now,
    );
    expect(decision.viaFallback).toBe(true);
    expect(decision.explanation.rulesEvaluated[0]).toEqual({
      ruleId: "big-score",
      matched: false,
      assigned: false,
      reason: "condition could not be evaluated: no such key: score",
    });
    expect(decision.explanation.why).toContain(
      "rule big-score did not match: condition could not be evaluated",
    );
  });

  it("treats a condition that returns a non-boolean as not matching", () => {
    const routing: Routing = {
      ...exampleRouting(),
      rules: [{ id: "odd", when: "lead.score", to: { owner: "alex" } }],
    };
    const decision = compileRouting(routing, () => () => 42).route(
      input(),
      initialRoutingState(alwaysAvailable),
      now,
    );
    expect(decision.explanation.rulesEvaluated[0]?.reason).toBe(
      "condition gave number 42, not true or false",
    );
  });

  it("skips a named owner at their cap and moves on", () => {
    const routing: Routing = {
      ...exampleRouting(),
      rules: [{ id: "alex-first", to: { owner: "alex", cap: 3 } }],
    };
    const decision = compileRouting(routing, testConditions).route(
      input(),
      initialRoutingState(alwaysAvailable, { alex: 3 }),
      now,
    );
    expect(decision.viaFallback).toBe(true);
    expect(decision.explanation.rulesEvaluated[0]?.reason).toBe("named owner alex is at cap (3/3)");
    expect(decision.explanation.why).toContain("alex excluded: at cap (3/3)");
  });

  it("assigns a fallback owner even when away, because the fallback must never be empty", () => {
    const routing: Routing = { ...exampleRouting(), rules: [], fallback: { owner: "riley" } };
    const decision = compileRouting(routing, testConditions).route(
      input(),
      initialRoutingState(availabilityOf({ outOfOffice: ["riley"] })),
      now,
    );
    expect(decision.assignee).toEqual({ kind: "rep", id: "riley" });
    expect(decision.explanation.why).toBe(
      "no rules; fallback used; assigned to fallback owner riley although out of office, because the fallback always accepts",
    );
  });

  it("refuses to compile a routing whose fallback could be empty", () => {
    const routing = exampleRouting();
    const unsafe: Routing = { ...routing, fallback: { pool: "emea" } };
    expect(() => compileRouting(unsafe, testConditions)).toThrow(
      /fallback pool 'emea' can leave a lead unassigned/,
    );
  });

  it("is pure: the same input and state give the same decision, and the state is not changed", () => {
    const state = deepFreeze(
      initialRoutingState(availabilityOf({ offHours: ["casey"] }), { alex: 4, blair: 1 }),
    );
    const first = router.route(enterpriseLead, state, now);
    const second = router.route(enterpriseLead, state, now);
    expect(second.assignee).toEqual(first.assignee);
    expect(second.nextState).toEqual(first.nextState);
    expect(state.openLeads).toEqual({ alex: 4, blair: 1 });
    expect(first.nextState.openLeads).toEqual({ alex: 5, blair: 1 });
  });

  it("serialises the explanation with its sentence", () => {
    const decision = router.route(enterpriseLead, initialRoutingState(alwaysAvailable), now);
    const stored = JSON.parse(JSON.stringify(decision.explanation)) as {
      why: string;
      candidates: unknown[];
    };
    expect(stored.why).toBe(decision.explanation.why);
    expect(stored.candidates).toHaveLength(3);
  });
});

describe("compileRouting: round robin pools", () => {
  it("rotates by weight, smoothly: alex 2, blair 1, casey 1", () => {
    expect(routeMany(8, initialRoutingState(alwaysAvailable))).toEqual([
      "alex",
      "blair",
      "casey",
      "alex",
      "alex",
      "blair",
      "casey",
      "alex",
    ]);
  });

  it("explains the choice and every excluded member", () => {
    const state = initialRoutingState(availabilityOf({ offHours: ["casey"] }), { blair: 40 });
    const decision = router.route(enterpriseLead, state, now);
    expect(decision.assignee.id).toBe("alex");
    expect(decision.explanation.candidates).toEqual([
      {
        rep: "alex",
        ruleId: "enterprise-na",
        pool: "enterprise-na",
        eligible: true,
        reason: undefined,
        load: 0,
        cap: 30,
        weight: 2,
        score: 2,
        owed: undefined,
      },
      {
        rep: "blair",
        ruleId: "enterprise-na",
        pool: "enterprise-na",
        eligible: false,
        reason: "at_cap",
        load: 40,
        cap: 40,
        weight: 1,
        score: 0,
        owed: undefined,
      },
      {
        rep: "casey",
        ruleId: "enterprise-na",
        pool: "enterprise-na",
        eligible: false,
        reason: "outside_working_hours",
        load: 0,
        cap: 40,
        weight: 1,
        score: 0,
        owed: undefined,
      },
    ]);
    expect(decision.explanation.why).toBe(
      "rule named-accounts did not match; rule enterprise-na matched; alex chosen by weighted round robin from pool enterprise-na (current weight 2, highest of 1 eligible; weight 2 of 2; pool turn 1); blair excluded from enterprise-na: at cap (40/40); casey excluded from enterprise-na: outside working hours",
    );
  });

  it("overflows to the pool's queue when nobody can take the lead", () => {
    const state = initialRoutingState(
      availabilityOf({ outOfOffice: ["alex"], offHours: ["blair", "casey"] }),
    );
    const decision = router.route(enterpriseLead, state, now);
    expect(decision.assignee).toEqual({ kind: "queue", id: "sdr-queue", team: "sdr" });
    expect(decision.ruleId).toBe("enterprise-na");
    expect(decision.viaOverflow).toBe(true);
    expect(decision.explanation.strategy).toBe("overflow");
    expect(decision.explanation.why).toBe(
      "rule named-accounts did not match; rule enterprise-na matched; nobody in pool enterprise-na could take the lead; sent to its overflow, queue sdr-queue; alex excluded from enterprise-na: out of office; blair excluded from enterprise-na: outside working hours; casey excluded from enterprise-na: outside working hours",
    );
    expect(decision.nextState).toBe(state);
  });

  it("tries the next rule when a pool without overflow has nobody available", () => {
    const lead = input({ region: "emea" });
    const state = initialRoutingState(alwaysAvailable, { emery: 10, finn: 10, gale: 10 });
    const decision = router.route(lead, state, now);
    expect(decision.viaFallback).toBe(true);
    expect(decision.explanation.rulesEvaluated[3]).toEqual({
      ruleId: "emea",
      matched: true,
      assigned: false,
      reason:
        "condition is true, but nobody in pool emea can take the lead (every member is at cap or away) and the pool has no overflow",
    });
  });

  it("does not give a member back from leave a run of leads", () => {
    const availability = availabilityFrom({ leave: { alex: [{ start: now, end: now + 50 }] } });
    const assignees = routeMany(60, initialRoutingState(availability));
    expect(assignees.slice(0, 50).includes("alex")).toBe(false);
    // Back at turn 50: the normal 2:1:1 pattern, never more than two alex in a row.
    expect(assignees.slice(50)).toEqual([
      "alex",
      "blair",
      "casey",
      "alex",
      "alex",
      "blair",
      "casey",
      "alex",
      "alex",
      "blair",
    ]);
  });

  it("continues a rotation from a stored state, and from one written before the pool changed", () => {
    let state = initialRoutingState(alwaysAvailable);
    for (let index = 0; index < 3; index++)
      state = router.route(enterpriseLead, state, now).nextState;
    // Stored as JSON and read back: plain data, same rotation.
    const stored = JSON.parse(
      JSON.stringify({ openLeads: state.openLeads, pools: state.pools }),
    ) as Pick<RoutingState, "openLeads" | "pools">;
    expect(stored.openLeads).toEqual({ alex: 1, blair: 1, casey: 1 });
    const restored: RoutingState = { ...stored, availability: alwaysAvailable };
    expect(routeMany(5, restored)).toEqual(routeMany(5, state));
    // The next agreement version adds a member and reorders the others: memory follows the rep ids.
    const routing = exampleRouting();
    const pool = routing.pools!["enterprise-na"]!;
    const changed = compileRouting(
      {
        ...routing,
        pools: {
          ...routing.pools,
          "enterprise-na": {
            ...pool,
            members: [{ rep: "dana" }, ...pool.members.slice().reverse()],
          },
        },
      },
      testConditions,
    );
    const decision = changed.route(enterpriseLead, restored, now);
    expect(decision.nextState.pools["enterprise-na"]?.members).toEqual([
      "dana",
      "casey",
      "blair",
      "alex",
    ]);
    expect(decision.nextState.pools["enterprise-na"]?.turns).toBe(4);
    expect(decision.nextState.openLeads).toEqual({
      alex: 1,
      blair: 1,
      casey: 1,
      [decision.assignee.id]: decision.assignee.id === "dana" ? 1 : 2,
    });
  });

  it("with catch-up, pays a member back the turns missed while away, then rotates normally", () => {
    const routing = exampleRouting();
    const pool = routing.pools!["enterprise-na"]!;
    const catchUp = compileRouting(
      { ...routing, pools: { ...routing.pools, "enterprise-na": { ...pool, catch_up: true } } },
      testConditions,
    );
    const availability = availabilityFrom({ leave: { alex: [{ start: now, end: now + 20 }] } });
    let state = initialRoutingState(availability);
    const assignees: string[] = [];
    for (let index = 0; index < 40; index++) {
      const decision = catchUp.route(enterpriseLead, state, now + index);
      assignees.push(decision.assignee.id);
      state = decision.nextState;
      if (index === 20) {
        expect(decision.explanation.catchUpTurn).toBe(true);
        expect(decision.explanation.why).toContain(
          "alex chosen from pool enterprise-na to catch up on turns missed while away (9 still owed",
        );
      }
    }
    // Away for 20 turns with weight 2 of 4: owed 10 turns, paid in a row on return.
    expect(assignees.slice(20, 30)).toEqual(Array(10).fill("alex"));
    // Then the normal rotation: alex half the turns.
    expect(assignees.slice(30, 38).filter((rep) => rep === "alex")).toHaveLength(4);
    expect(state.pools["enterprise-na"]?.owed).toEqual([0, 0, 0]);
  });
});

describe("compileRouting: fewest-assigned pools", () => {
  const lead = input({ region: "emea" });

  it("picks the lowest load relative to weight", () => {
    // emery 2/1 = 2, finn 3/2 = 1.5, gale 2/1 = 2
    const decision = router.route(
      lead,
      initialRoutingState(alwaysAvailable, { emery: 2, finn: 3, gale: 2 }),
      now,
    );
    expect(decision.assignee.id).toBe("finn");
    expect(decision.explanation.why).toContain(
      "finn chosen by fewest assigned from pool emea (3 open ÷ weight 2 = 1.5, lowest of 3 eligible",
    );
  });

  it("breaks ties by least recently assigned, then by rep id", () => {
    // All at load 0: never assigned, so by id: emery, finn, gale. Loads stay equal per weight.
    let state = initialRoutingState(alwaysAvailable);
    const first = router.route(lead, state, now);
    expect(first.assignee.id).toBe("emery");
    state = { ...first.nextState, openLeads: {} };
    const second = router.route(lead, state, now);
    expect(second.assignee.id).toBe("finn");
    state = { ...second.nextState, openLeads: {} };
    const third = router.route(lead, state, now);
    expect(third.assignee.id).toBe("gale");
    state = { ...third.nextState, openLeads: {} };
    expect(router.route(lead, state, now).assignee.id).toBe("emery");
  });

  it("never picks a member at cap, even with the lowest ratio", () => {
    const pools = {
      emea: {
        members: [{ rep: "emery", weight: 100, cap: 5 }, { rep: "finn" }],
        strategy: "fewest_assigned" as const,
      },
    };
    const routing = routingSchema.parse({
      rules: [{ id: "all", to: { pool: "emea" } }],
      pools,
      queues: { q: { team: "sdr" } },
      fallback: { queue: "q" },
    });
    const decision = compileRouting(routing, testConditions).route(
      input(),
      initialRoutingState(alwaysAvailable, { emery: 5, finn: 20 }),
      now,
    );
    expect(decision.assignee.id).toBe("finn");
    expect(decision.explanation.candidates[0]).toMatchObject({
      rep: "emery",
      reason: "at_cap",
      load: 5,
      cap: 5,
    });
  });
});
