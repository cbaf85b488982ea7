import { DateTime } from "luxon";
import type { Agreement } from "../agreement/agreement-schema.js";
import {
  type CommitmentMetric,
  commitmentMetrics as measurableMetrics,
} from "../agreement/sections-schema.js";
import { DistinctLeads, itself } from "./distinct-leads.js";
import { periodKey } from "./grouping.js";
import type {
  Figure,
  FigureUnit,
  MetricDefinition,
  MetricGroup,
  MetricQuery,
  MetricResult,
} from "./metric.js";
import { readsSinceFrom } from "./metric.js";
import { type MqlCycle, mqlCycles } from "./mql-cycles.js";
import type {
  CommitmentTarget,
  LeadDecision,
  LeadHistory,
  PipelineHistory,
} from "./pipeline-history.js";
import { asAsked, countFigure, DAY, inPeriod, rateFigure, valueFigure } from "./statistics.js";

/**
 * Commitments (METRICS.md "Commitments"): for each commitment of the active agreement and each of
 * its periods, the target, the actual and whether it was met, both sides in one table.
 *
 * Terms and decisions (METRICS.md is silent on these; the definition text states them):
 * - periods: days, ISO weeks from Monday 00:00, months or quarters in the workspace zone; a
 *   commitment is judged on each whole period that starts in the query's [from, to). Periods
 *   starting at or after the history's `asOf` are not listed; a period still running at `asOf` is
 *   `in-progress`: its actual so far is shown but it is neither met nor missed yet.
 * - met: actual ≥ min and actual ≤ max (whichever are given). An actual of null (a rate with
 *   nothing to measure, or a metric Baton cannot measure) is `no-data`, neither met nor missed.
 * - the actuals are computed here from the MQL cycles (mql-cycles.ts), counting MQL events
 *   (a lead re-qualified inside the period counts once per qualification in rates, once in
 *   mql_count, which counts leads):
 *   - mql_count: leads with an MQL moment in the period.
 *   - mql_to_sql_rate: of the MQL cycles starting in the period, the share that entered SQL in
 *     the same cycle, as MQL→SQL conversion (volume-metrics.ts) counts it.
 *   - mql_to_sal_rate: accepted ÷ (accepted + rejected) over MQL cycles decided in the period.
 *   - handoff_context_completeness: of the MQL cycles handed to sales (assigned) in the period
 *     whose lead's context was checked, the share with complete context.
 *   - touched_within_sla_rate: of the MQL cycles starting in the period, touched in fewer
 *     business minutes (on the cycle owner's calendar) than the speed step's goal ÷ (touched +
 *     untouched whose business age has reached the goal at `asOf`); untouched cycles still inside
 *     the goal are left out. Same boundaries as speed to lead's within-goal (speed-metrics.ts).
 *   - outcome_logging_rate: of the MQL cycles starting in the period whose deadline (MQL moment +
 *     `withinDays` days, default the history's outcome days) has passed at `asOf`, the share with
 *     a decision (accept, reject, recycle, convert, disqualify) before the deadline, as outcome
 *     logging (speed-metrics.ts) counts it.
 *   - rejection_reason_coverage: rejections, recycles and disqualifications in the period that
 *     carry a reason ÷ all of them.
 *   - sla_attainment: met ÷ (met + breached) SLA cycles of the commitment's step (default the
 *     speed step) started in the period; cancelled and still-running cycles left out.
 * - a commitment's `segment` condition (CEL on lead fields) is not applied: the history carries no
 *   lead fields to evaluate it on.
 */

type Judgement = "met" | "missed" | "no-data" | "in-progress";
const judgements: readonly Judgement[] = ["met", "missed", "no-data", "in-progress"];
const sides = ["marketing", "sales"] as const;

/** The agreement's commitments, marketing's first, as the history carries them. */
export function commitmentsFromAgreement(
  agreement: Pick<Agreement, "commitments">,
): CommitmentTarget[] {
  const targets: CommitmentTarget[] = [];
  for (const side of sides)
    for (const commitment of agreement.commitments[side]) {
      const target: CommitmentTarget = {
        side,
        id: commitment.id,
        label: commitment.label,
        metric: commitment.metric,
        per: commitment.per,
      };
      if (commitment.min !== undefined) target.min = commitment.min;
      if (commitment.max !== undefined) target.max = commitment.max;
      if (commitment.warn_below !== undefined) target.warnBelow = commitment.warn_below;
      if (commitment.step !== undefined) target.step = commitment.step;
      if (commitment.within_days !== undefined) target.withinDays = commitment.within_days;
      targets.push(target);
    }
  return targets;
}

export interface CommitmentPeriod {
  /** the period key (2026-W45, 2026-11, 2026-Q4, 2026-11-02) */
  key: string;
  from: number;
  to: number;
}

const periodSteps = {
  day: { days: 1 },
  week: { weeks: 1 },
  month: { months: 1 },
  quarter: { quarters: 1 },
} as const;

/** The whole periods of a length that start in [from, to), in the zone (weeks from Monday). */
export function commitmentPeriods(
  per: CommitmentTarget["per"],
  from: number,
  to: number,
  timezone: string,
): CommitmentPeriod[] {
  const step = periodSteps[per];
  let start = DateTime.fromMillis(from, { zone: timezone }).startOf(per);
  if (start.toMillis() < from) start = start.plus(step).startOf(per);
  const periods: CommitmentPeriod[] = [];
  while (start.toMillis() < to) {
    const end = start.plus(step).startOf(per);
    periods.push({
      key: periodKey(start.toMillis(), per, timezone),
      from: start.toMillis(),
      to: end.toMillis(),
    });
    start = end;
  }
  return periods;
}

interface MeasureContext {
  history: PipelineHistory;
  commitment: CommitmentTarget;
  /** the period's share of a population (PeriodBuckets.within for this period) */
  within: <Item>(
    name: string,
    population: () => readonly Item[],
    instantOf: (item: Item) => number | null | undefined,
  ) => Item[];
}

/**
 * Populations placed in a commitment's periods in one pass each: a commitment judged weekly over
 * a month asks for four or five periods, and filtering every MQL cycle of the history for each
 * of them made the commitments the slowest metric on a large history. A population is split
 * once per period length, by binary search over the periods; each period keeps its items in the
 * population's order (lead order), as a filter would.
 */
class PeriodBuckets {
  readonly #split = new Map<string, Map<number, unknown[]>>();
  readonly #periods = new Map<CommitmentTarget["per"], CommitmentPeriod[]>();

  constructor(
    readonly from: number,
    readonly to: number,
    readonly timezone: string,
  ) {}

  /** The whole periods of a length that start in the query's period (commitmentPeriods). */
  periodsOf(per: CommitmentTarget["per"]): CommitmentPeriod[] {
    let periods = this.#periods.get(per);
    if (periods === undefined) {
      periods = commitmentPeriods(per, this.from, this.to, this.timezone);
      this.#periods.set(per, periods);
    }
    return periods;
  }

  /**
   * The items of `population` (named by `name`: one name, one population and instant) whose
   * instant falls in the period of `per` that starts at `periodFrom`. An item without an instant
   * is in none.
   */
  within<Item>(
    name: string,
    population: () => readonly Item[],
    instantOf: (item: Item) => number | null | undefined,
    per: CommitmentTarget["per"],
    periodFrom: number,
  ): Item[] {
    const key = `${per}:${name}`;
    let split = this.#split.get(key);
    if (split === undefined) {
      split = new Map();
      const periods = this.periodsOf(per);
      const first = periods[0]?.from ?? 0;
      const last = periods[periods.length - 1]?.to ?? 0;
      for (const item of population()) {
        const at = instantOf(item);
        if (!inPeriod(at, first, last)) continue;
        // the last period starting at or before the instant
        let low = 0;
        let high = periods.length - 1;
        while (low < high) {
          const middle = (low + high + 1) >> 1;
          if (periods[middle]!.from <= at) low = middle;
          else high = middle - 1;
        }
        const found = periods[low]!;
        if (at >= found.to) continue;
        let bucket = split.get(found.from);
        if (bucket === undefined) {
          bucket = [];
          split.set(found.from, bucket);
        }
        bucket.push(item);
      }
      this.#split.set(key, split);
    }
    return (split.get(periodFrom) ?? []) as Item[];
  }
}

/** The distinct leads of the cycles, in the order first seen (by position, not a set of ids). */
function leadIds(history: PipelineHistory, cycles: readonly MqlCycle[]): string[] {
  return new DistinctLeads(history).ids(itself, cycles) as string[];
}

function cyclesStartingIn({ history, within }: MeasureContext): MqlCycle[] {
  return within(
    "mql-moment",
    () => mqlCycles(history),
    (cycle) => cycle.at,
  );
}

function cycleRate(
  history: PipelineHistory,
  population: readonly MqlCycle[],
  counts: (cycle: MqlCycle) => boolean,
): Figure {
  return rateFigure(
    population.filter(counts).length,
    population.length,
    leadIds(history, population),
  );
}

/** A disposition that is not an acceptance, with its lead. */
interface Disposition {
  lead: LeadHistory;
  decision: LeadDecision;
}

/** The actual of each metric an agreement may commit to, for one period. */
const measures: Record<CommitmentMetric, (context: MeasureContext) => Figure> = {
  mql_count: (context) => countFigure(leadIds(context.history, cyclesStartingIn(context))),
  mql_to_sql_rate: (context) =>
    cycleRate(context.history, cyclesStartingIn(context), (cycle) => cycle.sqlAt !== null),
  mql_to_sal_rate: ({ history, within }) =>
    cycleRate(
      history,
      within(
        "decided",
        () => mqlCycles(history),
        (cycle) => (cycle.outcome !== null ? cycle.decision?.at : null),
      ),
      (cycle) => cycle.outcome === "accepted",
    ),
  handoff_context_completeness: ({ history, within }) =>
    cycleRate(
      history,
      within(
        "context-checked-assignment",
        () => mqlCycles(history),
        (cycle) => (cycle.lead.contextComplete !== null ? cycle.assignedAt : null),
      ),
      (cycle) => cycle.lead.contextComplete === true,
    ),
  touched_within_sla_rate: (context) => {
    const { history } = context;
    if (history.speedStep === null) return rateFigure(0, 0, []);
    const goal = history.speedStep.goalMinutes;
    const minutesTo = (cycle: MqlCycle, end: number) =>
      history.businessClock.minutesBetween(cycle.at, end, cycle.owner);
    const measured = cyclesStartingIn(context).filter(
      (cycle) => cycle.firstTouchAt !== null || minutesTo(cycle, history.asOf) >= goal,
    );
    return cycleRate(
      context.history,
      measured,
      (cycle) => cycle.firstTouchAt !== null && minutesTo(cycle, cycle.firstTouchAt) < goal,
    );
  },
  outcome_logging_rate: (context) => {
    const allowed = (context.commitment.withinDays ?? context.history.outcomeDays) * DAY;
    return cycleRate(
      context.history,
      cyclesStartingIn(context).filter((cycle) => cycle.at + allowed <= context.history.asOf),
      (cycle) => cycle.decision !== null && cycle.decision.at < cycle.at + allowed,
    );
  },
  rejection_reason_coverage: ({ history, within }) => {
    const dispositions = within(
      "disposition",
      () => {
        const all: Disposition[] = [];
        for (const lead of history.leads)
          for (const decision of lead.decisions)
            if (decision.kind !== "accept" && decision.kind !== "convert")
              all.push({ lead, decision });
        return all;
      },
      (entry) => entry.decision.at,
    );
    let withReason = 0;
    const leads = new Set<string>();
    for (const { lead, decision } of dispositions) {
      if (decision.reason !== null) withReason += 1;
      leads.add(lead.id);
    }
    return rateFigure(withReason, dispositions.length, [...leads]);
  },
  sla_attainment: ({ history, commitment, within }) => {
    const step = commitment.step ?? history.speedStep?.step;
    const closed = within(
      `closed-sla:${step}`,
      () =>
        history.cycles.filter(
          (cycle) => cycle.step === step && (cycle.state === "met" || cycle.state === "breached"),
        ),
      (cycle) => cycle.startedAt,
    );
    return rateFigure(
      closed.filter((cycle) => cycle.state === "met").length,
      closed.length,
      closed.map((cycle) => `${cycle.leadId}/${cycle.step}#${cycle.cycle}`),
    );
  },
};

function isCommitmentMetric(metric: string): metric is CommitmentMetric {
  return (measurableMetrics as readonly string[]).includes(metric);
}

function unitOf(metric: string): FigureUnit {
  return metric === "mql_count" ? "count" : "rate";
}

function judge(commitment: CommitmentTarget, actual: number | null): boolean | null {
  if (actual === null) return null;
  if (commitment.min === undefined && commitment.max === undefined) return null;
  return (
    (commitment.min === undefined || actual >= commitment.min) &&
    (commitment.max === undefined || actual <= commitment.max)
  );
}

function flag(value: boolean | null, records: string[]): Figure {
  return valueFigure(value === null ? null : value ? 1 : 0, "count", records);
}

function computeCommitments(history: PipelineHistory, query: MetricQuery): MetricResult {
  const buckets = new PeriodBuckets(query.from, query.to, history.timezone);
  const tally = new Map<string, string[]>();
  for (const side of sides)
    for (const judgement of judgements) tally.set(`${side}:${judgement}`, []);
  const groups: MetricGroup[] = [];
  for (const side of sides)
    for (const commitment of (history.commitments ?? []).filter((entry) => entry.side === side)) {
      const unit = unitOf(commitment.metric);
      const measure = isCommitmentMetric(commitment.metric)
        ? measures[commitment.metric]
        : undefined;
      for (const period of buckets.periodsOf(commitment.per)) {
        if (period.from >= history.asOf) continue;
        const actual = measure?.({
          history,
          commitment,
          within: (name, population, instantOf) =>
            buckets.within(name, population, instantOf, commitment.per, period.from),
        }) ?? {
          value: null,
          unit,
          records: [],
        };
        const met = period.to > history.asOf ? null : judge(commitment, actual.value);
        const judgement: Judgement =
          period.to > history.asOf
            ? "in-progress"
            : met === null
              ? "no-data"
              : met
                ? "met"
                : "missed";
        const key = `${side}:${commitment.id}:${period.key}`;
        tally.get(`${side}:${judgement}`)!.push(key);
        const figures: Record<string, Figure> = {
          target: valueFigure(commitment.min ?? commitment.max ?? null, unit, []),
          actual,
          met: flag(met, actual.records),
        };
        if (commitment.min !== undefined && commitment.max !== undefined)
          figures["target-max"] = valueFigure(commitment.max, unit, []);
        if (commitment.warnBelow !== undefined)
          figures.warning = flag(
            actual.value === null ? null : actual.value < commitment.warnBelow,
            actual.records,
          );
        groups.push({ key, label: `${commitment.label} (${period.key})`, figures });
      }
    }
  const total: Record<string, Figure> = {};
  for (const [name, keys] of tally) total[name] = countFigure(keys);
  return asAsked(
    {
      metric: commitments.name,
      title: commitments.title,
      definition: commitments.definition,
      records: "leads",
      from: query.from,
      to: query.to,
      by: null,
      total,
      groups,
    },
    query,
  );
}

export const commitments: MetricDefinition = {
  name: "commitments",
  reads: readsSinceFrom,
  title: "Commitments, met and missed",
  definition:
    "For each commitment of the active agreement, both sides, and each of its periods (days, ISO weeks from Monday, months, quarters in the workspace zone) that starts in the period asked: the target (min, or max), the actual and met (actual ≥ min and ≤ max). " +
    "A period still running is in progress, neither met nor missed; an actual with nothing to measure is no data. " +
    "Actuals: MQL leads; MQL→SQL of the period's MQLs (SQL entered in the same MQL cycle); MQL→SAL decided; handoff context complete among handoffs checked; touched in less than the speed step's goal (business minutes) over touched and untouched that reached the goal; outcomes logged before the deadline (MQL + days allowed) over MQLs whose deadline passed; rejections, recycles and disqualifications with a reason; SLA met over met and breached. " +
    "A commitment's segment condition is not applied. The breakdown asked is not applied: groups are commitment periods, keyed side:commitment:period, and the met/missed counts open into those keys.",
  compute: computeCommitments,
};

export const commitmentMetrics: readonly MetricDefinition[] = [commitments];
