import type { ColumnType } from "kysely";
import type { NotificationTable } from "./notification-table.js";
import type { ActionItemTable, ReviewDecisionTable, ReviewPackTable } from "./review-table.js";
import type { TimerTable } from "./timer-table.js";

/**
 * The tables as Kysely sees them. Column types mirror src/db/migrations; `ColumnType<Select,
 * Insert, Update>` marks columns the database fills in. bigint identities come back as strings
 * (PostgreSQL's int8 exceeds a JS number).
 */
export interface BatonDatabase {
  events: EventTable;
  agreement_versions: AgreementVersionTable;
  agreement_approvals: AgreementApprovalTable;
  baton_migrations: MigrationTable;
  leads: LeadTable;
  opportunities: OpportunityTable;
  accounts: AccountTable;
  clocks: ClockTable;
  routing_state: RoutingStateTable;
  rep_loads: RepLoadTable;
  ingest_requests: IngestRequestTable;
  timers: TimerTable;
  notifications: NotificationTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  review_packs: ReviewPackTable;
  action_items: ActionItemTable;
  review_decisions: ReviewDecisionTable;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** jsonb: written as JSON text, read back parsed. */
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;
/** bigint comes back as a string; Baton's ids stay far below 2^53 and are read with Number(). */
type BigId = ColumnType<string, number | string, number | string>;

/** Projections (migrations/0002): each row keeps the full view in `data`; see core/ledger. */
export interface LeadTable {
  workspace: string;
  id: string;
  system: string | null;
  external_id: string | null;
  email_key: string | null;
  domain_key: string | null;
  company_key: string | null;
  stage: string;
  stage_entered_at: Timestamp;
  created_at: Timestamp;
  owner: string | null;
  owner_kind: "rep" | "queue" | null;
  score: number;
  open: boolean;
  agreement_version: number;
  last_activity_at: NullableTimestamp;
  first_touch_at: NullableTimestamp;
  data: Json;
  last_event_id: BigId;
}

export interface OpportunityTable {
  workspace: string;
  id: string;
  lead_id: string;
  account_id: string | null;
  stage: string;
  /** numeric comes back as a string */
  amount: ColumnType<string | null, number | string | null, number | string | null>;
  owner: string | null;
  opened_at: Timestamp;
  closed_at: NullableTimestamp;
  outcome: "won" | "lost" | null;
  data: Json;
  last_event_id: BigId;
}

export interface AccountTable {
  workspace: string;
  id: string;
  name: string | null;
  name_key: string | null;
  domain_key: string | null;
  owner: string | null;
  data: Json;
  last_event_id: BigId;
}

export interface ClockTable {
  workspace: string;
  id: string;
  lead_id: string;
  step: string;
  cycles: number;
  cycle: ColumnType<string | null, number | string | null, number | string | null>;
  state: string | null;
  goal: string | null;
  started_at: NullableTimestamp;
  due_at: NullableTimestamp;
  stopped_at: NullableTimestamp;
  breach_recorded_at: NullableTimestamp;
  paused: boolean;
  data: Json;
  last_event_id: BigId;
}

export interface RoutingStateTable {
  workspace: string;
  pools: Json;
  revisions: Json;
  revision: BigId;
  last_event_id: BigId;
}

export interface RepLoadTable {
  workspace: string;
  rep: string;
  open_leads: number;
}

export interface IngestRequestTable {
  workspace: string;
  key: string;
  lead_id: string | null;
  result: NullableJson;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** The append-only ledger: one row per thing that happened; never updated or deleted. */
export interface EventTable {
  id: ColumnType<string, number | string | undefined, never>;
  workspace: string;
  stream_type: string;
  stream_id: string;
  type: string;
  actor: string;
  occurred_at: ColumnType<Date, Date | string, never>;
  recorded_at: ColumnType<Date, Date | string | undefined, never>;
  agreement_version: number | null;
  /** jsonb: written as JSON text, read back parsed. */
  explanation: ColumnType<unknown, string | null, never>;
  data: ColumnType<unknown, string, never>;
  idempotency_key: string | null;
}

export interface AgreementVersionTable {
  workspace: ColumnType<string, string | undefined, string>;
  number: number;
  yaml: string;
  parsed: ColumnType<unknown, string, string>;
  proposed_by: string;
  proposed_at: ColumnType<Date, Date | string, Date | string>;
  activated_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** How an activation treats running clocks (SLA-CLOCKS.md): see `activationModes`. */
  activation_mode: (typeof activationModes)[number] | null;
  diff: ColumnType<unknown, string | null, string | null>;
  superseded_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  last_event_id: ColumnType<string | null, number | string | null, number | string | null>;
}

export const activationModes = ["new_cycles_only", "new_and_open_cycles"] as const;
export const agreementSides = ["marketing", "sales"] as const;

export interface AgreementApprovalTable {
  workspace: ColumnType<string, string | undefined, string>;
  version: number;
  side: (typeof agreementSides)[number];
  approver: string;
  approved_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface MigrationTable {
  name: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
}

export const userRoles = ["admin", "marketing", "sales_manager", "rep", "viewer"] as const;
export type UserRole = (typeof userRoles)[number];

export interface UserTable {
  workspace: ColumnType<string, string | undefined, never>;
  id: string;
  name: string;
  email: string | null;
  role: UserRole;
  person: string | null;
  password_hash: string | null;
  disabled_at: NullableTimestamp;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface SessionTable {
  id_hash: string;
  workspace: string;
  user_id: string;
  csrf_token: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
}

export interface ApiTokenTable {
  workspace: ColumnType<string, string | undefined, never>;
  id: string;
  name: string;
  user_id: string;
  scopes: ColumnType<string[], string[], string[]>;
  secret_hash: string;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  id: ColumnType<string, never, never>;
  workspace: string;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  role: string | null;
  via: string;
  action: string;
  target: string | null;
  status: number;
  request_id: string | null;
  detail: NullableJson;
}
