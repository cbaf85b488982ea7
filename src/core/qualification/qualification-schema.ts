import { z } from "zod";
import { unknownReference } from "../agreement/agreement-issue.js";
import { idSchema } from "../agreement/sections-schema.js";
import { activityTypes } from "../lead/lead.js";

/**
 * The agreement's `qualification` section: the shared definition of a qualified lead, as points.
 *
 * Glossary
 * - score group: a family of signals (firmographic fit, behaviour, intent) whose points add up to
 *   at most the group's `cap`, so one kind of signal cannot qualify a lead alone.
 * - condition rule: `when` (CEL over lead, company and account) holds → `points`, once.
 * - activity rule: counts the lead's activities of one `activity` type that happened within
 *   `within_days` before now and, optionally, match `where` (CEL over the activity). Each match
 *   earns `points`, weighted by 2^(−age / half_life_days) when `half_life_days` is set (decay), and
 *   the rule earns at most `max_points` in all. A `when` on an activity rule gates it on the lead.
 * - penalty: a rule with negative points (a student, a competitor). A penalty always counts in
 *   full; the group cap limits only the positive points, so it can never absorb a penalty.
 * - threshold: the score at which a lead becomes an MQL (or SQL), optionally with a minimum per
 *   group ("at least 15 fit points") so behaviour alone cannot make an MQL.
 *
 * Every object is strict: a misspelt key is an error, never a silently ignored setting. Shape
 * checks that span fields (references, duplicates, reachable thresholds) are in
 * `checkQualificationShape`; expression checks need the declared fields and are in
 * `checkQualification`.
 */

export const scoreGroupSchema = z.strictObject({
  /** the most points the group can add to a score */
  cap: z
    .number()
    .positive({ error: "a cap is the most points the group can add; it must be greater than 0" }),
  label: z.string().min(1).optional(),
});

export const scoringRuleSchema = z.strictObject({
  id: idSchema,
  label: z.string().min(1).optional(),
  group: idSchema,
  /** CEL condition over lead, company and account */
  when: z.string().min(1).optional(),
  /** activity type this rule counts; makes it an activity rule */
  activity: z.enum(activityTypes).optional(),
  /** CEL condition over the activity (and lead, company, account) */
  where: z.string().min(1).optional(),
  /** activities older than this many days before now do not count */
  within_days: z
    .number()
    .positive({ error: "a window is a number of days greater than 0" })
    .optional(),
  /** earned once by a condition rule, per matching activity by an activity rule; negative for a penalty */
  points: z.number(),
  /** the most an activity rule earns in all, whatever the number of activities */
  max_points: z.number().positive({ error: "max_points must be greater than 0" }).optional(),
  /** an activity's points halve every this many days */
  half_life_days: z
    .number()
    .positive({ error: "a half-life is a number of days greater than 0" })
    .optional(),
});

export const thresholdSchema = z.strictObject({
  score: z
    .number()
    .positive({ error: "a threshold must be greater than 0, or every lead would qualify" }),
  /** group id → the least points the group must contribute */
  min_groups: z.record(idSchema, z.number()).optional(),
});

export const thresholdLevels = ["mql", "sql"] as const;
export type ThresholdLevel = (typeof thresholdLevels)[number];

export const qualificationSchema = z
  .strictObject({
    groups: z.record(idSchema, scoreGroupSchema),
    rules: z.array(scoringRuleSchema),
    thresholds: z.strictObject({ mql: thresholdSchema, sql: thresholdSchema.optional() }),
  })
  .superRefine((qualification, context) => {
    for (const issue of checkQualificationShape(qualification))
      context.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  });

export type Qualification = z.infer<typeof qualificationSchema>;
export type ScoringRule = z.infer<typeof scoringRuleSchema>;
export type ScoreGroup = z.infer<typeof scoreGroupSchema>;
export type Threshold = z.infer<typeof thresholdSchema>;

/** A problem in a qualification section; the path is relative to `qualification`. */
export interface QualificationIssue {
  path: readonly (string | number)[];
  message: string;
}

/** Keys that only mean something on an activity rule. */
const activityOnlyKeys = ["where", "within_days", "max_points", "half_life_days"] as const;

/**
 * Checks the shape cannot express: every rule names a declared group, rule ids are unique, each
 * rule is either a condition rule or an activity rule with a window, and every threshold can be
 * reached by some lead.
 */
export function checkQualificationShape(qualification: Qualification): QualificationIssue[] {
  const issues: QualificationIssue[] = [];
  const groupIds = Object.keys(qualification.groups);
  if (groupIds.length === 0)
    issues.push({
      path: ["groups"],
      message: "declare at least one score group, e.g. fit: { cap: 50 }",
    });

  const seen = new Map<string, number>();
  for (const [index, rule] of qualification.rules.entries()) {
    const path = ["rules", index];
    const first = seen.get(rule.id);
    if (first !== undefined)
      issues.push({
        path: [...path, "id"],
        message: `duplicate rule id '${rule.id}' (also rules[${first}]); give every rule its own id so a score names the rule that fired`,
      });
    else seen.set(rule.id, index);
    if (!Object.hasOwn(qualification.groups, rule.group))
      issues.push({
        path: [...path, "group"],
        message: unknownReference("group", rule.group, groupIds),
      });
    if (rule.activity === undefined) {
      if (rule.when === undefined)
        issues.push({
          path,
          message: `rule '${rule.id}' needs 'when' (a condition over the lead and company) or 'activity' (the activity type it counts)`,
        });
      for (const key of activityOnlyKeys) {
        if (rule[key] !== undefined)
          issues.push({
            path: [...path, key],
            message: `'${key}' applies to activity rules only; add 'activity: <type>' to count activities, or remove '${key}'`,
          });
      }
    } else if (rule.within_days === undefined) {
      issues.push({
        path: [...path, "activity"],
        message: `activity rule '${rule.id}' needs 'within_days': how many days back its activities count (e.g. within_days: 30); without one, old activity would score forever`,
      });
    }
  }

  const reachable = reachablePoints(qualification);
  for (const level of thresholdLevels) {
    const threshold = qualification.thresholds[level];
    if (threshold === undefined) continue;
    const path = ["thresholds", level];
    const total = [...reachable.values()].reduce((sum, points) => sum + points, 0);
    if (threshold.score > total)
      issues.push({
        path: [...path, "score"],
        message: `no lead can reach ${threshold.score}: the most a lead can score is ${total} (${[...reachable].map(([group, points]) => `${group} ${points}`).join(", ")}); lower the threshold, raise caps or add rules`,
      });
    for (const [group, minimum] of Object.entries(threshold.min_groups ?? {})) {
      const most = reachable.get(group);
      if (most === undefined)
        issues.push({
          path: [...path, "min_groups", group],
          message: unknownReference("group", group, groupIds),
        });
      else if (minimum > most)
        issues.push({
          path: [...path, "min_groups", group],
          message: `no lead can get ${minimum} ${group} points: the group can add at most ${most}`,
        });
    }
  }
  return issues;
}

/**
 * The most points each group can add: its cap, or less when its rules cannot earn the cap (an
 * activity rule without `max_points` can earn any amount).
 */
export function reachablePoints(qualification: Qualification): Map<string, number> {
  const earnable = new Map<string, number>();
  for (const rule of qualification.rules) {
    const most =
      rule.points <= 0
        ? 0
        : rule.activity === undefined
          ? rule.points
          : (rule.max_points ?? Number.POSITIVE_INFINITY);
    earnable.set(rule.group, (earnable.get(rule.group) ?? 0) + most);
  }
  const reachable = new Map<string, number>();
  for (const [group, { cap }] of Object.entries(qualification.groups))
    reachable.set(group, Math.min(cap, earnable.get(group) ?? 0));
  return reachable;
}
