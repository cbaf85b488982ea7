import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLead } from "../../src/app/ingest.js";
import { actOnLead } from "../../src/app/lead-actions.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
  hotLead,
} from "./engine-fixture.js";

/**
 * Ingest's context check and the accept action's requirement are one rule: a required field is
 * missing when it is absent, null, blank text or an empty list. The example agreement, with its
 * account context declared as a list, so that an empty list can arrive.
 */
let fixture: EngineFixture;
beforeAll(async () => {
  fixture = await createEngineFixture();
  const yaml = (await exampleAgreementYaml()).replace(
    "account_context: string",
    "account_context: list<string>",
  );
  expect(yaml).toContain("account_context: list<string>");
  await activateExample(fixture.engine, yaml);
});
afterAll(async () => fixture.test.drop());

/** A hot lead arriving with `context` among its fields; fails the test when ingest refuses it. */
async function arrive(serial: number, context: Record<string, unknown>) {
  const lead = await ingestLead(fixture.engine, hotLead(fixture, `context-${serial}`, context), {
    actor: "api:test",
  });
  if (!lead.ok) throw new Error(lead.error.message);
  return lead;
}

async function missingContext(leadId: string): Promise<string[]> {
  const row = await fixture.test.db
    .selectFrom("events")
    .select("data")
    .where("stream_id", "=", leadId)
    .where("type", "=", "lead.context_checked")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  return (row.data as { missing: string[] }).missing;
}

/** The owner's acceptance of the lead, with the feedback the agreement asks for. */
async function accept(lead: { leadId: string; owner: { id: string } | null }) {
  return actOnLead(fixture.engine, {
    leadId: lead.leadId,
    action: {
      type: "accept",
      actor: { id: lead.owner!.id, role: "rep" },
      feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
    },
  });
}

describe("the handoff context check at ingest", () => {
  it("counts an empty list as missing, as the accept action does", async () => {
    const lead = await arrive(1, { message_used: "pricing angle", account_context: [] });
    expect(lead.stage).toBe("mql");
    expect(await missingContext(lead.leadId)).toEqual(["account_context"]);
    const accepted = await accept(lead);
    expect(accepted.ok).toBe(false);
    expect(JSON.stringify(accepted)).toContain("account_context");
  });

  it("counts a list with an entry and a text with words as present, and then the accept goes through", async () => {
    const lead = await arrive(2, {
      message_used: "pricing angle",
      account_context: ["expanding EU team"],
    });
    expect(await missingContext(lead.leadId)).toEqual([]);
    const accepted = await accept(lead);
    if (!accepted.ok) throw new Error(JSON.stringify(accepted.error));
  });

  it("drops blank text on arrival, so that field is reported missing", async () => {
    const lead = await arrive(3, { message_used: "   ", account_context: ["expanding EU team"] });
    expect(await missingContext(lead.leadId)).toEqual(["message_used"]);
  });
});
