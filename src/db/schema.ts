import type { ColumnType, Generated } from "kysely";
import type { NotificationTable } from "./notification-table.js";

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
  notifications: NotificationTable;
}

/** The append-only ledger: one row per thing that happened; never updated or deleted. */
export interface EventTable {
  id: Generated<string>;
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
  number: number;
  yaml: string;
  parsed: ColumnType<unknown, string, string>;
  proposed_by: string;
  proposed_at: ColumnType<Date, Date | string, Date | string>;
  activated_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** How an activation treats running clocks (SLA-CLOCKS.md): see `activationModes`. */
  activation_mode: (typeof activationModes)[number] | null;
}

export const activationModes = ["new_cycles_only", "new_and_open_cycles"] as const;
export const agreementSides = ["marketing", "sales"] as const;

export interface AgreementApprovalTable {
  version: number;
  side: (typeof agreementSides)[number];
  approver: string;
  approved_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface MigrationTable {
  name: string;
  applied_at: ColumnType<Date, Date | string | undefined, never>;
}
