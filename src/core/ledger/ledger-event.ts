import type { Activity, FieldRecord, FieldValue } from "../lead/lead.js";
import type { ActorRole } from "../lifecycle/lifecycle-schema.js";
import type { MatchKeys } from "../matching/match-lead.js";
import type { Assignee, PoolState } from "../routing/index.js";
import type { UnsequencedClockEvent } from "../sla/index.js";

/**
 * The ledger's vocabulary: every event type Baton appends, with the shape of its `data`. The
 * store adds the envelope (id, stream, actor, time, governing agreement version, explanation).
 * Projections are folds of these events (lead-view.ts, …), so `baton rebuild` and the live
 * write path share one reducer and cannot drift apart.
 *
 * Glossary
 * - stream: what an event is about: a lead, an opportunity, an account, an SLA clock (one clock
 *   step for one lead, id `<lead id>/<step id>`) or an agreement version (id = its number).
 * - open: a lead counts against its owner's routing cap while open; the deciding code records
 *   it on every stage change (terminal stages and dispositions are not open), so projections
 *   never need the agreement to fold events.
 */

export const streamTypes = ["lead", "opportunity", "account", "clock", "agreement"] as const;
export type StreamType = (typeof streamTypes)[number];

export interface LeadCreatedData {
  system: string | null;
  externalId: string | null;
  stage: string;
  open: boolean;
  fields: FieldRecord;
  company: FieldRecord;
  activities: Activity[];
  keys: MatchKeys;
  accountId: string | null;
  /** when the lead was created in the source system, if it said */
  sourceCreatedAt: number | null;
}

/** The same person arrived again (a new form fill, a re-sync): newer values and activities. */
export interface LeadResubmittedData {
  fields: FieldRecord;
  company: FieldRecord;
  activities: Activity[];
  keys: MatchKeys;
  accountId: string | null;
}

export interface LeadScoredData {
  score: number;
  mql: boolean;
  sql: boolean;
}

export interface LeadStageChangedData {
  from: string;
  to: string;
  action: string;
  role: ActorRole;
  open: boolean;
  reason?: string;
  note?: string;
  feedback?: Readonly<Record<string, string>>;
  recycle?: { rule: string; until: number };
}

export interface LeadFieldsChangedData {
  fields: Record<string, FieldValue>;
}

export interface LeadActivityLoggedData {
  activity: Activity;
  /** a human call, e-mail or meeting (never an automatic reply) */
  touch: boolean;
}

/** Handoff context the next stage requires, checked when the lead was handed over. */
export interface LeadContextCheckedData {
  required: string[];
  missing: string[];
}

export const assignmentCauses = ["routing", "manual", "escalation"] as const;
export type AssignmentCause = (typeof assignmentCauses)[number];

export interface LeadAssignedData {
  owner: Assignee;
  previous: Assignee | null;
  cause: AssignmentCause;
  ruleId: string | null;
  /** pools whose rotation this decision moved on, with their next state */
  pools: Record<string, PoolState>;
  /**
   * the routing decision's number, given under the workspace's routing lock (0 for an assignment
   * that moved no pool): the pool states of the highest revision are the current ones
   */
  revision: number;
}

export interface LeadEscalatedData {
  clockId: string;
  step: string;
  cycle: number;
  rung: number;
  actions: unknown[];
}

export interface OpportunityOpenedData {
  leadId: string;
  accountId: string | null;
  stage: string;
  amount: number | null;
  owner: string | null;
}

export interface OpportunityStageChangedData {
  from: string;
  to: string;
  amount?: number | null;
}

export interface OpportunityClosedData {
  outcome: "won" | "lost";
  reason?: string;
  note?: string;
  amount?: number | null;
}

export interface AccountUpsertedData {
  name: string | null;
  nameKey: string | null;
  domains: string[];
  domainKey: string | null;
  owner: string | null;
  fields: FieldRecord;
}

export interface ClockEventData {
  leadId: string;
  step: string;
  event: UnsequencedClockEvent;
}

export interface AgreementProposedData {
  number: number;
  yaml: string;
  parsed: unknown;
  /** lines of the semantic diff against the version active at the time (or null for the first) */
  diff: string[] | null;
  note?: string;
}

export interface AgreementApprovedData {
  number: number;
  side: "marketing" | "sales";
  approver: string;
}

export interface AgreementActivatedData {
  number: number;
  mode: "new_cycles_only" | "new_and_open_cycles";
  supersedes: number | null;
}

/** Event type → its data, for the typed envelope below. */
export interface LedgerEventData {
  "lead.created": LeadCreatedData;
  "lead.resubmitted": LeadResubmittedData;
  "lead.scored": LeadScoredData;
  "lead.stage_changed": LeadStageChangedData;
  "lead.fields_changed": LeadFieldsChangedData;
  "lead.activity_logged": LeadActivityLoggedData;
  "lead.context_checked": LeadContextCheckedData;
  "lead.assigned": LeadAssignedData;
  "lead.escalated": LeadEscalatedData;
  "opportunity.opened": OpportunityOpenedData;
  "opportunity.stage_changed": OpportunityStageChangedData;
  "opportunity.closed": OpportunityClosedData;
  "account.upserted": AccountUpsertedData;
  "clock.event": ClockEventData;
  "agreement.proposed": AgreementProposedData;
  "agreement.approved": AgreementApprovedData;
  "agreement.activated": AgreementActivatedData;
}

export type LedgerEventType = keyof LedgerEventData;

const streamOfType: Record<LedgerEventType, StreamType> = {
  "lead.created": "lead",
  "lead.resubmitted": "lead",
  "lead.scored": "lead",
  "lead.stage_changed": "lead",
  "lead.fields_changed": "lead",
  "lead.activity_logged": "lead",
  "lead.context_checked": "lead",
  "lead.assigned": "lead",
  "lead.escalated": "lead",
  "opportunity.opened": "opportunity",
  "opportunity.stage_changed": "opportunity",
  "opportunity.closed": "opportunity",
  "account.upserted": "account",
  "clock.event": "clock",
  "agreement.proposed": "agreement",
  "agreement.approved": "agreement",
  "agreement.activated": "agreement",
};

export function streamOf(type: LedgerEventType): StreamType {
  return streamOfType[type];
}

/** An event before the store gave it an id: what use cases produce. */
export type NewEvent = {
  [Type in LedgerEventType]: {
    type: Type;
    streamId: string;
    /** who did it: a person id, `system`, `api:<client>`, `scheduler` */
    actor: string;
    /** epoch ms the fact happened */
    at: number;
    /** the agreement version that governed the decision; null before any is active */
    agreementVersion: number | null;
    /** why: the decision's explanation (score contributions, routing rule, match), when any */
    explanation?: unknown;
    data: LedgerEventData[Type];
    idempotencyKey?: string | null;
  };
}[LedgerEventType];

/** An event as stored: the ledger id orders events (and is a clock event's `seq`). */
export type StoredEvent = NewEvent & { id: number; stream: StreamType };
