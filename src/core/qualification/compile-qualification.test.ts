import { afterEach, describe, expect, it, vi } from "vitest";
import { compileQualification } from "./compile-qualification.js";
import type { ScoringActivity, ScoringInput } from "./lead-score.js";
import { qualificationSchema } from "./qualification-schema.js";
import {
  dayMs,
  daysAgo,
  exampleQualification,
  now,
  testSchema,
} from "./qualification-test-fixtures.js";

const scorer = compileQualification(exampleQualification(), testSchema);

const fitLead = {
  lead: { country: "US", persona_match: true, student: false },
  company: { employees: 250, industry: "software" },
};

const pricingView = (days: number, url = "https://acme.example/pricing"): ScoringActivity => ({
  type: "page_view",
  at: daysAgo(days),
  url,
});

function score(input: Partial<ScoringInput> & Pick<ScoringInput, "lead">, at = now) {
  return scorer.scoreLead(input, at);
}

function contribution(result: ReturnType<typeof score>, ruleId: string) {
  return result.contributions.find((entry) => entry.ruleId === ruleId);
}

/** A section with one group and the given rules, checked like an agreement's. */
function sectionWith(rules: unknown[], cap = 100, thresholds: unknown = { mql: { score: 1 } }) {
  return compileQualification(
    qualificationSchema.parse({ groups: { fit: { cap } }, rules, thresholds }),
    testSchema,
  );
}

describe("scoreLead: condition rules", () => {
  it("adds each rule whose condition holds, once, with the condition as its detail", () => {
    const result = score(fitLead);
    expect(
      result.contributions.map((entry) => [entry.ruleId, entry.points, entry.counted]),
    ).toEqual([
      ["target-size", 20, 20],
      ["target-geography", 10, 10],
      ["buyer-persona", 15, 15],
      ["target-industry", 10, 5],
    ]);
    expect(contribution(result, "target-size")?.detail).toBe("company.employees >= 200 holds: +20");
    expect(result.groups.find((group) => group.id === "fit")).toEqual({
      id: "fit",
      label: "Firmographic fit",
      raw: 55,
      capped: 50,
      cap: 50,
    });
    expect(result.total).toBe(50);
  });

  it("records the points the group cap took away", () => {
    const industry = contribution(score(fitLead), "target-industry");
    expect(industry).toMatchObject({ points: 10, counted: 5 });
    expect(industry?.detail).toBe(
      'company.industry in ["software", "fintech", "healthcare"] holds: +10; 5 of 10 counted, 5 capped away (group fit caps at 50)',
    );
  });

  it("never lets the cap absorb a penalty", () => {
    const result = score({ ...fitLead, lead: { ...fitLead.lead, student: true } });
    expect(contribution(result, "student")).toMatchObject({
      points: -30,
      counted: -30,
      detail: "lead.student == true holds: -30",
    });
    expect(result.groups[0]).toMatchObject({ raw: 25, capped: 20 });
    expect(result.total).toBe(20);
  });

  it("lets a group go below zero", () => {
    const result = score({ lead: { student: true } });
    expect(result.groups[0]).toMatchObject({ raw: -30, capped: -30 });
    expect(result.total).toBe(-30);
  });

  it("scores a lead with no data at zero, without throwing", () => {
    const result = score({ lead: {} });
    expect(result.total).toBe(0);
    expect(result.contributions).toEqual([]);
    expect(result.groups.map((group) => group.capped)).toEqual([0, 0, 0]);
  });
});

describe("scoreLead: activity rules", () => {
  it("counts matching activities within the window, each decayed by its age", () => {
    const result = score({
      lead: {},
      activities: [pricingView(0), pricingView(14), pricingView(28)],
    });
    const pricing = contribution(result, "pricing-page");
    // 10 × (1 + 2^−1 + 2^−2) = 17.5
    expect(pricing?.points).toBeCloseTo(17.5, 10);
    expect(pricing?.matches).toBe(3);
    expect(pricing?.detail).toBe(
      '3 page_view activities where activity.url.contains("/pricing") in the last 30 days: +10 each, halving every 14 days → +17.5',
    );
  });

  it("applies the decay formula points × 2^(−age / half-life) at any age", () => {
    for (const days of [0.5, 3, 7.25, 13, 29.99]) {
      const result = score({ lead: {}, activities: [pricingView(days)] });
      expect(contribution(result, "pricing-page")?.points).toBeCloseTo(10 * 2 ** (-days / 14), 10);
    }
  });

  it("counts the window's edges and nothing outside it or in the future", () => {
    const edges = score({ lead: {}, activities: [pricingView(0), pricingView(30)] });
    expect(contribution(edges, "pricing-page")?.matches).toBe(2);
    const outside = score({
      lead: {},
      activities: [
        { ...pricingView(0), at: now - 30 * dayMs - 1 },
        { ...pricingView(0), at: now + 1 },
      ],
    });
    expect(contribution(outside, "pricing-page")).toBeUndefined();
  });

  it("skips activities that fail 'where' or have another type", () => {
    const result = score({
      lead: {},
      activities: [
        pricingView(1, "https://acme.example/blog"),
        { type: "email_open", at: daysAgo(1), url: "/pricing" },
      ],
    });
    expect(result.contributions).toEqual([]);
  });

  it("limits a rule to max_points", () => {
    const result = score({
      lead: {},
      activities: [
        { type: "intent_signal", at: daysAgo(1) },
        { type: "intent_signal", at: daysAgo(2) },
        { type: "intent_signal", at: daysAgo(3) },
      ],
    });
    const intent = contribution(result, "third-party-intent");
    expect(intent).toMatchObject({ points: 20, counted: 20, matches: 3 });
    expect(intent?.detail).toBe(
      "3 intent_signal activities in the last 21 days: +10 each → +20 (+30 limited to 20 by max_points)",
    );
  });

  it("adds an undecayed rule's points per activity, then caps the group", () => {
    const demo = { type: "form_submit", at: daysAgo(10), form: "demo" };
    const result = score({ lead: {}, activities: [demo, { ...demo, at: daysAgo(40) }] });
    expect(contribution(result, "demo-request")).toMatchObject({
      points: 80,
      counted: 40,
      matches: 2,
    });
    expect(result.groups.find((group) => group.id === "intent")).toMatchObject({
      raw: 80,
      capped: 40,
    });
  });

  it("supports negative activity points, limited in size by max_points", () => {
    const unsubscribes = sectionWith([
      { id: "fit", group: "fit", when: "true", points: 50 },
      {
        id: "bounces",
        group: "fit",
        activity: "email_open",
        where: 'activity.subject == "bounce"',
        within_days: 30,
        points: -15,
        max_points: 20,
      },
    ]);
    const bounce = { type: "email_open", at: daysAgo(1), subject: "bounce" };
    const result = unsubscribes.scoreLead({ lead: {}, activities: [bounce, bounce] }, now);
    expect(contribution(result, "bounces")).toMatchObject({
      points: -20,
      counted: -20,
      matches: 2,
    });
    expect(result.total).toBe(30);
  });

  it("gates an activity rule on 'when'", () => {
    const gated = sectionWith([
      {
        id: "us-webinars",
        group: "fit",
        activity: "webinar",
        when: 'lead.country == "US"',
        within_days: 30,
        points: 5,
      },
    ]);
    const webinars = [
      { type: "webinar", at: daysAgo(1) },
      { type: "webinar", at: daysAgo(2) },
    ];
    expect(gated.scoreLead({ lead: { country: "US" }, activities: webinars }, now).total).toBe(10);
    expect(gated.scoreLead({ lead: { country: "CA" }, activities: webinars }, now).total).toBe(0);
  });

  it("lets 'where' read the lead as well as the activity", () => {
    const section = sectionWith([
      {
        id: "own-domain",
        group: "fit",
        activity: "page_view",
        where: "activity.url.contains(lead.campaign)",
        within_days: 30,
        points: 5,
      },
    ]);
    const views = [{ type: "page_view", at: daysAgo(1), url: "/spring-launch" }];
    expect(section.scoreLead({ lead: { campaign: "spring" }, activities: views }, now).total).toBe(
      5,
    );
    expect(section.scoreLead({ lead: {}, activities: views }, now).total).toBe(0);
  });
});

describe("scoreLead: thresholds", () => {
  const demo = { type: "form_submit", at: daysAgo(2), form: "demo" };

  it("qualifies an MQL when the total and every group minimum are met", () => {
    const result = score({ ...fitLead, activities: [demo] });
    expect(result.total).toBe(90);
    expect(JSON.parse(JSON.stringify(result.mql))).toEqual({
      qualified: true,
      checks: [
        { subject: "total", value: 90, minimum: 60, passed: true },
        { subject: "fit", value: 50, minimum: 20, passed: true },
      ],
      reasons: [
        "score 90 reaches the MQL minimum of 60",
        "fit points 50 reaches the MQL minimum of 20",
      ],
    });
    expect(result.sql?.qualified).toBe(true);
    expect(result.sql?.reasons).toEqual(["score 90 reaches the SQL minimum of 90"]);
  });

  it("refuses an MQL on behaviour and intent alone, saying which minimum failed", () => {
    const result = score({
      lead: { country: "US" },
      activities: [demo, pricingView(1), pricingView(2), pricingView(3), pricingView(4)],
    });
    expect(result.total).toBeGreaterThan(60);
    expect(result.mql.qualified).toBe(false);
    expect(result.mql.reasons[1]).toBe("fit points 10 is 10 short of the MQL minimum of 20");
  });

  it("says how far a lead is from the threshold", () => {
    const result = score({ lead: { country: "US", persona_match: true } });
    expect(result.mql.reasons[0]).toBe("score 25 is 35 short of the MQL minimum of 60");
    expect(result.sql?.qualified).toBe(false);
  });

  it("leaves sql out when no SQL threshold is declared", () => {
    const section = sectionWith([{ id: "a", group: "fit", when: "true", points: 5 }]);
    expect(section.scoreLead({ lead: {} }, now).sql).toBeUndefined();
  });
});

describe("scoreLead: purity", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const input: ScoringInput = {
    ...fitLead,
    activities: [
      pricingView(3),
      { type: "form_submit", at: daysAgo(5), form: "demo" },
      { type: "content_download", at: daysAgo(20) },
    ],
  };

  it("depends only on its arguments: not on the clock, earlier calls or call order", () => {
    const first = scorer.scoreLead(input, now);
    vi.useFakeTimers();
    vi.setSystemTime(now + 400 * dayMs);
    score({ lead: { student: true }, activities: [pricingView(1)] });
    const asJson = (score: unknown) => JSON.parse(JSON.stringify(score));
    expect(asJson(scorer.scoreLead(input, now))).toEqual(asJson(first));
    expect(
      asJson(compileQualification(exampleQualification(), testSchema).scoreLead(input, now)),
    ).toEqual(asJson(first));
  });

  it("never changes its input", () => {
    const frozen = structuredClone(input);
    deepFreeze(frozen);
    expect(() => scorer.scoreLead(frozen, now)).not.toThrow();
    expect(frozen).toEqual(input);
  });

  it("moves with the 'now' it is given, not the wall clock", () => {
    const later = scorer.scoreLead(input, now + 40 * dayMs);
    expect(contribution(later, "pricing-page")).toBeUndefined();
    expect(contribution(later, "content")?.points).toBeCloseTo(5 * 2 ** (-60 / 30), 10);
  });
});

describe("compileQualification", () => {
  it("refuses a section that did not pass the checks", () => {
    const qualification = exampleQualification();
    qualification.rules[0]!.when = "company.employes >= 200";
    qualification.rules[1]!.group = "fitt";
    expect(() => compileQualification(qualification, testSchema)).toThrow(
      /qualification\.rules\.1\.group: unknown group 'fitt'[\s\S]*qualification\.rules\.0\.when: unknown field company\.employes/,
    );
  });
});

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

describe("scoreLead: explanation", () => {
  it("serialises with every detail and reason, as a stored score keeps them", () => {
    const result = score({
      lead: { country: "US", persona_match: true, student: true },
      company: { employees: 250, industry: "retail" },
      activities: [pricingView(0), { type: "form_submit", at: daysAgo(3), form: "demo" }],
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      total: 65,
      groups: [
        { id: "fit", label: "Firmographic fit", raw: 15, capped: 15, cap: 50 },
        { id: "behaviour", label: "Behaviour", raw: 10, capped: 10, cap: 40 },
        { id: "intent", label: "Intent", raw: 40, capped: 40, cap: 40 },
      ],
      contributions: [
        {
          ruleId: "target-size",
          group: "fit",
          points: 20,
          counted: 20,
          detail: "company.employees >= 200 holds: +20",
        },
        {
          ruleId: "target-geography",
          group: "fit",
          points: 10,
          counted: 10,
          detail: 'lead.country in ["US", "CA", "GB", "IE"] holds: +10',
        },
        {
          ruleId: "buyer-persona",
          group: "fit",
          points: 15,
          counted: 15,
          detail: "lead.persona_match == true holds: +15",
        },
        {
          ruleId: "student",
          group: "fit",
          points: -30,
          counted: -30,
          detail: "lead.student == true holds: -30",
        },
        {
          ruleId: "pricing-page",
          group: "behaviour",
          points: 10,
          counted: 10,
          matches: 1,
          detail:
            '1 page_view activity where activity.url.contains("/pricing") in the last 30 days: +10 each, halving every 14 days → +10',
        },
        {
          ruleId: "demo-request",
          group: "intent",
          points: 40,
          counted: 40,
          matches: 1,
          detail:
            '1 form_submit activity where activity.form == "demo" in the last 90 days: +40 each → +40',
        },
      ],
      mql: {
        qualified: false,
        checks: [
          { subject: "total", value: 65, minimum: 60, passed: true },
          { subject: "fit", value: 15, minimum: 20, passed: false },
        ],
        reasons: [
          "score 65 reaches the MQL minimum of 60",
          "fit points 15 is 5 short of the MQL minimum of 20",
        ],
      },
      sql: {
        qualified: false,
        checks: [{ subject: "total", value: 65, minimum: 90, passed: false }],
        reasons: ["score 65 is 25 short of the SQL minimum of 90"],
      },
    });
  });

  it("writes the same sentence every time it is read", () => {
    const result = score({ ...fitLead, activities: [pricingView(2)] });
    const first = result.contributions.map((entry) => entry.detail);
    expect(result.contributions.map((entry) => entry.detail)).toEqual(first);
    expect(result.mql.reasons).toEqual(result.mql.reasons);
  });
});
