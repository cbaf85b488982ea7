/** What the scorer reads: plain snapshots handed in by the caller. Timestamps are epoch ms. */
export interface ScoringActivity {
  readonly type: string;
  /** when the activity happened, epoch ms */
  readonly at: number;
  /** the activity's fields (url, form, channel, …), read by `where` */
  readonly [field: string]: unknown;
}

export interface ScoringInput {
  readonly lead: Readonly<Record<string, unknown>>;
  readonly company?: Readonly<Record<string, unknown>> | undefined;
  readonly account?: Readonly<Record<string, unknown>> | undefined;
  readonly activities?: readonly ScoringActivity[] | undefined;
}

/**
 * Results are read-only snapshots. `detail` and `reasons` are written when first read (see
 * score-explanation.ts); serialise with JSON.stringify, which includes them.
 */

/**
 * One rule that fired. `points` is what the rule earned (after its own `max_points`); `counted`
 * is what reached the total after the group cap. The difference was capped away.
 */
export interface Contribution {
  readonly ruleId: string;
  readonly group: string;
  readonly points: number;
  readonly counted: number;
  /** activity rules: how many activities matched */
  readonly matches?: number;
  /** the why, for people: the condition that held or the activities counted, and any cap */
  readonly detail: string;
}

export interface GroupScore {
  readonly id: string;
  readonly label: string | undefined;
  /** sum of the points its rules earned */
  readonly raw: number;
  /** what the group adds to the total: positive points up to the cap, plus every penalty */
  readonly capped: number;
  readonly cap: number;
}

export interface ThresholdCheck {
  /** `total` for the score, otherwise a group id from `min_groups` */
  readonly subject: string;
  readonly value: number;
  readonly minimum: number;
  readonly passed: boolean;
}

export interface ThresholdDecision {
  readonly qualified: boolean;
  readonly checks: readonly ThresholdCheck[];
  /** one sentence per check, passed or not, e.g. "score 45 is 15 short of 60" */
  readonly reasons: readonly string[];
}

export interface LeadScore {
  readonly total: number;
  readonly groups: readonly GroupScore[];
  /** rules that fired, in the agreement's order */
  readonly contributions: readonly Contribution[];
  readonly mql: ThresholdDecision;
  /** absent when the agreement declares no SQL threshold */
  readonly sql: ThresholdDecision | undefined;
}
