/**
 * What every inbound webhook format takes and answers. The HTTP layer hands over the request as
 * received (the raw body bytes, never re-serialised JSON, because signatures cover the bytes) and
 * sends back the refusal's status and body as they are; the formats never touch a socket.
 *
 * Glossary
 * - refusal: a request Baton will not act on (bad signature, stale timestamp, malformed body …);
 *   nothing is stored, and the sender is told exactly what is wrong and what to do.
 */

export interface InboundRequest {
  method: string;
  /** path and query as received, e.g. `/webhooks/salesforce?token=…` */
  url: string;
  /** header names in any case; Node gives repeated headers as arrays */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
}

/** Every way an inbound webhook is refused, with its HTTP status in one place (`statusOf`). */
export const webhookErrorCodes = [
  "method_not_allowed",
  "missing_signature",
  "malformed_signature",
  "stale_timestamp",
  "bad_signature",
  "bad_token",
  "wrong_organization",
  "malformed_body",
  "invalid_payload",
  "too_many_items",
] as const;
export type WebhookErrorCode = (typeof webhookErrorCodes)[number];

export interface WebhookError {
  status: number;
  code: WebhookErrorCode;
  /** what is wrong and what to do, for the sender's logs */
  message: string;
}

export type Inbound<Value> = ({ ok: true } & Value) | { ok: false; error: WebhookError };

export function statusOf(code: WebhookErrorCode): number {
  switch (code) {
    case "method_not_allowed":
      return 405;
    case "missing_signature":
    case "malformed_signature":
    case "stale_timestamp":
    case "bad_signature":
    case "bad_token":
      return 401;
    case "wrong_organization":
      return 403;
    case "too_many_items":
      return 413;
    case "malformed_body":
    case "invalid_payload":
      return 400;
  }
}

export function refuse(
  code: WebhookErrorCode,
  message: string,
): { ok: false; error: WebhookError } {
  return { ok: false, error: { status: statusOf(code), code, message } };
}

/** A header's value (the first, when repeated); names are compared case-insensitively. */
export function headerOf(request: InboundRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers))
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  return undefined;
}

export function refuseMethod(request: InboundRequest): { ok: false; error: WebhookError } | null {
  return request.method.toUpperCase() === "POST"
    ? null
    : refuse("method_not_allowed", `${request.method} is not accepted here; send a POST`);
}
