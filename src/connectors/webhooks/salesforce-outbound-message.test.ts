import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { InboundRequest } from "./inbound-request.js";
import {
  parseSalesforceOutboundMessage,
  salesforceAck,
  salesforceFault,
} from "./salesforce-outbound-message.js";

const organizationId = "00D5g000004ABCdEAG";
const config = { organizationId, token: "s3cret-token-for-baton" };
const now = new Date("2026-03-09T14:00:00Z");

interface LeadRecord {
  notification: string;
  fields: Record<string, string | null>;
}

function lead(serial: number, overrides: Record<string, string | null> = {}): LeadRecord {
  return {
    notification: `04l5g00000AbCd${String(serial).padStart(4, "0")}`,
    fields: {
      Id: `00Q5g00000XyZ${String(serial).padStart(5, "0")}`,
      Email: `buyer${serial}@bigco.com`,
      FirstName: "Ada",
      LastName: "Lovelace",
      Company: "Big & Co",
      Title: null,
      LeadSource: "Web",
      Status: "Open - Not Contacted",
      OwnerId: "0055g00000OwnR1AAB",
      Country: "US",
      NumberOfEmployees: "0500",
      CreatedDate: "2026-03-09T13:58:00.000Z",
      ...overrides,
    },
  };
}

/** An outbound message as Salesforce sends it (namespaces, xsi:nil, escaped text). */
function envelope(records: LeadRecord[], options: { org?: string; type?: string } = {}): string {
  const escaped = (value: string) => value.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const notifications = records
    .map(
      (record) => `
   <Notification>
    <Id>${record.notification}</Id>
    <sObject xsi:type="${options.type ?? "sf:Lead"}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
${Object.entries(record.fields)
  .map(([name, value]) =>
    value === null
      ? `     <sf:${name} xsi:nil="true"/>`
      : `     <sf:${name}>${escaped(value)}</sf:${name}>`,
  )
  .join("\n")}
    </sObject>
   </Notification>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${options.org ?? organizationId}</OrganizationId>
   <ActionId>04k5g000000AbCdAAK</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0/00D5g000004ABCd</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0/00D5g000004ABCd</PartnerUrl>${notifications}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

function request(body: string, url = `/webhooks/salesforce?token=${config.token}`): InboundRequest {
  return {
    method: "POST",
    url,
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' },
    rawBody: Buffer.from(body),
  };
}

describe("parseSalesforceOutboundMessage", () => {
  it("reads every notification's lead, keeping values as text and nil as null", () => {
    const result = parseSalesforceOutboundMessage(
      request(envelope([lead(1), lead(2, { Status: "Working - Contacted" })])),
      config,
      now,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.organizationId).toBe(organizationId);
    expect(result.actionId).toBe("04k5g000000AbCdAAK");
    expect(result.notifications).toHaveLength(2);
    expect(result.notifications[0]).toEqual({
      id: lead(1).notification,
      type: "Lead",
      fields: lead(1).fields,
    });
    expect(result.notifications[0]!.fields.Company).toBe("Big & Co");
    expect(result.notifications[0]!.fields.NumberOfEmployees).toBe("0500");
    expect(
      result.changes.map((change) => [change.kind, change.externalId, change.changeId]),
    ).toEqual([
      ["record", lead(1).fields.Id, lead(1).notification],
      ["status", lead(1).fields.Id, lead(1).notification],
      ["owner", lead(1).fields.Id, lead(1).notification],
      ["record", lead(2).fields.Id, lead(2).notification],
      ["status", lead(2).fields.Id, lead(2).notification],
      ["owner", lead(2).fields.Id, lead(2).notification],
    ]);
    expect(result.changes[4]).toMatchObject({ value: "Working - Contacted" });
  });

  it("accepts the 15-character form of the organisation id", () => {
    const result = parseSalesforceOutboundMessage(
      request(envelope([lead(1)])),
      { organizationId: organizationId.slice(0, 15) },
      now,
    );
    expect(result.ok).toBe(true);
  });

  it("refuses another organisation", () => {
    const result = parseSalesforceOutboundMessage(
      request(envelope([lead(1)], { org: "00D5g000009ZZZZEAG" })),
      config,
      now,
    );
    expect(result.ok ? null : result.error).toMatchObject({
      status: 403,
      code: "wrong_organization",
    });
  });

  it("refuses a missing or wrong token", () => {
    const body = envelope([lead(1)]);
    const missing = parseSalesforceOutboundMessage(
      request(body, "/webhooks/salesforce"),
      config,
      now,
    );
    expect(missing.ok ? null : missing.error).toMatchObject({ status: 401, code: "bad_token" });
    const wrong = parseSalesforceOutboundMessage(
      request(body, "/webhooks/salesforce?token=s3cret-token-for-batoN"),
      config,
      now,
    );
    expect(wrong.ok ? null : wrong.error.code).toBe("bad_token");
    const none = parseSalesforceOutboundMessage(
      request(body, "/webhooks/salesforce"),
      { organizationId },
      now,
    );
    expect(none.ok).toBe(true);
  });

  it("refuses broken XML with where it broke, and a DOCTYPE", () => {
    const broken = parseSalesforceOutboundMessage(
      request(envelope([lead(1)]).replace("</sObject>", "</sobject>")),
      config,
      now,
    );
    expect(broken.ok ? null : broken.error).toMatchObject({ status: 400, code: "malformed_body" });
    expect(broken.ok ? "" : broken.error.message).toMatch(/line \d+, column \d+/);
    const doctype = parseSalesforceOutboundMessage(
      request(
        `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>${envelope([lead(1)]).slice(39)}`,
      ),
      config,
      now,
    );
    expect(doctype.ok ? null : doctype.error.code).toBe("malformed_body");
  });

  it("refuses 0 and 101 notifications, and takes 100", () => {
    const none = parseSalesforceOutboundMessage(request(envelope([])), config, now);
    expect(none.ok ? null : none.error).toMatchObject({ code: "invalid_payload" });
    const records = Array.from({ length: 101 }, (_, index) => lead(index));
    const tooMany = parseSalesforceOutboundMessage(request(envelope(records)), config, now);
    expect(tooMany.ok ? null : tooMany.error).toMatchObject({
      status: 413,
      code: "too_many_items",
    });
    const hundred = parseSalesforceOutboundMessage(
      request(envelope(records.slice(0, 100))),
      config,
      now,
    );
    expect(hundred.ok ? hundred.notifications.length : null).toBe(100);
  });

  it("refuses other sObjects, a lead without Id and a body that is no outbound message", () => {
    const contact = parseSalesforceOutboundMessage(
      request(envelope([lead(1)], { type: "sf:Contact" })),
      config,
      now,
    );
    expect(contact.ok ? null : contact.error.message).toContain("sf:Contact");
    const noId = parseSalesforceOutboundMessage(
      request(envelope([lead(1, { Id: null })])),
      config,
      now,
    );
    expect(noId.ok ? null : noId.error.code).toBe("invalid_payload");
    const other = parseSalesforceOutboundMessage(request("<hello>world</hello>"), config, now);
    expect(other.ok ? null : other.error.code).toBe("invalid_payload");
  });

  it("answers with the documented acknowledgement and a SOAP fault", () => {
    const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false });
    const ack = new XMLParser({ ignoreAttributes: false }).parse(salesforceAck());
    expect(ack["soapenv:Envelope"]["@_xmlns:soapenv"]).toBe(
      "http://schemas.xmlsoap.org/soap/envelope/",
    );
    expect(ack["soapenv:Envelope"]["soapenv:Body"].notificationsResponse).toEqual({
      Ack: true,
      "@_xmlns": "http://soap.sforce.com/2005/09/outbound",
    });
    const fault = parser.parse(
      salesforceFault({ status: 403, code: "wrong_organization", message: "org <x> & y" }),
    );
    expect(fault.Envelope.Body.Fault).toEqual({
      faultcode: "soapenv:Client",
      faultstring: "wrong_organization: org <x> & y",
    });
  });
});
