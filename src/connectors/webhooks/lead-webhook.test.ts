import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { InboundRequest } from "./inbound-request.js";
import { parseLeadWebhook } from "./lead-webhook.js";

const secret = "form-secret-0123456789abcdef";
const now = new Date("2026-03-09T14:00:00Z");
const seconds = Math.floor(now.getTime() / 1000);

/** Signs as the README tells senders to: hex HMAC-SHA256 of "<timestamp>.<body>". */
function signed(
  body: string | Buffer,
  options: { timestamp?: number; key?: string; headers?: Record<string, string> } = {},
): InboundRequest {
  const timestamp = options.timestamp ?? seconds;
  const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const mac = createHmac("sha256", options.key ?? secret)
    .update(`${timestamp}.`)
    .update(raw)
    .digest("hex");
  return {
    method: "POST",
    url: "/webhooks/leads",
    headers: {
      "content-type": "application/json",
      "Baton-Timestamp": String(timestamp),
      "Baton-Signature": `v1=${mac}`,
      ...options.headers,
    },
    rawBody: raw,
  };
}

const lead = {
  system: "web-form",
  externalId: "form-77",
  fields: { email: "ada@bigco.com", first_name: "Ada", country: "US" },
  company: { name: "BigCo", employees: 500 },
  activities: [{ type: "form_submit", at: "2026-03-09T13:59:00Z", fields: { form: "demo" } }],
};

describe("parseLeadWebhook", () => {
  it("takes one signed lead as it was sent", () => {
    const result = parseLeadWebhook(signed(JSON.stringify(lead)), { secret }, now);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.batch).toBe(false);
    expect(result.leads).toEqual([lead]);
  });

  it("takes a batch and says it was one", () => {
    const second = { ...lead, externalId: "form-78" };
    const result = parseLeadWebhook(
      signed(JSON.stringify({ leads: [lead, second] })),
      { secret },
      now,
    );
    if (!result.ok) throw new Error(result.error.message);
    expect(result.batch).toBe(true);
    expect(result.leads.map((item) => item.externalId)).toEqual(["form-77", "form-78"]);
  });

  it("refuses a body with one byte changed after signing", () => {
    const request = signed(JSON.stringify(lead));
    const tampered = Buffer.from(request.rawBody);
    tampered[tampered.indexOf("Ada")] = "E".charCodeAt(0);
    const result = parseLeadWebhook({ ...request, rawBody: tampered }, { secret }, now);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ status: 401, code: "bad_signature" });
  });

  it("refuses a signature made with another secret", () => {
    const result = parseLeadWebhook(
      signed(JSON.stringify(lead), { key: "another-secret-0123456789" }),
      { secret },
      now,
    );
    expect(result.ok ? null : result.error.code).toBe("bad_signature");
  });

  it("accepts any of several signatures while the sender rotates its secret", () => {
    const request = signed(JSON.stringify(lead));
    const old = signed(JSON.stringify(lead), { key: "old-secret-0123456789abc" });
    const both = `${old.headers["Baton-Signature"]},${request.headers["Baton-Signature"]}`;
    const result = parseLeadWebhook(
      { ...request, headers: { ...request.headers, "Baton-Signature": both } },
      { secret },
      now,
    );
    expect(result.ok).toBe(true);
  });

  it("refuses a timestamp outside the tolerance, and takes one just inside it", () => {
    const late = parseLeadWebhook(
      signed(JSON.stringify(lead), { timestamp: seconds - 301 }),
      { secret },
      now,
    );
    expect(late.ok ? null : late.error).toMatchObject({ status: 401, code: "stale_timestamp" });
    const ahead = parseLeadWebhook(
      signed(JSON.stringify(lead), { timestamp: seconds + 301 }),
      { secret },
      now,
    );
    expect(ahead.ok ? null : ahead.error.code).toBe("stale_timestamp");
    const edge = parseLeadWebhook(
      signed(JSON.stringify(lead), { timestamp: seconds - 300 }),
      { secret },
      now,
    );
    expect(edge.ok).toBe(true);
    const wider = parseLeadWebhook(
      signed(JSON.stringify(lead), { timestamp: seconds - 900 }),
      { secret, toleranceSeconds: 1000 },
      now,
    );
    expect(wider.ok).toBe(true);
  });

  it("names the missing header", () => {
    const request = signed(JSON.stringify(lead));
    const { "Baton-Signature": _, ...headers } = request.headers;
    const result = parseLeadWebhook({ ...request, headers }, { secret }, now);
    expect(result.ok ? null : result.error).toMatchObject({ code: "missing_signature" });
    expect(result.ok ? "" : result.error.message).toContain("Baton-Signature");
  });

  it("reads header names in any case", () => {
    const request = signed(JSON.stringify(lead));
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(parseLeadWebhook({ ...request, headers }, { secret }, now).ok).toBe(true);
  });

  it("refuses a signed body that is not JSON", () => {
    const result = parseLeadWebhook(
      signed(`${JSON.stringify(lead).slice(0, -1)}`),
      { secret },
      now,
    );
    expect(result.ok ? null : result.error).toMatchObject({ status: 400, code: "malformed_body" });
  });

  it("refuses a lead of the wrong shape, naming the path", () => {
    const result = parseLeadWebhook(
      signed(JSON.stringify({ leads: [lead, { ...lead, fields: "ada@bigco.com" }] })),
      { secret },
      now,
    );
    expect(result.ok ? null : result.error.code).toBe("invalid_payload");
    expect(result.ok ? "" : result.error.message).toContain("leads.1.fields");
  });

  it("refuses an empty batch and one above the limit", () => {
    const empty = parseLeadWebhook(signed(JSON.stringify({ leads: [] })), { secret }, now);
    expect(empty.ok ? null : empty.error.code).toBe("invalid_payload");
    const many = parseLeadWebhook(
      signed(JSON.stringify({ leads: [lead, lead, lead] })),
      { secret, maxLeads: 2 },
      now,
    );
    expect(many.ok ? null : many.error).toMatchObject({ status: 413, code: "too_many_items" });
  });

  it("refuses a method other than POST", () => {
    const result = parseLeadWebhook(
      { ...signed(JSON.stringify(lead)), method: "GET" },
      { secret },
      now,
    );
    expect(result.ok ? null : result.error.status).toBe(405);
  });
});
