/**
 * Property tests: fairness, caps, leave and explanations hold for any pool shape, load and
 * availability fast-check can think of, not just the examples.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Availability, alwaysAvailable } from "./availability.js";
import { compileRouting, type Router } from "./compile-routing.js";
import { describeExclusion } from "./routing-decision.js";
import type { Routing } from "./routing-schema.js";
import { initialRoutingState, type RoutingState } from "./routing-state.js";
import { deepFreeze, input } from "./routing-test-fixtures.js";

const lead = input({ country: "US" });
const start = Date.UTC(2026, 0, 5, 9, 0);

/** One pool `p` with the given members, reached by a catch-all rule; overflow and fallback a queue. */
function poolRouting(
  members: { rep: string; weight?: number; cap?: number }[],
  options: {
    strategy?: "round_robin" | "fewest_assigned";
    catchUp?: boolean;
    hours?: "required" | "ignored";
  } = {},
): Router {
  const routing: Routing = {
    rules: [{ id: "all", to: { pool: "p" } }],
    pools: {
      p: {
        members,
        strategy: options.strategy ?? "round_robin",
        catch_up: options.catchUp ?? false,
        working_hours: options.hours ?? "required",
        overflow: { queue: "q" },
      },
    },
    queues: { q: { team: "sdr" } },
    fallback: { queue: "q" },
  };
  return compileRouting(routing, () => () => true);
}

/** Routes `count` leads one time unit apart; returns the assignee of each. */
function run(
  router: Router,
  count: number,
  availability: Availability = alwaysAvailable,
): string[] {
  let state = initialRoutingState(availability);
  const assignees: string[] = [];
  for (let turn = 0; turn < count; turn++) {
    const decision = router.route(lead, state, turn);
    assignees.push(decision.assignee.id);
    state = decision.nextState;
  }
  return assignees;
}

function longestRun(assignees: readonly string[], rep: string, from = 0): number {
  let longest = 0;
  let current = 0;
  for (let index = from; index < assignees.length; index++) {
    current = assignees[index] === rep ? current + 1 : 0;
    longest = Math.max(longest, current);
  }
  return longest;
}

const reps = ["ana", "ben", "cy", "dee", "eli", "fay"];

describe("round robin fairness", () => {
  it("gives weights 2:1:1 shares of 50/25/25 % within 1 point over 10,000 leads", () => {
    const router = poolRouting([
      { rep: "ana", weight: 2 },
      { rep: "ben" },
      { rep: "cy", weight: 1 },
    ]);
    const assignees = run(router, 10_000);
    const share = (rep: string) =>
      (assignees.filter((id) => id === rep).length / assignees.length) * 100;
    expect(Math.abs(share("ana") - 50)).toBeLessThanOrEqual(1);
    expect(Math.abs(share("ben") - 25)).toBeLessThanOrEqual(1);
    expect(Math.abs(share("cy") - 25)).toBeLessThanOrEqual(1);
  });

  it("gives any weights their share within 1 point over 10,000 leads", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 6 }),
        (weights) => {
          const members = weights.map((weight, index) => ({ rep: reps[index]!, weight }));
          const assignees = run(poolRouting(members), 10_000);
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          for (const member of members) {
            const share = assignees.filter((id) => id === member.rep).length / assignees.length;
            expect(Math.abs(share - member.weight / total)).toBeLessThanOrEqual(0.01);
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("caps and availability", () => {
  /** Per turn: which reps are away, which are off hours, and which leads close before routing. */
  const turnArbitrary = fc.record({
    outOfOffice: fc.subarray(reps),
    offHours: fc.subarray(reps),
    closes: fc.subarray(reps),
  });

  it("never chooses a rep at or over cap, out of office, or (when required) outside hours", () => {
    fc.assert(
      fc.property(
        fc.record({
          members: fc.uniqueArray(
            fc.record({
              rep: fc.constantFrom(...reps),
              weight: fc.integer({ min: 1, max: 4 }),
              cap: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 6, selector: (member) => member.rep },
          ),
          strategy: fc.constantFrom("round_robin" as const, "fewest_assigned" as const),
          catchUp: fc.boolean(),
          hours: fc.constantFrom("required" as const, "ignored" as const),
          initialLoads: fc.dictionary(fc.constantFrom(...reps), fc.integer({ min: 0, max: 8 })),
          turns: fc.array(turnArbitrary, { minLength: 1, maxLength: 60 }),
        }),
        ({ members, strategy, catchUp, hours, initialLoads, turns }) => {
          const router = poolRouting(members, {
            strategy,
            catchUp: catchUp && strategy === "round_robin",
            hours,
          });
          const caps = new Map(
            members.map((member) => [member.rep, member.cap ?? Number.POSITIVE_INFINITY]),
          );
          let state: RoutingState = initialRoutingState(alwaysAvailable, initialLoads);
          for (const [index, turn] of turns.entries()) {
            const openLeads = { ...state.openLeads };
            for (const rep of turn.closes) openLeads[rep] = Math.max(0, (openLeads[rep] ?? 0) - 1);
            const availability: Availability = {
              isOutOfOffice: (rep) => turn.outOfOffice.includes(rep),
              isWorking: (rep) => !turn.outOfOffice.includes(rep) && !turn.offHours.includes(rep),
            };
            state = { ...state, openLeads, availability };
            const decision = router.route(lead, state, start + index);
            const { assignee } = decision;
            if (assignee.kind === "rep") {
              expect(openLeads[assignee.id] ?? 0).toBeLessThan(caps.get(assignee.id)!);
              expect(turn.outOfOffice).not.toContain(assignee.id);
              if (hours === "required") expect(turn.offHours).not.toContain(assignee.id);
              expect(decision.nextState.openLeads[assignee.id]).toBe(
                (openLeads[assignee.id] ?? 0) + 1,
              );
            } else {
              // Overflow only when nobody could take the lead.
              expect(
                decision.explanation.candidates.every((candidate) => !candidate.eligible),
              ).toBe(true);
            }
            state = decision.nextState;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("names every excluded candidate with its reason, in the data and in the sentence", () => {
    fc.assert(
      fc.property(
        fc.record({
          caps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 6, maxLength: 6 }),
          loads: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 }),
          turn: turnArbitrary,
          strategy: fc.constantFrom("round_robin" as const, "fewest_assigned" as const),
        }),
        ({ caps, loads, turn, strategy }) => {
          const router = poolRouting(
            reps.map((rep, index) => ({ rep, cap: caps[index]! })),
            { strategy },
          );
          const openLeads = Object.fromEntries(reps.map((rep, index) => [rep, loads[index]!]));
          const availability: Availability = {
            isOutOfOffice: (rep) => turn.outOfOffice.includes(rep),
            isWorking: (rep) => !turn.outOfOffice.includes(rep) && !turn.offHours.includes(rep),
          };
          const decision = router.route(lead, initialRoutingState(availability, openLeads), start);
          const { candidates, why } = decision.explanation;
          expect(candidates.map((candidate) => candidate.rep)).toEqual(reps);
          for (const [index, rep] of reps.entries()) {
            const expected = turn.outOfOffice.includes(rep)
              ? "out_of_office"
              : turn.offHours.includes(rep)
                ? "outside_working_hours"
                : loads[index]! >= caps[index]!
                  ? "at_cap"
                  : undefined;
            const candidate = candidates[index]!;
            expect(candidate.reason).toBe(expected);
            expect(candidate.eligible).toBe(expected === undefined);
            if (expected !== undefined)
              expect(why).toContain(`${rep} excluded from p: ${describeExclusion(candidate)}`);
            else expect(why).not.toContain(`${rep} excluded`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("return from leave", () => {
  const leaveArbitrary = fc.record({
    weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 6 }),
    awayIndex: fc.nat(),
    leaveStart: fc.integer({ min: 0, max: 40 }),
    leaveLength: fc.integer({ min: 1, max: 200 }),
    offHoursRatherThanLeave: fc.boolean(),
  });

  function scenario({
    weights,
    awayIndex,
    leaveStart,
    leaveLength,
    offHoursRatherThanLeave,
  }: {
    weights: number[];
    awayIndex: number;
    leaveStart: number;
    leaveLength: number;
    offHoursRatherThanLeave: boolean;
  }) {
    const members = weights.map((weight, index) => ({ rep: reps[index]!, weight }));
    const away = members[awayIndex % members.length]!;
    const leaveEnd = leaveStart + leaveLength;
    const isAway = (rep: string, at: number) =>
      rep === away.rep && at >= leaveStart && at < leaveEnd;
    const availability: Availability = offHoursRatherThanLeave
      ? { isOutOfOffice: () => false, isWorking: (rep, at) => !isAway(rep, at) }
      : { isOutOfOffice: isAway, isWorking: (rep, at) => !isAway(rep, at) };
    const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
    return { members, away, leaveEnd, availability, totalWeight, turns: leaveEnd + 300 };
  }

  it("gives no run of leads beyond the normal rotation, without catch-up", () => {
    fc.assert(
      fc.property(leaveArbitrary, (arbitrary) => {
        const { members, away, leaveEnd, availability, totalWeight, turns } = scenario(arbitrary);
        const router = poolRouting(members);
        const withLeave = run(router, turns, availability);
        const steady = run(router, turns);
        const afterReturn = longestRun(withLeave, away.rep, leaveEnd);
        // Never longer than the rep's longest run when nobody is ever away…
        expect(afterReturn).toBeLessThanOrEqual(longestRun(steady, away.rep));
        // …which is about the rep's weight against everyone else's.
        expect(afterReturn).toBeLessThanOrEqual(
          Math.ceil(away.weight / (totalWeight - away.weight)) + 1,
        );
      }),
      { numRuns: 200 },
    );
  });

  it("with catch-up, pays back the missed turns in a row on return", () => {
    fc.assert(
      fc.property(leaveArbitrary, (arbitrary) => {
        const { members, away, leaveEnd, availability, totalWeight, turns } = scenario(arbitrary);
        const withCatchUp = run(poolRouting(members, { catchUp: true }), turns, availability);
        const without = run(poolRouting(members), turns, availability);
        const missed = (arbitrary.leaveLength * away.weight) / totalWeight;
        const paid = Math.floor(missed + 1e-9);
        // The whole turns missed are paid first on return, in a row.
        expect(withCatchUp.slice(leaveEnd, leaveEnd + paid)).toEqual(Array(paid).fill(away.rep));
        expect(longestRun(withCatchUp, away.rep, leaveEnd)).toBeGreaterThanOrEqual(paid);
        // Paid turns are extra: the rest of the pool does not rotate during them, so the
        // rep ends up ahead of the no-catch-up rotation by the paid turns, less the share of
        // them the rep would have had anyway (±1 turn of rotation phase each side).
        const had = withCatchUp.filter((rep) => rep === away.rep).length;
        const hadWithout = without.filter((rep) => rep === away.rep).length;
        expect(had - hadWithout).toBeGreaterThanOrEqual(paid * (1 - away.weight / totalWeight) - 2);
      }),
      { numRuns: 200 },
    );
  });
});

describe("rules", () => {
  it("first match wins: the first rule whose condition holds assigns, and only rules up to it run", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 0, maxLength: 8 }), (outcomes) => {
        const routing: Routing = {
          rules: outcomes.map((_, index) => ({
            id: `r${index}`,
            when: `rule ${index}`,
            to: { queue: `q${index}` },
          })),
          queues: {
            ...Object.fromEntries(outcomes.map((_, index) => [`q${index}`, { team: "sdr" }])),
            fallback: { team: "sdr" },
          },
          fallback: { queue: "fallback" },
        };
        let calls = 0;
        const router = compileRouting(routing, (source) => {
          const index = Number(source.split(" ")[1]);
          return () => {
            calls++;
            return outcomes[index];
          };
        });
        const decision = router.route(lead, initialRoutingState(alwaysAvailable), start);
        const first = outcomes.indexOf(true);
        if (first < 0) {
          expect(decision.viaFallback).toBe(true);
          expect(decision.assignee.id).toBe("fallback");
          expect(calls).toBe(outcomes.length);
        } else {
          expect(decision.ruleId).toBe(`r${first}`);
          expect(decision.assignee.id).toBe(`q${first}`);
          expect(calls).toBe(first + 1);
          expect(decision.explanation.rulesEvaluated.map((rule) => rule.matched)).toEqual([
            ...Array(first).fill(false),
            true,
          ]);
        }
      }),
    );
  });

  it("is deterministic and leaves its input state untouched", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...reps), fc.integer({ min: 0, max: 5 })),
        fc.array(fc.constantFrom(...reps.slice(0, 3)), { maxLength: 20 }),
        (openLeads, warmUp) => {
          const router = poolRouting(
            reps.slice(0, 3).map((rep, index) => ({ rep, weight: index + 1, cap: 5 })),
          );
          let state = initialRoutingState(alwaysAvailable, openLeads);
          for (const _ of warmUp) state = router.route(lead, state, start).nextState;
          const snapshot = JSON.stringify(state);
          deepFreeze(state);
          const first = router.route(lead, state, start);
          const second = router.route(lead, state, start);
          expect(second.assignee).toEqual(first.assignee);
          expect(second.nextState).toEqual(first.nextState);
          expect(second.explanation.candidates).toEqual(first.explanation.candidates);
          expect(JSON.stringify(state)).toBe(snapshot);
        },
      ),
    );
  });
});
