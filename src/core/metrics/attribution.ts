import { Groups } from "./grouping.js";
import { leadLookup } from "./lead-lookup.js";
import {
  type AttributionModel,
  attributionModels,
  type Figure,
  type MetricDefinition,
  type MetricQuery,
  type MetricResult,
  readsSinceFrom,
} from "./metric.js";
import type { LeadHistory, OpportunityHistory, PipelineHistory } from "./pipeline-history.js";
import { asAsked, countFigure, DAY, inPeriod } from "./statistics.js";

/**
 * Multi-touch attribution (METRICS.md "Attribution"): how much of each conversion, and of its won
 * revenue, each marketing channel earns under each model.
 *
 * Terms
 * - conversion: an opportunity created in the period from a lead; the conversion instant is the
 *   opportunity's creation. Opportunities without an originating lead have no touches and are
 *   counted apart (`unattributed`).
 * - touch list: the lead's marketing touches strictly before the conversion instant, plus the
 *   lead-creation touch (at the lead's creation, channel = the lead's source), in time order. The
 *   lead-creation touch follows touches at the same instant (the form fill that created the lead
 *   came first), and it is always in the list, even when an export dates the lead at or after its
 *   opportunity, so every conversion has at least one touch.
 * - milestones: positions in the touch list. first = the earliest touch; lead creation = the
 *   lead-creation touch; opportunity creation = the last touch before the conversion instant;
 *   closed-won (full path, won opportunities only) = that same last touch, since touches after the
 *   conversion instant never count. A position holding several milestones gets their sum.
 * - middle touches: U-shaped, the touches strictly between first and lead creation (touches after
 *   lead creation earn nothing in U-shaped); W-shaped and full path, every touch that is no
 *   milestone.
 * - a share whose milestone is absent (closed-won on an open or lost opportunity) or whose middle
 *   is empty goes to the parts present in proportion to their shares: U with no middle is 50/50,
 *   full path on an opportunity not won is 22.5/77.5 per milestone and 10/77.5 for the middle.
 */

export interface AttributionTouch {
  at: number;
  channel: string | null;
}

/** Indexes into the touch list; the first touch is always index 0. */
export interface AttributionMilestones {
  leadCreation: number;
  opportunityCreation: number;
  /** null unless the opportunity was won */
  closedWon: number | null;
}

export interface AttributionOptions {
  /** the conversion instant, epoch ms (time decay ages are measured to it) */
  conversionAt: number;
  /** time-decay half-life in days */
  halfLifeDays: number;
}

export const defaultHalfLifeDays = 7;

interface Part {
  share: number;
  positions: number[];
}

/** Shares of the parts present, normalised to 1; a part's share split equally over its positions. */
function distribute(count: number, parts: Part[]): number[] {
  const weights = new Array<number>(count).fill(0);
  const present = parts.filter((part) => part.positions.length > 0);
  let total = 0;
  for (const part of present) total += part.share;
  for (const part of present)
    for (const position of part.positions)
      weights[position]! += part.share / total / part.positions.length;
  return weights;
}

function indexesExcept(count: number, excluded: readonly (number | null)[]): number[] {
  const indexes: number[] = [];
  for (let index = 0; index < count; index++) if (!excluded.includes(index)) indexes.push(index);
  return indexes;
}

/**
 * The weight of each touch in one conversion under `model`; the weights sum to 1 (an empty touch
 * list gives none). Touches must be in time order.
 */
export function attributionWeights(
  model: AttributionModel,
  touches: readonly AttributionTouch[],
  milestones: AttributionMilestones,
  options: AttributionOptions,
): number[] {
  const count = touches.length;
  if (count === 0) return [];
  const last = count - 1;
  const { leadCreation, opportunityCreation, closedWon } = milestones;
  switch (model) {
    case "first-touch":
      return distribute(count, [{ share: 1, positions: [0] }]);
    case "last-touch":
      return distribute(count, [{ share: 1, positions: [last] }]);
    case "linear":
      return distribute(count, [{ share: 1, positions: indexesExcept(count, []) }]);
    case "u-shaped": {
      const between: number[] = [];
      for (let index = 1; index < leadCreation; index++) between.push(index);
      return distribute(count, [
        { share: 0.4, positions: [0] },
        { share: 0.4, positions: [leadCreation] },
        { share: 0.2, positions: between },
      ]);
    }
    case "w-shaped":
      return distribute(count, [
        { share: 0.3, positions: [0] },
        { share: 0.3, positions: [leadCreation] },
        { share: 0.3, positions: [opportunityCreation] },
        { share: 0.1, positions: indexesExcept(count, [0, leadCreation, opportunityCreation]) },
      ]);
    case "full-path":
      return distribute(count, [
        { share: 0.225, positions: [0] },
        { share: 0.225, positions: [leadCreation] },
        { share: 0.225, positions: [opportunityCreation] },
        { share: 0.225, positions: closedWon === null ? [] : [closedWon] },
        {
          share: 0.1,
          positions: indexesExcept(count, [0, leadCreation, opportunityCreation, closedWon]),
        },
      ]);
    case "time-decay": {
      // Ages are taken relative to the youngest touch so that very old touches cannot all
      // underflow to 0; the ratios, and so the normalised weights, are unchanged.
      const halfLife = options.halfLifeDays * DAY;
      const ages = touches.map((touch) => Math.max(0, options.conversionAt - touch.at));
      const youngest = Math.min(...ages);
      const raw = ages.map((age) => 2 ** (-(age - youngest) / halfLife));
      let total = 0;
      for (const weight of raw) total += weight;
      return raw.map((weight) => weight / total);
    }
  }
}

/** One conversion's touch list and milestones, per the terms above. */
export function conversionTouches(
  lead: LeadHistory,
  opportunity: OpportunityHistory,
): { touches: AttributionTouch[]; milestones: AttributionMilestones } {
  const before = lead.marketingTouches
    .filter((touch) => touch.at < opportunity.createdAt)
    .sort((a, b) => a.at - b.at);
  const leadCreation = before.filter((touch) => touch.at <= lead.createdAt).length;
  const touches: AttributionTouch[] = before.map((touch) => ({
    at: touch.at,
    channel: touch.channel,
  }));
  touches.splice(leadCreation, 0, { at: lead.createdAt, channel: lead.source });
  const last = touches.length - 1;
  return {
    touches,
    milestones: {
      leadCreation,
      opportunityCreation: last,
      closedWon: opportunity.outcome === "won" ? last : null,
    },
  };
}

/** One touch's share of one conversion, under every model computed (by the models' order). */
interface Credit {
  opportunity: OpportunityHistory;
  weights: number[];
}

function wonAmount(opportunity: OpportunityHistory): number | null {
  return opportunity.outcome === "won" ? opportunity.amount : null;
}

function channelFigures(
  credits: readonly Credit[],
  models: readonly AttributionModel[],
): Record<string, Figure> {
  const figures: Record<string, Figure> = {};
  for (const [position, model] of models.entries()) {
    let credit = 0;
    let revenue = 0;
    // A conversion's credits are consecutive (computeAttribution adds one conversion's touches
    // before the next's), so each is listed once without a set of ids.
    const credited: string[] = [];
    const earning: string[] = [];
    let last: OpportunityHistory | undefined;
    for (const entry of credits) {
      const weight = entry.weights[position]!;
      if (weight === 0) continue;
      credit += weight;
      const opportunity = entry.opportunity;
      const first = opportunity !== last;
      last = opportunity;
      if (first) credited.push(opportunity.id);
      const amount = wonAmount(opportunity);
      if (amount !== null) {
        revenue += weight * amount;
        if (first) earning.push(opportunity.id);
      }
    }
    figures[`credit:${model}`] = { value: credit, unit: "count", records: credited };
    figures[`revenue:${model}`] = { value: revenue, unit: "currency", records: earning };
  }
  return figures;
}

function computeAttribution(history: PipelineHistory, query: MetricQuery): MetricResult {
  const models = query.model === undefined ? attributionModels : [query.model];
  const halfLifeDays =
    query.halfLifeDays !== undefined && query.halfLifeDays > 0
      ? query.halfLifeDays
      : defaultHalfLifeDays;
  const leadOf = leadLookup(history);
  const conversions: string[] = [];
  const unattributed: string[] = [];
  const won: string[] = [];
  let wonRevenue = 0;
  const channels = new Groups<Credit>();
  for (const opportunity of history.opportunities) {
    if (!inPeriod(opportunity.createdAt, query.from, query.to)) continue;
    const lead =
      opportunity.leadId === null
        ? undefined
        : leadOf(opportunity.leadId, opportunity.leadPosition);
    if (lead === undefined) {
      unattributed.push(opportunity.id);
      continue;
    }
    conversions.push(opportunity.id);
    const amount = wonAmount(opportunity);
    if (amount !== null) {
      won.push(opportunity.id);
      wonRevenue += amount;
    }
    const { touches, milestones } = conversionTouches(lead, opportunity);
    const options = { conversionAt: opportunity.createdAt, halfLifeDays };
    const byModel = models.map((model) => attributionWeights(model, touches, milestones, options));
    for (let index = 0; index < touches.length; index++)
      channels.add(touches[index]!.channel, {
        opportunity,
        weights: byModel.map((weights) => weights[index]!),
      });
  }
  return asAsked(
    {
      metric: attribution.name,
      title: attribution.title,
      definition: attribution.definition,
      records: "opportunities",
      from: query.from,
      to: query.to,
      by: null,
      total: {
        conversions: countFigure(conversions),
        unattributed: countFigure(unattributed),
        revenue: { value: wonRevenue, unit: "currency", records: won },
      },
      groups: channels.entries().map(({ key, label, members }) => ({
        key,
        label,
        figures: channelFigures(members, models),
      })),
    },
    query,
  );
}

export const attribution: MetricDefinition = {
  name: "attribution",
  reads: readsSinceFrom,
  title: "Attribution by channel",
  definition:
    "Opportunities created in the period from a lead are the conversions; their touches are the lead's marketing touches strictly before the opportunity was created plus the lead creation (channel: the lead's source), in time order. " +
    "Models: first touch 100 %; last touch 100 %; linear 1/n; U-shaped 40 % first, 40 % lead creation, 20 % over the touches between them; " +
    "W-shaped 30 % first, 30 % lead creation, 30 % opportunity creation (the last touch before the opportunity), 10 % over the rest; " +
    "full path 22.5 % each to first, lead creation, opportunity creation and closed-won (the same last touch, won opportunities only), 10 % over the rest; " +
    "time decay weight ∝ 2^(−age/H), H = 7 days unless asked. A touch holding several milestones gets their sum; a missing middle or milestone gives its share to the others in proportion; weights sum to 100 % per conversion. " +
    "Grouped by touch channel always (a breakdown asked is not applied): credit = conversions credited, revenue = credit × amount of won opportunities. Opportunities without a lead are counted as unattributed.",
  compute: computeAttribution,
};

export const attributionMetrics: readonly MetricDefinition[] = [attribution];
