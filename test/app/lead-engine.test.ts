import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import { ingestLead, ingestLeads } from "../../src/app/ingest.js";
import {
  actOnLead,
  changeOpportunityStage,
  logActivity,
  reassignLead,
} from "../../src/app/lead-actions.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
  hotLead as sharedHotLead,
} from "./engine-fixture.js";

let fixture: EngineFixture;
beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
});
afterAll(async () => fixture.test.drop());

let serial = 0;
/** A lead that meets the example's MQL threshold: fit 55 (capped 50) + a demo request 40. */
function hotLead(overrides: Record<string, unknown> = {}) {
  serial += 1;
  return { ...sharedHotLead(fixture, `form-${serial}`), ...overrides };
}

async function eventsOf(streamId: string) {
  return fixture.test.db
    .selectFrom("events")
    .select(["type", "actor", "agreement_version", "explanation", "data"])
    .where("stream_id", "=", streamId)
    .orderBy("id")
    .execute();
}

async function clockRow(leadId: string, step: string) {
  return fixture.test.db
    .selectFrom("clocks")
    .selectAll()
    .where("id", "=", `${leadId}/${step}`)
    .executeTakeFirst();
}

const accept = (leadId: string, actor = "alex") => ({
  leadId,
  action: {
    type: "accept",
    actor: { id: actor, role: "rep" as const },
    context: { message_used: "pricing angle", account_context: "expanding EU team" },
    feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
  },
});

describe("ingest", () => {
  it("scores, qualifies, routes and starts the clocks of a lead that meets the MQL threshold", async () => {
    const result = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!result.ok) throw new Error(result.error.message);
    expect(result).toMatchObject({ outcome: "created", stage: "mql", mql: true, score: 90 });
    expect(result.owner).toEqual({ kind: "rep", id: "alex" });
    const types = (await eventsOf(result.leadId)).map((event) => event.type);
    expect(types).toEqual([
      "lead.created",
      "lead.scored",
      "lead.stage_changed",
      "lead.assigned",
      "lead.context_checked",
    ]);
    const events = await eventsOf(result.leadId);
    expect(events.every((event) => event.agreement_version === 1)).toBe(true);
    expect((events[3]!.explanation as { rule: string }).rule).toBe("north-america");
    expect(JSON.stringify(events[1]!.explanation)).toContain("demo-request");
    // the marketing clock started at creation and stopped at qualification; the SDR one runs
    expect(await clockRow(result.leadId, "mql-qualification")).toMatchObject({ state: "met" });
    const sdr = await clockRow(result.leadId, "sdr-first-effort");
    expect(sdr).toMatchObject({ goal: "demo-request", stopped_at: null });
    // 60 business minutes on Alex's us-east hours from Monday 10:00 New York
    expect(sdr!.due_at!.toISOString()).toBe("2026-03-09T15:00:00.000Z");
    // one timer per clock: its next wake-up, the first warning (50 % of 60 minutes)
    const timers = await fixture.test.db
      .selectFrom("timers")
      .select(["key", "due_at"])
      .where("stream_id", "=", `${result.leadId}/sdr-first-effort`)
      .where("cancelled_at", "is", null)
      .execute();
    expect(timers).toHaveLength(1);
    expect(timers[0]!.due_at.toISOString()).toBe("2026-03-09T14:30:00.000Z");
    expect(fixture.notifications.at(-1)).toMatchObject({
      kind: "lead_assigned",
      recipient: { person: "alex", email: "alex@acme.example" },
    });
  });

  it("keeps a lead below the threshold in New with marketing's clock running and no owner", async () => {
    const result = await ingestLead(fixture.engine, hotLead({ activities: [] }), {
      actor: "api:test",
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result).toMatchObject({ stage: "new", mql: false, owner: null });
    expect(await clockRow(result.leadId, "mql-qualification")).toMatchObject({
      state: "running",
      stopped_at: null,
    });
    expect(await clockRow(result.leadId, "sdr-first-effort")).toBeUndefined();
  });

  it("returns the first result for a repeated delivery, and writes nothing more", async () => {
    const lead = hotLead();
    const first = await ingestLead(fixture.engine, lead, { actor: "api:test" });
    const before = await countEvents();
    const second = await ingestLead(fixture.engine, lead, { actor: "api:test" });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second).toEqual({ ...first, outcome: "duplicate" });
    expect(await countEvents()).toBe(before);
  });

  it("processes one of several concurrent deliveries with the same key; the others return its result", async () => {
    const lead = hotLead({ idempotencyKey: `concurrent-${serial}`, externalId: undefined });
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ingestLead(fixture.engine, lead, { actor: "api:test" })),
    );
    const outcomes = results.map((result) => (result.ok ? result.outcome : result.error.code));
    expect(outcomes.filter((outcome) => outcome === "created")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "duplicate")).toHaveLength(5);
    const ids = new Set(results.map((result) => (result.ok ? result.leadId : "")));
    expect(ids.size).toBe(1);
    const leads = await fixture.test.db
      .selectFrom("leads")
      .select("id")
      .where("email_key", "=", lead.fields.email)
      .execute();
    expect(leads).toHaveLength(1);
  });

  it("folds a new submission from the same address into the existing lead", async () => {
    const lead = hotLead({ activities: [] });
    const first = await ingestLead(fixture.engine, lead, { actor: "api:test" });
    const again = await ingestLead(
      fixture.engine,
      {
        ...lead,
        externalId: `${lead.externalId}-again`,
        fields: { ...lead.fields, email: lead.fields.email.toUpperCase() },
        activities: [{ type: "form_submit", at: fixture.clock.now, fields: { form: "demo" } }],
      },
      { actor: "api:test" },
    );
    if (!first.ok || !again.ok) throw new Error("ingest failed");
    expect(again).toMatchObject({
      outcome: "updated",
      leadId: first.leadId,
      stage: "mql",
      mql: true,
    });
    expect(again.matched).toMatchObject({ kind: "lead", rule: "email_exact" });
  });

  it("refuses bad leads one by one with the field and what to do, and stores the good ones of the batch", async () => {
    const before = await countEvents();
    const results = await ingestLeads(
      fixture.engine,
      [
        hotLead({ fields: { email: "x@y.com", employes: 3 } }),
        hotLead({ company: { employees: "many" } }),
        { fields: "nope" },
        hotLead(),
      ],
      { actor: "import:test.csv" },
    );
    expect(results[0]).toMatchObject({ ok: false, error: { code: "unknown_field" } });
    expect(!results[0]!.ok && results[0]!.error.problems?.[0]?.field).toBe("fields.employes");
    expect(!results[1]!.ok && results[1]!.error.message).toMatch(
      /company\.employees.*declared number/,
    );
    expect(results[2]).toMatchObject({ ok: false, error: { code: "invalid_input" } });
    expect(results[3]).toMatchObject({ ok: true, outcome: "created" });
    expect(await countEvents()).toBeGreaterThan(before);
  });

  it("routes a batch with one rotation: weighted round robin over the pool", async () => {
    const results = await ingestLeads(
      fixture.engine,
      Array.from({ length: 8 }, () => hotLead()),
      { actor: "import:batch" },
    );
    const owners = results.map((result) => (result.ok ? result.owner?.id : result.error.code));
    const counts = Object.fromEntries(
      ["alex", "blair", "dana"].map((rep) => [rep, owners.filter((owner) => owner === rep).length]),
    );
    // weights 2:1:1 over 8 leads
    expect(counts).toEqual({ alex: 4, blair: 2, dana: 2 });
  });
});

describe("lead actions", () => {
  it("refuses an acceptance without the handoff context and feedback, listing all of it", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    const refused = await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: { type: "accept", actor: { id: lead.owner!.id, role: "rep" } },
    });
    expect(refused).toMatchObject({ ok: false });
    if (refused.ok) return;
    expect(refused.error.problems!.map((problem) => problem.code).sort()).toEqual([
      "context_missing",
      "feedback_missing",
    ]);
    const accepted = await actOnLead(fixture.engine, accept(lead.leadId, lead.owner!.id));
    expect(accepted).toMatchObject({ ok: true, lead: { stage: "working" } });
    expect(await clockRow(lead.leadId, "sdr-first-effort")).toMatchObject({ state: "met" });
  });

  it("refuses a rep acting on someone else's lead, and a rejection without a reason", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    const other = ["alex", "blair", "dana"].find((rep) => rep !== lead.owner!.id)!;
    const stranger = await actOnLead(fixture.engine, accept(lead.leadId, other));
    expect(stranger).toMatchObject({ ok: false, error: { code: "not_owner" } });
    const noReason = await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: {
        type: "reject",
        actor: { id: lead.owner!.id, role: "rep" },
        feedback: { next_action: "nurture" },
      },
    });
    expect(noReason).toMatchObject({ ok: false, error: { code: "reason_required" } });
    const rejected = await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: {
        type: "reject",
        actor: { id: lead.owner!.id, role: "rep" },
        reason: "poor_timing",
        feedback: { next_action: "nurture" },
      },
    });
    // the recycling rule 'timing' sends a poor-timing rejection to nurture for 90 days
    expect(rejected).toMatchObject({ ok: true, lead: { stage: "nurture" } });
    const row = await fixture.test.db
      .selectFrom("leads")
      .select(["open", "data"])
      .where("id", "=", lead.leadId)
      .executeTakeFirstOrThrow();
    expect(row.open).toBe(false);
    expect((row.data as { recycledUntil: number }).recycledUntil).toBe(
      fixture.clock.now + 90 * 86_400_000,
    );
  });

  it("an automatic reply is not a touch; a call is, and it stops the first-effort clock", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    await logActivity(fixture.engine, {
      leadId: lead.leadId,
      actor: "mailer",
      activity: { type: "email", at: fixture.clock.now, autoReply: true },
    });
    expect(await clockRow(lead.leadId, "sdr-first-effort")).toMatchObject({ stopped_at: null });
    fixture.advance(10);
    await logActivity(fixture.engine, {
      leadId: lead.leadId,
      actor: lead.owner!.id,
      activity: { type: "call", at: fixture.clock.now, actor: lead.owner!.id },
    });
    expect(await clockRow(lead.leadId, "sdr-first-effort")).toMatchObject({ state: "met" });
    const pending = await fixture.test.db
      .selectFrom("timers")
      .select("key")
      .where("stream_id", "=", `${lead.leadId}/sdr-first-effort`)
      .where("fired_at", "is", null)
      .where("cancelled_at", "is", null)
      .execute();
    expect(pending).toEqual([]);
  });

  it("converts to an opportunity, moves its stages, and closes it lost only with a reason", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    const rep = lead.owner!.id;
    await actOnLead(fixture.engine, accept(lead.leadId, rep));
    const converted = await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: { type: "convert", actor: { id: rep, role: "rep" } },
      opportunity: { stage: "discovery", amount: 24_000 },
    });
    if (!converted.ok) throw new Error(converted.error.message);
    expect(converted.lead.opportunityId).not.toBeNull();
    await changeOpportunityStage(fixture.engine, {
      leadId: lead.leadId,
      stage: "proposal",
      amount: 30_000,
      actor: rep,
    });
    const noReason = await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: { type: "lose", actor: { id: rep, role: "rep" } },
    });
    expect(noReason).toMatchObject({ ok: false, error: { code: "reason_required" } });
    await actOnLead(fixture.engine, {
      leadId: lead.leadId,
      action: { type: "lose", actor: { id: rep, role: "rep" }, reason: "competitor" },
    });
    const opportunity = await fixture.test.db
      .selectFrom("opportunities")
      .selectAll()
      .where("id", "=", converted.lead.opportunityId!)
      .executeTakeFirstOrThrow();
    expect(opportunity).toMatchObject({ stage: "proposal", outcome: "lost", amount: "30000" });
    expect((opportunity.data as { reason: string }).reason).toBe("competitor");
  });

  it("reassigns through routing to someone other than the current owner", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    const byRep = await reassignLead(fixture.engine, {
      leadId: lead.leadId,
      to: "routing",
      actor: { id: "alex", role: "rep" },
    });
    expect(byRep).toMatchObject({ ok: false, error: { code: "not_owner" } });
    const moved = await reassignLead(fixture.engine, {
      leadId: lead.leadId,
      to: "routing",
      actor: { id: "dana", role: "sales_manager" },
    });
    if (!moved.ok) throw new Error(moved.error.message);
    expect(moved.lead.owner?.id).not.toBe(lead.owner!.id);
  });
});

describe("the durable schedule", () => {
  it("records a breach once when its time comes, escalates, and reassigns through routing", async () => {
    const lead = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!lead.ok) throw new Error(lead.error.message);
    const due = (await clockRow(lead.leadId, "sdr-first-effort"))!.due_at!.getTime();
    fixture.clock.now = due - 1000;
    await fixture.fireDue();
    expect((await clockRow(lead.leadId, "sdr-first-effort"))!.breach_recorded_at).toBeNull();
    fixture.clock.now = due + 200;
    await fixture.fireDue();
    await fixture.fireDue();
    const clockEvents = (await eventsOf(`${lead.leadId}/sdr-first-effort`)).map(
      (event) => (event.data as { event: { type: string } }).event.type,
    );
    expect(clockEvents.filter((type) => type === "breach")).toHaveLength(1);
    expect(clockEvents.filter((type) => type === "warn").length).toBeGreaterThan(0);
    const leadEvents = await eventsOf(lead.leadId);
    const escalated = leadEvents.filter((event) => event.type === "lead.escalated");
    expect(escalated.map((event) => (event.data as { rung: number }).rung)).toEqual([0, 1, 2]);
    const reassigned = leadEvents.filter(
      (event) =>
        event.type === "lead.assigned" && (event.data as { cause: string }).cause === "escalation",
    );
    expect(reassigned).toHaveLength(1);
    expect(
      fixture.notifications.some(
        (note) => note.kind === "escalation" && note.recipient.person === "dana",
      ),
    ).toBe(true);
    // two hours after the breach the last rung tells sales' owner and marks the lead
    fixture.clock.now = due + 121 * 60_000;
    await fixture.fireDue();
    const row = await fixture.test.db
      .selectFrom("leads")
      .select("data")
      .where("id", "=", lead.leadId)
      .executeTakeFirstOrThrow();
    expect((row.data as { fields: Record<string, unknown> }).fields.handoff_notes).toBe(
      "escalated",
    );
    expect(
      fixture.notifications.some(
        (note) => note.kind === "escalation" && note.recipient.person === "sam",
      ),
    ).toBe(true);
    const rungs = (await eventsOf(lead.leadId))
      .filter((event) => event.type === "lead.escalated")
      .map((event) => (event.data as { rung: number }).rung);
    expect(rungs).toEqual([0, 1, 2, 3]);
    fixture.clock.now = Date.parse("2026-03-09T14:00:00Z");
  });
});

describe("agreement versions", () => {
  it("activates only with both sides, asks how running clocks take it, and recalculates open cycles", async () => {
    const lead = await ingestLead(
      fixture.engine,
      hotLead({ activities: [{ type: "content_download", at: fixture.clock.now }] }),
      { actor: "api:test" },
    );
    if (!lead.ok) throw new Error(lead.error.message);
    const yaml = (await exampleAgreementYaml()).replace(
      "{ id: within-60-minutes, target_minutes: 60, calendar: always }",
      "{ id: within-30-minutes, target_minutes: 30, calendar: always }",
    );
    const proposed = await proposeAgreement(fixture.engine, { yaml, actor: "riley" });
    if (!proposed.ok) throw new Error(proposed.error.message);
    expect(proposed.value.diff!.join("\n")).toMatch(/within-30-minutes/);
    expect(
      await approveAgreement(fixture.engine, { number: proposed.value.number, approver: "dana" }),
    ).toMatchObject({
      ok: false,
      error: { code: "not_an_approver" },
    });
    expect(
      await approveAgreement(fixture.engine, { number: proposed.value.number, approver: "sam" }),
    ).toMatchObject({
      ok: true,
      value: { activated: false, waitingFor: ["marketing"] },
    });
    expect(
      await approveAgreement(fixture.engine, { number: proposed.value.number, approver: "maria" }),
    ).toMatchObject({
      ok: false,
      error: { code: "activation_mode_required" },
    });
    const before = await clockRow(lead.leadId, "mql-qualification");
    const activated = await approveAgreement(fixture.engine, {
      number: proposed.value.number,
      approver: "maria",
      mode: "new_and_open_cycles",
    });
    if (!activated.ok) throw new Error(activated.error.message);
    expect(activated.value).toMatchObject({ activated: true, mode: "new_and_open_cycles" });
    expect(activated.value.recalculated).toBeGreaterThan(0);
    const after = await clockRow(lead.leadId, "mql-qualification");
    expect(after!.due_at!.getTime()).toBe(before!.due_at!.getTime() - 30 * 60_000);
    expect(after!.goal).toBe("within-30-minutes");
    const next = await ingestLead(fixture.engine, hotLead(), { actor: "api:test" });
    if (!next.ok) throw new Error(next.error.message);
    const events = await eventsOf(next.leadId);
    expect(events.every((event) => event.agreement_version === proposed.value.number)).toBe(true);
  });
});

async function countEvents(): Promise<number> {
  const row = await sql<{ count: string }>`select count(*) as count from events`.execute(
    fixture.test.db,
  );
  return Number(row.rows[0]!.count);
}
