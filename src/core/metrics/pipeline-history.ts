/**
 * The pipeline's history as every metric reads it: leads with their stage entries, decisions and
 * touches; opportunities with their stages and outcome; SLA cycles. Two producers build it — the
 * ledger fold (src/core/metrics/ledger-history.ts, for the engine's own data) and `baton audit`
 * (from CRM exports) — so one implementation of METRICS.md serves the API, the CLI, the
 * dashboard, the review pack and the audit.
 *
 * Glossary
 * - MQL moment: an instant a lead entered the MQL stage. A lead re-qualified after recycling has
 *   several; each is an MQL event, and the lead counts once per period among MQL *leads*.
 * - MQL cycle: the stretch from one MQL moment to the next (or to now): the assignment, first
 *   touch and accept/reject decision that belong to that qualification.
 * - decided: an MQL cycle with an accept or reject decision.
 * - funnel: the agreement's stage order for conversion metrics (mql → sal → sql → opportunity → won).
 * - touch: a human call, e-mail or meeting (never an automatic reply).
 * - marketing touch: a marketing-driven interaction (form fill, webinar, content, ad click) that
 *   counts for influence and attribution.
 *
 * All instants are epoch milliseconds (UTC). Strings used for grouping (source, campaign, …) are
 * kept as the data spelled them; metrics fold case and spaces when grouping.
 */

/** The funnel's named stages, mapped to the agreement's (or the export's) stage ids. */
export interface FunnelStages {
  /** stage id of a lead awaiting qualification (New) */
  new: string;
  /** stage id of the MQL stage */
  mql: string;
  /** stage id of a sales-accepted lead (SAL, Working) */
  sal: string;
  /** stage id of a sales-qualified lead */
  sql: string;
  /** stage id of a lead converted to an opportunity */
  opportunity: string;
  won: string;
  lost: string;
  /** stages a lead counts as "stuck" in by default (New, Working) */
  stuck: string[];
}

export interface StageEntry {
  stage: string;
  at: number;
}

export const decisionKinds = ["accept", "reject", "recycle", "convert", "disqualify"] as const;
export type DecisionKind = (typeof decisionKinds)[number];

/** A disposition of a lead by a person (or by a CRM status change for exports). */
export interface LeadDecision {
  kind: DecisionKind;
  at: number;
  /** approved reason id; null when none was given (a hygiene failure for reject/recycle/disqualify) */
  reason: string | null;
}

export interface LeadAssignment {
  at: number;
  owner: string;
  /** the owner's team, when known */
  team: string | null;
}

export interface MarketingTouch {
  at: number;
  /** what kind of interaction (form_submit, webinar, content_download, page_view, …) */
  kind: string;
  /** the channel it came through, for attribution (source or campaign) */
  channel: string | null;
}

export interface LeadHistory {
  id: string;
  createdAt: number;
  source: string | null;
  campaign: string | null;
  segment: string | null;
  /** current owner and their team */
  owner: string | null;
  team: string | null;
  /** current stage and when it was entered */
  stage: string;
  stageEnteredAt: number;
  /** every stage entry in time order, the initial stage at createdAt first */
  stages: StageEntry[];
  /** assignments in time order */
  assignments: LeadAssignment[];
  /** human touches (epoch ms), ascending */
  touches: number[];
  /** the latest activity of any kind, null when none */
  lastActivityAt: number | null;
  /** dispositions in time order */
  decisions: LeadDecision[];
  /** handoff context was complete when the lead was handed to sales; null when never checked */
  contextComplete: boolean | null;
  /** marketing interactions in time order (for influence and attribution) */
  marketingTouches: MarketingTouch[];
  opportunityIds: string[];
}

export interface OpportunityHistory {
  id: string;
  /** the lead it was converted from; null for opportunities created without one */
  leadId: string | null;
  /**
   * where that lead sits in `leads` of the history that built this one, when the builder knows:
   * a hint that finds the lead without a lookup by id (lead-lookup.ts), trusted only when the lead
   * found there has `leadId`
   */
  leadPosition?: number;
  createdAt: number;
  closedAt: number | null;
  outcome: "won" | "lost" | null;
  amount: number | null;
  /** stage entries in time order, the first at createdAt */
  stages: StageEntry[];
  /** the originating lead's source (or the opportunity's own lead source for exports) */
  source: string | null;
  campaign: string | null;
  segment: string | null;
  owner: string | null;
  team: string | null;
  /** loss reason; null when won, open or not given */
  reason: string | null;
}

export const slaCycleStates = ["running", "paused", "met", "breached", "cancelled"] as const;
export type SlaCycleState = (typeof slaCycleStates)[number];

/** One SLA clock cycle (SLA-CLOCKS.md) as of the history's `asOf`. */
export interface SlaCycle {
  leadId: string;
  /** where the lead sits in `leads` of the history that built this one (a hint, as above) */
  leadPosition?: number;
  step: string;
  /** the cycle's id (the seq of the event that opened it) */
  cycle: number;
  owner: string | null;
  team: string | null;
  source: string | null;
  segment: string | null;
  startedAt: number;
  /** null while paused before the due is known, or on a never-opening calendar */
  dueAt: number | null;
  /** the first warning's due instant, null when the step has none */
  firstWarningAt: number | null;
  endedAt: number | null;
  /** running/paused = open and not yet due; breached = open or closed past its due */
  state: SlaCycleState;
  /** the goal's target in business minutes */
  goalMinutes: number;
  /** net business minutes counted (to the end, or to asOf while open) */
  elapsedBusinessMinutes: number;
}

/** Business time on the SLA calendar, for business-minute variants of speed metrics. */
export interface BusinessClock {
  /** business minutes between two instants on the calendar of `owner` (or the default one) */
  minutesBetween(from: number, to: number, owner: string | null): number;
}

/**
 * One side's measurable promise from the active agreement's `commitments` (e.g. marketing: at
 * least 120 MQLs a week). `metric` names what is measured (mql_count, mql_to_sql_rate, …); rates
 * are fractions 0–1. Read from an agreement by `commitmentsFromAgreement` (commitments.ts).
 */
export interface CommitmentTarget {
  side: "marketing" | "sales";
  id: string;
  label: string;
  metric: string;
  per: "day" | "week" | "month" | "quarter";
  /** at least this much (met when actual ≥ min) */
  min?: number;
  /** at most this much (met when actual ≤ max) */
  max?: number;
  /** a line below which the review flags the number even when it is not the target */
  warnBelow?: number;
  /** the SLA step measured (sla_attainment, touched_within_sla_rate) */
  step?: string;
  /** days allowed (outcome_logging_rate) */
  withinDays?: number;
}

export interface PipelineHistory {
  /** IANA zone periods and date-only values are read in */
  timezone: string;
  /** the instant the history is as of ("now" for open cycles, stuck leads, ages) */
  asOf: number;
  funnel: FunnelStages;
  /** the full stage order for stage conversion (each stage's successor is the next one) */
  stageOrder: string[];
  /** sources the agreement classifies as marketing (compared case- and space-folded) */
  marketingSources: string[];
  /** the SLA step that measures speed to lead, and its goal in minutes (business) */
  speedStep: { step: string; goalMinutes: number } | null;
  /** days sales committed to log an outcome within (outcome logging), default 5 */
  outcomeDays: number;
  /** accept/reject deadline in days after the MQL moment, for strict acceptance; default 5 */
  acceptanceDays: number;
  businessClock: BusinessClock;
  /**
   * each lead once (ids are unique; a record's `leadPosition` is trusted when the lead there has
   * its id). A history's lists are never changed once it is made: snapshots share them.
   */
  leads: LeadHistory[];
  opportunities: OpportunityHistory[];
  cycles: SlaCycle[];
  /** the active agreement's commitments, both sides; absent when none are known */
  commitments?: CommitmentTarget[];
  /**
   * The same object on every history of one ledger fold (its snapshots). Histories of one lineage
   * share the lead objects that did not change, a lead keeps its position in `leads`, and new
   * leads are only appended; so facts derived from a lead alone (its MQL cycles, its position by
   * id) are kept from one history to the next. A history built once (an audit) leaves it out.
   */
  lineage?: object;
}
