import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttributionMilestones,
  type AttributionTouch,
  attribution,
  attributionWeights,
  conversionTouches,
} from "./attribution.js";
import { history, lead, opportunity, T0 } from "./history-fixtures.js";
import { attributionModels, type MetricGroup } from "./metric.js";
import { DAY } from "./statistics.js";

function day(days: number): number {
  return T0 + days * DAY;
}

// Five touches, the lead created at the third; the conversion on day 10.
// index:    0 (day 0)  1 (day 2)  2 = lead creation (day 4)  3 (day 6)  4 (day 8)
const five: AttributionTouch[] = [0, 2, 4, 6, 8].map((days) => ({ at: day(days), channel: "x" }));
const fiveWon: AttributionMilestones = { leadCreation: 2, opportunityCreation: 4, closedWon: 4 };
const fiveOpen: AttributionMilestones = { ...fiveWon, closedWon: null };
const options = { conversionAt: day(10), halfLifeDays: 7 };

function expectWeights(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [index, weight] of expected.entries()) expect(actual[index]).toBeCloseTo(weight, 10);
}

describe("attributionWeights", () => {
  it("first touch and last touch give 100 % to one touch", () => {
    expectWeights(attributionWeights("first-touch", five, fiveWon, options), [1, 0, 0, 0, 0]);
    expectWeights(attributionWeights("last-touch", five, fiveWon, options), [0, 0, 0, 0, 1]);
  });

  it("linear gives 1/n to each touch", () => {
    expectWeights(attributionWeights("linear", five, fiveWon, options), [0.2, 0.2, 0.2, 0.2, 0.2]);
  });

  it("U-shaped: 40 % first, 40 % lead creation, 20 % between them, nothing after lead creation", () => {
    // first = 0, lead creation = 2, between = {1}
    expectWeights(attributionWeights("u-shaped", five, fiveWon, options), [0.4, 0.2, 0.4, 0, 0]);
  });

  it("W-shaped: 30 % first, lead creation and opportunity creation, 10 % over the rest", () => {
    // rest = {1, 3}: 0.05 each
    expectWeights(
      attributionWeights("w-shaped", five, fiveWon, options),
      [0.3, 0.05, 0.3, 0.05, 0.3],
    );
  });

  it("full path on a won opportunity: closed-won shares the last touch with opportunity creation", () => {
    // 22.5 % first, 22.5 % lead creation, 22.5 + 22.5 % on the last touch, 10 % over {1, 3}
    expectWeights(
      attributionWeights("full-path", five, fiveWon, options),
      [0.225, 0.05, 0.225, 0.05, 0.45],
    );
  });

  it("full path on an opportunity not won: the closed-won share goes to the others in proportion", () => {
    // present shares 3 × 22.5 + 10 = 77.5: milestones 22.5/77.5 = 9/31, rest 10/77.5 = 4/31 over 2
    expectWeights(attributionWeights("full-path", five, fiveOpen, options), [
      9 / 31,
      2 / 31,
      9 / 31,
      2 / 31,
      9 / 31,
    ]);
  });

  it("time decay with H = 7 days: touches 0 and 7 days before conversion weigh 2/3 and 1/3", () => {
    // 2^0 = 1 and 2^-1 = 1/2, normalised: 2/3 and 1/3
    const touches = [
      { at: day(3), channel: "a" },
      { at: day(10), channel: "b" },
    ];
    const milestones = { leadCreation: 0, opportunityCreation: 1, closedWon: null };
    expectWeights(attributionWeights("time-decay", touches, milestones, options), [1 / 3, 2 / 3]);
  });

  it("time decay halves the weight every half-life", () => {
    // ages 14, 7, 0 days: 1/4, 1/2, 1 → ÷ 7/4 = 1/7, 2/7, 4/7
    const touches = [day(-4), day(3), day(10)].map((at) => ({ at, channel: null }));
    const milestones = { leadCreation: 0, opportunityCreation: 2, closedWon: null };
    expectWeights(attributionWeights("time-decay", touches, milestones, options), [
      1 / 7,
      2 / 7,
      4 / 7,
    ]);
  });

  it("time decay stays defined for touches many half-lives old", () => {
    // ages 10,000 and 10,007 days with H = 1 day: 2^-10000 underflows, but the ratio is 2^-7
    const touches = [day(-9997), day(-9990)].map((at) => ({ at, channel: null }));
    const weights = attributionWeights(
      "time-decay",
      touches,
      { leadCreation: 0, opportunityCreation: 1, closedWon: null },
      { conversionAt: day(10), halfLifeDays: 1 },
    );
    // 1/128 ÷ (1 + 1/128) = 1/129 and 128/129
    expectWeights(weights, [1 / 129, 128 / 129]);
  });

  it("milestones on the same touch get their sum", () => {
    // lead creation is the first touch: 30 + 30 % on it, 30 % on the last, no rest → ÷ 0.9
    const two = five.slice(0, 2);
    const milestones = { leadCreation: 0, opportunityCreation: 1, closedWon: null };
    expectWeights(attributionWeights("w-shaped", two, milestones, options), [2 / 3, 1 / 3]);
    // one touch holds every milestone: all of it
    expectWeights(
      attributionWeights(
        "full-path",
        five.slice(0, 1),
        { ...milestones, opportunityCreation: 0 },
        options,
      ),
      [1],
    );
  });

  it("U-shaped with no touch between first and lead creation becomes 50/50", () => {
    // touches: first (0), lead creation (1), a later touch (2) that U-shaped does not credit
    const milestones = { leadCreation: 1, opportunityCreation: 2, closedWon: null };
    expectWeights(
      attributionWeights("u-shaped", five.slice(0, 3), milestones, options),
      [0.5, 0.5, 0],
    );
  });

  it("gives no weights for no touches", () => {
    const milestones = { leadCreation: 0, opportunityCreation: 0, closedWon: null };
    expect(attributionWeights("linear", [], milestones, options)).toEqual([]);
  });

  it("weights are non-negative and sum to 1 for every model", () => {
    const scenario = fc
      .record({
        ages: fc.array(fc.integer({ min: 0, max: 400 * 24 }), { minLength: 1, maxLength: 12 }),
        leadCreationDraw: fc.nat(),
        won: fc.boolean(),
        halfLifeDays: fc.double({ min: 0.01, max: 90, noNaN: true }),
      })
      .map(({ ages, leadCreationDraw, won, halfLifeDays }) => {
        const hours = [...ages].sort((a, b) => b - a);
        const touches = hours.map((age) => ({ at: day(10) - age * 3_600_000, channel: null }));
        const last = touches.length - 1;
        return {
          touches,
          milestones: {
            leadCreation: leadCreationDraw % touches.length,
            opportunityCreation: last,
            closedWon: won ? last : null,
          },
          halfLifeDays,
        };
      });
    fc.assert(
      fc.property(scenario, ({ touches, milestones, halfLifeDays }) => {
        for (const model of attributionModels) {
          const weights = attributionWeights(model, touches, milestones, {
            conversionAt: day(10),
            halfLifeDays,
          });
          expect(weights).toHaveLength(touches.length);
          for (const weight of weights) expect(weight).toBeGreaterThanOrEqual(0);
          expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        }
      }),
    );
  });
});

describe("conversionTouches", () => {
  it("puts the lead creation after touches at the same instant and drops touches from the conversion on", () => {
    const origin = lead("l1", {
      createdAt: day(4),
      source: "website",
      marketingTouches: [
        { at: day(4), kind: "form_submit", channel: "webinar" },
        { at: day(1), kind: "ad_click", channel: "paid" },
        { at: day(10), kind: "page_view", channel: "seo" },
      ],
    });
    const { touches, milestones } = conversionTouches(
      origin,
      opportunity("o1", { leadId: "l1", createdAt: day(10), outcome: "won" }),
    );
    expect(touches.map((touch) => touch.channel)).toEqual(["paid", "webinar", "website"]);
    expect(milestones).toEqual({ leadCreation: 2, opportunityCreation: 2, closedWon: 2 });
  });
});

describe("attribution metric", () => {
  // l1, source Website, created day 4; marketing touches A day 0 (Paid Search), B day 2
  // (webinar), C day 6 ("paid search "), D day 12 (Webinar, after the conversion).
  // o1 from l1, created day 10, won 1,000. Touch list: A, B, lead creation (Website), C.
  // l2 has no source and no touches; o2 from l2, created day 11, lost 500.
  // o3 has no lead (unattributed); o4 from l1 was created before the period.
  const sample = history({
    leads: [
      lead("l1", {
        createdAt: day(4),
        source: "Website",
        marketingTouches: [
          { at: day(0), kind: "ad_click", channel: "Paid Search" },
          { at: day(2), kind: "webinar", channel: "webinar" },
          { at: day(6), kind: "ad_click", channel: "paid search " },
          { at: day(12), kind: "webinar", channel: "Webinar" },
        ],
      }),
      lead("l2", { createdAt: day(5) }),
    ],
    opportunities: [
      opportunity("o1", {
        leadId: "l1",
        createdAt: day(10),
        outcome: "won",
        amount: 1000,
        closedAt: day(20),
      }),
      opportunity("o2", { leadId: "l2", createdAt: day(11), outcome: "lost", amount: 500 }),
      opportunity("o3", { createdAt: day(12), outcome: "won", amount: 700 }),
      opportunity("o4", { leadId: "l1", createdAt: day(3) }),
    ],
  });
  const period = { from: day(7), to: day(14) };

  function group(groups: MetricGroup[], key: string): MetricGroup {
    const found = groups.find((entry) => entry.key === key);
    if (found === undefined) throw new Error(`no group ${key}`);
    return found;
  }

  it("counts conversions, unattributed opportunities and the won revenue to distribute", () => {
    const result = attribution.compute(sample, period);
    expect(result.total.conversions).toMatchObject({ value: 2, records: ["o1", "o2"] });
    expect(result.total.unattributed).toMatchObject({ value: 1, records: ["o3"] });
    expect(result.total.revenue).toMatchObject({ value: 1000, records: ["o1"] });
    expect(result.by).toBeNull();
  });

  it("credits each channel per model, folding channel spellings", () => {
    const result = attribution.compute(sample, { ...period, halfLifeDays: 2 });
    expect(result.groups.map((entry) => [entry.key, entry.label])).toEqual([
      ["(none)", "(none)"],
      ["paid search", "Paid Search"],
      ["webinar", "webinar"],
      ["website", "Website"],
    ]);
    const paid = group(result.groups, "paid search").figures;
    const webinar = group(result.groups, "webinar").figures;
    const website = group(result.groups, "website").figures;
    // o1: A, B, lead creation, C (D after the conversion is ignored)
    // first: A → paid 1; last: C → paid 1 (D would have made it webinar)
    expect(paid["credit:first-touch"]?.value).toBeCloseTo(1, 10);
    expect(paid["credit:last-touch"]?.value).toBeCloseTo(1, 10);
    expect(webinar["credit:last-touch"]?.value).toBe(0);
    // linear: 1/4 each → paid 0.5, webinar 0.25, website 0.25
    expect(paid["credit:linear"]?.value).toBeCloseTo(0.5, 10);
    expect(webinar["credit:linear"]?.value).toBeCloseTo(0.25, 10);
    expect(website["credit:linear"]?.value).toBeCloseTo(0.25, 10);
    // U: A 0.4, B 0.2 (between), lead creation 0.4, C 0 (after lead creation)
    expect(paid["credit:u-shaped"]?.value).toBeCloseTo(0.4, 10);
    expect(webinar["credit:u-shaped"]?.value).toBeCloseTo(0.2, 10);
    expect(website["credit:u-shaped"]?.value).toBeCloseTo(0.4, 10);
    // W: A 0.3, lead creation 0.3, C 0.3 (opportunity creation), B 0.1
    expect(paid["credit:w-shaped"]?.value).toBeCloseTo(0.6, 10);
    expect(webinar["credit:w-shaped"]?.value).toBeCloseTo(0.1, 10);
    expect(website["credit:w-shaped"]?.value).toBeCloseTo(0.3, 10);
    // full path, won: A 0.225, lead creation 0.225, C 0.45, B 0.1
    expect(paid["credit:full-path"]?.value).toBeCloseTo(0.675, 10);
    expect(webinar["credit:full-path"]?.value).toBeCloseTo(0.1, 10);
    expect(website["credit:full-path"]?.value).toBeCloseTo(0.225, 10);
    // time decay, H = 2 days, ages 10, 8, 6, 4 days: 1/32, 1/16, 1/8, 1/4 → 1, 2, 4, 8 of 15
    expect(paid["credit:time-decay"]?.value).toBeCloseTo(9 / 15, 10);
    expect(webinar["credit:time-decay"]?.value).toBeCloseTo(2 / 15, 10);
    expect(website["credit:time-decay"]?.value).toBeCloseTo(4 / 15, 10);
  });

  it("spreads revenue of won opportunities only", () => {
    const result = attribution.compute(sample, period);
    const paid = group(result.groups, "paid search").figures;
    const none = group(result.groups, "(none)").figures;
    // o1's 1,000 by full path: paid 0.675 → 675; linear 0.5 → 500
    expect(paid["revenue:full-path"]).toMatchObject({ unit: "currency", records: ["o1"] });
    expect(paid["revenue:full-path"]?.value).toBeCloseTo(675, 8);
    expect(paid["revenue:linear"]?.value).toBeCloseTo(500, 8);
    // o2 (lost) has only its lead creation, source none: all credit, no revenue
    expect(none["credit:w-shaped"]).toMatchObject({ value: 1, unit: "count", records: ["o2"] });
    expect(none["revenue:w-shaped"]).toMatchObject({ value: 0, records: [] });
  });

  it("credits add up to the conversions for every model", () => {
    const result = attribution.compute(sample, period);
    for (const model of attributionModels) {
      let credited = 0;
      for (const entry of result.groups) credited += entry.figures[`credit:${model}`]?.value ?? 0;
      expect(credited).toBeCloseTo(2, 9);
    }
  });

  it("computes only the model asked", () => {
    const result = attribution.compute(sample, { ...period, model: "linear" });
    expect(Object.keys(group(result.groups, "website").figures).sort()).toEqual([
      "credit:linear",
      "revenue:linear",
    ]);
  });
});
