import { DistinctLeads, itself } from "./distinct-leads.js";
import { breakDown, foldKey, type GroupAttributes, NONE } from "./grouping.js";
import { leadLookup, leadsWithIds } from "./lead-lookup.js";
import type { Dimension, Figure, MetricDefinition, MetricQuery, MetricResult } from "./metric.js";
import { readsSinceFrom, readsSinceFromAndOpenDeals } from "./metric.js";
import { cycleAttributes, type MqlCycle, mqlCycles } from "./mql-cycles.js";
import type { LeadHistory, OpportunityHistory, PipelineHistory } from "./pipeline-history.js";
import {
  countFigure,
  DAY,
  inPeriod,
  mean,
  median,
  memoPerPeriod,
  percentileOfSorted,
  type RecordIds,
  rateFigure,
  recordIds,
  recordLimit,
  sum,
  valueFigure,
} from "./statistics.js";

/**
 * The "Opportunities and revenue" metrics of METRICS.md, read off the history's opportunities
 * (which carry their originating lead's source, campaign, segment, owner and team themselves).
 *
 * Terms used below:
 * - closed: an opportunity with an outcome (won or lost) and a close instant; one without both
 *   is open, whatever its stage says.
 * - open at t: created before t and not closed before t (closedAt null or ≥ t), so a deal
 *   closed exactly at the end of a period was still open during all of it.
 * - sales cycle: closedAt − createdAt of the opportunity itself, never the lead's dates, so a deal
 *   an export dates before its lead's MQL moment still gets an honest cycle.
 * - amount: a missing amount adds 0 to currency sums and is counted in `no-amount`; means of
 *   amounts read only the opportunities that have one.
 *
 * Period breakdowns place each record at the instant that put it in the figure (its creation,
 * its close, a stage exit, a decision); records counted as open at the end of the period are
 * placed at the period's last instant (`to` − 1 ms).
 */

interface Entry<Role extends string> {
  opportunity: OpportunityHistory;
  role: Role;
  /** the instant that put the opportunity in this role, for period breakdowns */
  at: number;
}

function attributesOf(opportunity: OpportunityHistory): GroupAttributes {
  return {
    source: opportunity.source,
    campaign: opportunity.campaign,
    segment: opportunity.segment,
    team: opportunity.team,
    owner: opportunity.owner,
  };
}

function leadAttributes(lead: LeadHistory): GroupAttributes {
  return {
    source: lead.source,
    campaign: lead.campaign,
    segment: lead.segment,
    team: lead.team,
    owner: lead.owner,
  };
}

function placeEntry<Role extends string>(entry: Entry<Role>) {
  return { attributes: attributesOf(entry.opportunity), at: entry.at };
}

function closedAtOf(opportunity: OpportunityHistory): number | null {
  return opportunity.outcome === null ? null : opportunity.closedAt;
}

function closedIn(opportunity: OpportunityHistory, from: number, to: number): boolean {
  return inPeriod(closedAtOf(opportunity), from, to);
}

function wonIn(opportunity: OpportunityHistory, from: number, to: number): boolean {
  return opportunity.outcome === "won" && closedIn(opportunity, from, to);
}

function openAt(opportunity: OpportunityHistory, instant: number): boolean {
  const closedAt = closedAtOf(opportunity);
  return opportunity.createdAt < instant && (closedAt === null || closedAt >= instant);
}

/** closedAt − createdAt in days; only called on closed opportunities */
function cycleDays(opportunity: OpportunityHistory): number {
  return (closedAtOf(opportunity)! - opportunity.createdAt) / DAY;
}

/**
 * The ids of opportunities. A history holds each opportunity once, and the lists these figures
 * take are filters of the history's opportunities or unions of disjoint roles (open at the end
 * of the period, or closed in the window), so their ids are distinct already: no set to build
 * over a million of them when only their count is asked. A union of roles that overlap makes its
 * members distinct itself.
 */
function ids(limit: number, records: readonly OpportunityHistory[]): RecordIds {
  return recordIds(limit, records, (entry) => entry.id);
}

/** The ids of two disjoint lists, the first's first, without joining them when ids are cut. */
function idsOfBoth(
  limit: number,
  first: readonly OpportunityHistory[],
  second: readonly OpportunityHistory[],
): RecordIds {
  if (limit === Number.POSITIVE_INFINITY) return ids(limit, [...first, ...second]);
  const listed = first.slice(0, limit).map((entry) => entry.id);
  for (let index = 0; index < second.length && listed.length < limit; index++)
    listed.push(second[index]!.id);
  return { ids: listed, count: first.length + second.length };
}

function amountFigure(opportunities: readonly OpportunityHistory[], limit: number): Figure {
  return valueFigure(amountOf(opportunities), "currency", ids(limit, opportunities));
}

/** The sum of the amounts, a missing one as 0. */
function amountOf(opportunities: readonly OpportunityHistory[]): number {
  let total = 0;
  for (const opportunity of opportunities) total += opportunity.amount ?? 0;
  return total;
}

function meanAmountFigure(opportunities: readonly OpportunityHistory[], limit: number): Figure {
  const priced = opportunities.filter((entry) => entry.amount !== null);
  return valueFigure(mean(priced.map((entry) => entry.amount!)), "currency", ids(limit, priced));
}

function meanCycleFigure(opportunities: readonly OpportunityHistory[], limit: number): Figure {
  return valueFigure(mean(opportunities.map(cycleDays)), "days", ids(limit, opportunities));
}

function decidedWinRate(closed: readonly OpportunityHistory[], limit: number): Figure {
  const won = closed.filter((entry) => entry.outcome === "won");
  return rateFigure(won.length, closed.length, ids(limit, closed));
}

function withRole<Role extends string>(
  entries: readonly Entry<Role>[],
  role: Role,
): OpportunityHistory[] {
  return entries.filter((entry) => entry.role === role).map((entry) => entry.opportunity);
}

/**
 * A metric over opportunities: `compute` returns the breakdown it used (deal quality defaults to
 * source) and its figures.
 */
function revenueMetric(
  meta: Pick<MetricDefinition, "name" | "title" | "definition" | "defaultBy" | "reads">,
  compute: (
    history: PipelineHistory,
    query: MetricQuery,
  ) => Pick<MetricResult, "total" | "groups"> & { by: Dimension | undefined },
): MetricDefinition {
  return {
    ...meta,
    compute(history, query) {
      const { by, total, groups } = compute(history, query);
      return {
        metric: meta.name,
        title: meta.title,
        definition: meta.definition,
        records: "opportunities",
        from: query.from,
        to: query.to,
        by: by ?? null,
        total,
        groups,
      };
    },
  };
}

const winRate = revenueMetric(
  {
    name: "win-rate",
    reads: readsSinceFrom,
    title: "Win rate",
    definition:
      "decided: won ÷ (won + lost) over opportunities closed in the period; cohort: won ÷ created " +
      "over opportunities created in the period, open ones staying in the denominator and a win " +
      "at any time up to the history's as-of counting",
  },
  (history, query) => {
    const limit = recordLimit(query);
    type Role = "closed" | "created";
    const entries: Entry<Role>[] = [];
    for (const opportunity of history.opportunities) {
      if (closedIn(opportunity, query.from, query.to))
        entries.push({ opportunity, role: "closed", at: opportunity.closedAt! });
      if (inPeriod(opportunity.createdAt, query.from, query.to))
        entries.push({ opportunity, role: "created", at: opportunity.createdAt });
    }
    return {
      by: query.by,
      ...breakDown(entries, query.by, history.timezone, placeEntry, (subset) => {
        const created = withRole(subset, "created");
        const won = created.filter(
          (entry) => entry.outcome === "won" && (closedAtOf(entry) ?? Infinity) <= history.asOf,
        );
        return {
          decided: decidedWinRate(withRole(subset, "closed"), limit),
          cohort: rateFigure(won.length, created.length, ids(limit, created)),
        };
      }),
    };
  },
);

/**
 * The first MQL moment of each lead of `leadIds` that reached MQL. Only the leads asked for are
 * kept: a million-lead export with a few thousand deals needs a few thousand moments.
 */
function firstMqlMoments(
  history: PipelineHistory,
  leadIds: ReadonlySet<string>,
): Map<string, number> {
  const moments = new Map<string, number>();
  for (const lead of leadsWithIds(history, leadIds)) {
    const entry = lead.stages.find((stage) => stage.stage === history.funnel.mql);
    if (entry !== undefined) moments.set(lead.id, entry.at);
  }
  return moments;
}

const salesCycle = revenueMetric(
  {
    name: "sales-cycle",
    reads: readsSinceFrom,
    title: "Sales cycle",
    definition:
      "close − created of the opportunity, in days: mean and median over opportunities won in the " +
      "period, and over all closed in the period; won-before-mql lists won opportunities closed " +
      "before their lead's first MQL moment (a data problem to check; their cycle still counts)",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const closed = history.opportunities
      .filter((opportunity) => closedIn(opportunity, query.from, query.to))
      .map((opportunity) => ({ opportunity, role: "closed" as const, at: opportunity.closedAt! }));
    const wonLeads = new Set<string>();
    for (const { opportunity } of closed)
      if (opportunity.outcome === "won" && opportunity.leadId !== null)
        wonLeads.add(opportunity.leadId);
    const mqlAt = firstMqlMoments(history, wonLeads);
    return {
      by: query.by,
      ...breakDown(closed, query.by, history.timezone, placeEntry, (subset) => {
        const all = subset.map((entry) => entry.opportunity);
        const won = all.filter((entry) => entry.outcome === "won");
        const beforeMql = won.filter((entry) => {
          const moment = entry.leadId === null ? undefined : mqlAt.get(entry.leadId);
          return moment !== undefined && entry.closedAt! < moment;
        });
        return {
          "won-mean-days": meanCycleFigure(won, limit),
          "won-median-days": valueFigure(median(won.map(cycleDays)), "days", ids(limit, won)),
          "closed-mean-days": meanCycleFigure(all, limit),
          "closed-median-days": valueFigure(median(all.map(cycleDays)), "days", ids(limit, all)),
          "won-before-mql": countFigure(ids(limit, beforeMql)),
        };
      }),
    };
  },
);

/** One stay in a stage: from its entry to the next entry of the same record. */
interface Stay {
  /** the stage as figures name it: `discovery` for an opportunity stage, `lead:mql` for a lead's */
  key: string;
  recordId: string;
  attributes: GroupAttributes;
  exitAt: number;
  days: number;
}

/**
 * The stays of one record's stages that exited in [from, to). `keys` names each stay once per
 * prefix and stage (a million stays share a handful of keys); `attributes` is asked once, and
 * only for a record with a stay.
 */
function collectStays(
  stays: Stay[],
  recordId: string,
  prefix: string,
  stages: readonly { stage: string; at: number }[],
  attributes: () => GroupAttributes,
  keys: Map<string, string>,
  from: number,
  to: number,
): void {
  let shared: GroupAttributes | undefined;
  for (let index = 0; index + 1 < stages.length; index++) {
    const entry = stages[index]!;
    const exit = stages[index + 1]!;
    if (!inPeriod(exit.at, from, to)) continue;
    let key = keys.get(entry.stage);
    if (key === undefined) {
      key = `${prefix}${entry.stage}`;
      keys.set(entry.stage, key);
    }
    shared ??= attributes();
    stays.push({
      key,
      recordId,
      attributes: shared,
      exitAt: exit.at,
      days: (exit.at - entry.at) / DAY,
    });
  }
}

const timeInStage = revenueMetric(
  {
    name: "time-in-stage",
    reads: readsSinceFrom,
    title: "Time in stage",
    definition:
      "per stage: exit − entry in days (exit = the next stage entry), median and P90 over stays " +
      "that exited in the period; stays still open are not counted. Opportunity stages are named " +
      "as they are, lead stages are prefixed lead: and list lead ids",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const stays: Stay[] = [];
    const opportunityKeys = new Map<string, string>();
    for (const opportunity of history.opportunities)
      collectStays(
        stays,
        opportunity.id,
        "",
        opportunity.stages,
        () => attributesOf(opportunity),
        opportunityKeys,
        query.from,
        query.to,
      );
    // Lead stages come in funnel order, then any others in order of first appearance: the
    // stays are placed in one bucket per funnel position (one more for the stages the funnel
    // does not name), each in the leads' order, as a stable sort by position would leave them.
    const leadStays: Stay[] = [];
    const leadKeys = new Map<string, string>();
    for (const lead of history.leads)
      collectStays(
        leadStays,
        lead.id,
        "lead:",
        lead.stages,
        () => leadAttributes(lead),
        leadKeys,
        query.from,
        query.to,
      );
    const order = history.stageOrder;
    const rankOf = new Map<string, number>();
    for (const [stage, key] of leadKeys) {
      const index = order.indexOf(stage);
      rankOf.set(key, index === -1 ? order.length : index);
    }
    const buckets: Stay[][] = Array.from({ length: order.length + 1 }, () => []);
    for (const stay of leadStays) buckets[rankOf.get(stay.key)!]!.push(stay);
    for (const bucket of buckets) for (const stay of bucket) stays.push(stay);
    return {
      by: query.by,
      ...breakDown(
        stays,
        query.by,
        history.timezone,
        (stay) => ({ attributes: stay.attributes, at: stay.exitAt }),
        (subset) => {
          const byStage = new Map<string, Stay[]>();
          for (const stay of subset) {
            const list = byStage.get(stay.key) ?? [];
            list.push(stay);
            byStage.set(stay.key, list);
          }
          const figures: Record<string, Figure> = {};
          for (const [key, list] of byStage) {
            // one sorted copy for both percentiles; a record's stays in one stage are
            // consecutive (each record's stays are collected together, and bucketing and
            // grouping keep the order), so its id is listed once by comparing with the last
            const days = new Float64Array(list.length);
            const distinct: string[] = [];
            let last: string | undefined;
            for (let index = 0; index < list.length; index++) {
              const stay = list[index]!;
              days[index] = stay.days;
              if (stay.recordId !== last) distinct.push(stay.recordId);
              last = stay.recordId;
            }
            days.sort();
            const records = recordIds(limit, distinct, (id: string) => id);
            figures[`${key}:median-days`] = valueFigure(
              percentileOfSorted(days, 50),
              "days",
              records,
            );
            figures[`${key}:p90-days`] = valueFigure(percentileOfSorted(days, 90), "days", records);
            figures[`${key}:exits`] = countFigure(records, list.length);
          }
          return figures;
        },
      ),
    };
  },
);

const pipelineVelocity = revenueMetric(
  {
    name: "pipeline-velocity",
    // the trailing window's closed deals and the deals open at the period's end
    reads: (query, history) => ({
      since: Math.min(query.to - (query.trailingDays ?? 365) * DAY, history.asOf),
      openDeals: true,
    }),
    title: "Pipeline velocity",
    definition:
      "(opportunities open at the end of the period × mean won amount × decided win rate) ÷ mean " +
      "won sales cycle in days, the last three over opportunities closed in the trailing window " +
      "ending at the end of the period (default 365 days); currency per day, none when a part is " +
      "undefined or the cycle is not positive; won deals without an amount stay out of the mean",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const windowStart = query.to - (query.trailingDays ?? 365) * DAY;
    const entries: Entry<"open" | "closed">[] = [];
    for (const opportunity of history.opportunities) {
      if (openAt(opportunity, query.to))
        entries.push({ opportunity, role: "open", at: query.to - 1 });
      else if (closedIn(opportunity, windowStart, query.to))
        entries.push({ opportunity, role: "closed", at: opportunity.closedAt! });
    }
    return {
      by: query.by,
      ...breakDown(entries, query.by, history.timezone, placeEntry, (subset) => {
        // One pass (a million leads' open deals): the open and the closed deals, and the won
        // ones' amounts and cycles summed in the order the means over their lists would take.
        const open: OpportunityHistory[] = [];
        const closed: OpportunityHistory[] = [];
        const won: OpportunityHistory[] = [];
        const priced: OpportunityHistory[] = [];
        let amounts = 0;
        let days = 0;
        for (const { opportunity, role } of subset) {
          if (role === "open") {
            open.push(opportunity);
            continue;
          }
          closed.push(opportunity);
          if (opportunity.outcome !== "won") continue;
          won.push(opportunity);
          days += cycleDays(opportunity);
          if (opportunity.amount !== null) {
            priced.push(opportunity);
            amounts += opportunity.amount;
          }
        }
        const amount = valueFigure(
          priced.length === 0 ? null : amounts / priced.length,
          "currency",
          ids(limit, priced),
        );
        const rate = rateFigure(won.length, closed.length, ids(limit, closed));
        const cycle = valueFigure(
          won.length === 0 ? null : days / won.length,
          "days",
          ids(limit, won),
        );
        const velocity =
          amount.value === null || rate.value === null || cycle.value === null || cycle.value <= 0
            ? null
            : (open.length * amount.value * rate.value) / cycle.value;
        return {
          velocity: valueFigure(velocity, "currency", idsOfBoth(limit, open, closed)),
          "open-opportunities": countFigure(ids(limit, open)),
          "mean-won-amount": amount,
          "win-rate": rate,
          "mean-cycle-days": cycle,
        };
      }),
    };
  },
);

type PipelineRole = "created" | "open" | "won";

/**
 * Opportunities created in the period, open at its end and won in it, each once per role; the
 * pipeline metrics pick the marketing ones among them. Per history and period, as
 * marketing-sourced and -influenced read the same entries.
 */
const pipelineEntries = memoPerPeriod(
  (history: PipelineHistory, from: number, to: number): readonly Entry<PipelineRole>[] => {
    const entries: Entry<PipelineRole>[] = [];
    for (const opportunity of history.opportunities) {
      if (inPeriod(opportunity.createdAt, from, to))
        entries.push({ opportunity, role: "created", at: opportunity.createdAt });
      if (openAt(opportunity, to)) entries.push({ opportunity, role: "open", at: to - 1 });
      if (wonIn(opportunity, from, to))
        entries.push({ opportunity, role: "won", at: opportunity.closedAt! });
    }
    return entries;
  },
);

/**
 * pipeline (created in the period), open-pipeline (open at its end), revenue (won in it) of the
 * opportunities `counts` selects, with their counts, the share of the period's created amount,
 * and those without an amount.
 */
function pipelineFigures(
  subset: readonly Entry<PipelineRole>[],
  counts: (opportunity: OpportunityHistory) => boolean,
  limit: number,
): Record<string, Figure> {
  // One pass over the entries (a million leads' open deals are read by three metrics).
  let allAmount = 0;
  const pipeline: OpportunityHistory[] = [];
  const open: OpportunityHistory[] = [];
  const won: OpportunityHistory[] = [];
  for (const { opportunity, role } of subset) {
    if (role === "created") allAmount += opportunity.amount ?? 0;
    if (counts(opportunity))
      (role === "created" ? pipeline : role === "open" ? open : won).push(opportunity);
  }
  // the roles overlap (created in the period and still open): each opportunity once
  const noAmount = new Set<OpportunityHistory>();
  for (const list of [pipeline, open, won])
    for (const opportunity of list) if (opportunity.amount === null) noAmount.add(opportunity);
  const pipelineAmount = amountFigure(pipeline, limit);
  const share = rateFigure(pipelineAmount.value!, allAmount, ids(limit, pipeline));
  return {
    pipeline: pipelineAmount,
    "open-pipeline": amountFigure(open, limit),
    revenue: amountFigure(won, limit),
    "pipeline-opportunities": countFigure(ids(limit, pipeline)),
    "open-opportunities": countFigure(ids(limit, open)),
    "won-opportunities": countFigure(ids(limit, won)),
    "share-of-pipeline": share,
    "no-amount": countFigure(ids(limit, [...noAmount])),
  };
}

const marketingSourced = revenueMetric(
  {
    name: "marketing-sourced",
    reads: readsSinceFromAndOpenDeals,
    title: "Marketing-sourced pipeline and revenue",
    definition:
      "opportunities whose originating lead's source is one the agreement classifies as marketing: " +
      "pipeline = amount created in the period, open-pipeline = amount open at its end, revenue = " +
      "amount won in it; share-of-pipeline = marketing-sourced ÷ all amount created in the period; " +
      "no-source lists opportunities created in the period with no source",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const marketing = new Set(history.marketingSources.map(foldKey));
    // foldKey remembers the few dozen spellings a million deals share
    const isMarketing = (opportunity: OpportunityHistory) =>
      opportunity.source !== null && marketing.has(foldKey(opportunity.source));
    return {
      by: query.by,
      ...breakDown(
        pipelineEntries(history, query.from, query.to),
        query.by,
        history.timezone,
        placeEntry,
        (subset) => {
          const unsourced = withRole(subset, "created").filter(
            (entry) => foldKey(entry.source) === NONE,
          );
          return {
            ...pipelineFigures(subset, isMarketing, limit),
            "no-source": countFigure(ids(limit, unsourced)),
          };
        },
      ),
    };
  },
);

const marketingInfluenced = revenueMetric(
  {
    name: "marketing-influenced",
    reads: readsSinceFromAndOpenDeals,
    title: "Marketing-influenced pipeline and revenue",
    definition:
      "opportunities whose originating lead had at least one marketing touch strictly before the " +
      "opportunity was created: pipeline = amount created in the period, open-pipeline = amount " +
      "open at its end, revenue = amount won in it; share-of-pipeline = influenced ÷ all amount " +
      "created in the period",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const leadOf = leadLookup(history);
    const isInfluenced = (opportunity: OpportunityHistory) => {
      const lead =
        opportunity.leadId === null
          ? undefined
          : leadOf(opportunity.leadId, opportunity.leadPosition);
      return lead !== undefined && earliestMarketingTouch(lead) < opportunity.createdAt;
    };
    return {
      by: query.by,
      ...breakDown(
        pipelineEntries(history, query.from, query.to),
        query.by,
        history.timezone,
        placeEntry,
        (subset) => pipelineFigures(subset, isInfluenced, limit),
      ),
    };
  },
);

/**
 * A lead's earliest marketing touch (Infinity when it has none), worked out once per lead object:
 * a history's leads are never changed, and a snapshot shares the ones that did not change, so a
 * dashboard's open deals read one number per lead instead of its touches.
 */
function earliestMarketingTouch(lead: LeadHistory): number {
  let earliest = earliestTouchOf.get(lead);
  if (earliest === undefined) {
    earliest = Number.POSITIVE_INFINITY;
    for (const touch of lead.marketingTouches) if (touch.at < earliest) earliest = touch.at;
    earliestTouchOf.set(lead, earliest);
  }
  return earliest;
}
const earliestTouchOf = new WeakMap<LeadHistory, number>();

type QualityItem =
  | { kind: "closed"; opportunity: OpportunityHistory }
  | { kind: "decided"; cycle: MqlCycle };

const dealQualityDefault: Dimension = "source";

const dealQuality = revenueMetric(
  {
    name: "deal-quality",
    reads: readsSinceFrom,
    title: "Deal quality by source",
    defaultBy: dealQualityDefault,
    definition:
      "per lead source (or the breakdown asked): decided win rate, mean won amount and mean won " +
      "sales cycle in days over opportunities closed in the period, and decided MQL→SAL acceptance " +
      "over MQL cycles whose accept/reject decision fell in the period (acceptance lists lead ids)",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const by = query.by ?? dealQualityDefault;
    // acceptance lists leads, once each
    const leads = new DistinctLeads(history, limit);
    const items: QualityItem[] = [];
    for (const opportunity of history.opportunities)
      if (closedIn(opportunity, query.from, query.to)) items.push({ kind: "closed", opportunity });
    for (const cycle of mqlCycles(history))
      if (cycle.outcome !== null && inPeriod(cycle.decision?.at, query.from, query.to))
        items.push({ kind: "decided", cycle });
    return {
      by: by,
      ...breakDown(
        items,
        by,
        history.timezone,
        (item) =>
          item.kind === "closed"
            ? { attributes: attributesOf(item.opportunity), at: item.opportunity.closedAt! }
            : { attributes: cycleAttributes(item.cycle), at: item.cycle.decision!.at },
        (subset) => {
          const closed: OpportunityHistory[] = [];
          const decided: MqlCycle[] = [];
          for (const item of subset)
            if (item.kind === "closed") closed.push(item.opportunity);
            else decided.push(item.cycle);
          const won = closed.filter((entry) => entry.outcome === "won");
          const accepted = decided.filter((cycle) => cycle.outcome === "accepted");
          return {
            "win-rate": decidedWinRate(closed, limit),
            "mean-won-amount": meanAmountFigure(won, limit),
            "sales-cycle-days": meanCycleFigure(won, limit),
            acceptance: rateFigure(accepted.length, decided.length, leads.ids(itself, decided)),
          };
        },
      ),
    };
  },
);

const pipelineCoverage = revenueMetric(
  {
    name: "pipeline-coverage",
    reads: readsSinceFromAndOpenDeals,
    title: "Pipeline coverage",
    definition:
      "open pipeline (amount of opportunities open at the end of the period, or now when the " +
      "period has not ended) ÷ remaining target (the period's target − revenue won in it so far); " +
      "none without a target or when the target is already reached. A group's coverage is its " +
      "open pipeline ÷ the whole remaining target, so the groups add up to the total",
  },
  (history, query) => {
    const limit = recordLimit(query);
    const openInstant = Math.min(query.to, history.asOf);
    const entries: Entry<"open" | "won">[] = [];
    for (const opportunity of history.opportunities) {
      if (openAt(opportunity, openInstant))
        entries.push({ opportunity, role: "open", at: query.to - 1 });
      if (wonIn(opportunity, query.from, query.to))
        entries.push({ opportunity, role: "won", at: opportunity.closedAt! });
    }
    const wonRevenue = sum(
      entries.filter((entry) => entry.role === "won").map((entry) => entry.opportunity.amount ?? 0),
    );
    const remaining = query.target === undefined ? null : query.target - wonRevenue;
    return {
      by: query.by,
      ...breakDown(entries, query.by, history.timezone, placeEntry, (subset) => {
        const open = withRole(subset, "open");
        const openPipeline = amountFigure(open, limit);
        const coverage: Figure =
          remaining === null
            ? valueFigure(null, "rate", ids(limit, open))
            : {
                ...rateFigure(openPipeline.value!, remaining, ids(limit, open)),
                // a target already reached leaves nothing to cover: no rate, not a negative one
                value: remaining > 0 ? openPipeline.value! / remaining : null,
              };
        return {
          coverage,
          "open-pipeline": openPipeline,
          "remaining-target": valueFigure(
            remaining,
            "currency",
            recordIds(limit, [], (id: string) => id),
          ),
          revenue: amountFigure(withRole(subset, "won"), limit),
          "no-amount": countFigure(
            ids(
              limit,
              open.filter((entry) => entry.amount === null),
            ),
          ),
        };
      }),
    };
  },
);

/** In METRICS.md order. */
export const revenueMetrics: readonly MetricDefinition[] = [
  winRate,
  salesCycle,
  timeInStage,
  pipelineVelocity,
  marketingSourced,
  marketingInfluenced,
  dealQuality,
  pipelineCoverage,
];
