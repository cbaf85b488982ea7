import type { Engine } from "../engine.js";

/** One line of the audit log: who called what, through which door, with which outcome. */
export interface AuditEntry {
  actor: string;
  role: string | null;
  via: string;
  action: string;
  target?: string | null | undefined;
  status: number;
  requestId?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

export async function recordAudit(engine: Engine, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await engine.db
    .insertInto("audit_log")
    .values(
      entries.map((entry) => ({
        workspace: engine.workspace,
        at: new Date(engine.now()),
        actor: entry.actor,
        role: entry.role,
        via: entry.via,
        action: entry.action,
        target: entry.target ?? null,
        status: entry.status,
        request_id: entry.requestId ?? null,
        detail: entry.detail === undefined ? null : JSON.stringify(entry.detail),
      })),
    )
    .execute();
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  role: string | null;
  via: string;
  action: string;
  target: string | null;
  status: number;
  requestId: string | null;
  detail: unknown;
}

export async function listAudit(
  engine: Engine,
  options: { limit: number; before?: string | undefined; actor?: string | undefined },
): Promise<AuditRow[]> {
  let query = engine.db
    .selectFrom("audit_log")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .orderBy("id", "desc")
    .limit(options.limit);
  if (options.before !== undefined) query = query.where("id", "<", options.before);
  if (options.actor !== undefined) query = query.where("actor", "=", options.actor);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    role: row.role,
    via: row.via,
    action: row.action,
    target: row.target,
    status: row.status,
    requestId: row.request_id,
    detail: row.detail,
  }));
}
