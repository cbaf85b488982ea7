import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/app/notifications/webhook-signature.js";
import { hubspotSignature } from "../../src/connectors/webhooks/hubspot-webhook.js";
import { buildApp } from "../../src/http/app.js";
import { as, createHttpFixture, type HttpFixture } from "./http-fixture.js";

/**
 * The inbound webhooks through the HTTP app: signed requests store leads and CRM changes;
 * a bad signature, a stale timestamp, a wrong organisation or a malformed body is refused with
 * its code and stores nothing.
 */
const leadSecret = "lead-webhook-secret-0123456789";
const hubspotSecret = "hubspot-client-secret-abcdef";
const organizationId = "00D5g000004ABCdEAG";
const salesforceToken = "salesforce-token-for-baton";

let fixture: HttpFixture;
beforeAll(async () => {
  fixture = await createHttpFixture({
    webhooks: {
      leadSecret,
      hubspot: { clientSecret: hubspotSecret },
      salesforce: { organizationId, token: salesforceToken },
    },
  });
}, 60_000);
afterAll(async () => fixture?.close());

async function leadCount(): Promise<number> {
  const row = await fixture.engine.db
    .selectFrom("leads")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function signedLead(body: unknown, options: { secret?: string; at?: number } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor((options.at ?? fixture.clock.now) / 1000);
  return {
    method: "POST" as const,
    url: "/api/webhooks/leads",
    headers: {
      "content-type": "application/json",
      "baton-timestamp": String(timestamp),
      "baton-signature": signWebhook(options.secret ?? leadSecret, timestamp, raw),
    },
    payload: raw,
  };
}

describe("lead webhook", () => {
  it("stores a signed lead, once", async () => {
    const body = {
      system: "web-form",
      externalId: "wh-1",
      fields: { email: "lee@acme-corp.example" },
    };
    const first = await fixture.app.inject(signedLead(body));
    expect(first.statusCode, first.body).toBe(201);
    const again = await fixture.app.inject(signedLead(body));
    expect(again.json()).toMatchObject({ outcome: "duplicate", leadId: first.json().leadId });
    const lead = await fixture.app.inject({
      method: "GET",
      url: `/api/leads/${first.json().leadId}/events`,
      headers: as(fixture.users.viewer),
    });
    expect(lead.json().items[0].actor).toBe("webhook:leads");
  });

  it("refuses a wrong signature, a replayed timestamp and a malformed body, storing nothing", async () => {
    const before = await leadCount();
    const body = { system: "web-form", externalId: "wh-2", fields: { email: "x@y.example" } };
    const forged = await fixture.app.inject(signedLead(body, { secret: "not-the-secret-at-all" }));
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.code).toBe("bad_signature");
    const replayed = await fixture.app.inject(
      signedLead(body, { at: fixture.clock.now - 10 * 60_000 }),
    );
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json().error.code).toBe("stale_timestamp");
    const malformed = signedLead(body);
    const broken = "{not json";
    const timestamp = Math.floor(fixture.clock.now / 1000);
    const garbled = await fixture.app.inject({
      ...malformed,
      payload: broken,
      headers: {
        ...malformed.headers,
        "baton-signature": signWebhook(leadSecret, timestamp, broken),
      },
    });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json().error.code).toBe("malformed_body");
    expect(await leadCount()).toBe(before);
  });

  it("answers 503 with the variable to set when a webhook is not configured", async () => {
    const bare = await buildApp({ engine: fixture.engine });
    try {
      const response = await bare.inject({
        method: "POST",
        url: "/api/webhooks/hubspot",
        payload: "[]",
      });
      expect(response.statusCode).toBe(503);
      expect(response.json().error.message).toContain("BATON_HUBSPOT_CLIENT_SECRET");
    } finally {
      await bare.close();
    }
  });
});

describe("HubSpot webhook", () => {
  it("verifies signature v3 and creates the contact as a lead", async () => {
    const events = [
      {
        eventId: 101,
        subscriptionId: 7,
        portalId: 62515,
        occurredAt: fixture.clock.now - 1000,
        subscriptionType: "contact.creation",
        attemptNumber: 0,
        objectId: 5501,
        changeSource: "CRM_UI",
      },
      {
        eventId: 102,
        subscriptionId: 8,
        portalId: 62515,
        occurredAt: fixture.clock.now - 900,
        eventType: "contact.propertyChange",
        attemptNumber: 0,
        objectId: 5501,
        propertyName: "email",
        propertyValue: "sam@hubspot-customer.example",
        changeSource: "CRM_UI",
      },
    ];
    const raw = JSON.stringify(events);
    const timestamp = String(fixture.clock.now);
    const uri = "http://localhost:80/api/webhooks/hubspot";
    const request = (signature: string) =>
      fixture.app.inject({
        method: "POST",
        url: "/api/webhooks/hubspot",
        headers: {
          host: "localhost:80",
          "content-type": "application/json",
          "x-hubspot-request-timestamp": timestamp,
          "x-hubspot-signature-v3": signature,
        },
        payload: raw,
      });
    const tampered = await request(
      hubspotSignature(hubspotSecret, { method: "POST", uri, rawBody: `${raw} `, timestamp }),
    );
    expect(tampered.statusCode).toBe(401);
    const response = await request(
      hubspotSignature(hubspotSecret, { method: "POST", uri, rawBody: raw, timestamp }),
    );
    expect(response.statusCode, response.body).toBe(200);
    const created = response
      .json()
      .results.find((result: { kind: string }) => result.kind === "record");
    expect(created).toMatchObject({ outcome: "applied", externalId: "5501" });
    const stored = await fixture.engine.db
      .selectFrom("leads")
      .select(["system", "external_id", "email_key"])
      .where("id", "=", created.leadId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      system: "hubspot",
      external_id: "5501",
      email_key: "sam@hubspot-customer.example",
    });
  });
});

describe("Salesforce outbound messages", () => {
  function envelope(org: string, leads: { id: string; email: string }[]): string {
    const notifications = leads
      .map(
        (lead, index) => `<Notification><Id>04l5g00000AbCd${index}</Id>
<sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${lead.id}</sf:Id><sf:Email>${lead.email}</sf:Email><sf:LastName>Lovelace</sf:LastName><sf:Company>Big &amp; Co</sf:Company></sObject></Notification>`,
      )
      .join("");
    return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${org}</OrganizationId><ActionId>04k5g000000AbCdAAK</ActionId><SessionId xsi:nil="true"/><EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0</EnterpriseUrl><PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0</PartnerUrl>${notifications}</notifications>
</soapenv:Body></soapenv:Envelope>`;
  }
  const post = (body: string, token = salesforceToken) =>
    fixture.app.inject({
      method: "POST",
      url: `/api/webhooks/salesforce?token=${token}`,
      headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' },
      payload: body,
    });

  it("stores every lead of a message and answers with the Ack, also when the message comes again", async () => {
    const body = envelope(organizationId, [
      { id: "00Q5g00000XyZ00001", email: "ada@bigco-sf.example" },
      { id: "00Q5g00000XyZ00002", email: "grace@bigco-sf.example" },
    ]);
    const before = await leadCount();
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toContain("text/xml");
    expect(response.body).toContain("<Ack>true</Ack>");
    expect(await leadCount()).toBe(before + 2);
    const again = await post(body);
    expect(again.body).toContain("<Ack>true</Ack>");
    expect(await leadCount()).toBe(before + 2);
  });

  it("answers another organisation or a wrong token with a SOAP fault and stores nothing", async () => {
    const before = await leadCount();
    const foreign = await post(
      envelope("00D000000000001AAA", [{ id: "00Q5g00000XyZ00003", email: "z@z.example" }]),
    );
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain("<faultcode>soapenv:Client</faultcode>");
    expect(foreign.body).toContain("wrong_organization");
    const wrongToken = await post(
      envelope(organizationId, [{ id: "00Q5g00000XyZ00004", email: "q@q.example" }]),
      "nope",
    );
    expect(wrongToken.statusCode).toBe(401);
    expect(await leadCount()).toBe(before);
  });
});
