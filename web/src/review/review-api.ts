import type { ApiProblem } from "../api/client";
import type { paths } from "../api/schema";
import { useSignedIn } from "../api/session";

/**
 * The review's types as the API describes them (schema.d.ts, generated from the routes'
 * TypeBox schemas), and the words the pages use for their codes.
 */

type Json<
  Path extends keyof paths,
  Method extends keyof paths[Path],
  Status extends number,
> = paths[Path][Method] extends {
  responses: { [S in Status]: { content: { "application/json": infer Body } } };
}
  ? Body
  : never;

export type PackList = Json<"/api/reviews", "get", 200>;
export type PackSummary = PackList["items"][number];
export type ReviewCadence = PackList["reviews"][number];
export type StoredPack = Json<"/api/reviews/{id}", "get", 200>;
export type ReviewPack = StoredPack["pack"];
export type PackFigure = ReviewPack["sla"]["breached"];
export type Comparison = ReviewPack["sla"]["attainment"];
export type Headline = ReviewPack["headlines"][number];
export type DiscussionPoint = ReviewPack["discussionPoints"][number];
export type Evidence = DiscussionPoint["evidence"][number];
export type CommitmentRow = ReviewPack["commitments"]["marketing"][number];
export type Decision = StoredPack["pack"]["decisions"][number];
export type ActionItemList = Json<"/api/action-items", "get", 200>;
export type ActionItem = ActionItemList["items"][number];
export type ActionItemType = ActionItem["type"];
export type ActionItemStatus = ActionItem["status"];
export type ProjectToolName = ActionItem["pushedTo"][number]["tool"];
export type ProjectTools = Json<"/api/project-tools", "get", 200>["tools"];

export const actionItemTypes: { value: ActionItemType; label: string }[] = [
  { value: "targeting", label: "Targeting" },
  { value: "messaging", label: "Messaging" },
  { value: "content", label: "Content" },
  { value: "enablement", label: "Enablement" },
  { value: "process", label: "Process" },
  { value: "definition_change", label: "Definition change" },
];

export const actionItemStatuses: { value: ActionItemStatus; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "in_progress", label: "In progress" },
  { value: "done", label: "Done" },
  { value: "dropped", label: "Dropped" },
];

export const typeLabel = (type: string) =>
  actionItemTypes.find((entry) => entry.value === type)?.label ?? type;
export const statusLabel = (status: string) =>
  actionItemStatuses.find((entry) => entry.value === status)?.label ?? status;

export const statusColor: Record<ActionItemStatus, string> = {
  open: "blue",
  in_progress: "indigo",
  done: "teal.9",
  dropped: "gray",
};

export const toolLabel: Record<ProjectToolName, string> = {
  jira: "Jira",
  asana: "Asana",
  webhook: "Webhook",
};

/** Review periods as POST /api/reviews takes them; a custom range is typed as dates. */
export const periodChoices = [
  { value: "", label: "The review's last complete period" },
  { value: "this-week", label: "This week" },
  { value: "last-week", label: "Last week" },
  { value: "last-2-weeks", label: "Last 2 weeks" },
  { value: "this-month", label: "This month" },
  { value: "last-month", label: "Last month" },
  { value: "this-quarter", label: "This quarter" },
  { value: "last-quarter", label: "Last quarter" },
  { value: "custom", label: "Dates…" },
];

/** Whether the signed-in role may generate packs, log decisions and change action items. */
export function useCanManageReviews(): boolean {
  return useSignedIn().capabilities.includes("reviews.manage");
}

/**
 * The lead a pack record is about: records are lead ids, SLA cycles (`<lead>/<step>#<cycle>`)
 * or opportunity ids; the part before `/` or `#` is the lead's id when the record is a lead's.
 */
export function leadIdOfRecord(record: string): string {
  return record.split(/[/#]/)[0] ?? record;
}

/** Field errors from the API's refusal: `field` (review refusals) or `problems[].field` (schema). */
export function fieldErrorsOf(problem: ApiProblem): Record<string, string> {
  const fields: Record<string, string> = {};
  const field = problem.details?.field;
  if (typeof field === "string") fields[field] = problem.message;
  const problems = problem.details?.problems;
  if (Array.isArray(problems))
    for (const entry of problems as { field?: string; message?: string }[]) {
      const name = entry.field?.replace(/^body\./, "").split(".")[0];
      if (name !== undefined && name !== "") fields[name] = entry.message ?? "is invalid";
    }
  return fields;
}

const dateFormat = new Intl.DateTimeFormat("en", {
  year: "numeric",
  month: "short",
  day: "numeric",
});
/** A YYYY-MM-DD date as people read it, without shifting it through a time zone. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  if (y === undefined || m === undefined || d === undefined) return day;
  return dateFormat.format(new Date(Date.UTC(y, m - 1, d, 12)));
}
