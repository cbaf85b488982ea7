import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { BusinessCalendar } from "../calendar/index.js";
import { type Activity, type FieldRecord, isTouch } from "../lead/lead.js";
import type { LedgerEventData, LedgerEventType } from "../ledger/ledger-event.js";
import { autoQualifyTransition } from "../pipeline/handoff-rules.js";
import {
  type ClockEvent,
  type Cycle,
  type CycleState,
  type GoalSnapshot,
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

/*
 * How the fold stays O(1) per event and a snapshot O(what changed):
 * - every list of a lead or opportunity (stages, touches, …) is replaced, never changed in place,
 *   so a published object shares its lists with the draft that follows it;
 * - a draft published by a snapshot is copied (shallowly) before its next change, so an earlier
 *   snapshot never sees later events, and a lead that did not change is the same object;
 * - a clock keeps its log and, once replayed, only the rows of its ended cycles (in a table every
 *   snapshot copies) and what its open cycles need to run on to `asOf`; it is replayed again at
 *   the next snapshot after its log grew, and its rows are renamed after its lead's owner, team,
 *   source or segment changed.
 */

/** A lead as the fold keeps it. */
interface LeadDraft {
  history: LeadHistory;
  /** `history` is the object the last snapshot published: copy it before changing it */
  published: boolean;
  index: number;
  clocks: ClockDraft[];
  opportunities: OpportunityDraft[];
}

interface OpportunityDraft {
  history: OpportunityHistory;
  published: boolean;
  index: number;
}

/** What an open cycle needs to be a row at any later `asOf`. */
interface OpenCycle {
  cycle: number;
  startedAt: number;
  dueAt: number | null;
  firstWarningAt: number | null;
  paused: boolean;
  state: SlaCycleState;
  /** net business ms as of `replayedAt` */
  elapsedMs: number;
  replayedAt: number;
  calendarRef: string;
  goalMinutes: number;
}

interface ClockDraft {
  id: string;
  leadId: string;
  step: string;
  lead: LeadDraft;
  events: ClockEvent[];
  /** the log grew since the last replay */
  stale: boolean;
  /** queued for the next snapshot (log grew, or its lead's names for rows changed) */
  dirty: boolean;
  /** rows of the cycles that ended, and where they sit in the table of ended-cycle rows */
  closed: SlaCycle[];
  slots: number[];
  open: OpenCycle[];
}

/** An empty list, shared: lists are never changed in place. */
const none: never[] = [];

/** What the fold reads of a stored event (a StoredEvent is one): the rest is never read. */
export type FoldedEvent = {
  [Type in LedgerEventType]: {
    /** the ledger id: the order of the fold, and a clock event's `seq` */
    id: number;
    type: Type;
    streamId: string;
    /** epoch ms the fact happened */
    at: number;
    data: LedgerEventData[Type];
  };
}[LedgerEventType];

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
  #dirtyLeads: LeadDraft[] = [];
  readonly #opportunities = new Map<string, OpportunityDraft>();
  readonly #opportunityOrder: OpportunityHistory[] = [];
  #dirtyOpportunities: OpportunityDraft[] = [];
  readonly #clocks = new Map<string, ClockDraft>();
  #dirtyClocks: ClockDraft[] = [];
  /** clocks with an open cycle: their rows are made anew at each snapshot */
  readonly #openClocks = new Set<ClockDraft>();
  /** clocks whose last replay failed (a calendar not loaded yet): tried again at each snapshot */
  readonly #unreplayable = new Set<ClockDraft>();
  /** rows of every ended cycle; a clock's replaced rows leave holes until the table is compacted */
  #closedRows: (SlaCycle | null)[] = [];
  #holes = 0;
  /** the latest start of an ended cycle: a snapshot as of later takes every row unfiltered */
  #latestClosedStart = Number.NEGATIVE_INFINITY;
  /**
   * One string per distinct value of the names leads repeat (sources, stages, owners, kinds…):
   * parsed from each event, they were a copy per lead. Goals likewise, one object per goal.
   */
  readonly #names = new Map<string, string>();
  readonly #goals = new Map<string, GoalSnapshot>();
  readonly #report: FoldReport = {
    applied: 0,
    ignored: 0,
    orphaned: 0,
    unreplayable: 0,
    lastEventId: 0,
  };

  /** every snapshot's `lineage` */
  readonly #lineage = {};
  /** the lists the last snapshot published */
  #publishedLeads: LeadHistory[] | undefined;
  #publishedOpportunities: OpportunityHistory[] | undefined;

  constructor(settings: HistorySettings) {
    this.#settings = settings;
  }

  /** The agreement changed (a new version was activated): later snapshots read it. */
  setSettings(settings: HistorySettings): void {
    this.#settings = settings;
  }

  get lastEventId(): number {
    return this.#report.lastEventId;
  }

  report(): FoldReport {
    return { ...this.#report };
  }

  apply(event: FoldedEvent): void {
    if (event.id > this.#report.lastEventId) this.#report.lastEventId = event.id;
    const folded = this.#fold(event);
    if (folded === "applied") this.#report.applied += 1;
    else if (folded === "ignored") this.#report.ignored += 1;
    else this.#report.orphaned += 1;
  }

  #fold(event: FoldedEvent): "applied" | "ignored" | "orphaned" {
    switch (event.type) {
      case "lead.created": {
        if (this.#leads.has(event.streamId)) return "orphaned";
        const data = event.data;
        const draft: LeadDraft = {
          history: {
            id: event.streamId,
            createdAt: event.at,
            source: this.#name(text(data.fields.source)),
            campaign: this.#name(text(data.fields.campaign)),
            segment: this.#name(segmentOf(data.company, data.fields)),
            owner: null,
            team: null,
            stage: this.#name(data.stage),
            stageEnteredAt: event.at,
            stages: [{ stage: this.#name(data.stage), at: event.at }],
            assignments: none,
            touches: none,
            lastActivityAt: null,
            decisions: none,
            contextComplete: null,
            marketingTouches: none,
            opportunityIds: none,
          },
          published: false,
          index: this.#leadOrder.length,
          clocks: none,
          opportunities: none,
        };
        this.#leads.set(event.streamId, draft);
        this.#leadOrder.push(draft.history);
        this.#dirtyLeads.push(draft);
        this.#addActivities(draft.history, data.activities);
        return "applied";
      }
      case "lead.resubmitted": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        const named = namesOf(lead.history);
        const history = lead.history;
        history.source ??= this.#name(text(event.data.fields.source));
        history.campaign ??= this.#name(text(event.data.fields.campaign));
        history.segment =
          this.#name(segmentOf(event.data.company, event.data.fields)) ?? history.segment;
        this.#addActivities(history, event.data.activities);
        if (namesOf(history) !== named) this.#renamed(lead);
        return "applied";
      }
      case "lead.fields_changed": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        const named = namesOf(lead.history);
        const fields = event.data.fields;
        const history = lead.history;
        if (Object.hasOwn(fields, "source")) history.source = this.#name(text(fields.source));
        if (Object.hasOwn(fields, "campaign")) history.campaign = this.#name(text(fields.campaign));
        if (Object.hasOwn(fields, "segment"))
          history.segment = this.#name(text(fields.segment)) ?? history.segment;
        if (namesOf(history) !== named) this.#renamed(lead);
        return "applied";
      }
      case "lead.stage_changed": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        const history = lead.history;
        history.stages = inserted(history.stages, {
          stage: this.#name(event.data.to),
          at: event.at,
        });
        const last = history.stages[history.stages.length - 1]!;
        history.stage = last.stage;
        history.stageEnteredAt = last.at;
        if (isDecision(event.data.action))
          history.decisions = inserted(history.decisions, {
            kind: event.data.action,
            at: event.at,
            reason: this.#name(event.data.reason ?? null),
          });
        return "applied";
      }
      case "lead.assigned": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        const owner = event.data.owner;
        const team = this.#name(
          owner.kind === "queue" ? owner.team : this.#settings.teamOf(owner.id),
        );
        const history = lead.history;
        history.assignments = inserted(history.assignments, {
          at: event.at,
          owner: this.#name(owner.id),
          team,
        });
        const current = history.assignments[history.assignments.length - 1]!;
        history.owner = current.owner;
        history.team = current.team;
        this.#renamed(lead);
        return "applied";
      }
      case "lead.activity_logged": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        this.#addActivities(lead.history, [event.data.activity], event.data.touch);
        return "applied";
      }
      case "lead.context_checked": {
        const lead = this.#lead(event.streamId);
        if (lead === undefined) return "orphaned";
        lead.history.contextComplete = event.data.missing.length === 0;
        return "applied";
      }
      case "opportunity.opened": {
        if (this.#opportunities.has(event.streamId)) return "orphaned";
        const lead = this.#lead(event.data.leadId);
        if (lead === undefined) return "orphaned";
        const history = lead.history;
        const owner = event.data.owner ?? history.owner;
        const draft: OpportunityDraft = {
          history: {
            id: event.streamId,
            leadId: history.id,
            leadPosition: lead.index,
            createdAt: event.at,
            closedAt: null,
            outcome: null,
            amount: event.data.amount,
            stages: [{ stage: event.data.stage, at: event.at }],
            source: history.source,
            campaign: history.campaign,
            segment: history.segment,
            owner,
            team:
              owner === history.owner
                ? history.team
                : owner === null
                  ? null
                  : this.#settings.teamOf(owner),
            reason: null,
          },
          published: false,
          index: this.#opportunityOrder.length,
        };
        this.#opportunities.set(event.streamId, draft);
        this.#opportunityOrder.push(draft.history);
        this.#dirtyOpportunities.push(draft);
        lead.opportunities = appended(lead.opportunities, draft);
        history.opportunityIds = appended(history.opportunityIds, event.streamId);
        return "applied";
      }
      case "opportunity.stage_changed": {
        const draft = this.#opportunity(event.streamId);
        if (draft === undefined) return "orphaned";
        const history = draft.history;
        history.stages = inserted(history.stages, { stage: event.data.to, at: event.at });
        if (event.data.amount !== undefined) history.amount = event.data.amount;
        return "applied";
      }
      case "opportunity.closed": {
        const draft = this.#opportunity(event.streamId);
        if (draft === undefined) return "orphaned";
        const history = draft.history;
        history.closedAt = event.at;
        history.outcome = event.data.outcome;
        history.reason = event.data.outcome === "lost" ? (event.data.reason ?? null) : null;
        if (event.data.amount !== undefined) history.amount = event.data.amount;
        return "applied";
      }
      case "clock.event": {
        const lead = this.#leads.get(event.data.leadId);
        if (lead === undefined) return "orphaned";
        let clock = this.#clocks.get(event.streamId);
        if (clock === undefined) {
          clock = {
            id: event.streamId,
            leadId: lead.history.id,
            step: this.#name(event.data.step),
            lead,
            events: [],
            stale: true,
            dirty: false,
            closed: none,
            slots: none,
            open: none,
          };
          this.#clocks.set(event.streamId, clock);
          lead.clocks = appended(lead.clocks, clock);
        }
        // Object.assign: a spread with an extra key gave each event its own hidden class
        const clockEvent = Object.assign({}, event.data.event, { seq: event.id }) as ClockEvent;
        if (clockEvent.type === "start") clockEvent.goal = this.#goal(clockEvent.goal);
        clock.events = appended(clock.events, clockEvent);
        clock.stale = true;
        this.#touchClock(clock);
        return "applied";
      }
      default:
        return "ignored";
    }
  }

  /** A lead to change: its own copy once a snapshot published the current one. */
  #lead(id: string): LeadDraft | undefined {
    const draft = this.#leads.get(id);
    if (draft === undefined || !draft.published) return draft;
    draft.history = { ...draft.history };
    draft.published = false;
    this.#leadOrder[draft.index] = draft.history;
    this.#dirtyLeads.push(draft);
    return draft;
  }

  #opportunity(id: string): OpportunityDraft | undefined {
    const draft = this.#opportunities.get(id);
    if (draft === undefined || !draft.published) return draft;
    draft.history = { ...draft.history };
    draft.published = false;
    this.#opportunityOrder[draft.index] = draft.history;
    this.#dirtyOpportunities.push(draft);
    return draft;
  }

  /** The lead's owner, team, source or segment changed: its cycle rows and opportunities follow. */
  #renamed(lead: LeadDraft): void {
    for (const clock of lead.clocks) this.#touchClock(clock);
    const { source, campaign, segment } = lead.history;
    for (const { history } of lead.opportunities) {
      if (history.source === source && history.campaign === campaign && history.segment === segment)
        continue;
      const draft = this.#opportunity(history.id)!;
      draft.history.source = source;
      draft.history.campaign = campaign;
      draft.history.segment = segment;
    }
  }

  #name<Value extends string | null>(value: Value): Value {
    if (value === null) return value;
    const known = this.#names.get(value);
    if (known !== undefined) return known as Value;
    this.#names.set(value, value);
    return value;
  }

  #goal(goal: GoalSnapshot): GoalSnapshot {
    const key = JSON.stringify(goal);
    const known = this.#goals.get(key);
    if (known !== undefined) return known;
    this.#goals.set(key, goal);
    return goal;
  }

  #addActivities(lead: LeadHistory, activities: readonly Activity[], logged?: boolean): void {
    for (const activity of activities) {
      if (lead.lastActivityAt === null || activity.at > lead.lastActivityAt)
        lead.lastActivityAt = activity.at;
      if (logged ?? isTouch(activity)) lead.touches = insertedNumber(lead.touches, activity.at);
      if (marketingKinds.has(activity.type)) {
        const touch: MarketingTouch = {
          at: activity.at,
          kind: this.#name(activity.type),
          channel:
            this.#name(text(activity.fields?.campaign) ?? text(activity.fields?.source)) ??
            lead.source,
        };
        lead.marketingTouches = inserted(lead.marketingTouches, touch);
      }
    }
  }

  #touchClock(clock: ClockDraft): void {
    if (clock.dirty) return;
    clock.dirty = true;
    this.#dirtyClocks.push(clock);
  }

  /**
   * The history as of `asOf`: leads, opportunities and cycles as the events folded so far tell
   * them (events dated after `asOf` are the caller's to leave out; clocks are replayed as of it).
   */
  snapshot(asOf: number): PipelineHistory {
    // No lead or opportunity changed since the last snapshot: its lists are this one's too
    // (published lists are never changed), and what metrics keep per lineage for them is reused.
    if (this.#dirtyLeads.length > 0 || this.#publishedLeads === undefined)
      this.#publishedLeads = this.#leadOrder.slice();
    if (this.#dirtyOpportunities.length > 0 || this.#publishedOpportunities === undefined)
      this.#publishedOpportunities = this.#opportunityOrder.slice();
    const leads = this.#publishedLeads;
    const opportunities = this.#publishedOpportunities;
    for (const draft of this.#dirtyLeads) draft.published = true;
    this.#dirtyLeads = [];
    for (const draft of this.#dirtyOpportunities) draft.published = true;
    this.#dirtyOpportunities = [];

    const settings = this.#settings;
    const dirty = this.#dirtyClocks;
    this.#dirtyClocks = [];
    for (const clock of this.#unreplayable) if (!clock.dirty) dirty.push(clock);
    for (const clock of dirty) {
      clock.dirty = false;
      this.#rowClock(clock, settings.resolveCalendar);
    }
    this.#report.unreplayable = this.#unreplayable.size;
    if (this.#holes > 1024 && this.#holes * 2 > this.#closedRows.length) this.#compact();

    const table = this.#closedRows;
    // Without holes and as of the latest start, every row is in: one copy (a million rows are
    // copied as a block, not pushed one by one into a growing list).
    const cycles: SlaCycle[] =
      this.#holes === 0 && asOf >= this.#latestClosedStart
        ? (table.slice() as SlaCycle[])
        : table.filter((row): row is SlaCycle => row !== null && row.startedAt <= asOf);
    for (const clock of this.#openClocks)
      for (const open of clock.open)
        if (open.startedAt <= asOf)
          cycles.push(openRow(clock, open, asOf, settings.resolveCalendar));

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
      leads,
      opportunities,
      cycles,
      commitments: settings.commitments,
      lineage: this.#lineage,
    };
  }

  /** A changed clock's rows: replayed when its log grew, renamed when only its lead changed. */
  #rowClock(clock: ClockDraft, resolveCalendar: ResolveCalendar): void {
    const lead = clock.lead.history;
    let closed: SlaCycle[];
    if (clock.stale || this.#unreplayable.has(clock)) {
      let replayedAt = 0;
      for (const event of clock.events) if (event.at > replayedAt) replayedAt = event.at;
      const replayed = replayClock(clock.events, resolveCalendar, replayedAt, clock.id);
      if (!replayed.ok) {
        this.#unreplayable.add(clock);
        closed = none;
        clock.open = none;
      } else {
        this.#unreplayable.delete(clock);
        closed = [];
        const open: OpenCycle[] = [];
        for (const cycle of replayed.value.cycles) {
          if (cycle.stoppedAt !== null) closed.push(closedRow(clock, lead, cycle));
          else open.push(openCycleOf(cycle, replayedAt));
        }
        clock.open = open.length === 0 ? none : open;
      }
      clock.stale = false;
    } else closed = clock.closed.map((row) => renamed(row, lead));
    if (clock.open.length > 0) this.#openClocks.add(clock);
    else this.#openClocks.delete(clock);

    const table = this.#closedRows;
    // rows replaced one for one keep their slots; otherwise the old slots become holes
    if (closed.length === clock.slots.length) {
      clock.slots.forEach((slot, index) => {
        table[slot] = closed[index]!;
      });
    } else {
      for (const slot of clock.slots) table[slot] = null;
      this.#holes += clock.slots.length;
      clock.slots = closed.map((row) => table.push(row) - 1);
    }
    clock.closed = closed;
    for (const row of closed)
      if (row.startedAt > this.#latestClosedStart) this.#latestClosedStart = row.startedAt;
  }

  #compact(): void {
    const table: (SlaCycle | null)[] = [];
    for (const clock of this.#clocks.values())
      clock.slots =
        clock.closed.length === 0 ? none : clock.closed.map((row) => table.push(row) - 1);
    this.#closedRows = table;
    this.#holes = 0;
  }
}

/** A change to the names rows and opportunities carry, as one comparable value. */
function namesOf(lead: LeadHistory): string {
  return `${lead.source}\u0000${lead.campaign}\u0000${lead.segment}`;
}

const stateOf: Record<CycleState, SlaCycleState> = {
  running: "running",
  paused: "paused",
  met: "met",
  "breached-open": "breached",
  "breached-closed": "breached",
  cancelled: "cancelled",
};

/** The owner and team in force at `end`: the latest assignment by then, else the current one. */
function assignmentAt(
  lead: LeadHistory,
  end: number,
): { owner: string | null; team: string | null } {
  let owner = lead.owner;
  let team = lead.team;
  for (const assignment of lead.assignments) {
    if (assignment.at > end) break;
    owner = assignment.owner;
    team = assignment.team;
  }
  return { owner, team };
}

function firstWarningOf(cycle: Cycle): number | null {
  let first: number | null = null;
  for (const warning of cycle.warnings)
    if (
      warning.dueAt !== null &&
      Number.isFinite(warning.dueAt) &&
      (first === null || warning.dueAt < first)
    )
      first = warning.dueAt;
  return first;
}

function dueOf(cycle: Cycle): number | null {
  return cycle.dueAt !== null && Number.isFinite(cycle.dueAt) ? cycle.dueAt : null;
}

function closedRow(clock: ClockDraft, lead: LeadHistory, cycle: Cycle): SlaCycle {
  const { owner, team } = assignmentAt(lead, cycle.stoppedAt!);
  return {
    leadId: clock.leadId,
    leadPosition: clock.lead.index,
    step: clock.step,
    cycle: cycle.id,
    owner,
    team,
    source: lead.source,
    segment: lead.segment,
    startedAt: cycle.startedAt,
    dueAt: dueOf(cycle),
    firstWarningAt: firstWarningOf(cycle),
    endedAt: cycle.stoppedAt,
    state: stateOf[cycle.state],
    goalMinutes: cycle.goal.targetMs / MINUTE,
    elapsedBusinessMinutes: cycle.elapsedBusinessMs / MINUTE,
  };
}

/** An ended cycle's row after its lead's owner, team, source or segment changed. */
function renamed(row: SlaCycle, lead: LeadHistory): SlaCycle {
  const { owner, team } = assignmentAt(lead, row.endedAt!);
  if (
    owner === row.owner &&
    team === row.team &&
    lead.source === row.source &&
    lead.segment === row.segment
  )
    return row;
  return { ...row, owner, team, source: lead.source, segment: lead.segment };
}

function openCycleOf(cycle: Cycle, replayedAt: number): OpenCycle {
  return {
    cycle: cycle.id,
    startedAt: cycle.startedAt,
    dueAt: dueOf(cycle),
    firstWarningAt: firstWarningOf(cycle),
    paused: cycle.paused,
    state: stateOf[cycle.state],
    elapsedMs: cycle.elapsedBusinessMs,
    replayedAt,
    calendarRef: cycle.calendarRef,
    goalMinutes: cycle.goal.targetMs / MINUTE,
  };
}

/**
 * An open cycle as a row at `asOf`. It was replayed as of the clock's latest event; at `asOf`
 * later than that it has run on (unless paused) by the business time of its calendar in between,
 * and is breached once its due has passed.
 */
function openRow(
  clock: ClockDraft,
  open: OpenCycle,
  asOf: number,
  resolveCalendar: ResolveCalendar,
): SlaCycle {
  const lead = clock.lead.history;
  const { owner, team } = assignmentAt(lead, asOf);
  let elapsedMs = open.elapsedMs;
  if (!open.paused && asOf > open.replayedAt)
    elapsedMs += resolveCalendar(open.calendarRef)?.elapsed(open.replayedAt, asOf) ?? 0;
  return {
    leadId: clock.leadId,
    leadPosition: clock.lead.index,
    step: clock.step,
    cycle: open.cycle,
    owner,
    team,
    source: lead.source,
    segment: lead.segment,
    startedAt: open.startedAt,
    dueAt: open.dueAt,
    firstWarningAt: open.firstWarningAt,
    endedAt: null,
    state: open.dueAt !== null && open.dueAt <= asOf ? "breached" : open.state,
    goalMinutes: open.goalMinutes,
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

/** The list with the entry in time order; one dated before the last goes before it (late events). */
function inserted<Entry extends { at: number }>(list: readonly Entry[], entry: Entry): Entry[] {
  let index = list.length;
  while (index > 0 && list[index - 1]!.at > entry.at) index -= 1;
  return index === list.length
    ? appended(list, entry)
    : list.slice(0, index).concat([entry], list.slice(index));
}

function insertedNumber(list: readonly number[], value: number): number[] {
  let index = list.length;
  while (index > 0 && list[index - 1]! > value) index -= 1;
  return index === list.length
    ? list.concat(value)
    : list.slice(0, index).concat(value, list.slice(index));
}

/** The list with one more entry: `concat` allocates the exact length, a spread reserves room. */
function appended<Entry>(list: readonly Entry[], entry: Entry): Entry[] {
  return list.concat([entry]);
}
