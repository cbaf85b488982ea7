import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hubspotRequestUri, parseHubSpotWebhook } from "./hubspot-webhook.js";
import type { InboundRequest } from "./inbound-request.js";

const clientSecret = "9b1f0a3c-5e2d-4c7a-8f61-2d3e4b5a6c7d";
const config = { clientSecret, publicBaseUrl: "https://baton.example.com/" };
const now = new Date("2026-03-09T14:00:00Z");

/**
 * Signs as HubSpot's documentation describes: base64 HMAC-SHA256 with the client secret of
 * method + the URL it called + body + timestamp, written out here rather than through Baton's code.
 */
function fromHubSpot(
  events: unknown,
  options: { timestamp?: number; url?: string; signedUrl?: string; body?: string } = {},
): InboundRequest {
  const timestamp = String(options.timestamp ?? now.getTime() - 2_000);
  const url = options.url ?? "/webhooks/hubspot";
  const body = options.body ?? JSON.stringify(events);
  const signature = createHmac("sha256", clientSecret)
    .update(
      `POST${options.signedUrl ?? `https://baton.example.com${url}`}${body}${timestamp}`,
      "utf8",
    )
    .digest("base64");
  return {
    method: "POST",
    url,
    headers: {
      "content-type": "application/json",
      "x-hubspot-signature-v3": signature,
      "x-hubspot-request-timestamp": timestamp,
      "x-hubspot-signature-version": "v1",
    },
    rawBody: Buffer.from(body),
  };
}

let nextEventId = 1_000;
function event(fields: Record<string, unknown>) {
  nextEventId += 1;
  return {
    eventId: nextEventId,
    subscriptionId: 4_512_345,
    portalId: 62_515,
    appId: 54_321,
    occurredAt: now.getTime() - 60_000,
    attemptNumber: 0,
    objectId: 1_246_965,
    changeSource: "CRM_UI",
    ...fields,
  };
}

describe("parseHubSpotWebhook", () => {
  it("verifies a batch and normalises creation, status, owner and other properties", () => {
    const events = [
      event({
        subscriptionType: "contact.propertyChange",
        propertyName: "lifecyclestage",
        propertyValue: "marketingqualifiedlead",
        occurredAt: now.getTime() - 30_000,
      }),
      event({ subscriptionType: "contact.creation", changeFlag: "NEW" }),
      event({
        subscriptionType: "contact.propertyChange",
        propertyName: "hubspot_owner_id",
        propertyValue: 81234567,
        occurredAt: now.getTime() - 20_000,
      }),
      event({
        subscriptionType: "contact.propertyChange",
        propertyName: "hs_lead_status",
        propertyValue: "UNQUALIFIED",
        occurredAt: now.getTime() - 10_000,
      }),
      event({
        subscriptionType: "contact.propertyChange",
        propertyName: "jobtitle",
        propertyValue: "VP Marketing",
        occurredAt: now.getTime() - 10_000,
      }),
      event({ subscriptionType: "contact.deletion", objectId: 999 }),
    ];
    const result = parseHubSpotWebhook(fromHubSpot(events), config, now);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.events).toHaveLength(6);
    // oldest first; the creation before the deletion of the same instant
    expect(result.changes.map((change) => [change.kind, change.externalId])).toEqual([
      ["record", "1246965"],
      ["deleted", "999"],
      ["status", "1246965"],
      ["owner", "1246965"],
      ["status", "1246965"],
      ["property", "1246965"],
    ]);
    expect(result.changes[2]).toMatchObject({
      kind: "status",
      property: "lifecyclestage",
      value: "marketingqualifiedlead",
      changeId: String(events[0]!.eventId),
      system: "hubspot",
    });
    expect(result.changes[3]).toMatchObject({ kind: "owner", crmOwnerId: "81234567" });
  });

  it("reads the older eventType field like subscriptionType", () => {
    const result = parseHubSpotWebhook(
      fromHubSpot([
        event({
          eventType: "contact.propertyChange",
          propertyName: "hs_lead_status",
          propertyValue: "OPEN_DEAL",
        }),
      ]),
      config,
      now,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.changes).toEqual([
      expect.objectContaining({ kind: "status", property: "hs_lead_status", value: "OPEN_DEAL" }),
    ]);
  });

  it("lists events it does not act on instead of refusing them", () => {
    const result = parseHubSpotWebhook(
      fromHubSpot([
        event({ subscriptionType: "deal.creation" }),
        event({ subscriptionType: "contact.creation", portalId: 1 }),
      ]),
      { ...config, portalId: 62_515 },
      now,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.changes).toEqual([]);
    expect(result.ignored.map((item) => item.type).sort()).toEqual([
      "contact.creation",
      "deal.creation",
    ]);
  });

  it("refuses a body with one byte changed", () => {
    const request = fromHubSpot([event({ subscriptionType: "contact.creation" })]);
    const tampered = Buffer.from(request.rawBody);
    const at = tampered.indexOf("1246965");
    tampered[at] = "2".charCodeAt(0);
    const result = parseHubSpotWebhook({ ...request, rawBody: tampered }, config, now);
    expect(result.ok ? null : result.error).toMatchObject({ status: 401, code: "bad_signature" });
  });

  it("refuses a signature over another URL (the public base URL matters)", () => {
    const request = fromHubSpot([event({ subscriptionType: "contact.creation" })]);
    const result = parseHubSpotWebhook(
      request,
      { ...config, publicBaseUrl: "https://other.example.com" },
      now,
    );
    expect(result.ok ? null : result.error.code).toBe("bad_signature");
  });

  it("decodes the characters HubSpot decodes in the URL before signing", () => {
    expect(hubspotRequestUri("https://baton.example.com/", "/hooks/hubspot?a=b%3Ac%2Cd%20e")).toBe(
      "https://baton.example.com/hooks/hubspot?a=b:c,d%20e",
    );
    const request = fromHubSpot([event({ subscriptionType: "contact.creation" })], {
      url: "/webhooks/hubspot?key=a%3Ab",
      signedUrl: "https://baton.example.com/webhooks/hubspot?key=a:b",
    });
    expect(parseHubSpotWebhook(request, config, now).ok).toBe(true);
  });

  it("refuses a timestamp older than five minutes, and one far ahead", () => {
    const old = parseHubSpotWebhook(
      fromHubSpot([event({ subscriptionType: "contact.creation" })], {
        timestamp: now.getTime() - 300_001,
      }),
      config,
      now,
    );
    expect(old.ok ? null : old.error).toMatchObject({ status: 401, code: "stale_timestamp" });
    const ahead = parseHubSpotWebhook(
      fromHubSpot([event({ subscriptionType: "contact.creation" })], {
        timestamp: now.getTime() + 400_000,
      }),
      config,
      now,
    );
    expect(ahead.ok ? null : ahead.error.code).toBe("stale_timestamp");
    const justInTime = parseHubSpotWebhook(
      fromHubSpot([event({ subscriptionType: "contact.creation" })], {
        timestamp: now.getTime() - 299_000,
      }),
      config,
      now,
    );
    expect(justInTime.ok).toBe(true);
  });

  it("refuses missing and malformed signature headers", () => {
    const request = fromHubSpot([event({ subscriptionType: "contact.creation" })]);
    const { "x-hubspot-signature-v3": _, ...withoutSignature } = request.headers;
    const missing = parseHubSpotWebhook({ ...request, headers: withoutSignature }, config, now);
    expect(missing.ok ? null : missing.error.code).toBe("missing_signature");
    const malformed = parseHubSpotWebhook(
      { ...request, headers: { ...request.headers, "x-hubspot-signature-v3": "abc" } },
      config,
      now,
    );
    expect(malformed.ok ? null : malformed.error.code).toBe("malformed_signature");
  });

  it("refuses broken JSON, a non-array, no events, 101 events and events without a type", () => {
    const broken = parseHubSpotWebhook(fromHubSpot(null, { body: '[{"eventId":1,' }), config, now);
    expect(broken.ok ? null : broken.error).toMatchObject({ status: 400, code: "malformed_body" });
    const object = parseHubSpotWebhook(fromHubSpot({ eventId: 1 }), config, now);
    expect(object.ok ? null : object.error.code).toBe("invalid_payload");
    const none = parseHubSpotWebhook(fromHubSpot([]), config, now);
    expect(none.ok ? null : none.error.code).toBe("invalid_payload");
    const many = Array.from({ length: 101 }, () => event({ subscriptionType: "contact.creation" }));
    const tooMany = parseHubSpotWebhook(fromHubSpot(many), config, now);
    expect(tooMany.ok ? null : tooMany.error).toMatchObject({
      status: 413,
      code: "too_many_items",
    });
    const hundred = parseHubSpotWebhook(fromHubSpot(many.slice(0, 100)), config, now);
    expect(hundred.ok ? hundred.changes.length : null).toBe(100);
    const untyped = parseHubSpotWebhook(fromHubSpot([event({})]), config, now);
    expect(untyped.ok ? null : untyped.error.message).toContain(
      "neither subscriptionType nor eventType",
    );
  });
});
