import { ExpressionFrame, type FrameValues, type VariableSchema } from "../expression/index.js";
import { activityScope, checkQualification } from "./check-qualification.js";
import type {
  Contribution,
  GroupScore,
  LeadScore,
  ScoringActivity,
  ScoringInput,
  ThresholdCheck,
  ThresholdDecision,
} from "./lead-score.js";
import {
  checkQualificationShape,
  type Qualification,
  type Threshold,
  type ThresholdLevel,
} from "./qualification-schema.js";
import {
  ActivityContribution,
  type ActivityDescription,
  ConditionContribution,
  type ConditionDescription,
  LazyThresholdDecision,
} from "./score-explanation.js";

const dayMs = 86_400_000;

type Test = (values: FrameValues) => boolean;

interface CompiledGroup {
  id: string;
  label: string | undefined;
  cap: number;
}

interface ConditionRule {
  kind: "condition";
  id: string;
  /** index into the compiled groups */
  group: number;
  groupId: string;
  points: number;
  test: Test;
  description: ConditionDescription;
}

interface ActivityRule {
  kind: "activity";
  id: string;
  group: number;
  groupId: string;
  points: number;
  activity: string;
  /** the rule's `when`: a condition on the lead that gates the rule */
  gate: Test | undefined;
  where: Test | undefined;
  windowMs: number;
  /** −1 / half-life in ms, so an activity's weight is 2^(age × decay); 0 without decay */
  decay: number;
  maxPoints: number;
  description: ActivityDescription;
}

type CompiledRule = ConditionRule | ActivityRule;

interface CompiledThreshold {
  level: ThresholdLevel;
  score: number;
  /** [group index, group id, minimum] */
  minimums: [number, string, number][];
}

export interface QualificationScorer {
  /**
   * Scores one lead at `now` (epoch ms). Pure: the result depends only on the arguments, and
   * the input is never changed. Activities after `now` do not count yet.
   */
  scoreLead(input: ScoringInput, now: number): LeadScore;
  /**
   * The same score judged by this section's thresholds: for a score computed by a scorer of the
   * same rules and groups (a proposal that changes only thresholds is scored once, then judged
   * by both versions). Groups are matched by position, so the rules and groups must be equal.
   */
  rejudge(score: LeadScore): LeadScore;
}

/**
 * Prepares a qualification section for scoring. The section must have passed
 * `qualificationSchema` and `checkQualification`; one that does not is refused with an error,
 * because scoring with it would silently drop rules.
 */
export function compileQualification(
  qualification: Qualification,
  schema: VariableSchema,
): QualificationScorer {
  const problems = [
    ...checkQualificationShape(qualification),
    ...checkQualification(qualification, schema).filter((issue) => issue.severity === "error"),
  ];
  if (problems.length > 0) {
    const list = problems
      .map((problem) => `qualification.${problem.path.join(".")}: ${problem.message}`)
      .join("\n");
    throw new Error(
      `cannot compile an invalid qualification section; validate the agreement first:\n${list}`,
    );
  }

  const groups: CompiledGroup[] = Object.entries(qualification.groups).map(([id, group]) => ({
    id,
    label: group.label,
    cap: group.cap,
  }));
  const groupIndex = new Map(groups.map((group, index) => [group.id, index]));
  // One frame for every condition: a field several rules read is loaded once per lead.
  // `checkQualification` has already refused a `when` that reads the activity.
  const frame = new ExpressionFrame(schema);
  const condition = (source: string): Test => {
    const compiled = frame.compileCondition(source);
    if (!compiled.ok) throw new Error(`a checked condition failed to compile: ${source}`);
    return compiled.test;
  };

  const rules: CompiledRule[] = qualification.rules.map((rule): CompiledRule => {
    const group = groupIndex.get(rule.group)!;
    const { cap } = groups[group]!;
    if (rule.activity === undefined) {
      return {
        kind: "condition",
        id: rule.id,
        group,
        groupId: rule.group,
        points: rule.points,
        test: condition(rule.when!),
        description: { when: rule.when!, groupId: rule.group, cap },
      };
    }
    const maxPoints = rule.max_points ?? Number.POSITIVE_INFINITY;
    return {
      kind: "activity",
      id: rule.id,
      group,
      groupId: rule.group,
      points: rule.points,
      activity: rule.activity,
      gate: rule.when === undefined ? undefined : condition(rule.when),
      where: rule.where === undefined ? undefined : condition(rule.where),
      windowMs: rule.within_days! * dayMs,
      decay: rule.half_life_days === undefined ? 0 : -1 / (rule.half_life_days * dayMs),
      maxPoints,
      description: {
        activity: rule.activity,
        where: rule.where,
        withinDays: rule.within_days!,
        halfLifeDays: rule.half_life_days,
        points: rule.points,
        maxPoints,
        groupId: rule.group,
        cap,
      },
    };
  });
  /** per rule: its condition, or undefined for an activity rule (scored by countActivities) */
  const tests = rules.map((rule) => (rule.kind === "condition" ? rule.test : undefined));

  /** activity type → the activity rules that count it, so each activity is read once */
  const rulesByActivity = new Map<string, { rule: ActivityRule; index: number }[]>();
  for (const [index, rule] of rules.entries()) {
    if (rule.kind !== "activity") continue;
    const list = rulesByActivity.get(rule.activity) ?? [];
    list.push({ rule, index });
    rulesByActivity.set(rule.activity, list);
  }

  const compileThreshold = (level: ThresholdLevel, threshold: Threshold): CompiledThreshold => ({
    level,
    score: threshold.score,
    minimums: Object.entries(threshold.min_groups ?? {}).map(([group, minimum]) => [
      groupIndex.get(group)!,
      group,
      minimum,
    ]),
  });
  const mql = compileThreshold("mql", qualification.thresholds.mql);
  const sql =
    qualification.thresholds.sql === undefined
      ? undefined
      : compileThreshold("sql", qualification.thresholds.sql);

  // Scratch space reused by every call: scoring allocates only the result. Nothing scoring calls
  // can call back into the scorer, so one set of arrays is enough.
  const scratch: Scratch = {
    values: frame.values(),
    earned: new Float64Array(rules.length),
    matches: new Uint32Array(rules.length),
    sums: new Float64Array(rules.length),
    gates: new Int8Array(rules.length),
    remaining: new Float64Array(groups.length),
    raw: new Float64Array(groups.length),
    capped: new Float64Array(groups.length),
  };

  const loadLead = frame.loaderFor("lead");
  const loadCompany = frame.loaderFor("company");
  const loadAccount = frame.loaderFor("account");
  const loadActivity = frame.loaderFor(activityScope);
  const hasActivityRules = rulesByActivity.size > 0;

  return {
    scoreLead(input, now) {
      const { values, earned, matches, sums, remaining, raw, capped } = scratch;
      loadLead(values, input.lead);
      loadCompany(values, input.company);
      loadAccount(values, input.account);
      if (hasActivityRules)
        countActivities(input, now, loadActivity, rules, rulesByActivity, scratch);

      for (let index = 0; index < groups.length; index++) {
        remaining[index] = groups[index]!.cap;
        raw[index] = 0;
        capped[index] = 0;
      }
      const contributions: Contribution[] = [];
      for (let index = 0; index < rules.length; index++) {
        const rule = rules[index]!;
        const test = tests[index];
        let points: number;
        if (test !== undefined) {
          if (!test(values)) continue;
          points = rule.points;
        } else {
          // NaN: no activity matched, so the rule did not fire.
          points = earned[index]!;
          if (Number.isNaN(points)) continue;
        }
        const group = rule.group;
        // The cap limits positive points, filled in rule order; a penalty always counts in full.
        let counted = points;
        if (points > 0) {
          counted = Math.min(points, Math.max(remaining[group]!, 0));
          remaining[group]! -= counted;
        }
        raw[group]! += points;
        capped[group]! += counted;
        contributions.push(
          rule.kind === "condition"
            ? new ConditionContribution(rule.id, rule.groupId, points, counted, rule.description)
            : new ActivityContribution(
                rule.id,
                rule.groupId,
                points,
                counted,
                matches[index]!,
                rule.description,
                sums[index]!,
              ),
        );
      }

      let total = 0;
      const groupScores: GroupScore[] = [];
      for (let index = 0; index < groups.length; index++) {
        const group = groups[index]!;
        total += capped[index]!;
        groupScores.push({
          id: group.id,
          label: group.label,
          raw: raw[index]!,
          capped: capped[index]!,
          cap: group.cap,
        });
      }
      return {
        total,
        groups: groupScores,
        contributions,
        mql: decide(mql, total, groupScores),
        sql: sql === undefined ? undefined : decide(sql, total, groupScores),
      };
    },

    rejudge(score: LeadScore): LeadScore {
      return {
        total: score.total,
        groups: score.groups,
        contributions: score.contributions,
        mql: decide(mql, score.total, score.groups),
        sql: sql === undefined ? undefined : decide(sql, score.total, score.groups),
      };
    },
  };
}

interface Scratch {
  /** the frame's field values for the lead being scored (and the activity being counted) */
  values: unknown[];
  /** per activity rule: points earned, NaN when no activity matched */
  earned: Float64Array;
  /** per activity rule: activities that matched */
  matches: Uint32Array;
  /** per activity rule: points before max_points */
  sums: Float64Array;
  /** per activity rule: 0 = gate not evaluated yet, 1 = holds, −1 = does not hold */
  gates: Int8Array;
  /** per group: cap still free for positive points */
  remaining: Float64Array;
  raw: Float64Array;
  capped: Float64Array;
}

/**
 * Sets each activity rule's earned points (NaN for a rule no activity matched). An activity
 * counts when 0 ≤ now − at ≤ the rule's window and it passes the rule's gate and `where`.
 */
function countActivities(
  input: ScoringInput,
  now: number,
  loadActivity: (values: unknown[], activity: ScoringActivity) => void,
  rules: readonly CompiledRule[],
  rulesByActivity: ReadonlyMap<string, readonly { rule: ActivityRule; index: number }[]>,
  scratch: Scratch,
): void {
  const { values, earned, matches, sums, gates } = scratch;
  matches.fill(0);
  sums.fill(0);
  gates.fill(0);
  for (const activity of input.activities ?? []) {
    const candidates = rulesByActivity.get(activity.type);
    if (candidates === undefined) continue;
    const age = now - activity.at;
    if (!(age >= 0)) continue;
    let loaded = false;
    for (const { rule, index } of candidates) {
      if (age > rule.windowMs) continue;
      if (rule.gate !== undefined) {
        if (gates[index] === 0) gates[index] = rule.gate(values) ? 1 : -1;
        if (gates[index] === -1) continue;
      }
      if (rule.where !== undefined) {
        if (!loaded) {
          loadActivity(values, activity);
          loaded = true;
        }
        if (!rule.where(values)) continue;
      }
      matches[index]!++;
      sums[index]! += rule.decay === 0 ? rule.points : rule.points * 2 ** (age * rule.decay);
    }
  }
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index]!;
    if (rule.kind !== "activity") continue;
    const sum = sums[index]!;
    earned[index] =
      matches[index] === 0 ? Number.NaN : Math.sign(sum) * Math.min(Math.abs(sum), rule.maxPoints);
  }
}

function decide(
  threshold: CompiledThreshold,
  total: number,
  groups: readonly GroupScore[],
): ThresholdDecision {
  let qualified = total >= threshold.score;
  const checks: ThresholdCheck[] = [
    { subject: "total", value: total, minimum: threshold.score, passed: qualified },
  ];
  for (const [index, group, minimum] of threshold.minimums) {
    const value = groups[index]!.capped;
    const passed = value >= minimum;
    qualified &&= passed;
    checks.push({ subject: group, value, minimum, passed });
  }
  return new LazyThresholdDecision(qualified, checks, threshold.level);
}
