import { describe, expect, it } from "vitest";
import { alwaysAvailable } from "./availability.js";
import { celConditions } from "./cel-conditions.js";
import { compileRouting } from "./compile-routing.js";
import { routingInputOf } from "./routing-decision.js";
import { initialRoutingState } from "./routing-state.js";
import { availabilityOf, exampleRouting, input } from "./routing-test-fixtures.js";

/** Routing with the real CEL engine: the conditions as an agreement writes them. */
describe("celConditions", () => {
  const router = compileRouting(exampleRouting(), celConditions());
  const state = initialRoutingState(alwaysAvailable);
  const now = Date.UTC(2026, 2, 2, 15, 0);

  it("routes by CEL conditions over lead, company and account", () => {
    expect(router.route(input({ country: "CA" }, { employees: 1500 }), state, now).ruleId).toBe(
      "enterprise-na",
    );
    expect(
      router.route(input({ country: "FR" }, { employees: 1500 }), state, now).viaFallback,
    ).toBe(true);
    expect(router.route(input({}, { tier: "strategic" }), state, now).assignee).toEqual({
      kind: "rep",
      id: "alex",
    });
    expect(router.route(input({ region: "emea" }), state, now).explanation.pool).toBe("emea");
  });

  it("treats a lead without a known account as having no account owner", () => {
    const decision = router.route(input({ country: "US" }, { employees: 5000 }), state, now);
    expect(decision.explanation.rulesEvaluated[0]).toMatchObject({
      ruleId: "named-accounts",
      matched: false,
    });
    const known = router.route(
      input({}, {}, { owner: "dana" }),
      initialRoutingState(availabilityOf()),
      now,
    );
    expect(known.assignee.id).toBe("dana");
  });

  it("treats missing fields as not matching rather than failing", () => {
    const decision = router.route(input(), state, now);
    expect(decision.viaFallback).toBe(true);
    expect(
      decision.explanation.rulesEvaluated.every((rule) => rule.reason === "condition is false"),
    ).toBe(true);
  });

  it("reads a stored lead through routingInputOf", () => {
    const lead = {
      id: "lead-1",
      stage: "mql",
      stageEnteredAt: now,
      createdAt: now,
      fields: { country: "US", email: "pat@acme.example" },
      company: { name: "Acme", employees: 2400 },
      activities: [],
    };
    const decision = router.route(routingInputOf(lead), state, now);
    expect(decision.ruleId).toBe("enterprise-na");
    expect(routingInputOf(lead, { owner: "dana" }).account).toEqual({ owner: "dana" });
    expect(routingInputOf(lead).lead.stage).toBe("mql");
  });

  it("refuses a condition that does not compile, naming it", () => {
    const routing = {
      ...exampleRouting(),
      rules: [{ id: "bad", when: "lead.nope == 1", to: { queue: "sdr-queue" } }],
    };
    expect(() => compileRouting(routing, celConditions())).toThrow(
      /routing condition 'lead.nope == 1' does not compile/,
    );
  });
});
