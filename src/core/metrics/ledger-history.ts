import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { BusinessCalendar } from "../calendar/index.js";
import { type Activity, type FieldRecord, isTouch } from "../lead/lead.js";
import type { StoredEvent } from "../ledger/ledger-event.js";
import { autoQualifyTransition } from "../pipeline/handoff-rules.js";
import {
  type ClockEvent,
  type Cycle,
  type CycleState,
  type ResolveCalendar,
  replayClock,
} from "../sla/index.js";
import { commitmentsFromAgreement } from "./commitments.js";
import {
  type BusinessClock,
  type CommitmentTarget,
  type DecisionKind,
  decisionKinds,
  type FunnelStages,
  type LeadHistory,
  type MarketingTouch,
  type OpportunityHistory,
  type PipelineHistory,
  type SlaCycle,
  type SlaCycleState,
  type StageEntry,
} from "./pipeline-history.js";
import { MINUTE } from "./statistics.js";

/**
 * The engine's own ledger folded into the pipeline history every metric reads, incrementally:
 * `apply` each stored event in id order, then `snapshot(asOf)` for a history as of an instant.
 * Each snapshot is a new object (metrics memoise per history), sharing the lead, opportunity and
 * closed-cycle objects that did not change since the previous snapshot.
 *
 * Mapping (METRICS.md is silent on these; the API and the CLI state them):
 * - source and campaign: the lead's first non-empty `fields.source` / `fields.campaign` (its
 *   original source, which marketing-sourced pipeline classifies); a later resubmission does not
 *   change them, an explicit field change (`lead.fields_changed`, a correction) does. Segment:
 *   the latest `company.segment`, else `fields.segment`.
 * - decisions: stage changes whose action is accept, reject, recycle, convert or disqualify,
 *   with the change's reason.
 * - team of an assignment: the person's team in the agreement in force when it was folded; a
 *   queue's own team.
 * - touches: activities logged as touches, and the touches (isTouch) a lead arrived with.
 * - marketing touches: activities of kinds form_submit, webinar, content_download, page_view,
 *   email_click and intent_signal; the channel is the activity's own `fields.campaign`, else its
 *   `fields.source`, else the lead's source.
 * - contextComplete: the latest context check (the context as the current handoff sees it).
 * - SLA cycles: each clock log replayed as of the snapshot; owner and team are the lead's
 *   assignment in force when the cycle ended (or at `asOf` while open), else its current owner.
 */

/** Activity kinds that are marketing interactions (influence, attribution). */
export const marketingTouchKinds = [
  "form_submit",
  "webinar",
  "content_download",
  "page_view",
  "email_click",
  "intent_signal",
] as const;
const marketingKinds: ReadonlySet<string> = new Set(marketingTouchKinds);

/** What a history needs besides the events: the agreement's reading of the funnel and time. */
export interface HistorySettings {
  timezone: string;
  funnel: FunnelStages;
  stageOrder: string[];
  marketingSources: string[];
  speedStep: { step: string; goalMinutes: number } | null;
  outcomeDays: number;
  acceptanceDays: number;
  businessClock: BusinessClock;
  commitments: CommitmentTarget[];
  /** a person's team (for assignments), null when the agreement does not know them */
  teamOf(person: string): string | null;
  /** calendar refs of clock events (`<calendar>@<version>`) to calendars, for the replay */
  resolveCalendar: ResolveCalendar;
}

const defaultOutcomeDays = 5;

/**
 * The settings a compiled agreement gives:
 * - funnel: new = the lifecycle's initial stage; mql = the stage the auto-qualify action enters;
 *   sal = the target of `accept`; sql = the target of `qualify_sales` (or a stage with id sql);
 *   opportunity, won, lost = the targets of convert, win, lose; stuck = [new, sal].
 * - speed step: the step the touched_within_sla_rate commitment names, else the clock step that
 *   starts on entering the MQL stage; its goal is the catch-all (last) goal's target minutes.
 * - outcome days: the outcome_logging_rate commitment's within_days (default 5); the acceptance
 *   deadline of strict acceptance is the same number of days.
 * - business clock: the owner's calendar (their own, else their team's), else the speed step's
 *   team calendar, else calendar time.
 */
export function historySettingsOf(
  compiled: CompiledAgreement,
  resolveCalendar: ResolveCalendar,
): HistorySettings {
  const { agreement, lifecycle } = compiled;
  const targetOf = (action: string): string | undefined => {
    for (const byAction of lifecycle.transitionsFrom.values()) {
      const transition = byAction.get(action);
      if (transition !== undefined) return transition.to;
    }
    return undefined;
  };
  const initial = lifecycle.initial;
  const sal = targetOf("accept") ?? "working";
  const funnel: FunnelStages = {
    new: initial,
    mql: autoQualifyTransition(lifecycle)?.to ?? "mql",
    sal,
    sql: targetOf("qualify_sales") ?? "sql",
    opportunity: targetOf("convert") ?? "opportunity",
    won: targetOf("win") ?? "won",
    lost: targetOf("lose") ?? "lost",
    stuck: [initial, sal],
  };
  const commitments = commitmentsFromAgreement(agreement);
  const named = commitments.find((commitment) => commitment.metric === "touched_within_sla_rate");
  const clockSteps = compiled.clockSteps.map((compiledStep) => compiledStep.step);
  const speed =
    clockSteps.find((step) => step.id === named?.step) ??
    clockSteps.find((step) => step.start_on.includes(`enter:${funnel.mql}`));
  const goalMinutes = speed?.goals.findLast(
    (goal) => goal.target_minutes !== undefined,
  )?.target_minutes;
  const outcomeDays =
    commitments.find((commitment) => commitment.metric === "outcome_logging_rate")?.withinDays ??
    defaultOutcomeDays;

  const calendarOfPerson = new Map<string, BusinessCalendar>();
  for (const [id, person] of Object.entries(agreement.people)) {
    const name = person.calendar ?? agreement.teams[person.team]?.calendar;
    const calendar = name === undefined ? undefined : compiled.calendars.get(name);
    if (calendar !== undefined) calendarOfPerson.set(id, calendar);
  }
  const speedTeamCalendar =
    speed === undefined ? undefined : agreement.teams[speed.owner]?.calendar;
  const fallback =
    speedTeamCalendar === undefined ? undefined : compiled.calendars.get(speedTeamCalendar);
  const businessClock: BusinessClock = {
    minutesBetween(from, to, owner) {
      const calendar = (owner === null ? undefined : calendarOfPerson.get(owner)) ?? fallback;
      if (calendar === undefined) return (to - from) / MINUTE;
      return to >= from
        ? calendar.elapsed(from, to) / MINUTE
        : -calendar.elapsed(to, from) / MINUTE;
    },
  };

  return {
    timezone: agreement.timezone,
    funnel,
    stageOrder: [funnel.new, funnel.mql, funnel.sal, funnel.sql, funnel.opportunity, funnel.won],
    marketingSources: agreement.sources?.marketing ?? [],
    speedStep:
      speed === undefined || goalMinutes === undefined ? null : { step: speed.id, goalMinutes },
    outcomeDays,
    acceptanceDays: outcomeDays,
    businessClock,
    commitments,
    teamOf: (person) =>
      Object.hasOwn(agreement.people, person) ? (agreement.people[person]?.team ?? null) : null,
    resolveCalendar,
  };
}

/** A lead while the fold builds it: the published shape plus what the fold keeps aside. */
interface LeadDraft {
  history: Omit<LeadHistory, "stages" | "assignments" | "touches" | "decisions"> & {
    stages: StageEntry[];
    assignments: LeadHistory["assignments"];
    touches: number[];
    decisions: LeadHistory["decisions"];
  };
  /** the published object, undefined while it has unpublished changes */
  published: LeadHistory | undefined;
  index: number;
  clocks: string[];
}

interface OpportunityDraft {
  history: OpportunityHistory;
  published: OpportunityHistory | undefined;
  index: number;
}

interface ClockDraft {
  id: string;
  leadId: string;
  step: string;
  events: ClockEvent[];
  /** replayed at `replayedAt` (the latest event's instant); undefined after the log grew */
  replay: { cycles: Cycle[]; at: number } | undefined;
  /** rows of the cycles that ended, valid while neither the clock nor its lead changed */
  closedRows: SlaCycle[] | undefined;
}

export interface FoldReport {
  /** events folded into the history */
  applied: number;
  /** events that were not about the pipeline (agreements, accounts, scores, escalations) */
  ignored: number;
  /** events about a lead or opportunity the fold never saw created: skipped, and counted */
  orphaned: number;
  /** clocks whose log could not be replayed (an unknown calendar version) at the last snapshot */
  unreplayable: number;
  lastEventId: number;
}

export class LedgerHistoryBuilder {
  #settings: HistorySettings;
  readonly #leads = new Map<string, LeadDraft>();
  readonly #leadOrder: LeadHistory[] = [];
  readonly #dirtyLeads = new Set<LeadDraft>();
  readonly #opportunities = new Map<string, OpportunityDraft>();
  readonly #opportunityOrder: OpportunityHistory[] = [];
  readonly #dirtyOpportunities = new Set<OpportunityDraft>();
  readonly #clocks = new Map<string, ClockDraft>();
  readonly #report: FoldReport = {
    applied: 0,
    ignored: 0,
    orphaned: 0,
    unreplayable: 0,
    lastEventId: 0,
  };

  constructor(settings: HistorySettings) {
    this.#settings = settings;
  }

  /** The agreement changed (a new version was activated): later snapshots read it. */
  setSettings(settings: HistorySettings): void {
    this.#settings = settings;
    for (const clock of this.#clocks.values()) clock.closedRows = undefined;
  }

  get lastEventId(): number {
    return this.#report.lastEventId;
  }

  report(): FoldReport {
    return { ...this.#report };
  }

  apply(event: StoredEvent): void {
    this.#report.lastEventId = Math.max(this.#report.lastEventId, event.id);
    const folded = this.#fold(event);
    if (folded === "applied") this.#report.applied += 1;
    else if (folded === "ignored") this.#report.ignored += 1;
    else this.#report.orphaned += 1;
  }

  #fold(event: StoredEvent): "applied" | "ignored" | "orphaned" {
    switch (event.type) {
      case "lead.created": {
        if (this.#leads.has(event.streamId)) return "orphaned";
        const data = event.data;
        const index = this.#leadOrder.length;
        const draft: LeadDraft = {
          history: {
            id: event.streamId,
            createdAt: event.at,
            source: text(data.fields.source),
            campaign: text(data.fields.campaign),
            segment: text(data.company.segment) ?? text(data.fields.segment),
            owner: null,
            team: null,
            stage: data.stage,
            stageEnteredAt: event.at,
            stages: [{ stage: data.stage, at: event.at }],
            assignments: [],
            touches: [],
            lastActivityAt: null,
            decisions: [],
            contextComplete: null,
            marketingTouches: [],
            opportunityIds: [],
          },
          published: undefined,
          index,
          clocks: [],
        };
        this.#leads.set(event.streamId, draft);
        this.#leadOrder.push(undefined as unknown as LeadHistory);
        this.#addActivities(draft, data.activities);
        this.#dirtyLeads.add(draft);
        return "applied";
      }
      case "lead.resubmitted": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        const lead = draft.history;
        lead.source ??= text(event.data.fields.source);
        lead.campaign ??= text(event.data.fields.campaign);
        lead.segment = segmentOf(event.data.company, event.data.fields) ?? lead.segment;
        this.#addActivities(draft, event.data.activities);
        return "applied";
      }
      case "lead.fields_changed": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        const fields = event.data.fields;
        if (Object.hasOwn(fields, "source")) draft.history.source = text(fields.source);
        if (Object.hasOwn(fields, "campaign")) draft.history.campaign = text(fields.campaign);
        if (Object.hasOwn(fields, "segment"))
          draft.history.segment = text(fields.segment) ?? draft.history.segment;
        return "applied";
      }
      case "lead.stage_changed": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        const lead = draft.history;
        insertByTime(lead.stages, { stage: event.data.to, at: event.at });
        const last = lead.stages[lead.stages.length - 1]!;
        lead.stage = last.stage;
        lead.stageEnteredAt = last.at;
        if (isDecision(event.data.action))
          insertByTime(lead.decisions, {
            kind: event.data.action,
            at: event.at,
            reason: event.data.reason ?? null,
          });
        return "applied";
      }
      case "lead.assigned": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        const owner = event.data.owner;
        const team = owner.kind === "queue" ? owner.team : this.#settings.teamOf(owner.id);
        insertByTime(draft.history.assignments, { at: event.at, owner: owner.id, team });
        const current = draft.history.assignments[draft.history.assignments.length - 1]!;
        draft.history.owner = current.owner;
        draft.history.team = current.team;
        return "applied";
      }
      case "lead.activity_logged": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        this.#addActivities(draft, [event.data.activity], event.data.touch);
        return "applied";
      }
      case "lead.context_checked": {
        const draft = this.#lead(event.streamId);
        if (draft === undefined) return "orphaned";
        draft.history.contextComplete = event.data.missing.length === 0;
        return "applied";
      }
      case "opportunity.opened": {
        const lead = this.#lead(event.data.leadId);
        if (lead === undefined || this.#opportunities.has(event.streamId)) return "orphaned";
        const owner = event.data.owner ?? lead.history.owner;
        const draft: OpportunityDraft = {
          history: {
            id: event.streamId,
            leadId: event.data.leadId,
            createdAt: event.at,
            closedAt: null,
            outcome: null,
            amount: event.data.amount,
            stages: [{ stage: event.data.stage, at: event.at }],
            source: null,
            campaign: null,
            segment: null,
            owner,
            team:
              owner === lead.history.owner
                ? lead.history.team
                : owner === null
                  ? null
                  : this.#settings.teamOf(owner),
            reason: null,
          },
          published: undefined,
          index: this.#opportunityOrder.length,
        };
        this.#opportunities.set(event.streamId, draft);
        this.#opportunityOrder.push(undefined as unknown as OpportunityHistory);
        this.#dirtyOpportunities.add(draft);
        lead.history.opportunityIds.push(event.streamId);
        return "applied";
      }
      case "opportunity.stage_changed": {
        const draft = this.#opportunity(event.streamId);
        if (draft === undefined) return "orphaned";
        insertByTime(draft.history.stages, { stage: event.data.to, at: event.at });
        if (event.data.amount !== undefined) draft.history.amount = event.data.amount;
        return "applied";
      }
      case "opportunity.closed": {
        const draft = this.#opportunity(event.streamId);
        if (draft === undefined) return "orphaned";
        draft.history.closedAt = event.at;
        draft.history.outcome = event.data.outcome;
        draft.history.reason = event.data.outcome === "lost" ? (event.data.reason ?? null) : null;
        if (event.data.amount !== undefined) draft.history.amount = event.data.amount;
        return "applied";
      }
      case "clock.event": {
        const lead = this.#leads.get(event.data.leadId);
        if (lead === undefined) return "orphaned";
        let clock = this.#clocks.get(event.streamId);
        if (clock === undefined) {
          clock = {
            id: event.streamId,
            leadId: event.data.leadId,
            step: event.data.step,
            events: [],
            replay: undefined,
            closedRows: undefined,
          };
          this.#clocks.set(event.streamId, clock);
          lead.clocks.push(event.streamId);
        }
        clock.events.push({ ...event.data.event, seq: event.id } as ClockEvent);
        clock.replay = undefined;
        clock.closedRows = undefined;
        return "applied";
      }
      default:
        return "ignored";
    }
  }

  /** A lead to change: marked for publishing, its clocks' rows and opportunities with it. */
  #lead(id: string): LeadDraft | undefined {
    const draft = this.#leads.get(id);
    if (draft === undefined) return undefined;
    this.#dirtyLeads.add(draft);
    for (const clockId of draft.clocks) {
      const clock = this.#clocks.get(clockId);
      if (clock !== undefined) clock.closedRows = undefined;
    }
    for (const opportunityId of draft.history.opportunityIds) {
      const opportunity = this.#opportunities.get(opportunityId);
      if (opportunity !== undefined) this.#dirtyOpportunities.add(opportunity);
    }
    return draft;
  }

  #opportunity(id: string): OpportunityDraft | undefined {
    const draft = this.#opportunities.get(id);
    if (draft !== undefined) this.#dirtyOpportunities.add(draft);
    return draft;
  }

  #addActivities(draft: LeadDraft, activities: readonly Activity[], logged?: boolean): void {
    const lead = draft.history;
    for (const activity of activities) {
      if (lead.lastActivityAt === null || activity.at > lead.lastActivityAt)
        lead.lastActivityAt = activity.at;
      if (logged ?? isTouch(activity)) insertNumber(lead.touches, activity.at);
      if (marketingKinds.has(activity.type)) {
        const touch: MarketingTouch = {
          at: activity.at,
          kind: activity.type,
          channel: text(activity.fields?.campaign) ?? text(activity.fields?.source) ?? lead.source,
        };
        insertByTime(lead.marketingTouches, touch);
      }
    }
  }

  /**
   * The history as of `asOf`: leads, opportunities and cycles as the events folded so far tell
   * them (events dated after `asOf` are the caller's to leave out; clocks are replayed as of it).
   */
  snapshot(asOf: number): PipelineHistory {
    for (const draft of this.#dirtyLeads) {
      const lead = draft.history;
      draft.published = {
        ...lead,
        stages: [...lead.stages],
        assignments: [...lead.assignments],
        touches: [...lead.touches],
        decisions: [...lead.decisions],
        marketingTouches: [...lead.marketingTouches],
        opportunityIds: [...lead.opportunityIds],
      };
      this.#leadOrder[draft.index] = draft.published;
    }
    this.#dirtyLeads.clear();
    for (const draft of this.#dirtyOpportunities) {
      const opportunity = draft.history;
      const lead = this.#leads.get(opportunity.leadId ?? "")?.history;
      draft.published = {
        ...opportunity,
        stages: [...opportunity.stages],
        source: lead?.source ?? null,
        campaign: lead?.campaign ?? null,
        segment: lead?.segment ?? null,
      };
      this.#opportunityOrder[draft.index] = draft.published;
    }
    this.#dirtyOpportunities.clear();

    const settings = this.#settings;
    const cycles: SlaCycle[] = [];
    let unreplayable = 0;
    for (const clock of this.#clocks.values()) {
      if (clock.replay === undefined) {
        const at = clock.events.reduce((latest, event) => Math.max(latest, event.at), 0);
        const replayed = replayClock(clock.events, settings.resolveCalendar, at, clock.id);
        if (!replayed.ok) {
          unreplayable += 1;
          continue;
        }
        clock.replay = { cycles: replayed.value.cycles, at };
      }
      const lead = this.#leads.get(clock.leadId)!.history;
      if (clock.closedRows === undefined)
        clock.closedRows = clock.replay.cycles
          .filter((cycle) => cycle.stoppedAt !== null)
          .map((cycle) => cycleRow(clock, lead, cycle, cycle.stoppedAt!, clock.replay!.at));
      for (const row of clock.closedRows) if (row.startedAt <= asOf) cycles.push(row);
      for (const cycle of clock.replay.cycles)
        if (cycle.stoppedAt === null && cycle.startedAt <= asOf)
          cycles.push(
            cycleRow(clock, lead, cycle, asOf, clock.replay.at, settings.resolveCalendar),
          );
    }
    this.#report.unreplayable = unreplayable;

    return {
      timezone: settings.timezone,
      asOf,
      funnel: settings.funnel,
      stageOrder: settings.stageOrder,
      marketingSources: settings.marketingSources,
      speedStep: settings.speedStep,
      outcomeDays: settings.outcomeDays,
      acceptanceDays: settings.acceptanceDays,
      businessClock: settings.businessClock,
      leads: this.#leadOrder.slice(),
      opportunities: this.#opportunityOrder.slice(),
      cycles,
      commitments: settings.commitments,
    };
  }
}

const stateOf: Record<CycleState, SlaCycleState> = {
  running: "running",
  paused: "paused",
  met: "met",
  "breached-open": "breached",
  "breached-closed": "breached",
  cancelled: "cancelled",
};

/**
 * One cycle as a row. An open cycle was replayed as of the clock's latest event; at `asOf` later
 * than that it has run on (unless paused) by the business time of its calendar in between, and
 * is breached once its due has passed.
 */
function cycleRow(
  clock: ClockDraft,
  lead: LeadDraft["history"],
  cycle: Cycle,
  end: number,
  replayedAt: number,
  resolveCalendar?: ResolveCalendar,
): SlaCycle {
  let owner = lead.owner;
  let team = lead.team;
  for (const assignment of lead.assignments) {
    if (assignment.at > end) break;
    owner = assignment.owner;
    team = assignment.team;
  }
  const open = cycle.stoppedAt === null;
  let elapsedMs = cycle.elapsedBusinessMs;
  let state = stateOf[cycle.state];
  const dueAt = cycle.dueAt !== null && Number.isFinite(cycle.dueAt) ? cycle.dueAt : null;
  if (open) {
    if (!cycle.paused && end > replayedAt)
      elapsedMs += resolveCalendar?.(cycle.calendarRef)?.elapsed(replayedAt, end) ?? 0;
    if (dueAt !== null && dueAt <= end) state = "breached";
  }
  const firstWarning = cycle.warnings
    .map((warning) => warning.dueAt)
    .filter((at): at is number => at !== null && Number.isFinite(at))
    .sort((a, b) => a - b)[0];
  return {
    leadId: clock.leadId,
    step: clock.step,
    cycle: cycle.id,
    owner,
    team,
    source: lead.source,
    segment: lead.segment,
    startedAt: cycle.startedAt,
    dueAt,
    firstWarningAt: firstWarning ?? null,
    endedAt: cycle.stoppedAt,
    state,
    goalMinutes: cycle.goal.targetMs / MINUTE,
    elapsedBusinessMinutes: elapsedMs / MINUTE,
  };
}

function text(value: unknown): string | null {
  if (typeof value !== "string") return null;
  return value.trim() === "" ? null : value;
}

function segmentOf(company: FieldRecord, fields: FieldRecord): string | null {
  return text(company.segment) ?? text(fields.segment);
}

function isDecision(action: string): action is DecisionKind {
  return (decisionKinds as readonly string[]).includes(action);
}

/** Appends in time order; an entry dated before the last goes before it (late CRM events). */
function insertByTime<Entry extends { at: number }>(list: Entry[], entry: Entry): void {
  let index = list.length;
  while (index > 0 && list[index - 1]!.at > entry.at) index -= 1;
  list.splice(index, 0, entry);
}

function insertNumber(list: number[], value: number): void {
  let index = list.length;
  while (index > 0 && list[index - 1]! > value) index -= 1;
  list.splice(index, 0, value);
}
