import type { PushError } from "../../connectors/project-tools/project-tool.js";

/**
 * The review area's refusals, one vocabulary for the CLI and the HTTP API (each maps the codes
 * in one place: review-command.ts and review-routes.ts).
 */
export type ReviewError =
  /** the agreement has no review with that id */
  | { code: "unknown_review"; message: string; known: string[] }
  | { code: "unknown_pack"; message: string }
  | { code: "unknown_action_item"; message: string }
  /** a field of an action item or a decision is missing or malformed */
  | { code: "invalid_action_item"; message: string; field: string }
  | { code: "invalid_period"; message: string }
  | { code: "no_active_agreement"; message: string }
  | { code: "unknown_project_tool"; message: string; known: string[] }
  /** the project tool refused the push or could not be reached */
  | { code: "push_failed"; message: string; tool: string; reason: PushError["code"] };
export type ReviewErrorCode = ReviewError["code"];

export type ReviewOutcome<Value> = { ok: true; value: Value } | { ok: false; error: ReviewError };

export const noActiveAgreement: ReviewError = {
  code: "no_active_agreement",
  message:
    "no agreement version is active, so there are no reviews and no funnel to measure; propose one and have both sides approve it",
};
