import type { Selectable } from "kysely";
import { DateTime } from "luxon";
import type { Agreement } from "../../core/agreement/agreement-schema.js";
import { metricNames } from "../../core/metrics/metric-registry.js";
import {
  type ActionItem,
  type ActionItemStatus,
  type ActionItemType,
  actionItemStatuses,
  actionItemTypes,
  type Decision,
  type ProjectToolReference,
} from "../../core/review/action-item.js";
import type { ActionItemTable, ReviewDecisionTable } from "../../db/review-table.js";
import type { Engine } from "../engine.js";
import type { Executor } from "../ledger-store.js";
import { enqueueNotifications, type NotificationRequest } from "../notifications/index.js";
import type { NotificationChannels } from "../notifications/notification-channels.js";
import type { ReviewError, ReviewOutcome } from "./review-error.js";

/**
 * Action items and decisions on the database: validated at creation and update, listed with
 * the filters the review page and the next pack need, and reminders for overdue items through
 * the notification outbox, at most once per item per day (the row remembers the day it was
 * reminded on; the outbox key repeats the day, so a retried transaction writes nothing twice).
 *
 * Glossary
 * - today: the date in the agreement's workspace time zone (UTC before any agreement).
 * - closed: done or dropped; `closedAt` is set when an item becomes closed and cleared when it is
 *   opened again.
 */

export interface ActionItemInput {
  title: string;
  owner: string;
  dueOn: string;
  type: string;
  status?: string | undefined;
  metric?: string | null | undefined;
  leadIds?: readonly string[] | undefined;
  notes?: string | undefined;
  reviewPackId?: string | null | undefined;
}

export type ActionItemPatch = Partial<Omit<ActionItemInput, "reviewPackId">>;

export interface ActionItemFilter {
  status?: readonly ActionItemStatus[] | undefined;
  owner?: string | undefined;
  reviewPackId?: string | undefined;
  /** only items overdue today */
  overdue?: boolean | undefined;
  limit?: number | undefined;
}

const maxTitle = 300;
const maxNotes = 5000;
const maxLeads = 500;

/** The agreement in force and its time zone: owners are checked against its people. */
async function activeAgreement(engine: Engine, db: Executor): Promise<Agreement | undefined> {
  return (await engine.registry.active(db))?.compiled.agreement;
}

/** The date of `now` in the workspace zone. */
export function todayIn(timezone: string, now: number): string {
  return DateTime.fromMillis(now, { zone: timezone }).toISODate() ?? "1970-01-01";
}

export async function workspaceToday(engine: Engine, db: Executor = engine.db): Promise<string> {
  const agreement = await activeAgreement(engine, db);
  return todayIn(agreement?.timezone ?? "UTC", engine.now());
}

function invalid(field: string, message: string): { ok: false; error: ReviewError } {
  return { ok: false, error: { code: "invalid_action_item", field, message } };
}

const emailPattern = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

/** Checks the fields given; `partial` leaves absent ones alone (an update). */
async function checkFields(
  engine: Engine,
  db: Executor,
  input: ActionItemPatch & { reviewPackId?: string | null | undefined },
): Promise<{ ok: true } | { ok: false; error: ReviewError }> {
  if (input.title !== undefined) {
    const title = input.title.trim();
    if (title.length === 0) return invalid("title", "title is empty; say what is to be done");
    if (title.length > maxTitle)
      return invalid("title", `title is ${title.length} characters; keep it under ${maxTitle}`);
  }
  if (input.owner !== undefined) {
    const owner = input.owner.trim();
    const agreement = await activeAgreement(engine, db);
    const people = Object.keys(agreement?.people ?? {});
    if (!people.includes(owner) && !emailPattern.test(owner))
      return invalid(
        "owner",
        `owner '${owner}' is neither a person of the agreement${people.length > 0 ? ` (${people.join(", ")})` : ""} nor an e-mail address`,
      );
  }
  if (input.dueOn !== undefined) {
    const valid = /^\d{4}-\d{2}-\d{2}$/.test(input.dueOn) && DateTime.fromISO(input.dueOn).isValid;
    if (!valid) return invalid("dueOn", `dueOn '${input.dueOn}' is not a date; write YYYY-MM-DD`);
  }
  if (input.type !== undefined && !(actionItemTypes as readonly string[]).includes(input.type))
    return invalid("type", `type '${input.type}' is not one of ${actionItemTypes.join(", ")}`);
  if (
    input.status !== undefined &&
    !(actionItemStatuses as readonly string[]).includes(input.status)
  )
    return invalid(
      "status",
      `status '${input.status}' is not one of ${actionItemStatuses.join(", ")}`,
    );
  if (input.metric !== undefined && input.metric !== null) {
    const known = metricNames();
    if (!known.includes(input.metric))
      return invalid("metric", `metric '${input.metric}' is unknown; known: ${known.join(", ")}`);
  }
  if (input.leadIds !== undefined) {
    if (input.leadIds.length > maxLeads)
      return invalid(
        "leadIds",
        `${input.leadIds.length} leads; an item concerns at most ${maxLeads}`,
      );
    if (input.leadIds.some((id) => id.trim() === "" || id.length > 200))
      return invalid("leadIds", "a lead id is empty or longer than 200 characters");
  }
  if (input.notes !== undefined && input.notes.length > maxNotes)
    return invalid(
      "notes",
      `notes are ${input.notes.length} characters; keep them under ${maxNotes}`,
    );
  if (input.reviewPackId !== undefined && input.reviewPackId !== null) {
    const pack = await db
      .selectFrom("review_packs")
      .select("id")
      .where("workspace", "=", engine.workspace)
      .where("id", "=", input.reviewPackId)
      .executeTakeFirst();
    if (pack === undefined)
      return invalid("reviewPackId", `review pack '${input.reviewPackId}' does not exist`);
  }
  return { ok: true };
}

const closed = (status: string) => status === "done" || status === "dropped";

export async function createActionItem(
  engine: Engine,
  input: ActionItemInput,
  actor: string,
): Promise<ReviewOutcome<ActionItem>> {
  const checked = await checkFields(engine, engine.db, input);
  if (!checked.ok) return checked;
  const now = engine.now();
  const status = (input.status ?? "open") as ActionItemStatus;
  const row = await engine.db
    .insertInto("action_items")
    .values({
      workspace: engine.workspace,
      id: engine.newId("ai"),
      title: input.title.trim(),
      owner: input.owner.trim(),
      due_on: input.dueOn,
      type: input.type,
      status,
      metric: input.metric ?? null,
      lead_ids: [...(input.leadIds ?? [])],
      notes: input.notes ?? "",
      review_pack_id: input.reviewPackId ?? null,
      created_by: actor,
      created_at: new Date(now),
      updated_at: new Date(now),
      closed_at: closed(status) ? new Date(now) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok: true, value: actionItemOf(row) };
}

export async function updateActionItem(
  engine: Engine,
  id: string,
  patch: ActionItemPatch,
): Promise<ReviewOutcome<ActionItem>> {
  return engine.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("action_items")
      .selectAll()
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (current === undefined) return unknownItem(id);
    const checked = await checkFields(engine, trx, patch);
    if (!checked.ok) return checked;
    const now = new Date(engine.now());
    const status = patch.status ?? current.status;
    const wasClosed = closed(current.status);
    const row = await trx
      .updateTable("action_items")
      .set({
        ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
        ...(patch.owner !== undefined ? { owner: patch.owner.trim() } : {}),
        ...(patch.dueOn !== undefined ? { due_on: patch.dueOn } : {}),
        ...(patch.type !== undefined ? { type: patch.type } : {}),
        ...(patch.metric !== undefined ? { metric: patch.metric } : {}),
        ...(patch.leadIds !== undefined ? { lead_ids: [...patch.leadIds] } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        status,
        closed_at: closed(status) ? (wasClosed ? current.closed_at : now) : null,
        // a new due date earns a new reminder when it passes
        ...(patch.dueOn !== undefined && patch.dueOn !== current.due_on
          ? { reminded_on: null }
          : {}),
        updated_at: now,
      })
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true as const, value: actionItemOf(row) };
  });
}

export async function getActionItem(
  engine: Engine,
  id: string,
): Promise<ReviewOutcome<ActionItem>> {
  const row = await engine.db
    .selectFrom("action_items")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return row === undefined ? unknownItem(id) : { ok: true, value: actionItemOf(row) };
}

/** Items by due date (then id); `overdue` compares with today in the workspace zone. */
export async function listActionItems(
  engine: Engine,
  filter: ActionItemFilter = {},
  db: Executor = engine.db,
): Promise<ActionItem[]> {
  let query = db
    .selectFrom("action_items")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .orderBy("due_on")
    .orderBy("id")
    .limit(filter.limit ?? 1000);
  if (filter.status !== undefined && filter.status.length > 0)
    query = query.where("status", "in", [...filter.status]);
  if (filter.owner !== undefined) query = query.where("owner", "=", filter.owner);
  if (filter.reviewPackId !== undefined)
    query = query.where("review_pack_id", "=", filter.reviewPackId);
  if (filter.overdue) {
    const today = await workspaceToday(engine, db);
    query = query.where("status", "in", ["open", "in_progress"]).where("due_on", "<", today);
  }
  return (await query.execute()).map(actionItemOf);
}

/** Adds a pushed copy's reference to the item. */
export async function recordPush(
  engine: Engine,
  id: string,
  reference: ProjectToolReference,
): Promise<ReviewOutcome<ActionItem>> {
  return engine.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("action_items")
      .select("pushed_to")
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (current === undefined) return unknownItem(id);
    const pushedTo = [...((current.pushed_to ?? []) as ProjectToolReference[]), reference];
    const row = await trx
      .updateTable("action_items")
      .set({ pushed_to: JSON.stringify(pushedTo), updated_at: new Date(engine.now()) })
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ok: true as const, value: actionItemOf(row) };
  });
}

/**
 * Reminds the owners of overdue items, once per item per day: the rows not yet reminded today
 * are marked and their notifications written in one transaction, so concurrent workers split
 * the items between them and a rolled-back run reminds nobody.
 */
export async function remindOverdueItems(
  engine: Engine,
  channels: NotificationChannels,
  options: { publicUrl?: string | undefined } = {},
): Promise<{ reminded: number; notifications: number }> {
  return engine.db.transaction().execute(async (trx) => {
    const agreement = await activeAgreement(engine, trx);
    const today = todayIn(agreement?.timezone ?? "UTC", engine.now());
    const due = await trx
      .selectFrom("action_items")
      .select("id")
      .where("workspace", "=", engine.workspace)
      .where("status", "in", ["open", "in_progress"])
      .where("due_on", "<", today)
      .where((eb) => eb.or([eb("reminded_on", "is", null), eb("reminded_on", "<>", today)]))
      .orderBy("id")
      .limit(500)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return { reminded: 0, notifications: 0 };
    const rows = await trx
      .updateTable("action_items")
      .set({ reminded_on: today })
      .where("workspace", "=", engine.workspace)
      .where(
        "id",
        "in",
        due.map((row) => row.id),
      )
      .returningAll()
      .execute();
    const requests = rows.map((row) =>
      overdueReminder(actionItemOf(row), today, agreement, engine.workspace, options.publicUrl),
    );
    const written = await enqueueNotifications(trx, requests, channels);
    return { reminded: rows.length, notifications: written.written };
  });
}

/** The reminder for one overdue item: to its owner, by e-mail when the owner has an address. */
export function overdueReminder(
  item: ActionItem,
  today: string,
  agreement: Agreement | undefined,
  workspace: string,
  publicUrl?: string,
): NotificationRequest {
  const person = agreement?.people[item.owner];
  const recipient = person
    ? { person: item.owner, email: person.email, name: person.name }
    : { email: item.owner };
  const days = Math.round(DateTime.fromISO(today).diff(DateTime.fromISO(item.dueOn), "days").days);
  const link = publicUrl ? `\n${publicUrl.replace(/\/$/, "")}/reviews/actions/${item.id}` : "";
  return {
    key: `action-item-overdue:${workspace}:${item.id}:${today}`,
    kind: "action_item_overdue",
    recipient,
    subject: `Overdue: ${item.title}`,
    text: `"${item.title}" was due on ${item.dueOn} (${days} day${days === 1 ? "" : "s"} ago) and is ${item.status.replace("_", " ")}. Mark it done, drop it or move its due date.${link}`,
    data: { actionItem: item, today, daysOverdue: days },
  };
}

function unknownItem(id: string): { ok: false; error: ReviewError } {
  return {
    ok: false,
    error: { code: "unknown_action_item", message: `action item '${id}' does not exist` },
  };
}

export function actionItemOf(row: Selectable<ActionItemTable>): ActionItem {
  return {
    id: row.id,
    title: row.title,
    owner: row.owner,
    dueOn: row.due_on,
    type: row.type as ActionItemType,
    status: row.status as ActionItemStatus,
    metric: row.metric,
    leadIds: row.lead_ids,
    notes: row.notes,
    reviewPackId: row.review_pack_id,
    createdAt: row.created_at.getTime(),
    updatedAt: row.updated_at.getTime(),
    closedAt: row.closed_at === null ? null : row.closed_at.getTime(),
    pushedTo: (row.pushed_to ?? []) as ProjectToolReference[],
  };
}

// ---------------------------------------------------------------------------------------------
// Decisions

export async function addDecision(
  engine: Engine,
  reviewPackId: string,
  text: string,
  decidedBy: string,
): Promise<ReviewOutcome<Decision>> {
  const trimmed = text.trim();
  if (trimmed.length === 0) return invalid("text", "the decision is empty; write what was decided");
  if (trimmed.length > 2000)
    return invalid("text", `the decision is ${trimmed.length} characters; keep it under 2000`);
  const pack = await engine.db
    .selectFrom("review_packs")
    .select("id")
    .where("workspace", "=", engine.workspace)
    .where("id", "=", reviewPackId)
    .executeTakeFirst();
  if (pack === undefined)
    return {
      ok: false,
      error: { code: "unknown_pack", message: `review pack '${reviewPackId}' does not exist` },
    };
  const row = await engine.db
    .insertInto("review_decisions")
    .values({
      workspace: engine.workspace,
      id: engine.newId("rd"),
      review_pack_id: reviewPackId,
      text: trimmed,
      decided_by: decidedBy,
      at: new Date(engine.now()),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok: true, value: decisionOf(row) };
}

export async function listDecisions(
  engine: Engine,
  reviewPackId: string,
  db: Executor = engine.db,
): Promise<Decision[]> {
  const rows = await db
    .selectFrom("review_decisions")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("review_pack_id", "=", reviewPackId)
    .orderBy("at")
    .orderBy("id")
    .execute();
  return rows.map(decisionOf);
}

function decisionOf(row: Selectable<ReviewDecisionTable>): Decision {
  return {
    id: row.id,
    text: row.text,
    reviewPackId: row.review_pack_id,
    decidedBy: row.decided_by,
    at: row.at.getTime(),
  };
}
