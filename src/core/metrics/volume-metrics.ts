import { DistinctLeads, itself } from "./distinct-leads.js";
import { breakDown, type GroupAttributes } from "./grouping.js";
import type { Figure, MetricDefinition, MetricQuery, MetricResult } from "./metric.js";
import { readsSinceFrom } from "./metric.js";
import { cohortCycles, cycleAttributes, type MqlCycle, mqlCycles } from "./mql-cycles.js";
import type { LeadDecision, LeadHistory, PipelineHistory, StageEntry } from "./pipeline-history.js";
import { countFigure, DAY, inPeriod, rateFigure, recordLimit } from "./statistics.js";

/**
 * Volume and conversion (METRICS.md): MQLs, acceptance, MQL→SQL, stage conversion, lead-to-won,
 * rejection mix and recycle rate, over the MQL cycles of mql-cycles.ts and the leads' own stage
 * entries and decisions.
 *
 * Conventions of this file (METRICS.md is silent on them; every definition below repeats the ones
 * it uses):
 * - Drill-down: a figure's records are the distinct ids of the leads it counts, in history order.
 *   A rate lists the leads of its denominator (the population it is taken over, so opening it
 *   never hides a record); where the numerator is a list worth opening on its own, a companion
 *   count figure carries it (`accepted`, `sql`, `won`, `recycled`). A count of events (MQL
 *   events, rejections) lists each lead once and keeps the number of events as its value.
 * - Placement: each item sits in the breakdown at the instant that put it in the metric (the MQL
 *   moment for a cohort, the decision for decided figures, the stage entry for stage conversion).
 *   A metric mixing two populations (acceptance decided vs strict, recycle rate) places each at
 *   its own instant, so a week's group holds the same items as asking for that week.
 * - "Within L days" is inclusive: a conversion exactly L × 24 h after the start counts.
 */

/**
 * An item of a metric population, with the instant that places it. Its group attributes are
 * worked out only when a breakdown asks (`placeCycle`, `placeLeadAt`).
 */
interface Placed<Role extends string, Subject> {
  role: Role;
  subject: Subject;
  at: number;
}

/** An MQL cycle sits in the groups of its own owner and team (cycleAttributes). */
function placeCycle<Role extends string>(item: Placed<Role, MqlCycle>) {
  return { attributes: cycleAttributes(item.subject), at: item.at };
}

/** A lead's event sits with the owner assigned at its instant. */
function placeLeadAt<Role extends string>(item: Placed<Role, { lead: LeadHistory }>) {
  return { attributes: leadAttributesAt(item.subject.lead, item.at), at: item.at };
}

/**
 * The lead's attributes at an instant: its source, campaign and segment, and the owner and team
 * of the latest assignment at or before the instant; like MQL cycles, the lead's current owner
 * when it had none yet.
 */
function leadAttributesAt(lead: LeadHistory, at: number): GroupAttributes {
  let owner = lead.owner;
  let team = lead.team;
  for (const assignment of lead.assignments) {
    if (assignment.at > at) break;
    owner = assignment.owner;
    team = assignment.team;
  }
  return { source: lead.source, campaign: lead.campaign, segment: lead.segment, team, owner };
}

function result(
  definition: Pick<MetricDefinition, "name" | "title" | "definition">,
  query: MetricQuery,
  figures: { total: Record<string, Figure>; groups: MetricResult["groups"] },
): MetricResult {
  return {
    metric: definition.name,
    title: definition.title,
    definition: definition.definition,
    records: "leads",
    from: query.from,
    to: query.to,
    by: query.by ?? null,
    total: figures.total,
    groups: figures.groups,
  };
}

/** Cycles whose MQL moment is in the period, placed at that moment: the cohort of the period. */
function cohortOf(history: PipelineHistory, query: MetricQuery): Placed<"cohort", MqlCycle>[] {
  return cohortCycles(history, query.from, query.to).map((cycle) => ({
    role: "cohort",
    subject: cycle,
    at: cycle.at,
  }));
}

function subjects<Role extends string, Subject>(
  items: readonly Placed<Role, Subject>[],
  role: Role,
): Subject[] {
  return items.filter((item) => item.role === role).map((item) => item.subject);
}

/** Whether `at` is no later than L days after `start` (always, when L is not given). */
function withinDays(start: number, at: number, days: number | undefined): boolean {
  return days === undefined || at - start <= days * DAY;
}

const mqls: MetricDefinition = {
  name: "mqls",
  reads: readsSinceFrom,
  title: "MQLs",
  definition:
    "Leads whose MQL moment falls in the period; a lead re-qualified after recycling counts again " +
    "as an MQL event. `leads` counts distinct leads, `events` counts MQL moments (each lead listed " +
    "once). Groups place each MQL event at its moment; a lead with events in two groups counts as " +
    "a lead in both.",
  compute(history, query) {
    const items = cohortOf(history, query);
    const distinct = new DistinctLeads(history, recordLimit(query));
    return result(
      mqls,
      query,
      breakDown(items, query.by, history.timezone, placeCycle, (members) => {
        const ids = distinct.ids((item) => item.subject, members);
        return { leads: countFigure(ids), events: countFigure(ids, members.length) };
      }),
    );
  },
};

/** The instant by which sales must accept or reject an MQL for strict acceptance. */
function acceptanceDeadline(cycle: MqlCycle, history: PipelineHistory): number {
  return cycle.at + history.acceptanceDays * DAY;
}

const acceptance: MetricDefinition = {
  name: "acceptance",
  reads: readsSinceFrom,
  title: "MQL→SAL acceptance",
  definition:
    "`decided`: accepted ÷ (accepted + rejected), over MQLs whose accept/reject decision fell in " +
    "the period. `strict`: MQLs of the period accepted by their acceptance deadline (MQL moment + " +
    "the agreement's acceptance days, deadline included) ÷ all MQLs of the period; an MQL with no " +
    "decision by its deadline counts as not accepted. The decision is the first disposition of " +
    "the MQL cycle: accept or convert is accepted; reject, disqualify or recycle is rejected. " +
    "`pending`: MQLs of the period still undecided whose deadline has not passed at the history's " +
    "as-of instant; they stay in the strict denominator as not accepted, so a recent period's " +
    "strict rate can still rise. `accepted` lists the accepted leads of `decided`. Rates list the " +
    "leads of their denominator.",
  compute(history, query) {
    const decided: Placed<"decided", MqlCycle>[] = [];
    for (const cycle of mqlCycles(history))
      if (cycle.decision !== null && inPeriod(cycle.decision.at, query.from, query.to))
        decided.push({ role: "decided", subject: cycle, at: cycle.decision.at });
    const items = [...decided, ...cohortOf(history, query)];
    const distinct = new DistinctLeads(history, recordLimit(query));
    const cycleLeadIds = (cycles: readonly MqlCycle[]) => distinct.ids(itself, cycles);
    return result(
      acceptance,
      query,
      breakDown(items, query.by, history.timezone, placeCycle, (members) => {
        const decidedCycles = subjects(members, "decided");
        const accepted = decidedCycles.filter((cycle) => cycle.outcome === "accepted");
        const cohort = subjects(members, "cohort");
        const acceptedInTime = cohort.filter(
          (cycle) =>
            cycle.outcome === "accepted" &&
            cycle.decision!.at <= acceptanceDeadline(cycle, history),
        );
        // Undecided and still decidable: the cycle is the lead's latest (a re-qualification
        // closes it for good) and its deadline is not behind the as-of instant.
        const pending = cohort.filter(
          (cycle) =>
            cycle.decision === null &&
            cycle.end === null &&
            history.asOf <= acceptanceDeadline(cycle, history),
        );
        return {
          decided: rateFigure(accepted.length, decidedCycles.length, cycleLeadIds(decidedCycles)),
          strict: rateFigure(acceptedInTime.length, cohort.length, cycleLeadIds(cohort)),
          pending: countFigure(cycleLeadIds(pending), pending.length),
          accepted: countFigure(cycleLeadIds(accepted), accepted.length),
        };
      }),
    );
  },
};

const mqlToSql: MetricDefinition = {
  name: "mql-to-sql",
  reads: readsSinceFrom,
  title: "MQL→SQL conversion (cohort)",
  definition:
    "Of the MQLs of the period (MQL events), the share that reached SQL in the same MQL cycle: " +
    "ever (as of the history), or within L days of the MQL moment when L is given (L × 24 h, " +
    "inclusive). `rate` lists the leads of the cohort; `sql` the leads that reached SQL.",
  compute(history, query) {
    const items = cohortOf(history, query);
    const distinct = new DistinctLeads(history, recordLimit(query));
    const cycleLeadIds = (cycles: readonly MqlCycle[]) => distinct.ids(itself, cycles);
    return result(
      mqlToSql,
      query,
      breakDown(items, query.by, history.timezone, placeCycle, (members) => {
        const cohort = members.map((item) => item.subject);
        const reached = cohort.filter(
          (cycle) => cycle.sqlAt !== null && withinDays(cycle.at, cycle.sqlAt, query.withinDays),
        );
        return {
          rate: rateFigure(reached.length, cohort.length, cycleLeadIds(cohort)),
          sql: countFigure(cycleLeadIds(reached), reached.length),
        };
      }),
    );
  },
};

/**
 * A stage entry of the period as one number: its lead's position in `history.leads`, its
 * position in the lead's entries, its stage's code (the index of the stage's first place in the
 * stage order) and whether the lead entered the next stage after it (within L days). A million
 * leads enter New: numbers in one flat list, worked out while each lead's entries are at hand,
 * instead of an object per entry and a second visit to every lead.
 *
 * Layout: the lead's position times 2^26, plus 26 low bits: the entry's position (18 bits), the
 * stage's code (7 bits) and the converted bit. That holds 134 million leads, 262,144 entries of
 * one lead and 128 stages, far past what a ledger holds; past it the metric refuses rather than
 * count wrong.
 */
const positionShift = 8;
const positionMask = 0x3_ffff;
const stageMask = 0x7f;
const leadUnit = 2 ** 26;

function entryCode(leadIndex: number, position: number, stage: number, converted: boolean) {
  if (position > positionMask || stage > stageMask || leadIndex >= 2 ** 27)
    throw new RangeError(
      "stage conversion counts at most 262,144 stage entries of a lead, 128 stages and 134 million leads",
    );
  return leadIndex * leadUnit + ((position << positionShift) | (stage << 1) | (converted ? 1 : 0));
}
// `>>> 0` takes a number's low 32 bits (exact below 2^53) without a division.
const codeLead = (code: number) => Math.floor(code / leadUnit);
const codePosition = (code: number) => (code >>> positionShift) & positionMask;
const codeStage = (code: number) => ((code >>> 0) >>> 1) & stageMask;
const codeConverted = (code: number) => ((code >>> 0) & 1) === 1;

/** Whether the lead entered `next` after its entry at `from` (later in its entries; within L days). */
function enteredAfter(
  stages: readonly StageEntry[],
  from: number,
  next: string | undefined,
  days: number | undefined,
): boolean {
  if (next === undefined) return false;
  for (let position = from + 1; position < stages.length; position += 1) {
    const later = stages[position]!;
    // Entries are in time order: the first later entry of `next` is the earliest one.
    if (later.stage === next) return withinDays(stages[from]!.at, later.at, days);
  }
  return false;
}

const stageConversion: MetricDefinition = {
  name: "stage-conversion",
  reads: readsSinceFrom,
  title: "Stage conversion",
  definition:
    "For each stage i of the stage order and its successor i+1: `<i>><i+1>:cohort` = of the " +
    "entries into stage i in the period, the share followed by an entry of the same lead into " +
    "i+1 (any later entry, ever or within L days when L is given); `<i>><i+1>:flow` = entries " +
    "into i+1 in the period ÷ entries into i in the period. Stage entries are counted one by one " +
    "(a lead entering a stage twice counts twice). Cohort rates list the leads that entered i; " +
    "flow rates the leads that entered i or i+1. Groups place each entry at its instant, with the " +
    "owner assigned then.",
  compute(history, query) {
    const order = history.stageOrder;
    // A stage's code is its first place in the order. An order may name a stage twice (an
    // agreement whose accept and sales-qualify lead to one stage): its entries then count in
    // each pair it is part of, and conversion is checked per pair when the figures are made.
    const codeOf = new Map<string, number>();
    for (const [index, stage] of order.entries()) if (!codeOf.has(stage)) codeOf.set(stage, index);
    const nextOnce = codeOf.size === order.length;
    const leads = history.leads;
    const items: number[] = [];
    for (let leadIndex = 0; leadIndex < leads.length; leadIndex++) {
      const stages = leads[leadIndex]!.stages;
      for (let position = 0; position < stages.length; position++) {
        const entry = stages[position]!;
        const stage = codeOf.get(entry.stage);
        if (stage === undefined || !inPeriod(entry.at, query.from, query.to)) continue;
        const converted =
          nextOnce && enteredAfter(stages, position, order[stage + 1], query.withinDays);
        items.push(entryCode(leadIndex, position, stage, converted));
      }
    }
    const convertedInto = (code: number, next: string) =>
      nextOnce
        ? codeConverted(code)
        : enteredAfter(leads[codeLead(code)]!.stages, codePosition(code), next, query.withinDays);
    const distinct = new DistinctLeads(history, recordLimit(query));
    const place = (code: number) => {
      const lead = leads[codeLead(code)]!;
      const at = lead.stages[codePosition(code)]!.at;
      return { attributes: leadAttributesAt(lead, at), at };
    };
    return result(
      stageConversion,
      query,
      breakDown(items, query.by, history.timezone, place, (members) => {
        // The entries of each stage, in one pass.
        const byStage: number[][] = order.map(() => []);
        for (const code of members) byStage[codeStage(code)]!.push(code);
        const figures: Record<string, Figure> = {};
        for (let index = 0; index + 1 < order.length; index += 1) {
          const next = order[index + 1]!;
          const into = byStage[codeOf.get(order[index]!)!]!;
          const intoNext = byStage[codeOf.get(next)!]!;
          let converted = 0;
          for (const code of into) if (convertedInto(code, next)) converted++;
          const pair = `${order[index]}>${next}`;
          figures[`${pair}:cohort`] = rateFigure(
            converted,
            into.length,
            distinct.idsAt(codeLead, into),
          );
          figures[`${pair}:flow`] = rateFigure(
            intoNext.length,
            into.length,
            distinct.idsAt(codeLead, into, intoNext),
          );
        }
        return figures;
      }),
    );
  },
};

/** Whether the cycle's qualification ended in a won deal. */
function wonInCycle(cycle: MqlCycle, history: PipelineHistory, won: ReadonlySet<string>): boolean {
  if (cycle.opportunityIds.length > 0) return cycle.opportunityIds.some((id) => won.has(id));
  // No opportunity record (exports without deals): the lead's own won stage inside the cycle.
  return cycle.lead.stages.some(
    (entry) =>
      entry.stage === history.funnel.won &&
      entry.at >= cycle.at &&
      (cycle.end === null || entry.at < cycle.end),
  );
}

const leadToWon: MetricDefinition = {
  name: "lead-to-won",
  reads: readsSinceFrom,
  title: "Lead-to-won (cohort)",
  definition:
    "Of the MQLs of the period (MQL events), the share whose opportunity was won (as of the " +
    "history): an opportunity created in the same MQL cycle with outcome won; a cycle without an " +
    "opportunity record counts as won when the lead entered the won stage during the cycle. " +
    "`rate` lists the leads of the cohort; `won` the won leads.",
  compute(history, query) {
    const won = new Set(
      history.opportunities.filter((entry) => entry.outcome === "won").map((entry) => entry.id),
    );
    const items = cohortOf(history, query);
    const distinct = new DistinctLeads(history, recordLimit(query));
    const cycleLeadIds = (cycles: readonly MqlCycle[]) => distinct.ids(itself, cycles);
    return result(
      leadToWon,
      query,
      breakDown(items, query.by, history.timezone, placeCycle, (members) => {
        const cohort = members.map((item) => item.subject);
        const winners = cohort.filter((cycle) => wonInCycle(cycle, history, won));
        return {
          rate: rateFigure(winners.length, cohort.length, cycleLeadIds(cohort)),
          won: countFigure(cycleLeadIds(winners), winners.length),
        };
      }),
    );
  },
};

/** A decision of the lead at `leadIndex` of the history's own leads (not a LeadReference). */
interface LeadDecisionOfLead {
  lead: LeadHistory;
  leadIndex: number;
  decision: LeadDecision;
}

/** The distinct reason ids of decisions, sorted, so every group shows the same figures. */
function reasonIds(decisions: readonly LeadDecision[]): string[] {
  const reasons = new Set<string>();
  for (const decision of decisions) if (decision.reason !== null) reasons.add(decision.reason);
  return [...reasons].sort();
}

const rejectionMix: MetricDefinition = {
  name: "rejection-mix",
  reads: readsSinceFrom,
  title: "Rejection mix",
  definition:
    "Rejections (decisions reject or disqualify, on any lead, MQL or not) made in the period, by " +
    "approved reason: `rejections` (count), `reason:<id>` (count) and `share:<id>` (that reason ÷ " +
    "all rejections), and `no-reason`: rejections without a reason, counted and listed as a " +
    "hygiene failure. Counts list each lead once. Every group shows every reason of the period. " +
    "Groups place a rejection at its instant, with the owner assigned then.",
  compute(history, query) {
    const items: Placed<"rejection", LeadDecisionOfLead>[] = [];
    history.leads.forEach((lead, leadIndex) => {
      for (const decision of lead.decisions)
        if (
          (decision.kind === "reject" || decision.kind === "disqualify") &&
          inPeriod(decision.at, query.from, query.to)
        )
          items.push({
            role: "rejection",
            subject: { lead, leadIndex, decision },
            at: decision.at,
          });
    });
    const reasons = reasonIds(items.map((item) => item.subject.decision));
    const distinct = new DistinctLeads(history, recordLimit(query));
    // positions in this history's leads
    const distinctLeadIds = (entries: readonly LeadDecisionOfLead[]) =>
      distinct.idsAt((entry) => entry.leadIndex, entries);
    return result(
      rejectionMix,
      query,
      breakDown(items, query.by, history.timezone, placeLeadAt, (members) => {
        const rejections = members.map((item) => item.subject);
        const all = distinctLeadIds(rejections);
        const figures: Record<string, Figure> = {
          rejections: countFigure(all, rejections.length),
        };
        for (const reason of reasons) {
          const given = rejections.filter((entry) => entry.decision.reason === reason);
          const leads = distinctLeadIds(given);
          figures[`reason:${reason}`] = countFigure(leads, given.length);
          figures[`share:${reason}`] = rateFigure(given.length, rejections.length, all);
        }
        const missing = rejections.filter((entry) => entry.decision.reason === null);
        figures["no-reason"] = countFigure(distinctLeadIds(missing), missing.length);
        return figures;
      }),
    );
  },
};

const recycleRate: MetricDefinition = {
  name: "recycle-rate",
  reads: readsSinceFrom,
  title: "Recycle rate",
  definition:
    "Recycled ÷ decided, per reason: `rate` = MQL cycles with a recycle decision in the period ÷ " +
    "MQL cycles whose first decision (accept, convert, reject, disqualify or recycle) fell in the " +
    "period; `reason:<id>` = cycles recycled in the period with that reason ÷ the same decided " +
    "cycles; `no-reason` counts recycles without a reason (a hygiene failure); `recycled` lists " +
    "the recycled leads. Both sides are counted by their own instant, so a lead accepted in one " +
    "period and recycled in the next counts as decided in the first and recycled in the second. " +
    "Rates list the leads of their denominator.",
  compute(history, query) {
    const items: Placed<"decided" | "recycled", MqlCycle>[] = [];
    for (const cycle of mqlCycles(history)) {
      if (cycle.decision !== null && inPeriod(cycle.decision.at, query.from, query.to))
        items.push({ role: "decided", subject: cycle, at: cycle.decision.at });
      if (cycle.recycle !== null && inPeriod(cycle.recycle.at, query.from, query.to))
        items.push({ role: "recycled", subject: cycle, at: cycle.recycle.at });
    }
    const distinct = new DistinctLeads(history, recordLimit(query));
    const cycleLeadIds = (cycles: readonly MqlCycle[]) => distinct.ids(itself, cycles);
    const reasons = reasonIds(
      items.filter((item) => item.role === "recycled").map((item) => item.subject.recycle!),
    );
    return result(
      recycleRate,
      query,
      breakDown(items, query.by, history.timezone, placeCycle, (members) => {
        const decided = subjects(members, "decided");
        const recycled = subjects(members, "recycled");
        const decidedLeads = cycleLeadIds(decided);
        const figures: Record<string, Figure> = {
          rate: rateFigure(recycled.length, decided.length, decidedLeads),
          recycled: countFigure(cycleLeadIds(recycled), recycled.length),
        };
        for (const reason of reasons) {
          const given = recycled.filter((cycle) => cycle.recycle!.reason === reason);
          figures[`reason:${reason}`] = rateFigure(given.length, decided.length, decidedLeads);
        }
        const missing = recycled.filter((cycle) => cycle.recycle!.reason === null);
        figures["no-reason"] = countFigure(cycleLeadIds(missing), missing.length);
        return figures;
      }),
    );
  },
};

/** The volume and conversion metrics, in METRICS.md order. */
export const volumeMetrics: readonly MetricDefinition[] = [
  mqls,
  acceptance,
  mqlToSql,
  stageConversion,
  leadToWon,
  rejectionMix,
  recycleRate,
];
