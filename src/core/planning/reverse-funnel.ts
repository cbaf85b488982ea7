import type { PlanPeriod } from "./plan-period.js";

/**
 * The reverse funnel: from a revenue target back through the measured deal size and rates to the
 * won deals, opportunities, SQLs and MQLs needed, per week, beside what the current MQL run rate
 * yields through the same rates; and each lever's sensitivity. Pure arithmetic over measured
 * figures (funnel-rates.ts measures them with computeMetric).
 *
 * Chain, from the target back:
 *   won = target ÷ deal size; opportunities = won ÷ win rate; SQLs = opportunities ÷
 *   SQL→opportunity; MQLs = SQLs ÷ MQL→SQL.
 * Run rate, forward: MQLs a week (trailing) × MQL→SQL × SQL→opportunity × win rate × deal size.
 * A figure without data (null) or a zero rate makes the stages behind it unknown (null) with a
 * sentence saying why, never NaN or Infinity.
 */

export const funnelLevers = ["mql-to-sql", "sql-to-opportunity", "win-rate", "deal-size"] as const;
export type FunnelLever = (typeof funnelLevers)[number];

export const leverLabels: Record<FunnelLever, string> = {
  "mql-to-sql": "MQL→SQL",
  "sql-to-opportunity": "SQL→opportunity",
  "win-rate": "win rate",
  "deal-size": "mean deal size",
};

/** A measured figure and where it was read, so every number of a plan can be traced. */
export interface MeasuredFigure {
  /** a fraction 0–1 for rates, an amount for deal size; null when the window has no data */
  value: number | null;
  numerator?: number | undefined;
  denominator?: number | undefined;
  /** the metric and figure it was read from (METRICS.md) */
  metric: string;
  figure: string;
}

export interface FunnelRates {
  levers: Record<FunnelLever, MeasuredFigure>;
  /** MQL events in the trailing window */
  mqlEvents: number;
  /** the trailing window's length in weeks */
  trailingWeeks: number;
}

export interface PlanTarget {
  /** the period's revenue target */
  amount: number;
  /** revenue already won in the period before planning starts (0 for a future period) */
  wonSoFar: number;
}

export const planStages = ["won", "opportunities", "sqls", "mqls"] as const;
export type PlanStage = (typeof planStages)[number];

export interface StageNeed {
  stage: PlanStage;
  /** needed over the planned weeks; null when a figure behind it is unknown (see `missing`) */
  needed: number | null;
  neededPerWeek: number | null;
  /** what the current MQL run rate yields through the measured rates, per week */
  runRatePerWeek: number | null;
  /** neededPerWeek − runRatePerWeek: positive means short of the plan */
  gapPerWeek: number | null;
}

export interface LeverSensitivity {
  lever: FunnelLever;
  /** "+5 points" for a rate, "+5 %" for deal size */
  change: string;
  before: number | null;
  after: number | null;
  /** how many fewer MQLs a week the plan needs with the change */
  fewerMqlsPerWeek: number | null;
  /** how much more revenue the current MQL run rate yields over the planned weeks */
  extraRunRateRevenue: number | null;
  /** why a figure is unknown, when one is */
  missing: string | null;
}

export interface PlanWeekRow {
  start: number;
  end: number;
  /** needed in this week (a stub week needs its fraction of a week) */
  needed: Record<PlanStage, number | null>;
  /** cumulative revenue by the week's end: the straight path to the target, and the run rate */
  cumulativeTarget: number;
  cumulativeRunRate: number | null;
}

export interface ReverseFunnelPlan {
  target: PlanTarget;
  /** target − won so far, never below 0 */
  remaining: number;
  period: PlanPeriod;
  rates: FunnelRates;
  /** from the target back: won, opportunities, SQLs, MQLs */
  stages: StageNeed[];
  revenue: {
    /** revenue the current MQL run rate yields over the planned weeks (plus what is won so far) */
    runRate: number | null;
    /** target − run-rate revenue; positive means short */
    gap: number | null;
  };
  weeks: PlanWeekRow[];
  sensitivity: LeverSensitivity[];
  /** a sentence per figure that kept a number from being known */
  missing: string[];
}

/** A rate lever rises by this many points (0.05 = 5 points); deal size by this share. */
export const rateStep = 0.05;
export const dealSizeStep = 0.05;

/** The levers from the target back: each divides the stage after it. */
const chain: { lever: FunnelLever; stage: PlanStage }[] = [
  { lever: "deal-size", stage: "won" },
  { lever: "win-rate", stage: "opportunities" },
  { lever: "sql-to-opportunity", stage: "sqls" },
  { lever: "mql-to-sql", stage: "mqls" },
];

type LeverValues = Record<FunnelLever, number | null>;

function valuesOf(rates: FunnelRates): LeverValues {
  return {
    "mql-to-sql": rates.levers["mql-to-sql"].value,
    "sql-to-opportunity": rates.levers["sql-to-opportunity"].value,
    "win-rate": rates.levers["win-rate"].value,
    "deal-size": rates.levers["deal-size"].value,
  };
}

/** Needed in total per stage for `amount`: null from the first unknown or zero lever back. */
function neededFor(amount: number, values: LeverValues): Record<PlanStage, number | null> {
  const needed = { won: null, opportunities: null, sqls: null, mqls: null } as Record<
    PlanStage,
    number | null
  >;
  let current: number | null = amount;
  for (const { lever, stage } of chain) {
    const divisor = values[lever];
    current =
      current === null || divisor === null || divisor <= 0
        ? // nothing to reach: zero needs nothing whatever the rate
          current === 0
          ? 0
          : null
        : current / divisor;
    needed[stage] = current;
  }
  return needed;
}

/** Per week, what `mqlsPerWeek` yields at each stage; null after the first unknown lever. */
function yieldPerWeek(mqlsPerWeek: number, values: LeverValues): Record<PlanStage, number | null> {
  const mqlToSql = values["mql-to-sql"];
  const sqls = mqlToSql === null ? null : mqlsPerWeek * mqlToSql;
  const toOpportunity = values["sql-to-opportunity"];
  const opportunities = sqls === null || toOpportunity === null ? null : sqls * toOpportunity;
  const winRate = values["win-rate"];
  const won = opportunities === null || winRate === null ? null : opportunities * winRate;
  return { mqls: mqlsPerWeek, sqls, opportunities, won };
}

function revenuePerWeek(mqlsPerWeek: number, values: LeverValues): number | null {
  const won = yieldPerWeek(mqlsPerWeek, values).won;
  const dealSize = values["deal-size"];
  return won === null || dealSize === null ? null : won * dealSize;
}

function percent(value: number): string {
  return `${Math.round(value * 1000) / 10} %`;
}

/** Why a lever leaves the plan unknown, or null when it does not. */
function missingOf(lever: FunnelLever, figure: MeasuredFigure): string | null {
  const label = leverLabels[lever];
  if (figure.value === null) {
    const base = `no data for ${label} in the trailing window`;
    if (lever === "deal-size") return `${base} (no won deal with an amount)`;
    return figure.denominator === 0 ? `${base} (0 in its denominator)` : base;
  }
  if (figure.value <= 0) {
    const ratio =
      figure.numerator !== undefined && figure.denominator !== undefined
        ? ` (${figure.numerator} of ${figure.denominator})`
        : "";
    return `${label} is ${lever === "deal-size" ? "0" : percent(figure.value)}${ratio} in the trailing window: at that rate no volume reaches the target`;
  }
  return null;
}

/**
 * The plan for `target` over `period` at the measured `rates`. Every count is exact (decimals):
 * rounding up to whole deals is the reader's, so the stages stay each other's exact multiples.
 */
export function planReverseFunnel(
  rates: FunnelRates,
  target: PlanTarget,
  period: PlanPeriod,
): ReverseFunnelPlan {
  const values = valuesOf(rates);
  const remaining = Math.max(0, target.amount - target.wonSoFar);
  const weeks = period.weekCount;
  const mqlsPerWeek = rates.trailingWeeks > 0 ? rates.mqlEvents / rates.trailingWeeks : 0;
  const totals = neededFor(remaining, values);
  const runRate = yieldPerWeek(mqlsPerWeek, values);
  const perWeek = (value: number | null) => (value === null || weeks <= 0 ? null : value / weeks);
  const stages: StageNeed[] = planStages.map((stage) => {
    const neededPerWeek = perWeek(totals[stage]);
    const runRatePerWeek = runRate[stage];
    return {
      stage,
      needed: totals[stage],
      neededPerWeek,
      runRatePerWeek,
      gapPerWeek:
        neededPerWeek === null || runRatePerWeek === null ? null : neededPerWeek - runRatePerWeek,
    };
  });
  const weeklyRevenue = revenuePerWeek(mqlsPerWeek, values);
  const runRateRevenue = weeklyRevenue === null ? null : target.wonSoFar + weeklyRevenue * weeks;

  let cumulativeWeeks = 0;
  const weekRows: PlanWeekRow[] = period.weeks.map((week) => {
    cumulativeWeeks += week.fraction;
    const share = weeks <= 0 ? 1 : cumulativeWeeks / weeks;
    const needed = Object.fromEntries(
      planStages.map((stage) => {
        const rate = stages.find((entry) => entry.stage === stage)!.neededPerWeek;
        return [stage, rate === null ? null : rate * week.fraction];
      }),
    ) as Record<PlanStage, number | null>;
    return {
      start: week.start,
      end: week.end,
      needed,
      cumulativeTarget: target.wonSoFar + remaining * share,
      cumulativeRunRate:
        weeklyRevenue === null ? null : target.wonSoFar + weeklyRevenue * cumulativeWeeks,
    };
  });

  const missing = funnelLevers
    .map((lever) => missingOf(lever, rates.levers[lever]))
    .filter((sentence): sentence is string => sentence !== null);

  return {
    target,
    remaining,
    period,
    rates,
    stages,
    revenue: {
      runRate: runRateRevenue,
      gap: runRateRevenue === null ? null : target.amount - runRateRevenue,
    },
    weeks: weekRows,
    sensitivity: funnelLevers.map((lever) =>
      sensitivityOf(lever, values, rates, remaining, weeks, mqlsPerWeek),
    ),
    missing,
  };
}

/**
 * One lever moved up (+5 points for a rate, capped at 100 %; +5 % for deal size), the others as
 * measured: MQLs a week the plan no longer needs, and revenue the current run rate gains.
 */
function sensitivityOf(
  lever: FunnelLever,
  values: LeverValues,
  rates: FunnelRates,
  remaining: number,
  weeks: number,
  mqlsPerWeek: number,
): LeverSensitivity {
  const before = values[lever];
  const change = lever === "deal-size" ? `+${dealSizeStep * 100} %` : `+${rateStep * 100} points`;
  if (before === null)
    return {
      lever,
      change,
      before,
      after: null,
      fewerMqlsPerWeek: null,
      extraRunRateRevenue: null,
      missing: missingOf(lever, rates.levers[lever]),
    };
  const after =
    lever === "deal-size" ? before * (1 + dealSizeStep) : Math.min(1, before + rateStep);
  const moved: LeverValues = { ...values, [lever]: after };
  const mqlsBefore = neededFor(remaining, values).mqls;
  const mqlsAfter = neededFor(remaining, moved).mqls;
  const revenueBefore = revenuePerWeek(mqlsPerWeek, values);
  const revenueAfter = revenuePerWeek(mqlsPerWeek, moved);
  const fewer =
    mqlsBefore === null || mqlsAfter === null || weeks <= 0
      ? null
      : (mqlsBefore - mqlsAfter) / weeks;
  const extra =
    revenueBefore === null || revenueAfter === null ? null : (revenueAfter - revenueBefore) * weeks;
  // the first lever, other than this one, that keeps the figures unknown
  const blocking =
    fewer === null || extra === null
      ? (funnelLevers
          .map((other) => missingOf(other, rates.levers[other]))
          .find((sentence, index) => sentence !== null && funnelLevers[index] !== lever) ??
        missingOf(lever, rates.levers[lever]))
      : null;
  return {
    lever,
    change,
    before,
    after,
    fewerMqlsPerWeek: fewer,
    extraRunRateRevenue: extra,
    missing: blocking,
  };
}

export interface GroupPlan {
  key: string;
  label: string;
  /** the group's share of the target: its share of the run-rate revenue of all groups */
  share: number | null;
  /** the plan for its share, at its own rates; null when its share is unknown */
  plan: ReverseFunnelPlan | null;
  /** why the share is unknown, when it is */
  missing: string | null;
}

/**
 * Per source or segment: the target is split in the current mix (each group's share of the summed
 * run-rate revenue of the groups), and each share planned at the group's own rates, so the plan
 * asks every source to grow by the same factor. A group whose run rate is unknown gets no share
 * (and says why); what is already won is split the same way.
 */
export function planGroups(
  groups: readonly { key: string; label: string; rates: FunnelRates }[],
  target: PlanTarget,
  period: PlanPeriod,
): GroupPlan[] {
  const runRates = groups.map((group) => {
    const plan = planReverseFunnel(group.rates, { amount: 0, wonSoFar: 0 }, period);
    return { group, revenue: plan.revenue.runRate, missing: plan.missing };
  });
  const known = runRates.reduce((total, entry) => total + (entry.revenue ?? 0), 0);
  return runRates.map(({ group, revenue, missing }) => {
    if (revenue === null)
      return {
        key: group.key,
        label: group.label,
        share: null,
        plan: null,
        missing: `no share of the target: ${missing[0] ?? "its run rate is unknown"}`,
      };
    if (known <= 0)
      return {
        key: group.key,
        label: group.label,
        share: null,
        plan: null,
        missing:
          "no share of the target: no group yields revenue at its current run rate in the trailing window",
      };
    const share = revenue / known;
    return {
      key: group.key,
      label: group.label,
      share,
      plan: planReverseFunnel(
        group.rates,
        { amount: target.amount * share, wonSoFar: target.wonSoFar * share },
        period,
      ),
      missing: null,
    };
  });
}
