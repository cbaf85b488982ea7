import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { CrmChange } from "../../app/crm-changes.js";
import {
  headerOf,
  type Inbound,
  type InboundRequest,
  refuse,
  refuseMethod,
} from "./inbound-request.js";

/**
 * HubSpot webhooks (signature v3). HubSpot POSTs a JSON array of up to 100 events and signs it:
 * `X-HubSpot-Signature-v3` = base64(HMAC-SHA256(client secret,
 * method + uri + raw body + X-HubSpot-Request-Timestamp)), the timestamp in epoch milliseconds.
 * The uri is the full URL HubSpot called (`https://baton.example.com/webhooks/hubspot?…`), with
 * the URL-encoded characters HubSpot lists decoded; behind a proxy Baton cannot see that URL, so
 * it is rebuilt from the configured public base URL and the path and query as received.
 * Requests older than five minutes are refused, as HubSpot's documentation says, and so are
 * timestamps more than five minutes ahead (a receiver's clock should not be that far behind).
 */

export const hubspotHeaders = {
  signature: "x-hubspot-signature-v3",
  timestamp: "x-hubspot-request-timestamp",
} as const;

export interface HubSpotWebhookConfig {
  /** the app's client secret (Developer account → app → Auth) */
  clientSecret: string;
  /** scheme and host HubSpot calls, e.g. `https://baton.example.com`; a path prefix is kept */
  publicBaseUrl: string;
  /** default 300 000 (five minutes) */
  maxAgeMs?: number;
  /** when set, events from other HubSpot accounts are left out (listed in `ignored`) */
  portalId?: number;
}

export const hubspotMaxAgeMs = 300_000;
export const hubspotMaxEvents = 100;

const eventSchema = z.looseObject({
  eventId: z.number().int(),
  subscriptionId: z.number().int(),
  portalId: z.number().int(),
  occurredAt: z.number().int().nonnegative(),
  /** current payloads */
  subscriptionType: z.string().min(1).optional(),
  /** older payloads name the same thing eventType */
  eventType: z.string().min(1).optional(),
  objectId: z.number().int(),
  propertyName: z.string().optional(),
  // HubSpot sends text; a number or boolean is taken as its text rather than refusing the batch
  propertyValue: z
    .union([z.string(), z.number(), z.boolean()])
    .nullable()
    .optional()
    .transform((value) => (value === null || value === undefined ? value : String(value))),
  changeSource: z.string().optional(),
  attemptNumber: z.number().int().optional(),
});
export type HubSpotEvent = z.infer<typeof eventSchema>;

export type HubSpotWebhookResult = Inbound<{
  events: HubSpotEvent[];
  /** contact changes Baton acts on, oldest first */
  changes: CrmChange[];
  /** events Baton does not act on, and why (the route logs them; HubSpot needs no answer) */
  ignored: { eventId: number; type: string; why: string }[];
}>;

/** Properties with their own kind of change; any other is a plain property change. */
const statusProperties = new Set(["lifecyclestage", "hs_lead_status"]);
const ownerProperty = "hubspot_owner_id";

export function parseHubSpotWebhook(
  request: InboundRequest,
  config: HubSpotWebhookConfig,
  now: Date,
): HubSpotWebhookResult {
  const wrongMethod = refuseMethod(request);
  if (wrongMethod) return wrongMethod;
  const signature = headerOf(request, hubspotHeaders.signature);
  const timestamp = headerOf(request, hubspotHeaders.timestamp);
  if (signature === undefined || timestamp === undefined)
    return refuse(
      "missing_signature",
      `the ${signature === undefined ? "X-HubSpot-Signature-v3" : "X-HubSpot-Request-Timestamp"} header is missing; point a HubSpot app's webhook subscription at this URL (HubSpot signs every request with v3)`,
    );
  if (!/^\d{1,15}$/.test(timestamp))
    return refuse(
      "malformed_signature",
      `X-HubSpot-Request-Timestamp '${timestamp}' is not epoch milliseconds`,
    );
  const given = Buffer.from(signature, "base64");
  if (!/^[A-Za-z0-9+/]{43}=$/.test(signature) || given.length !== 32)
    return refuse(
      "malformed_signature",
      "X-HubSpot-Signature-v3 is not a base64 HMAC-SHA256 (44 characters)",
    );
  const maxAge = config.maxAgeMs ?? hubspotMaxAgeMs;
  const age = now.getTime() - Number(timestamp);
  if (Math.abs(age) > maxAge)
    return refuse(
      "stale_timestamp",
      `X-HubSpot-Request-Timestamp is ${Math.round(Math.abs(age) / 1000)} s ${age > 0 ? "old" : "ahead"}; at most ${maxAge / 1000} s is accepted (a replayed request, or a wrong clock here)`,
    );
  const expected = hubspotSignature(config.clientSecret, {
    method: request.method.toUpperCase(),
    uri: hubspotRequestUri(config.publicBaseUrl, request.url),
    rawBody: request.rawBody,
    timestamp,
  });
  if (!timingSafeEqual(given, Buffer.from(expected, "base64")))
    return refuse(
      "bad_signature",
      `X-HubSpot-Signature-v3 does not match; check the client secret, and that the public base URL (${config.publicBaseUrl}) is the one in the app's target URL`,
    );

  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString("utf8"));
  } catch (error) {
    return refuse(
      "malformed_body",
      `the body is not JSON (${(error as Error).message}); HubSpot sends a JSON array of events`,
    );
  }
  if (!Array.isArray(body))
    return refuse("invalid_payload", "the body is not a JSON array of HubSpot events");
  if (body.length === 0) return refuse("invalid_payload", "the body holds no events");
  if (body.length > hubspotMaxEvents)
    return refuse(
      "too_many_items",
      `${body.length} events in one request; HubSpot sends at most ${hubspotMaxEvents}`,
    );
  const events: HubSpotEvent[] = [];
  const problems: string[] = [];
  for (const [index, item] of body.entries()) {
    const parsed = eventSchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(`${[index, ...issue.path].join(".")}: ${issue.message}`);
      continue;
    }
    if (parsed.data.subscriptionType === undefined && parsed.data.eventType === undefined) {
      problems.push(`${index}: neither subscriptionType nor eventType is given`);
      continue;
    }
    events.push(parsed.data);
  }
  if (problems.length > 0)
    return refuse(
      "invalid_payload",
      `the events are not HubSpot webhook events: ${problems.slice(0, 10).join("; ")}`,
    );

  const changes: CrmChange[] = [];
  const ignored: { eventId: number; type: string; why: string }[] = [];
  // A batch is not in order; creations go first among events of the same instant.
  const ordered = [...events].sort(
    (a, b) => a.occurredAt - b.occurredAt || rank(typeOf(a)) - rank(typeOf(b)),
  );
  for (const event of ordered) {
    const type = typeOf(event);
    if (config.portalId !== undefined && event.portalId !== config.portalId) {
      ignored.push({
        eventId: event.eventId,
        type,
        why: `from HubSpot account ${event.portalId}, not ${config.portalId}`,
      });
      continue;
    }
    const base = {
      system: "hubspot" as const,
      externalId: String(event.objectId),
      changeId: String(event.eventId),
      occurredAt: event.occurredAt,
    };
    switch (type) {
      case "contact.creation":
        changes.push({ ...base, kind: "record", properties: {} });
        break;
      case "contact.deletion":
      case "contact.privacyDeletion":
        changes.push({ ...base, kind: "deleted" });
        break;
      case "contact.propertyChange": {
        const property = event.propertyName;
        if (property === undefined || property === "") {
          ignored.push({ eventId: event.eventId, type, why: "no propertyName" });
          break;
        }
        const value = event.propertyValue === "" ? null : (event.propertyValue ?? null);
        if (property === ownerProperty)
          changes.push({ ...base, kind: "owner", property, crmOwnerId: value });
        else if (statusProperties.has(property))
          changes.push({ ...base, kind: "status", property, value });
        else changes.push({ ...base, kind: "property", property, value });
        break;
      }
      default:
        ignored.push({
          eventId: event.eventId,
          type,
          why: "Baton acts on contact creation, property changes and deletion only",
        });
    }
  }
  return { ok: true, events, changes, ignored };
}

function typeOf(event: HubSpotEvent): string {
  return event.subscriptionType ?? event.eventType ?? "";
}

function rank(type: string): number {
  return type === "contact.creation" ? 0 : 1;
}

/** The characters HubSpot's v3 algorithm decodes in the request URI before signing. */
const decoded: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

/** The URI HubSpot signed: the public base URL (no trailing '/') and the path and query. */
export function hubspotRequestUri(publicBaseUrl: string, pathAndQuery: string): string {
  const uri = `${publicBaseUrl.replace(/\/+$/, "")}${pathAndQuery}`;
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (code) => {
    return decoded[code.toUpperCase()] ?? code;
  });
}

/** base64(HMAC-SHA256(secret, method + uri + body + timestamp)), as HubSpot computes it. */
export function hubspotSignature(
  clientSecret: string,
  input: { method: string; uri: string; rawBody: Buffer | string; timestamp: string },
): string {
  return createHmac("sha256", clientSecret)
    .update(`${input.method}${input.uri}`)
    .update(input.rawBody)
    .update(input.timestamp)
    .digest("base64");
}
