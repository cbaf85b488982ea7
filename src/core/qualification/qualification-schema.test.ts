import { describe, expect, it } from "vitest";
import {
  type Qualification,
  qualificationSchema,
  reachablePoints,
} from "./qualification-schema.js";
import { exampleQualificationInput } from "./qualification-test-fixtures.js";

type Input = ReturnType<typeof exampleQualificationInput>;

function issuesOf(edit: (input: Input & Record<string, unknown>) => void) {
  const input = exampleQualificationInput() as Input & Record<string, unknown>;
  edit(input);
  const result = qualificationSchema.safeParse(input);
  if (result.success) throw new Error("expected the section to be refused");
  return result.error.issues.map((issue) => ({
    path: issue.path,
    message: issue.message,
    code: issue.code,
  }));
}

/** Replaces rule `index` with `rule` (loosely typed: tests write invalid rules on purpose). */
function setRule(input: Input, index: number, rule: Record<string, unknown>) {
  (input.rules as unknown[])[index] = rule;
}

describe("qualificationSchema", () => {
  it("accepts the example section", () => {
    expect(qualificationSchema.safeParse(exampleQualificationInput()).success).toBe(true);
  });

  it("refuses an unknown key anywhere", () => {
    const atTop = issuesOf((input) => {
      input.treshold = 3;
    });
    expect(atTop).toEqual([expect.objectContaining({ code: "unrecognized_keys", path: [] })]);
    const inRule = issuesOf((input) => setRule(input, 0, { ...input.rules[0], pionts: 3 }));
    expect(inRule[0]).toMatchObject({ code: "unrecognized_keys", path: ["rules", 0] });
    const inThreshold = issuesOf((input) => {
      (input.thresholds.mql as Record<string, unknown>).min_group = { fit: 1 };
    });
    expect(inThreshold[0]).toMatchObject({
      code: "unrecognized_keys",
      path: ["thresholds", "mql"],
    });
  });

  it("names an unknown group with the declared ones and a suggestion", () => {
    const issues = issuesOf((input) => setRule(input, 3, { ...input.rules[3], group: "fitt" }));
    expect(issues).toEqual([
      {
        code: "custom",
        path: ["rules", 3, "group"],
        message:
          "unknown group 'fitt'; declared groups: fit, behaviour, intent. Did you mean 'fit'?",
      },
    ]);
  });

  it("refuses duplicate rule ids at the second one", () => {
    const issues = issuesOf((input) => setRule(input, 4, { ...input.rules[4], id: "target-size" }));
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["rules", 4, "id"],
        message: expect.stringContaining("duplicate rule id 'target-size' (also rules[0])"),
      }),
    ]);
  });

  it("requires positive caps, windows, half-lives and limits", () => {
    const issues = issuesOf((input) => {
      input.groups.fit.cap = 0;
      setRule(input, 5, { ...input.rules[5], within_days: 0, half_life_days: -1, max_points: 0 });
    });
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([
        ["groups", "fit", "cap"],
        ["rules", 5, "within_days"],
        ["rules", 5, "half_life_days"],
        ["rules", 5, "max_points"],
      ]),
    );
  });

  it("requires a window on an activity rule", () => {
    const issues = issuesOf((input) =>
      setRule(input, 7, { id: "demo", group: "intent", activity: "form_submit", points: 40 }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["rules", 7, "activity"],
        message: expect.stringContaining("needs 'within_days'"),
      }),
    ]);
  });

  it("refuses an activity type outside the vocabulary", () => {
    const issues = issuesOf((input) =>
      setRule(input, 7, { ...input.rules[7], activity: "pageview" }),
    );
    expect(issues[0]).toMatchObject({ path: ["rules", 7, "activity"], code: "invalid_value" });
  });

  it("requires a condition rule to have a condition, and no activity-only keys", () => {
    const issues = issuesOf((input) =>
      setRule(input, 0, { id: "target-size", group: "fit", points: 20, within_days: 30 }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["rules", 0],
        message: expect.stringContaining("needs 'when'"),
      }),
      expect.objectContaining({
        path: ["rules", 0, "within_days"],
        message: expect.stringContaining("applies to activity rules only"),
      }),
    ]);
  });

  it("refuses a threshold no lead can reach", () => {
    const issues = issuesOf((input) => {
      input.thresholds.sql.score = 200;
      input.thresholds.mql.min_groups.fit = 60;
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["thresholds", "mql", "min_groups", "fit"],
        message: "no lead can get 60 fit points: the group can add at most 50",
      }),
      expect.objectContaining({
        path: ["thresholds", "sql", "score"],
        message: expect.stringContaining("no lead can reach 200: the most a lead can score is 130"),
      }),
    ]);
  });

  it("names an unknown group in min_groups", () => {
    const issues = issuesOf((input) => {
      (input.thresholds.mql.min_groups as Record<string, number>) = { fitt: 10 };
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: ["thresholds", "mql", "min_groups", "fitt"],
        message: expect.stringContaining("Did you mean 'fit'?"),
      }),
    ]);
  });

  it("refuses a threshold of zero", () => {
    const issues = issuesOf((input) => {
      input.thresholds.mql.score = 0;
    });
    expect(issues[0]?.path).toEqual(["thresholds", "mql", "score"]);
  });
});

describe("reachablePoints", () => {
  it("is the cap, or what the rules can earn when that is less", () => {
    const qualification = qualificationSchema.parse(exampleQualificationInput()) as Qualification;
    expect(Object.fromEntries(reachablePoints(qualification))).toEqual({
      fit: 50,
      behaviour: 40,
      intent: 40,
    });
    const small = qualificationSchema.parse({
      groups: { fit: { cap: 50 }, intent: { cap: 30 } },
      rules: [
        { id: "a", group: "fit", when: "true", points: 20 },
        { id: "b", group: "fit", when: "true", points: -10 },
        {
          id: "c",
          group: "intent",
          activity: "webinar",
          within_days: 10,
          points: 5,
          max_points: 10,
        },
      ],
      thresholds: { mql: { score: 30 } },
    });
    expect(Object.fromEntries(reachablePoints(small))).toEqual({ fit: 20, intent: 10 });
  });
});
