import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import { createEngine, type Engine } from "../../src/app/engine.js";
import { fireTimers } from "../../src/app/fire-timer.js";
import { ingestLead } from "../../src/app/ingest.js";
import { outboxPort } from "../../src/app/notifications/outbox-port.js";
import { migrate } from "../../src/db/migrate.js";
import { type Delivery, startDelivery } from "../../src/worker/notifications/index.js";
import { fireDueTimers } from "../../src/worker/scheduler.js";
import { timerPort } from "../../src/worker/timer-port.js";
import { createTestDatabase, type TestDatabase } from "../db/test-database.js";
import {
  type HttpReceiver,
  type SmtpReceiver,
  startHttpReceiver,
  startSmtpReceiver,
  waitFor,
} from "../notifications/receivers.js";

/**
 * From a lead to a person's inbox: the ingest pipeline writes "new lead for you" to the outbox in
 * its transaction, the scheduler's escalation writes "manager, look at this", and delivery
 * brings both to a real HTTP receiver (signed, de-duplicated) and a real SMTP server.
 */

const secret = "end-to-end-test-secret";
let test: TestDatabase;
let http: HttpReceiver;
let smtp: SmtpReceiver;
let delivery: Delivery;
let engine: Engine;
let bossSchema: string;
const clock = { now: Date.parse("2026-03-09T14:00:00Z") };

beforeAll(async () => {
  test = await createTestDatabase();
  const migrated = await migrate(test.db);
  if (!migrated.ok) throw new Error(migrated.error);
  http = await startHttpReceiver(secret);
  smtp = await startSmtpReceiver();
  const channels = {
    webhook: { url: `${http.baseUrl}/webhook`, secret },
    email: { smtpUrl: smtp.url, from: "Baton <baton@baton.test>" },
  };
  engine = createEngine({
    db: test.db,
    now: () => clock.now,
    timers: timerPort,
    notifications: outboxPort({ channels }),
  });
  const yaml = await readFile(new URL("../../examples/agreement.yaml", import.meta.url), "utf8");
  await proposeAgreement(engine, { yaml, actor: "riley" });
  await approveAgreement(engine, { number: 1, approver: "maria" });
  await approveAgreement(engine, { number: 1, approver: "sam", mode: "new_cycles_only" });
  bossSchema = `${test.schema}_boss`;
  const started = await startDelivery({
    db: test.db,
    location: test.location,
    channels,
    bossSchema,
    relayIntervalMs: 100,
    pollingIntervalSeconds: 0.5,
  });
  if (!started.ok) throw new Error(started.error);
  delivery = started.delivery;
});

afterAll(async () => {
  await delivery?.stop();
  await http?.close();
  await smtp?.close();
  if (test) {
    await sql`drop schema if exists ${sql.id(bossSchema)} cascade`.execute(test.db);
    await test.drop();
  }
});

it("delivers the assignment and the escalations a lead causes, signed, by webhook and e-mail", async () => {
  const lead = await ingestLead(
    engine,
    {
      system: "web-form",
      externalId: "e2e-1",
      fields: { email: "ada@bigco.com", first_name: "Ada", country: "US", persona_match: true },
      company: { name: "BigCo", domain: "bigco.com", employees: 500, industry: "software" },
      activities: [{ type: "form_submit", at: clock.now - 60_000, fields: { form: "demo" } }],
    },
    { actor: "webhook:demo-form" },
  );
  if (!lead.ok) throw new Error(lead.error.message);
  await waitFor("the assignment webhook", () => (http.accepted.get("/webhook")?.size ?? 0) >= 1);
  const [assignment] = [...http.accepted.get("/webhook")!.values()] as {
    kind: string;
    recipient: { person: string };
    data: { leadId: string };
  }[];
  expect(assignment).toMatchObject({
    kind: "lead_assigned",
    recipient: { person: lead.owner!.id },
    data: { leadId: lead.leadId },
  });
  await waitFor("the assignment e-mail", () => smtp.messages.length >= 1);
  expect(smtp.messages[0]!.subject).toBe("New lead: Ada (BigCo)");
  expect(JSON.stringify(smtp.messages[0]!.to)).toContain(`${lead.owner!.id}@acme.example`);

  // 90 % of the SDR's 60-minute goal: the ladder's second rung notifies the SDR team's manager
  clock.now += 55 * 60_000;
  for (;;) {
    const batch = await fireDueTimers({
      db: test.db,
      workerId: "e2e",
      signal: new AbortController().signal,
      now: () => clock.now,
      handle: async (trx, timer) => void (await fireTimers(trx, engine, [timer], clock.now)),
    });
    if (batch.claimed === 0) break;
  }
  await waitFor("the escalation to the manager", () =>
    [...(http.accepted.get("/webhook")?.values() ?? [])].some(
      (body) =>
        (body as { kind: string; recipient: { person: string } }).kind === "escalation" &&
        (body as { recipient: { person: string } }).recipient.person === "dana",
    ),
  );
  const refused = http.requests.filter((request) => request.verdict.startsWith("refused"));
  expect(refused).toEqual([]);
}, 60_000);
