import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileCondition, type ExpressionContext } from "../expression/index.js";
import { withoutActivity } from "./check-qualification.js";
import { compileQualification } from "./compile-qualification.js";
import type { ScoringActivity, ScoringInput } from "./lead-score.js";
import type { Qualification } from "./qualification-schema.js";
import { dayMs, exampleQualification, now, testSchema } from "./qualification-test-fixtures.js";

/**
 * The scorer against a slow reference written straight from the definitions in
 * qualification-schema.ts, on random leads and activity histories.
 */

const qualification = exampleQualification();
const scorer = compileQualification(qualification, testSchema);

function referenceTotal(section: Qualification, input: ScoringInput, at: number): number {
  const test = (source: string, context: ExpressionContext, withActivity: boolean) => {
    const compiled = compileCondition(
      source,
      withActivity ? testSchema : withoutActivity(testSchema),
    );
    if (!compiled.ok) throw new Error(source);
    return compiled.test(context);
  };
  const lead = { lead: input.lead, company: input.company, account: input.account };
  let total = 0;
  for (const [group, { cap }] of Object.entries(section.groups)) {
    let positive = 0;
    let negative = 0;
    for (const rule of section.rules.filter((candidate) => candidate.group === group)) {
      let points = 0;
      if (rule.activity === undefined) {
        if (test(rule.when!, lead, false)) points = rule.points;
      } else if (rule.when === undefined || test(rule.when, lead, false)) {
        for (const activity of input.activities ?? []) {
          const ageDays = (at - activity.at) / dayMs;
          if (activity.type !== rule.activity || ageDays < 0 || ageDays > rule.within_days!)
            continue;
          if (rule.where !== undefined && !test(rule.where, { ...lead, activity }, true)) continue;
          points +=
            rule.points *
            (rule.half_life_days === undefined ? 1 : 0.5 ** (ageDays / rule.half_life_days));
        }
        if (rule.max_points !== undefined)
          points = Math.max(-rule.max_points, Math.min(rule.max_points, points));
      }
      if (points > 0) positive += points;
      else negative += points;
    }
    total += Math.min(positive, cap) + negative;
  }
  return total;
}

const activity: fc.Arbitrary<ScoringActivity> = fc.record({
  type: fc.constantFrom(
    "page_view",
    "form_submit",
    "content_download",
    "intent_signal",
    "email_open",
  ),
  at: fc.integer({ min: now - 120 * dayMs, max: now + 2 * dayMs }),
  url: fc.constantFrom("/pricing", "/blog", "/pricing/enterprise"),
  form: fc.constantFrom("demo", "newsletter"),
});

const input: fc.Arbitrary<ScoringInput> = fc.record({
  lead: fc.record(
    {
      country: fc.constantFrom("US", "CA", "DE", "FR"),
      persona_match: fc.boolean(),
      student: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  company: fc.record(
    {
      employees: fc.integer({ min: 1, max: 5_000 }),
      industry: fc.constantFrom("software", "retail", "fintech"),
    },
    { requiredKeys: [] },
  ),
  activities: fc.array(activity, { maxLength: 12 }),
});

describe("scoreLead properties", () => {
  it("matches the reference definition of the score", () => {
    fc.assert(
      fc.property(input, (lead) => {
        expect(scorer.scoreLead(lead, now).total).toBeCloseTo(
          referenceTotal(qualification, lead, now),
          9,
        );
      }),
      { numRuns: 500 },
    );
  });

  it("adds up: counted points make the groups, groups make the total, caps hold", () => {
    fc.assert(
      fc.property(input, (lead) => {
        const result = scorer.scoreLead(lead, now);
        let total = 0;
        for (const group of result.groups) {
          const entries = result.contributions.filter((entry) => entry.group === group.id);
          const counted = entries.reduce((sum, entry) => sum + entry.counted, 0);
          const positive = entries.reduce((sum, entry) => sum + Math.max(entry.counted, 0), 0);
          expect(group.capped).toBeCloseTo(counted, 9);
          expect(group.raw).toBeCloseTo(
            entries.reduce((sum, entry) => sum + entry.points, 0),
            9,
          );
          expect(positive).toBeLessThanOrEqual(group.cap + 1e-9);
          total += group.capped;
        }
        expect(result.total).toBeCloseTo(total, 9);
        for (const entry of result.contributions) {
          if (entry.points < 0) expect(entry.counted).toBe(entry.points);
          else expect(entry.counted).toBeLessThanOrEqual(entry.points);
        }
        expect(result.mql.qualified).toBe(result.mql.checks.every((check) => check.passed));
      }),
      { numRuns: 500 },
    );
  });

  it("never lowers a score when a matching activity is added", () => {
    const pricing: ScoringActivity = { type: "page_view", at: now - dayMs, url: "/pricing" };
    fc.assert(
      fc.property(input, (lead) => {
        const before = scorer.scoreLead(lead, now).total;
        const after = scorer.scoreLead(
          { ...lead, activities: [...(lead.activities ?? []), pricing] },
          now,
        ).total;
        expect(after).toBeGreaterThanOrEqual(before - 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});
