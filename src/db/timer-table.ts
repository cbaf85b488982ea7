import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type OptionalTimestamp = ColumnType<
  Date | null,
  Date | string | null | undefined,
  Date | string | null
>;

/**
 * A durable timer (migrations/0004-timers.sql). Pending while fired_at, cancelled_at and
 * failed_at are all null. Written and claimed through src/worker/timers.ts and scheduler.ts.
 */
export interface TimerTable {
  /** bigint identity: a string on the server, a number on PGlite; normalise before use. */
  id: Generated<string>;
  key: string;
  kind: string;
  stream_id: string;
  due_at: Timestamp;
  /** jsonb: written as JSON text, read back parsed. */
  payload: ColumnType<unknown, string | undefined, string>;
  fired_at: OptionalTimestamp;
  cancelled_at: OptionalTimestamp;
  attempts: Generated<number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  failed_at: OptionalTimestamp;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}
