import type { ActionItem, ProjectToolReference } from "../../core/review/action-item.js";

/**
 * Where an action item can be pushed: one small interface over each project tool's documented
 * REST API (Jira: create issue; Asana: create task) and a generic signed webhook. A push is one
 * request; its failure is a value naming what to fix (configuration, the tool's refusal, the
 * network), never an exception.
 */

export const projectToolNames = ["jira", "asana", "webhook"] as const;
export type ProjectToolName = (typeof projectToolNames)[number];

/** What a tool is given: the item, and a link back to it in Baton when the public URL is known. */
export interface ProjectToolItem {
  item: ActionItem;
  /** e.g. https://baton.example.com/reviews/actions/<id>; absent when BATON_PUBLIC_URL is unset */
  link?: string | undefined;
  /** the review pack's title ("Joint revenue review, week of 2026-11-30"), when it came from one */
  reviewTitle?: string | undefined;
}

export type PushErrorCode =
  /** the tool's settings are missing or malformed */
  | "not_configured"
  /** the tool answered 4xx: the request or the credentials were refused */
  | "rejected"
  /** no answer, a timeout or a 5xx */
  | "unreachable"
  /** a 2xx whose body is not what the documented API returns */
  | "invalid_response";

export interface PushError {
  code: PushErrorCode;
  message: string;
  /** the HTTP status the tool answered, when it answered */
  status?: number | undefined;
}

export type PushResult =
  | { ok: true; reference: ProjectToolReference }
  | { ok: false; error: PushError };

export interface ProjectTool {
  name: ProjectToolName;
  /** who it pushes to, for settings pages: a host and project, never a secret */
  describe(): string;
  push(target: ProjectToolItem, now: number): Promise<PushResult>;
}
