/**
 * The joint review's follow-through: action items (a task someone owns, due on a date, about a
 * metric or some leads) and decisions (what the two sides agreed, logged with the review pack
 * they came from). Both are plain values here; storing them is src/app/review/.
 *
 * Glossary
 * - review pack: the generated document for one period of one review cadence (agreement
 *   `reviews[]`), with its figures frozen at generation.
 * - action item type: what kind of change the item asks for (the seeds' review outcomes:
 *   targeting, messaging, content, enablement, process, a change to the definition itself).
 * - overdue: not closed (done or dropped) and its due date is before today in the workspace zone.
 */

export const actionItemTypes = [
  "targeting",
  "messaging",
  "content",
  "enablement",
  "process",
  "definition_change",
] as const;
export type ActionItemType = (typeof actionItemTypes)[number];

export const actionItemStatuses = ["open", "in_progress", "done", "dropped"] as const;
export type ActionItemStatus = (typeof actionItemStatuses)[number];

/** A pushed copy of the item in a project tool. */
export interface ProjectToolReference {
  tool: "jira" | "asana" | "webhook";
  /** the tool's key or id for it (PROJ-12, an Asana gid, the webhook's event id) */
  key: string;
  url?: string | undefined;
  /** epoch ms */
  at: number;
}

export interface ActionItem {
  id: string;
  title: string;
  /** who does it: a person id of the agreement's people or a user's e-mail */
  owner: string;
  /** the date it is due, YYYY-MM-DD in the workspace zone */
  dueOn: string;
  type: ActionItemType;
  status: ActionItemStatus;
  /** the metric it concerns (a name of the metric registry), if any */
  metric: string | null;
  /** the leads it concerns, if any */
  leadIds: string[];
  notes: string;
  /** the review pack it was created from; null when created elsewhere (a dashboard figure) */
  reviewPackId: string | null;
  /** epoch ms */
  createdAt: number;
  updatedAt: number;
  /** when it became done or dropped */
  closedAt: number | null;
  pushedTo: ProjectToolReference[];
}

export interface Decision {
  id: string;
  text: string;
  /** the review pack it was decided in */
  reviewPackId: string;
  /** who recorded it (a user's e-mail) */
  decidedBy: string;
  /** epoch ms */
  at: number;
}

/** Whether an item is still to be done on `today` (YYYY-MM-DD, the workspace zone) and late. */
export function isOverdue(item: Pick<ActionItem, "status" | "dueOn">, today: string): boolean {
  return (item.status === "open" || item.status === "in_progress") && item.dueOn < today;
}
