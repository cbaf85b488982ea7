import type { AccessErrorCode } from "../app/access/access-error.js";
import type { AgreementErrorCode } from "../app/agreements.js";
import type { IngestError } from "../app/ingest.js";
import type { ActionError } from "../app/lead-actions.js";
import type { MetricsErrorCode } from "../app/metrics.js";
import {
  type WebhookErrorCode,
  statusOf as webhookStatusOf,
} from "../connectors/webhooks/inbound-request.js";

/**
 * Baton's one HTTP error: every refusal, whichever use case made it, leaves as
 * `{ error: { code, message, requestId, ...details } }` with the status `statusOf(code)` gives.
 * `message` says what is wrong and what to do; `details` carries the machine-readable parts
 * (field problems, the agreement's requirement) so a form can highlight the field.
 */

/** Codes only the HTTP layer produces. */
export const httpErrorCodes = [
  "invalid_request",
  "malformed_body",
  "not_signed_in",
  "forbidden",
  "csrf_failed",
  "not_found",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "bad_signature",
  "expired_timestamp",
  "webhook_not_configured",
  "not_ready",
  /** a project tool (Jira, Asana, a webhook) refused a push or could not be reached */
  "push_failed",
  "notification_in_flight",
  "internal",
] as const;
export type HttpErrorCode = (typeof httpErrorCodes)[number];

export type ErrorCode =
  | HttpErrorCode
  | AccessErrorCode
  | AgreementErrorCode
  | IngestError["code"]
  | ActionError["code"]
  | MetricsErrorCode
  | WebhookErrorCode;

/** The one place an error code becomes a status. Exhaustive: a new code fails to compile here. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    // inbound webhook refusals keep the statuses their formats declare
    case "method_not_allowed":
    case "missing_signature":
    case "malformed_signature":
    case "stale_timestamp":
    case "bad_token":
    case "wrong_organization":
    case "invalid_payload":
    case "too_many_items":
      return webhookStatusOf(code);
    case "invalid_request":
    case "invalid_input":
    case "unknown_field":
    case "wrong_type":
    case "invalid_agreement":
    case "activation_mode_required":
    case "reason_required":
    case "unknown_reason":
    case "note_required":
    case "context_missing":
    case "feedback_missing":
    case "invalid_feedback_value":
    case "scope_not_held":
    case "unknown_person":
      return 422;
    case "not_signed_in":
    case "bad_credentials":
    case "bad_signature":
    case "expired_timestamp":
      return 401;
    case "forbidden":
    case "csrf_failed":
    case "role_not_allowed":
    case "not_owner":
    case "not_an_approver":
    case "user_disabled":
      return 403;
    case "not_found":
    case "unknown_lead":
    case "unknown_version":
    case "unknown_user":
    case "unknown_token":
    case "unknown_rep":
    case "no_opportunity":
    case "unknown_metric":
    case "unknown_figure":
    case "unknown_group":
      return 404;
    case "user_exists":
    case "person_taken":
    case "already_active":
    case "already_approved":
    case "superseded":
    case "terminal_stage":
    case "illegal_transition":
    case "requalify_too_early":
    case "opportunity_closed":
    case "no_active_agreement":
    case "last_admin":
    case "activation_incomplete":
    case "notification_in_flight":
      return 409;
    case "malformed_body":
    case "invalid_period":
      return 400;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "rate_limited":
      return 429;
    case "webhook_not_configured":
    case "not_ready":
      return 503;
    case "push_failed":
      return 502;
    case "internal":
      return 500;
  }
}

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "HttpError";
    this.status = statusOf(code);
  }
}

/** A use case's refusal (`{ code, message, ...details }`) as the HTTP error it becomes. */
export function refusal(error: { code: ErrorCode; message: string }): HttpError {
  const { code, message, ...details } = error as { code: ErrorCode; message: string } & Record<
    string,
    unknown
  >;
  return new HttpError(code, message, Object.keys(details).length > 0 ? details : undefined);
}
