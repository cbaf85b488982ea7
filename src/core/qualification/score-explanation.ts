import type { Contribution, ThresholdCheck, ThresholdDecision } from "./lead-score.js";
import type { ThresholdLevel } from "./qualification-schema.js";

/**
 * The sentences of a score, written each time somebody reads them (they are not cached; the
 * same numbers give the same sentence): scoring a million leads a second cannot afford to format
 * numbers nobody looks at. The numbers they are built from are plain fields; `toJSON` includes
 * the sentences, so a stored score keeps them.
 */

/** What a sentence about one rule needs to know of the rule, prepared once when compiling. */
export interface ConditionDescription {
  when: string;
  groupId: string;
  cap: number;
}

export interface ActivityDescription {
  activity: string;
  where: string | undefined;
  withinDays: number;
  halfLifeDays: number | undefined;
  points: number;
  maxPoints: number;
  groupId: string;
  cap: number;
}

/** A condition rule that held. */
export class ConditionContribution implements Contribution {
  readonly #rule: ConditionDescription;

  constructor(
    readonly ruleId: string,
    readonly group: string,
    readonly points: number,
    readonly counted: number,
    rule: ConditionDescription,
  ) {
    this.#rule = rule;
  }

  get detail(): string {
    const rule = this.#rule;
    return `${rule.when} holds: ${signed(this.points)}${cappedNote(this, rule)}`;
  }

  toJSON(): Contribution {
    const { ruleId, group, points, counted, detail } = this;
    return { ruleId, group, points, counted, detail };
  }
}

/** An activity rule that matched at least one activity. */
export class ActivityContribution implements Contribution {
  readonly #rule: ActivityDescription;
  /** points before max_points */
  readonly #sum: number;

  constructor(
    readonly ruleId: string,
    readonly group: string,
    readonly points: number,
    readonly counted: number,
    readonly matches: number,
    rule: ActivityDescription,
    sum: number,
  ) {
    this.#rule = rule;
    this.#sum = sum;
  }

  get detail(): string {
    const rule = this.#rule;
    const matches = this.matches;
    const what = `${matches} ${rule.activity} ${matches === 1 ? "activity" : "activities"}${rule.where === undefined ? "" : ` where ${rule.where}`} in the last ${formatPoints(rule.withinDays)} days`;
    const each = `${signed(rule.points)} each${rule.halfLifeDays === undefined ? "" : `, halving every ${formatPoints(rule.halfLifeDays)} days`}`;
    const limit =
      Math.abs(this.#sum) > rule.maxPoints
        ? ` (${signed(this.#sum)} limited to ${formatPoints(rule.maxPoints)} by max_points)`
        : "";
    return `${what}: ${each} → ${signed(this.points)}${limit}${cappedNote(this, rule)}`;
  }

  toJSON(): Contribution {
    const { ruleId, group, points, counted, matches, detail } = this;
    return { ruleId, group, points, counted, matches, detail };
  }
}

/** A threshold decision whose sentences are written when read. */
export class LazyThresholdDecision implements ThresholdDecision {
  readonly #level: ThresholdLevel;

  constructor(
    readonly qualified: boolean,
    readonly checks: readonly ThresholdCheck[],
    level: ThresholdLevel,
  ) {
    this.#level = level;
  }

  get reasons(): string[] {
    return this.checks.map((check) => describeCheck(check, this.#level));
  }

  toJSON(): ThresholdDecision {
    return { qualified: this.qualified, checks: this.checks, reasons: this.reasons };
  }
}

/** Points as people read them: at most two decimals, no trailing zeros. */
export function formatPoints(points: number): string {
  const rounded = Math.round(points * 100) / 100;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

function signed(points: number): string {
  return points >= 0 ? `+${formatPoints(points)}` : formatPoints(points);
}

/** "score 45 is 15 short of the MQL minimum of 60" */
export function describeCheck(check: ThresholdCheck, level: ThresholdLevel): string {
  const subject = check.subject === "total" ? "score" : `${check.subject} points`;
  const value = formatPoints(check.value);
  const minimum = formatPoints(check.minimum);
  return check.passed
    ? `${subject} ${value} reaches the ${level.toUpperCase()} minimum of ${minimum}`
    : `${subject} ${value} is ${formatPoints(check.minimum - check.value)} short of the ${level.toUpperCase()} minimum of ${minimum}`;
}

function cappedNote(contribution: Contribution, rule: { groupId: string; cap: number }): string {
  const { points, counted } = contribution;
  if (counted === points) return "";
  return `; ${formatPoints(counted)} of ${formatPoints(points)} counted, ${formatPoints(points - counted)} capped away (group ${rule.groupId} caps at ${formatPoints(rule.cap)})`;
}
