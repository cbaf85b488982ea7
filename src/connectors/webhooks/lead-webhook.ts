import { z } from "zod";
import { type LeadInput, leadInputSchema } from "../../app/lead-input.js";
import {
  defaultToleranceSeconds,
  verifyWebhookSignature,
  webhookHeaders,
} from "../../app/notifications/webhook-signature.js";
import {
  headerOf,
  type Inbound,
  type InboundRequest,
  refuse,
  refuseMethod,
} from "./inbound-request.js";

/**
 * The generic lead webhook: a form tool, a landing page or a script POSTs JSON, one lead
 * (`LeadInput`) or `{ "leads": [LeadInput, …] }`, signed exactly as Baton signs its own webhooks
 * (webhook-signature.ts): `Baton-Timestamp` is unix seconds, `Baton-Signature` is
 * `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` with the shared secret. The signature is
 * checked in constant time and a timestamp further than the tolerance from `now` is refused, so a
 * captured request cannot be replayed later.
 *
 * Only the shape is checked here; the agreement's fields are checked by ingest, per lead.
 */

export interface LeadWebhookConfig {
  /** the shared secret, at least 16 characters */
  secret: string;
  /** seconds either way; default 300 */
  toleranceSeconds?: number;
  /** leads in one request; default 500 */
  maxLeads?: number;
}

export const defaultMaxLeads = 500;

export type LeadWebhookResult = Inbound<{
  leads: LeadInput[];
  /** true when the body was `{ leads: [...] }`: answer with a list of results */
  batch: boolean;
}>;

const batchSchema = z.strictObject({ leads: z.array(z.unknown()) });

export function parseLeadWebhook(
  request: InboundRequest,
  config: LeadWebhookConfig,
  now: Date,
): LeadWebhookResult {
  const wrongMethod = refuseMethod(request);
  if (wrongMethod) return wrongMethod;
  const timestamp = headerOf(request, webhookHeaders.timestamp);
  const signature = headerOf(request, webhookHeaders.signature);
  if (timestamp === undefined || signature === undefined)
    return refuse(
      "missing_signature",
      `the ${timestamp === undefined ? "Baton-Timestamp" : "Baton-Signature"} header is missing; sign each request: Baton-Timestamp = unix seconds, Baton-Signature = v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>`,
    );
  const tolerance = config.toleranceSeconds ?? defaultToleranceSeconds;
  const check = verifyWebhookSignature({
    secret: config.secret,
    timestamp,
    signature,
    body: request.rawBody,
    now,
    toleranceSeconds: tolerance,
  });
  if (!check.ok)
    switch (check.reason) {
      case "malformed-timestamp":
        return refuse(
          "malformed_signature",
          `Baton-Timestamp '${timestamp}' is not unix seconds; send the signing time as a whole number of seconds`,
        );
      case "malformed-signature":
        return refuse(
          "malformed_signature",
          "Baton-Signature is not v1=<64 hex digits>; send v1= and the hex HMAC-SHA256 (several comma-separated while rotating the secret)",
        );
      case "stale-timestamp":
        return refuse(
          "stale_timestamp",
          `${check.message}; sign each request when sending it, and check the sender's clock`,
        );
      case "bad-signature":
        return refuse(
          "bad_signature",
          'Baton-Signature does not match the body; sign "<Baton-Timestamp>.<the exact body bytes sent>" with the shared secret, and do not re-serialise the body after signing',
        );
    }

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch (error) {
    return refuse(
      "malformed_body",
      `the body is not JSON (${(error as Error).message}); send one lead object or { "leads": [ … ] }`,
    );
  }
  const max = config.maxLeads ?? defaultMaxLeads;
  const batch = batchSchema.safeParse(body);
  const items = batch.success ? batch.data.leads : [body];
  if (batch.success && items.length === 0)
    return refuse("invalid_payload", '"leads" is empty; send at least one lead');
  if (items.length > max)
    return refuse(
      "too_many_items",
      `${items.length} leads in one request; at most ${max} are accepted, send them in several requests`,
    );
  const problems: string[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = leadInputSchema.safeParse(item);
    if (parsed.success) continue;
    for (const issue of parsed.error.issues) {
      const path = [...(batch.success ? ["leads", index] : []), ...issue.path].join(".");
      problems.push(`${path || "(body)"}: ${issue.message}`);
    }
  }
  if (problems.length > 0)
    return refuse(
      "invalid_payload",
      `the body is not ${batch.success ? "a list of leads" : "a lead"}: ${problems.slice(0, 10).join("; ")}${problems.length > 10 ? `; and ${problems.length - 10} more` : ""}`,
    );
  return { ok: true, leads: items as LeadInput[], batch: batch.success };
}
