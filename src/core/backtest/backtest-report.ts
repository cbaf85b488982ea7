import type { CompiledAgreement } from "../agreement/compile-agreement.js";
import type { Activity, FieldRecord } from "../lead/lead.js";
import type { Assignee } from "../routing/index.js";
import type { ClockEvent, CycleState, ResolveCalendar } from "../sla/index.js";

/**
 * A backtest replays a window of history under a proposed agreement version and compares it
 * with the version in force: which leads would qualify (and how they actually converted), which
 * SLA cycles would meet or breach, and how routing would load the reps. Pure: the caller loads
 * plain history (backtest-input below) and the two compiled versions; nothing here reads a
 * clock or a database.
 *
 * Decisions (see run-backtest.ts for the how):
 * - Both versions are simulated the same way over the same facts, so a difference is the
 *   agreement's alone. The actual history is reported beside them (actual MQLs, actual
 *   assignments) but never mixed into the comparison.
 * - Facts are as stored now: a lead's fields and company are its current ones (a field edited
 *   during the window is read with its latest value); activities carry their own instants.
 * - MQL moment under a version: the first instant in [created, window end) at which the score
 *   meets the MQL threshold, evaluated at creation and at each activity instant (between two
 *   activities, windows and decay only lower a score, so these instants find the first
 *   crossing). Only a lead's first qualification counts.
 * - SLA: each actual cycle's log is replayed as stored ("before") and again with every start
 *   given the proposed step's goal and calendar for the lead as it stood then (owner and stage
 *   from the history, score under the proposal) — "after". Pauses, stops and resets are the
 *   actual ones; warn/breach records and recalculations belong to the old goal and are dropped.
 *   A step the proposal removes is reported as removed; newly qualifying leads have no log, and
 *   the report says how many rather than inventing cycles.
 * - Routing: the MQLs of each version are routed in MQL order from a fresh rotation, with loads
 *   that start from the open leads carried into the window and fall when a lead actually closed
 *   (its first move to a stage that is not open after its MQL moment).
 * - Counts are exact; id lists are cut to `examples` entries.
 */

export const backtestReportVersion = 1;

/** One lead as the backtest reads it. Instants are epoch ms. */
export interface BacktestLead {
  id: string;
  createdAt: number;
  fields: FieldRecord;
  company: FieldRecord;
  activities: readonly Activity[];
  accountId: string | null;
  /** the account's owner, for routing's `account.owner` */
  accountOwner: string | null;
  /** actual stage entries in time order (creation first), with whether the stage was open */
  stages: readonly { stage: string; at: number; open: boolean }[];
  /** actual assignments in time order */
  assignments: readonly { at: number; owner: Assignee; cause: string }[];
  opportunity: {
    id: string;
    openedAt: number;
    outcome: "won" | "lost" | null;
    amount: number | null;
  } | null;
}

export interface BacktestClock {
  /** `<lead id>/<step id>` */
  id: string;
  leadId: string;
  step: string;
  events: readonly ClockEvent[];
}

export interface BacktestVersion {
  /** the stored version number; null for a draft that was never proposed */
  number: number | null;
  compiled: CompiledAgreement;
}

export interface BacktestInput {
  window: { from: number; to: number };
  active: BacktestVersion;
  proposed: BacktestVersion;
  /** leads created in the window */
  leads: readonly BacktestLead[];
  /** clock logs of those leads */
  clocks: readonly BacktestClock[];
  /**
   * leads created before the window that a rep held open at its start: each weighs on that
   * rep's cap until it closes (null: still open at the window's end)
   */
  carriedLoads: readonly { rep: string; closesAt: number | null }[];
  /** account opportunities overlapping the window, for `account.has_open_opportunity` */
  accountOpportunities: readonly { accountId: string; openedAt: number; closedAt: number | null }[];
  /** resolves the calendar refs of the stored clock logs (`<calendar>@<version>`) */
  resolveCalendar: ResolveCalendar;
  /** id examples per list (default 20); counts are always exact */
  examples?: number;
  progress?: (phase: BacktestPhase, done: number, total: number) => void;
}

/** replay: qualification and SLA cycles, lead by lead (done and total count leads) */
export type BacktestPhase = "replay" | "routing";

/** What the leads behind a number actually did afterwards. */
export interface Conversions {
  leads: number;
  reachedSql: number;
  opportunity: number;
  won: number;
  /** sum of the won opportunities' amounts */
  wonAmount: number;
}

export interface QualificationFlip {
  leadId: string;
  /** MQL moment under each version (null: never qualifies in the window) */
  mqlAtBefore: number | null;
  mqlAtAfter: number | null;
  /** scores under each version at the instant that decides the flip (the qualifying version's MQL moment) */
  at: number;
  scoreBefore: number;
  scoreAfter: number;
  /** why the version that does not qualify the lead refuses it, at that instant */
  reasons: string[];
  reachedSql: boolean;
  opportunity: boolean;
  won: boolean;
  amount: number | null;
}

export interface LeadList<Item> {
  count: number;
  /** the first `examples` items */
  items: Item[];
}

export interface QualificationComparison {
  mqlStage: { before: string; after: string };
  /** leads of the window that actually entered the MQL stage */
  actualMqls: number;
  before: { mqls: number; conversions: Conversions };
  after: { mqls: number; conversions: Conversions };
  newlyQualifying: LeadList<QualificationFlip> & { conversions: Conversions };
  droppingOut: LeadList<QualificationFlip> & { conversions: Conversions };
  /** qualifying under both, at a different instant */
  momentChanged: number;
}

export interface CycleFlip {
  clockId: string;
  leadId: string;
  cycle: number;
  startedAt: number;
  before: { state: CycleState; goal: string; targetMinutes: number; dueAt: number | null };
  after: { state: CycleState; goal: string; targetMinutes: number; dueAt: number | null };
}

export interface Attainment {
  met: number;
  breached: number;
  rate: number | null;
}

export interface StepComparison {
  step: string;
  status: "changed" | "unchanged" | "removed";
  /** cycles started in the window */
  cycles: number;
  before: Attainment;
  /** null for a removed step */
  after: Attainment | null;
  metToBreached: LeadList<CycleFlip>;
  breachedToMet: LeadList<CycleFlip>;
  /** cycles of leads the proposal would not qualify, on a step that starts at qualification or assignment */
  notStarted: LeadList<string>;
  /** cycles no goal of the proposed step applies to */
  noGoal: LeadList<string>;
}

export interface SlaComparison {
  steps: StepComparison[];
  /** clock steps the proposal adds: no history to replay */
  addedSteps: string[];
  /** newly qualifying leads have no clock logs for their new MQL; nothing is invented */
  cyclesWithoutLog: LeadList<string>;
}

export interface RepLoad {
  rep: string;
  /** actual routing assignments in the window */
  actual: number;
  before: { assigned: number; capExclusions: number };
  after: { assigned: number; capExclusions: number };
}

export interface PoolLoad {
  pool: string;
  before: { assigned: number; overflowed: number };
  after: { assigned: number; overflowed: number };
}

export interface Reassignment {
  leadId: string;
  before: string;
  after: string;
}

export interface RoutingComparison {
  reps: RepLoad[];
  pools: PoolLoad[];
  /** leads sent to a queue (by queue id) */
  queues: { queue: string; before: number; after: number }[];
  /** MQLs under both versions whose assignee differs */
  reassigned: LeadList<Reassignment>;
}

export interface BacktestReport {
  version: typeof backtestReportVersion;
  window: { from: string; to: string };
  active: { number: number | null; name: string };
  proposed: { number: number | null; name: string };
  leads: number;
  examples: number;
  qualification: QualificationComparison;
  sla: SlaComparison;
  routing: RoutingComparison;
  /** the decisions a reader needs to read the figures */
  notes: string[];
}
