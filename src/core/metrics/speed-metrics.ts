import { breakDown, type GroupAttributes } from "./grouping.js";
import { leadLookup } from "./lead-lookup.js";
import type { Figure, MetricDefinition, MetricQuery, MetricResult } from "./metric.js";
import { readsSinceFrom } from "./metric.js";
import { cohortCycles, cycleAttributes, type MqlCycle } from "./mql-cycles.js";
import { idleLeads } from "./period-view.js";
import type { PipelineHistory, SlaCycle } from "./pipeline-history.js";
import {
  countFigure,
  DAY,
  HOUR,
  inPeriod,
  MINUTE,
  percentileOfSorted,
  type RecordIds,
  rateFigure,
  recordIds,
  recordLimit,
  valueFigure,
} from "./statistics.js";

/**
 * The "Speed and SLA" metrics of METRICS.md: speed to lead, SLA attainment, open cycles at risk
 * or breached, stuck leads and outcome logging.
 *
 * Boundaries follow the SLA clock (SLA-CLOCKS.md, replay-clock.ts): a cycle is breached at the
 * instant its elapsed business time reaches the goal, so a touch exactly at the goal is a miss,
 * and every "within N" window is half-open [start, start + N), like the metric periods.
 *
 * Drill-down: a rate's records are its numerator's (the leads or cycles that met it); the misses
 * have their own count figure (`missed-goal`, `breached`, `not-logged`). Lead records are listed
 * once per MQL cycle, so a lead qualified twice in the period appears twice, and a count figure
 * always equals its number of records.
 */

const DEFAULT_STUCK_HOURS = 48;

/** A metric whose compute returns its total and groups; the result's header is filled in here. */
function defineMetric(
  description: Pick<MetricDefinition, "name" | "title" | "definition" | "reads">,
  records: MetricResult["records"],
  compute: (history: PipelineHistory, query: MetricQuery) => Pick<MetricResult, "total" | "groups">,
): MetricDefinition {
  return {
    ...description,
    compute(history, query) {
      const { total, groups } = compute(history, query);
      return {
        metric: description.name,
        title: description.title,
        definition: description.definition,
        records,
        from: query.from,
        to: query.to,
        by: query.by ?? null,
        total,
        groups,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Speed to lead

/** Minutes bands of calendar speed to lead, each half-open [from, to). */
export const speedBands = [
  { name: "band:0-5", from: 0, to: 5 },
  { name: "band:5-15", from: 5, to: 15 },
  { name: "band:15-60", from: 15, to: 60 },
  { name: "band:60+", from: 60, to: Number.POSITIVE_INFINITY },
] as const;

/** An MQL cycle of the cohort with its timings worked out once. */
type SpeedItem = TouchedCycle | UntouchedCycle;

interface TouchedCycle {
  cycle: MqlCycle;
  touched: true;
  /** MQL moment → first touch */
  minutes: number;
  businessMinutes: number;
  /** system delay (MQL → assigned) + human delay (assigned → touch); null when never assigned */
  split: { systemMinutes: number; humanMinutes: number } | null;
}

interface UntouchedCycle {
  cycle: MqlCycle;
  touched: false;
  /** age: MQL moment → the cycle's end (a re-qualification) or asOf */
  minutes: number;
  businessMinutes: number;
}

function speedItem(cycle: MqlCycle, history: PipelineHistory): SpeedItem {
  const clock = history.businessClock;
  if (cycle.firstTouchAt !== null) {
    const touch = cycle.firstTouchAt;
    // A touch before the assignment (a rep picking the lead from a queue) ends the system's part
    // there, so system + human delay always add up to the speed.
    const assigned = cycle.assignedAt === null ? null : Math.min(cycle.assignedAt, touch);
    return {
      cycle,
      touched: true,
      minutes: (touch - cycle.at) / MINUTE,
      businessMinutes: clock.minutesBetween(cycle.at, touch, cycle.owner),
      split:
        assigned === null
          ? null
          : {
              systemMinutes: (assigned - cycle.at) / MINUTE,
              humanMinutes: (touch - assigned) / MINUTE,
            },
    };
  }
  const end = cycle.end === null ? history.asOf : Math.min(cycle.end, history.asOf);
  return {
    cycle,
    touched: false,
    minutes: (end - cycle.at) / MINUTE,
    businessMinutes: clock.minutesBetween(cycle.at, end, cycle.owner),
  };
}

function leadIds(limit: number, items: readonly { cycle: MqlCycle }[]): RecordIds {
  return recordIds(limit, items, (item) => item.cycle.lead.id);
}

/** `limit`: the most ids a figure lists (recordLimit) */
function speedFigures(items: readonly SpeedItem[], goalMinutes: number | null, limit: number) {
  const touched: TouchedCycle[] = [];
  const untouched: UntouchedCycle[] = [];
  const split: { cycle: MqlCycle; systemMinutes: number; humanMinutes: number }[] = [];
  for (const item of items) {
    if (!item.touched) {
      untouched.push(item);
      continue;
    }
    touched.push(item);
    if (item.split !== null)
      split.push({
        cycle: item.cycle,
        systemMinutes: item.split.systemMinutes,
        humanMinutes: item.split.humanMinutes,
      });
  }

  // p50 and p90 of one list of minutes, sorted once
  const minutesAt = <Item extends { cycle: MqlCycle }>(
    list: readonly Item[],
    value: (item: Item) => number,
  ): [Figure, Figure] => {
    // filled by index: Float64Array.from with a mapping function iterates generically
    const sorted = new Float64Array(list.length);
    for (let index = 0; index < list.length; index++) sorted[index] = value(list[index]!);
    sorted.sort();
    return [
      valueFigure(percentileOfSorted(sorted, 50), "minutes", leadIds(limit, list)),
      valueFigure(percentileOfSorted(sorted, 90), "minutes", leadIds(limit, list)),
    ];
  };
  const [p50, p90] = minutesAt(touched, (item) => item.minutes);
  const [businessP50, businessP90] = minutesAt(touched, (item) => item.businessMinutes);
  const [systemP50, systemP90] = minutesAt(split, (item) => item.systemMinutes);
  const [humanP50, humanP90] = minutesAt(split, (item) => item.humanMinutes);

  const figures: Record<string, Figure> = {
    "p50-minutes": p50,
    "p90-minutes": p90,
    "p50-business-minutes": businessP50,
    "p90-business-minutes": businessP90,
    "system-delay-p50-minutes": systemP50,
    "system-delay-p90-minutes": systemP90,
    "human-delay-p50-minutes": humanP50,
    "human-delay-p90-minutes": humanP90,
  };

  // Within the goal: touched in fewer business minutes than the goal. Misses: touched at or after
  // it, and untouched cycles whose business age has reached it (they can no longer make it).
  // Untouched cycles still inside the goal are undecided and stay out of the rate.
  const met =
    goalMinutes === null ? [] : touched.filter((item) => item.businessMinutes < goalMinutes);
  const missed =
    goalMinutes === null
      ? []
      : [
          ...touched.filter((item) => item.businessMinutes >= goalMinutes),
          ...untouched.filter((item) => item.businessMinutes >= goalMinutes),
        ];
  figures["within-goal"] = rateFigure(
    met.length,
    met.length + missed.length,
    leadIds(limit, [...met, ...missed]),
  );
  figures["met-goal"] = countFigure(leadIds(limit, met));
  figures["missed-goal"] = countFigure(leadIds(limit, missed));

  for (const band of speedBands) {
    const inBand = touched.filter((item) => item.minutes >= band.from && item.minutes < band.to);
    figures[band.name] = rateFigure(inBand.length, touched.length, leadIds(limit, touched));
    figures[`${band.name}:leads`] = countFigure(leadIds(limit, inBand));
  }
  figures.touched = countFigure(leadIds(limit, touched));
  figures.untouched = countFigure(leadIds(limit, untouched));
  figures["untouched-age-p50-minutes"] = minutesAt(untouched, (item) => item.minutes)[0];
  return figures;
}

const speedToLead = defineMetric(
  {
    name: "speed-to-lead",
    reads: readsSinceFrom,
    title: "Speed to lead",
    definition:
      "First human touch − MQL moment, over the MQL events of the period (a re-qualified lead " +
      "counts once per qualification, with that qualification's touch); split into system delay " +
      "(assigned − MQL; 0 when the lead was already owned at the MQL moment, and never past the " +
      "touch) and human delay (first touch − assigned), for cycles with an assignment. P50 and P90 " +
      "(linear interpolation) in calendar minutes and in business minutes on the owner's SLA " +
      "calendar. Within goal = touched in fewer business minutes than the speed step's goal ÷ " +
      "(touched + untouched whose business age has reached the goal); untouched leads still " +
      "inside the goal are left out, and no speed step gives no rate. Bands 0–5, 5–15, 15–60, 60+ " +
      "calendar minutes, each including its lower bound, as shares of touched leads. Leads not yet " +
      "touched are counted apart with their age (to now, or to their re-qualification).",
  },
  "leads",
  (history, query) => {
    const cohort = cohortCycles(history, query.from, query.to).map((cycle) =>
      speedItem(cycle, history),
    );
    const goal = history.speedStep?.goalMinutes ?? null;
    return breakDown(
      cohort,
      query.by,
      history.timezone,
      (item) => ({ attributes: cycleAttributes(item.cycle), at: item.cycle.at }),
      (items) => speedFigures(items, goal, recordLimit(query)),
    );
  },
);

// ---------------------------------------------------------------------------------------------
// SLA cycles

/** The drill-down id of an SLA cycle: `<leadId>/<step>#<cycle>`. */
export function slaCycleId(cycle: SlaCycle): string {
  return `${cycle.leadId}/${cycle.step}#${cycle.cycle}`;
}

function cycleIds(limit: number, cycles: readonly SlaCycle[]): RecordIds {
  return recordIds(limit, cycles, slaCycleId);
}

/**
 * The instant a cycle's outcome was settled, which places it in a period: met and cancelled
 * when they ended, breached when it passed its due (whether it has ended since or not, so a
 * breach never moves to a later period when the lead is finally touched); null while undecided.
 */
export function settledAt(cycle: SlaCycle): number | null {
  switch (cycle.state) {
    case "met":
    case "cancelled":
      return cycle.endedAt;
    case "breached":
      return cycle.dueAt ?? cycle.endedAt;
    case "running":
    case "paused":
      return null;
  }
}

/** SLA cycles carry no campaign; it is the lead's. */
function slaAttributes(history: PipelineHistory): (cycle: SlaCycle) => GroupAttributes {
  const leadOf = leadLookup(history);
  return (cycle) => ({
    source: cycle.source,
    campaign: leadOf(cycle.leadId, cycle.leadPosition)?.campaign ?? null,
    segment: cycle.segment,
    team: cycle.team,
    owner: cycle.owner,
  });
}

function ofStep(cycles: readonly SlaCycle[], step: string | undefined): readonly SlaCycle[] {
  return step === undefined ? cycles : cycles.filter((cycle) => cycle.step === step);
}

function attainmentFigures(cycles: readonly SlaCycle[], limit: number): Record<string, Figure> {
  const attainment = (list: readonly SlaCycle[]): Figure => {
    const met = list.filter((cycle) => cycle.state === "met");
    const breached = list.filter((cycle) => cycle.state === "breached");
    return rateFigure(
      met.length,
      met.length + breached.length,
      cycleIds(limit, [...met, ...breached]),
    );
  };
  const figures: Record<string, Figure> = {
    attainment: attainment(cycles),
    met: countFigure(
      cycleIds(
        limit,
        cycles.filter((cycle) => cycle.state === "met"),
      ),
    ),
    breached: countFigure(
      cycleIds(
        limit,
        cycles.filter((cycle) => cycle.state === "breached"),
      ),
    ),
    cancelled: countFigure(
      cycleIds(
        limit,
        cycles.filter((cycle) => cycle.state === "cancelled"),
      ),
    ),
  };
  const steps = [...new Set(cycles.map((cycle) => cycle.step))].sort();
  for (const step of steps)
    figures[`step:${step}`] = attainment(cycles.filter((cycle) => cycle.step === step));
  return figures;
}

const slaAttainment = defineMetric(
  {
    name: "sla-attainment",
    reads: readsSinceFrom,
    title: "SLA attainment",
    definition:
      "Met ÷ (met + breached) SLA cycles, cancelled excluded, over the cycles settled in the " +
      "period: met and cancelled cycles when they ended, breached cycles (open or closed) at their " +
      "due instant, so a breach stays in the period it happened. Running and paused cycles are not " +
      "yet settled. A cycle fulfilled exactly at its due is breached, as on the SLA clock. " +
      "Per SLA step (step:<id> figures, or one step when asked), team, rep, source and segment.",
  },
  "cycles",
  (history, query) => {
    const settled = ofStep(history.cycles, query.step).filter((cycle) =>
      inPeriod(settledAt(cycle), query.from, query.to),
    );
    const attributes = slaAttributes(history);
    return breakDown(
      settled,
      query.by,
      history.timezone,
      (cycle) => ({ attributes: attributes(cycle), at: settledAt(cycle)! }),
      (cycles) => attainmentFigures(cycles, recordLimit(query)),
    );
  },
);

/** The instant `open-at-risk` looks at: the end of the period, or now if that is earlier. */
export function riskMoment(history: PipelineHistory, query: MetricQuery): number {
  return Math.min(query.to, history.asOf);
}

function openAtRiskFigures(
  cycles: readonly SlaCycle[],
  moment: number,
  limit: number,
): Record<string, Figure> {
  const breached = cycles.filter((cycle) => cycle.dueAt !== null && cycle.dueAt <= moment);
  const atRisk = cycles.filter(
    (cycle) =>
      (cycle.dueAt === null || cycle.dueAt > moment) &&
      cycle.firstWarningAt !== null &&
      cycle.firstWarningAt <= moment,
  );
  return {
    open: countFigure(cycleIds(limit, cycles)),
    "at-risk": countFigure(cycleIds(limit, atRisk)),
    breached: countFigure(cycleIds(limit, breached)),
  };
}

const openAtRisk = defineMetric(
  {
    name: "open-at-risk",
    title: "Open cycles at risk or breached",
    definition:
      "SLA cycles open at the moment asked — the end of the period, or now if that is earlier — " +
      "that are past their first warning but not yet due (at risk) or past their due (breached). " +
      "Open at a moment: started at or before it and not ended by it, whatever the cycle became " +
      "later. Warnings and dues are the cycles' current ones (a pause after that moment may have " +
      "moved them). The period's start plays no part: this is a snapshot.",
  },
  "cycles",
  (history, query) => {
    const moment = riskMoment(history, query);
    const open = ofStep(history.cycles, query.step).filter(
      (cycle) => cycle.startedAt <= moment && (cycle.endedAt === null || cycle.endedAt > moment),
    );
    const attributes = slaAttributes(history);
    return breakDown(
      open,
      query.by,
      history.timezone,
      (cycle) => ({ attributes: attributes(cycle), at: cycle.startedAt }),
      (cycles) => openAtRiskFigures(cycles, moment, recordLimit(query)),
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Stuck leads

const stuckLeads = defineMetric(
  {
    name: "stuck-leads",
    title: "Stuck leads",
    definition:
      "Leads now in one of the given stages (default New and Working) that entered it more than " +
      "N hours ago (default 48; exactly N is not stuck) with no activity and no touch since " +
      "entering it; count, median age in hours and the list, by owner. A snapshot as of now: " +
      "the period does not filter it.",
  },
  "leads",
  (history, query) => {
    const stages = query.stages ?? history.funnel.stuck;
    const watched = new Set(stages);
    const idleLimit = (query.stuckHours ?? DEFAULT_STUCK_HOURS) * HOUR;
    // in a watched stage, idle since entering it (idleLeads), for longer than the limit; a stuck
    // lead's idle instant is its stage entry, so ages and stages are read from the kept arrays
    // and a count-only request touches no lead object (a million leads hold 400,000 stuck ones)
    const idle = idleLeads(history);
    const isWatched = idle.stages.map((stage) => watched.has(stage));
    const stuck: number[] = [];
    // page by page (see PagedNumbers)
    for (let page = 0, index = 0; page < idle.stage.pages.length; page++) {
      const stageCodes = idle.stage.pages[page]!;
      const since = idle.idleSince.pages[page]!;
      for (
        let offset = 0;
        offset < stageCodes.length && index < history.leads.length;
        offset++, index++
      )
        if (isWatched[stageCodes[offset]!] && history.asOf - since[offset]! > idleLimit)
          stuck.push(index);
    }
    const leads = history.leads;
    const limit = recordLimit(query);
    // each asked stage's code in the kept arrays (-1: no lead has been in it)
    const codes = stages.map((stage) => idle.stages.indexOf(stage));
    const figures = (positions: readonly number[]): Record<string, Figure> => {
      // One pass: the ages, and each stage's count with the ids it lists (up to the limit: a
      // count-only request keeps no list of a million stuck leads).
      const ages = new Float64Array(positions.length);
      const byStage = new Map<number, { count: number; ids: string[] }>();
      for (const code of codes) if (code !== -1) byStage.set(code, { count: 0, ids: [] });
      for (let index = 0; index < positions.length; index++) {
        const position = positions[index]!;
        ages[index] = (history.asOf - idle.idleSince.at(position)) / HOUR;
        const stage = byStage.get(idle.stage.at(position));
        if (stage === undefined) continue;
        stage.count++;
        if (stage.ids.length < limit) stage.ids.push(leads[position]!.id);
      }
      const ids = recordIds(limit, positions, (position) => leads[position]!.id);
      const result: Record<string, Figure> = {
        stuck: countFigure(ids),
        "age-p50-hours": valueFigure(percentileOfSorted(ages.sort(), 50), "hours", ids),
      };
      for (const [index, stage] of stages.entries()) {
        const { count, ids: stageIds } = byStage.get(codes[index]!) ?? { count: 0, ids: [] };
        result[`stage:${stage}`] = countFigure(
          limit === Number.POSITIVE_INFINITY ? stageIds : { ids: stageIds, count },
        );
      }
      return result;
    };
    return breakDown(
      stuck,
      query.by,
      history.timezone,
      // A lead carries the group attributes itself (source, campaign, segment, team, owner).
      (position) => ({ attributes: leads[position]!, at: leads[position]!.stageEnteredAt }),
      figures,
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Outcome logging

interface OutcomeItem {
  cycle: MqlCycle;
  /** the deadline has passed at asOf */
  due: boolean;
  /** a disposition was logged before the deadline */
  logged: boolean;
}

function outcomeFigures(items: readonly OutcomeItem[], limit: number): Record<string, Figure> {
  const due = items.filter((item) => item.due);
  const logged = due.filter((item) => item.logged);
  return {
    rate: rateFigure(logged.length, due.length, leadIds(limit, due)),
    logged: countFigure(leadIds(limit, logged)),
    "not-logged": countFigure(
      leadIds(
        limit,
        due.filter((item) => !item.logged),
      ),
    ),
    pending: countFigure(
      leadIds(
        limit,
        items.filter((item) => !item.due),
      ),
    ),
  };
}

const outcomeLogging = defineMetric(
  {
    name: "outcome-logging",
    reads: readsSinceFrom,
    title: "Outcome logging",
    definition:
      "Of the MQL events of the period whose deadline (MQL moment + the committed number of days) " +
      "has passed, the share with a logged outcome — accept, reject, disqualify, convert or " +
      "recycle — before the deadline. Events whose deadline is still ahead are counted apart as " +
      "pending, logged or not.",
  },
  "leads",
  (history, query) => {
    const window = history.outcomeDays * DAY;
    const cohort: OutcomeItem[] = cohortCycles(history, query.from, query.to).map((cycle) => {
      const deadline = cycle.at + window;
      return {
        cycle,
        due: deadline <= history.asOf,
        logged: cycle.decision !== null && cycle.decision.at < deadline,
      };
    });
    return breakDown(
      cohort,
      query.by,
      history.timezone,
      (item) => ({ attributes: cycleAttributes(item.cycle), at: item.cycle.at }),
      (items) => outcomeFigures(items, recordLimit(query)),
    );
  },
);

export const speedMetrics: readonly MetricDefinition[] = [
  speedToLead,
  slaAttainment,
  openAtRisk,
  stuckLeads,
  outcomeLogging,
];
