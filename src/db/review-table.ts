import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

/** A generated review pack (src/db/migrations/0006-reviews.sql). */
export interface ReviewPackTable {
  workspace: string;
  id: string;
  review: string | null;
  title: string;
  period_from: Timestamp;
  period_to: Timestamp;
  trigger: "schedule" | "demand";
  generated_by: string;
  agreement_version: number;
  /** jsonb ReviewPack: written as JSON text, read back parsed */
  pack: ColumnType<unknown, string, string>;
  created_at: Timestamp;
}

/** An action item; the ActionItem value of src/core/review/action-item.ts as a row. */
export interface ActionItemTable {
  workspace: string;
  id: string;
  title: string;
  owner: string;
  due_on: string;
  type: string;
  status: string;
  metric: string | null;
  lead_ids: ColumnType<string[], string[] | undefined, string[]>;
  notes: ColumnType<string, string | undefined, string>;
  review_pack_id: string | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
  /** jsonb ProjectToolReference[] */
  pushed_to: ColumnType<unknown, string | undefined, string>;
  reminded_on: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ReviewDecisionTable {
  workspace: string;
  id: string;
  review_pack_id: string;
  text: string;
  decided_by: string;
  at: Timestamp;
}
