import { afterAll, beforeAll, expect, it } from "vitest";
import type { NotificationRequest, ScheduledTimer } from "../../src/app/engine.js";
import { ingestLead } from "../../src/app/ingest.js";
import { activateExample, createEngineFixture, type EngineFixture } from "./engine-fixture.js";

let fixture: EngineFixture;
const timers: ScheduledTimer[] = [];
const notes: NotificationRequest[] = [];
beforeAll(async () => {
  fixture = await createEngineFixture({
    timers: { schedule: async (_trx, list) => void timers.push(...list), cancelOthers: async () => {} },
    notifications: { enqueue: async (_trx, list) => void notes.push(...list) },
  });
  await activateExample(fixture.engine);
});
afterAll(async () => fixture.test.drop());

it("smoke", async () => {
  const result = await ingestLead(
    fixture.engine,
    {
      system: "web-form",
      externalId: "f-1",
      fields: { email: "ada@bigco.com", first_name: "Ada", country: "US", persona_match: true },
      company: { name: "BigCo Inc", domain: "bigco.com", employees: 500, industry: "software" },
      activities: [{ type: "form_submit", at: fixture.clock.now - 60000, fields: { form: "demo" } }],
    },
    { actor: "api:test" },
  );
  console.log(JSON.stringify(result, null, 1), timers, notes);
  expect(result.ok).toBe(true);
});
