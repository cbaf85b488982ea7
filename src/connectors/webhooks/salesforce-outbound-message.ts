import { createHash, timingSafeEqual } from "node:crypto";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { CrmChange } from "../../app/crm-changes.js";
import {
  type Inbound,
  type InboundRequest,
  refuse,
  refuseMethod,
  type WebhookError,
} from "./inbound-request.js";

/**
 * Salesforce Outbound Messaging: a workflow rule or flow POSTs a SOAP envelope holding 1–100
 * `Notification`s, each with its id and a snapshot of the record (`sObject`, here `sf:Lead`)
 * with the fields the outbound message selects. Salesforce retries a message until it is
 * acknowledged (for up to 24 hours), with the same notification ids.
 *
 * Outbound messages are not signed: no HMAC, no timestamp. What a receiver can check is the
 * organisation id in the message (it must be the configured one), and, because anyone who knows
 * the id could forge it, a secret token Baton's administrator puts in the endpoint URL
 * (`…/webhooks/salesforce?token=<secret>`, HTTPS only). Salesforce can also present a client
 * certificate; that is the TLS terminator's business, not this function's.
 *
 * Answer a message taken with `salesforceAck()` (HTTP 200, `text/xml`), a refused one with
 * `salesforceFault(error)` and the error's status: Salesforce will send it again.
 */

export interface SalesforceOutboundConfig {
  /** the organisation id, 15 or 18 characters (Setup → Company Information) */
  organizationId: string;
  /** when set, the request URL must carry `?token=<this>` */
  token?: string;
}

export const salesforceMaxNotifications = 100;

export interface SalesforceNotification {
  /** the notification id: the same on every retry of this message */
  id: string;
  /** the sObject type without prefix: `Lead` */
  type: string;
  /** field → value as text; null when sent nil */
  fields: Record<string, string | null>;
}

export type SalesforceOutboundResult = Inbound<{
  organizationId: string;
  actionId: string | null;
  notifications: SalesforceNotification[];
  /** per notification: the record, then its `Status` and `OwnerId` when present */
  changes: CrmChange[];
}>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  // Keep every value as text ("0500" stays "0500"); the field mapping types it.
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === "Notification",
});

export function parseSalesforceOutboundMessage(
  request: InboundRequest,
  config: SalesforceOutboundConfig,
  now: Date,
): SalesforceOutboundResult {
  const wrongMethod = refuseMethod(request);
  if (wrongMethod) return wrongMethod;
  if (config.token !== undefined) {
    const given = new URL(request.url, "http://baton.invalid").searchParams.get("token");
    if (given === null)
      return refuse(
        "bad_token",
        "the URL has no token; set the outbound message's Endpoint URL to Baton's URL with ?token=<the configured token>",
      );
    if (!sameSecret(given, config.token))
      return refuse(
        "bad_token",
        "the URL's token is not the configured one; copy it again into the outbound message's Endpoint URL",
      );
  }

  const xml = request.rawBody.toString("utf8");
  // Salesforce never sends a DTD; refusing one keeps entity expansion out entirely.
  if (/<!DOCTYPE/i.test(xml))
    return refuse("malformed_body", "the body has a DOCTYPE; Salesforce messages never do");
  const valid = XMLValidator.validate(xml);
  if (valid !== true)
    return refuse(
      "malformed_body",
      `the body is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}); send the outbound message's SOAP envelope as is`,
    );
  const document = parser.parse(xml) as unknown;
  const notifications = at(document, "Envelope", "Body", "notifications");
  if (!isRecord(notifications))
    return refuse(
      "invalid_payload",
      "the body is not a Salesforce outbound message (no soapenv:Envelope/Body/notifications)",
    );
  const organizationId = text(notifications.OrganizationId);
  if (organizationId === null || organizationId === "")
    return refuse("invalid_payload", "the message has no OrganizationId");
  if (!sameOrganization(organizationId, config.organizationId))
    return refuse(
      "wrong_organization",
      `the message comes from organisation ${organizationId}, not the configured ${config.organizationId}; check which org the outbound message is in, or Baton's configuration`,
    );

  const items = Array.isArray(notifications.Notification) ? notifications.Notification : [];
  if (items.length === 0) return refuse("invalid_payload", "the message holds no Notification");
  if (items.length > salesforceMaxNotifications)
    return refuse(
      "too_many_items",
      `${items.length} notifications in one message; Salesforce sends at most ${salesforceMaxNotifications}`,
    );
  const parsed: SalesforceNotification[] = [];
  const problems: string[] = [];
  for (const [index, item] of items.entries()) {
    const id = isRecord(item) ? text(item.Id) : null;
    const object = isRecord(item) ? item.sObject : undefined;
    if (id === null || id === "" || !isRecord(object)) {
      problems.push(`Notification ${index + 1} has no Id or no sObject`);
      continue;
    }
    const declared = typeof object["@_type"] === "string" ? object["@_type"] : "";
    const type = declared.slice(declared.indexOf(":") + 1);
    if (type !== "Lead") {
      problems.push(
        `Notification ${id} sends ${declared || "an untyped sObject"}; Baton takes Lead outbound messages`,
      );
      continue;
    }
    const fields: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(object))
      if (!name.startsWith("@_")) fields[name] = text(value);
    if (!fields.Id) {
      problems.push(`Notification ${id}: the Lead has no Id; add the Id field to the message`);
      continue;
    }
    parsed.push({ id, type, fields });
  }
  if (problems.length > 0) return refuse("invalid_payload", problems.slice(0, 10).join("; "));

  const changes: CrmChange[] = [];
  for (const notification of parsed) {
    const base = {
      system: "salesforce" as const,
      externalId: notification.fields.Id!,
      changeId: notification.id,
      occurredAt: now.getTime(),
    };
    changes.push({ ...base, kind: "record", properties: notification.fields });
    if (Object.hasOwn(notification.fields, "Status"))
      changes.push({
        ...base,
        kind: "status",
        property: "Status",
        value: notification.fields.Status ?? null,
      });
    if (Object.hasOwn(notification.fields, "OwnerId"))
      changes.push({
        ...base,
        kind: "owner",
        property: "OwnerId",
        crmOwnerId: notification.fields.OwnerId ?? null,
      });
  }
  return {
    ok: true,
    organizationId,
    actionId: text(notifications.ActionId),
    notifications: parsed,
    changes,
  };
}

const envelope = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** The acknowledgement Salesforce waits for; without it, it sends the message again. */
export function salesforceAck(): string {
  return envelope(
    '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>',
  );
}

/** A SOAP fault for a refused message: `Client` for the sender's mistakes, else `Server`. */
export function salesforceFault(error: Pick<WebhookError, "status" | "code" | "message">): string {
  const side = error.status < 500 ? "Client" : "Server";
  return envelope(
    `<soapenv:Fault><faultcode>soapenv:${side}</faultcode><faultstring>${escapeXml(`${error.code}: ${error.message}`)}</faultstring></soapenv:Fault>`,
  );
}

function escapeXml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/**
 * Salesforce ids come in a case-sensitive 15-character form and an 18-character form (the 15
 * plus a case checksum); either configured form matches either sent form.
 */
function sameOrganization(sent: string, configured: string): boolean {
  return sent.slice(0, 15) === configured.trim().slice(0, 15);
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An element's text: a string, `{ "#text": … }` with attributes, null for `xsi:nil`. */
function text(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isRecord(value)) {
    if (value["@_nil"] === "true") return null;
    if (typeof value["#text"] === "string") return value["#text"];
    return "";
  }
  return null;
}
