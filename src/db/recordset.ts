import { sql } from "kysely";

/**
 * Set-based writes for many rows: the rows travel as one JSON parameter and PostgreSQL expands
 * them with `jsonb_to_recordset`, so a batch of thousands is one statement with one parameter
 * (a VALUES list would be tens of thousands of parameters to bind and plan). Dates travel as ISO
 * strings, jsonb columns as nested JSON.
 *
 * Table and column names come from Baton's code, never from input.
 */
export type RecordsetType =
  | "text"
  | "integer"
  | "bigint"
  | "boolean"
  | "numeric"
  | "jsonb"
  | "timestamptz";

export interface Recordset {
  table: string;
  columns: Readonly<Record<string, RecordsetType>>;
  /** on a key conflict: update these columns from the new row (absent: plain insert) */
  conflict?: { keys: readonly string[]; update: readonly string[] | "nothing" };
}

type Executor = Parameters<ReturnType<typeof sql>["execute"]>[0];

export async function writeRecordset(
  db: Executor,
  target: Recordset,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(target.columns);
  const list = names.join(", ");
  const definition = names.map((name) => `${name} ${target.columns[name]}`).join(", ");
  let conflict = "";
  if (target.conflict !== undefined) {
    const { keys, update } = target.conflict;
    conflict =
      update === "nothing"
        ? ` on conflict (${keys.join(", ")}) do nothing`
        : ` on conflict (${keys.join(", ")}) do update set ${update.map((name) => `${name} = excluded.${name}`).join(", ")}`;
  }
  // 64 MB of JSON per statement at most: PostgreSQL refuses a jsonb value over 256 MB
  for (const part of slices(rows)) {
    await sql`insert into ${sql.raw(target.table)} (${sql.raw(list)})
      select ${sql.raw(list)} from jsonb_to_recordset(${part}::jsonb) as given(${sql.raw(definition)})${sql.raw(conflict)}`.execute(
      db,
    );
  }
}

function* slices(rows: readonly Record<string, unknown>[]): Generator<string> {
  let start = 0;
  while (start < rows.length) {
    let end = Math.min(rows.length, start + 5000);
    let text = JSON.stringify(rows.slice(start, end));
    while (text.length > 64_000_000 && end - start > 1) {
      end = start + Math.ceil((end - start) / 2);
      text = JSON.stringify(rows.slice(start, end));
    }
    yield text;
    start = end;
  }
}
