import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyCrmChanges,
  type CrmChange,
  type CrmChangesConfig,
  crmChangesConfigSchema,
  findCrmLead,
} from "../../src/app/crm-changes.js";
import { parseHubSpotWebhook } from "../../src/connectors/webhooks/hubspot-webhook.js";
import { parseSalesforceOutboundMessage } from "../../src/connectors/webhooks/salesforce-outbound-message.js";
import { activateExample, createEngineFixture, type EngineFixture } from "./engine-fixture.js";

let fixture: EngineFixture;
let config: CrmChangesConfig;
beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  config = crmChangesConfigSchema.parse({
    hubspot: {
      ...crmChangesConfigSchema.parse({}).hubspot,
      owners: { "81234567": "blair", "99999999": "nobody-here" },
    },
  });
});
afterAll(async () => fixture.test.drop());

const organizationId = "00D5g000004ABCdEAG";

function salesforceMessage(leads: { notification: string; fields: Record<string, string> }[]) {
  const notifications = leads
    .map(
      (lead) => `<Notification><Id>${lead.notification}</Id>
<sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${Object.entries(
        lead.fields,
      )
        .map(([name, value]) => `<sf:${name}>${value}</sf:${name}>`)
        .join("")}</sObject></Notification>`,
    )
    .join("");
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>${organizationId}</OrganizationId><ActionId>04k5g000000AbCdAAK</ActionId>
<SessionId xsi:nil="true"/><EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0</EnterpriseUrl>
<PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0</PartnerUrl>${notifications}
</notifications></soapenv:Body></soapenv:Envelope>`;
  const parsed = parseSalesforceOutboundMessage(
    {
      method: "POST",
      url: "/webhooks/salesforce",
      headers: { "content-type": "text/xml" },
      rawBody: Buffer.from(xml),
    },
    { organizationId },
    new Date(fixture.clock.now),
  );
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.changes;
}

const clientSecret = "hubspot-client-secret";
let eventId = 5_000;
function hubspotBatch(events: Record<string, unknown>[]): CrmChange[] {
  const body = JSON.stringify(
    events.map((event) => ({
      eventId: ++eventId,
      subscriptionId: 4_512_345,
      portalId: 62_515,
      appId: 54_321,
      occurredAt: fixture.clock.now - 1_000,
      attemptNumber: 0,
      changeSource: "CRM_UI",
      ...event,
    })),
  );
  const timestamp = String(fixture.clock.now);
  const signature = createHmac("sha256", clientSecret)
    .update(`POSThttps://baton.example.com/webhooks/hubspot${body}${timestamp}`)
    .digest("base64");
  const parsed = parseHubSpotWebhook(
    {
      method: "POST",
      url: "/webhooks/hubspot",
      headers: { "X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp },
      rawBody: Buffer.from(body),
    },
    { clientSecret, publicBaseUrl: "https://baton.example.com" },
    new Date(fixture.clock.now),
  );
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.changes;
}

async function eventCount(): Promise<number> {
  const row = await fixture.test.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function leadRow(id: string) {
  return fixture.test.db
    .selectFrom("leads")
    .select(["stage", "owner", "system", "external_id", "data"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

describe("Salesforce outbound messages", () => {
  const ada = {
    notification: "04l5g00000AbCd0001",
    fields: {
      Id: "00Q5g00000XyZ00001",
      Email: "ada@bigco-sf.com",
      FirstName: "Ada",
      Company: "BigCo",
      LeadSource: "website",
      Status: "Open - Not Contacted",
      OwnerId: "0055g00000OwnR1AAB",
      Country: "US",
      NumberOfEmployees: "500",
      CreatedDate: "2026-03-09T13:58:00.000Z",
    },
  };
  const grace = {
    notification: "04l5g00000AbCd0002",
    fields: { Id: "00Q5g00000XyZ00002", Email: "grace@navy-sf.com", LastName: "Hopper" },
  };

  it("creates a lead per notification with the fields mapped onto the agreement", async () => {
    const results = await applyCrmChanges(fixture.engine, salesforceMessage([ada, grace]), config);
    expect(results.map((result) => [result.kind, result.outcome, result.code])).toEqual([
      ["record", "applied", undefined],
      ["status", "unchanged", undefined],
      ["owner", "skipped", "unmapped_owner"],
      ["record", "applied", undefined],
    ]);
    const found = await findCrmLead(
      fixture.test.db,
      fixture.engine.workspace,
      "salesforce",
      ada.fields.Id,
    );
    expect(found?.id).toBe(results[0]!.leadId);
    const row = await leadRow(found!.id);
    expect(row).toMatchObject({ system: "salesforce", external_id: ada.fields.Id, stage: "new" });
    const view = row.data as { fields: Record<string, unknown>; company: Record<string, unknown> };
    expect(view.fields).toMatchObject({
      email: "ada@bigco-sf.com",
      first_name: "Ada",
      country: "US",
    });
    expect(view.company).toMatchObject({ name: "BigCo", employees: 500 });
    expect(results[2]!.message).toContain("0055g00000OwnR1AAB");
  });

  it("does nothing when the same message comes again", async () => {
    const before = await eventCount();
    const results = await applyCrmChanges(fixture.engine, salesforceMessage([ada, grace]), config);
    expect(results.filter((result) => result.outcome === "applied")).toEqual([]);
    expect(results[0]).toMatchObject({ kind: "record", outcome: "unchanged" });
    expect(await eventCount()).toBe(before);
  });

  it("takes a status that maps to an action, with the reason the map gives", async () => {
    const lead = await findCrmLead(
      fixture.test.db,
      fixture.engine.workspace,
      "salesforce",
      ada.fields.Id,
    );
    // 'Closed - Not Converted' → reject, which the agreement allows from mql or working only
    const refused = await applyCrmChanges(
      fixture.engine,
      salesforceMessage([{ ...ada, fields: { ...ada.fields, Status: "Closed - Not Converted" } }]),
      config,
    );
    expect(refused[1]).toMatchObject({ kind: "status", outcome: "skipped", code: "refused" });
    expect(refused[1]!.message).toContain("reject");
    expect((await leadRow(lead!.id)).stage).toBe("new");
  });
});

describe("HubSpot webhooks", () => {
  const contact = 1_246_965;

  it("creates a contact with the same batch's properties folded in", async () => {
    const results = await applyCrmChanges(
      fixture.engine,
      hubspotBatch([
        { subscriptionType: "contact.creation", objectId: contact, changeFlag: "NEW" },
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "email",
          propertyValue: "lin@fintech-hs.com",
        },
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "country",
          propertyValue: "US",
        },
      ]),
      config,
    );
    expect(results.map((result) => result.outcome)).toEqual(["applied", "unchanged", "unchanged"]);
    const row = await leadRow(results[0]!.leadId!);
    expect(row.stage).toBe("new");
    expect((row.data as { fields: Record<string, unknown> }).fields).toMatchObject({
      email: "lin@fintech-hs.com",
      country: "US",
    });
  });

  it("moves the lead when the lifecycle stage changes, once", async () => {
    const change = {
      subscriptionType: "contact.propertyChange",
      objectId: contact,
      propertyName: "lifecyclestage",
      propertyValue: "marketingqualifiedlead",
    };
    const [moved] = await applyCrmChanges(fixture.engine, hubspotBatch([change]), config);
    expect(moved).toMatchObject({ kind: "status", outcome: "applied" });
    expect((await leadRow(moved!.leadId!)).stage).toBe("mql");
    const events = await fixture.test.db
      .selectFrom("events")
      .select(["actor", "data"])
      .where("stream_id", "=", moved!.leadId!)
      .where("type", "=", "lead.stage_changed")
      .execute();
    expect(events.at(-1)).toMatchObject({
      actor: "crm:hubspot",
      data: { from: "new", to: "mql", action: "qualify" },
    });

    const before = await eventCount();
    const [again] = await applyCrmChanges(fixture.engine, hubspotBatch([change]), config);
    expect(again).toMatchObject({ outcome: "unchanged" });
    expect(await eventCount()).toBe(before);
  });

  it("reassigns the lead when the owner changes to someone the map names", async () => {
    const [reassigned] = await applyCrmChanges(
      fixture.engine,
      hubspotBatch([
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "hubspot_owner_id",
          propertyValue: "81234567",
        },
      ]),
      config,
    );
    expect(reassigned).toMatchObject({ kind: "owner", outcome: "applied" });
    expect((await leadRow(reassigned!.leadId!)).owner).toBe("blair");

    const [unknownPerson] = await applyCrmChanges(
      fixture.engine,
      hubspotBatch([
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "hubspot_owner_id",
          propertyValue: "99999999",
        },
      ]),
      config,
    );
    expect(unknownPerson).toMatchObject({ outcome: "skipped", code: "refused" });
    expect((await leadRow(reassigned!.leadId!)).owner).toBe("blair");
  });

  it("reports unmapped values, unknown leads and deletions, and goes on with the others", async () => {
    const results = await applyCrmChanges(
      fixture.engine,
      hubspotBatch([
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "hs_lead_status",
          propertyValue: "CALL_BACK_LATER",
        },
        {
          eventType: "contact.propertyChange",
          objectId: 404,
          propertyName: "lifecyclestage",
          propertyValue: "salesqualifiedlead",
        },
        {
          subscriptionType: "contact.propertyChange",
          objectId: contact,
          propertyName: "hs_lead_status",
          propertyValue: "UNQUALIFIED",
        },
        { subscriptionType: "contact.deletion", objectId: contact },
      ]),
      config,
    );
    expect(results.map((result) => [result.outcome, result.code])).toEqual([
      ["skipped", "unmapped_value"],
      ["skipped", "unknown_lead"],
      ["applied", undefined],
      ["skipped", "not_supported"],
    ]);
    expect(results[0]!.message).toContain("hubspot.status.hs_lead_status");
    const row = await leadRow(results[2]!.leadId!);
    expect(row.stage).toBe("disqualified");
  });
});
