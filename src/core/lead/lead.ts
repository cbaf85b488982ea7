/**
 * The lead as the core sees it: plain data handed in by the caller. The core never loads or
 * stores a lead; use cases in src/app do, and pass snapshots in.
 *
 * Glossary
 * - stage: the lifecycle stage id declared in the agreement (e.g. "new", "mql", "working").
 * - owner: the rep id (or queue id) responsible for the lead right now.
 * - touch: a human activity (call, e-mail, meeting) that counts as follow-up; auto-replies do not.
 */

/** Values a field can hold. Timestamps are epoch milliseconds. */
export type FieldValue = string | number | boolean | null | readonly string[];

export type FieldRecord = Record<string, FieldValue | undefined>;

export const touchActivityTypes = ["call", "email", "meeting"] as const;
export type TouchActivityType = (typeof touchActivityTypes)[number];

export const activityTypes = [
  ...touchActivityTypes,
  "page_view",
  "form_submit",
  "email_open",
  "email_click",
  "content_download",
  "webinar",
  "intent_signal",
  "note",
] as const;
export type ActivityType = (typeof activityTypes)[number];

export interface Activity {
  type: ActivityType;
  /** epoch ms */
  at: number;
  /** rep id for human activities */
  actor?: string;
  /** true when the activity was an automatic reply; it never counts as a touch */
  autoReply?: boolean;
  fields?: FieldRecord;
}

export interface Lead {
  id: string;
  stage: string;
  /** epoch ms the lead entered its current stage */
  stageEnteredAt: number;
  createdAt: number;
  owner?: string;
  /** lead attributes: email, first_name, country, source, campaign, and the agreement's own fields */
  fields: FieldRecord;
  /** company attributes: name, domain, employees, industry, country, … */
  company: FieldRecord;
  activities: readonly Activity[];
}

/** True when the activity counts as human follow-up. */
export function isTouch(activity: Activity): boolean {
  return (
    (touchActivityTypes as readonly string[]).includes(activity.type) && activity.autoReply !== true
  );
}
