import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proposeAgreement } from "../../src/app/agreements.js";
import { backtestProposal } from "../../src/app/backtest.js";
import { ingestLead } from "../../src/app/ingest.js";
import { logActivity } from "../../src/app/lead-actions.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
  mondayMorning,
} from "./engine-fixture.js";

/**
 * A backtest on stored history (PGlite, or the server with DATABASE_URL). Monday 9 March 2026,
 * 10:00 in New York: three leads arrive under the example agreement —
 * - hot: fit 50 + demo 40 = 90 → MQL, routed to alex (first round-robin turn), touched 30
 *   minutes later: its first-effort cycle (goal demo-request, 60 min, score ≥ 90) is met;
 * - warm: fit 30 (250 employees, US) + demo 40 = 70 → MQL, routed to blair (second turn);
 * - cold: fit 50 alone → not MQL.
 * The proposal raises the MQL threshold to 80 and the demo-request goal to 20 minutes.
 */
let fixture: EngineFixture;
let proposalYaml: string;
const ids: Record<string, string> = {};
const from = mondayMorning - 86_400_000;

beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  const example = await exampleAgreementYaml();
  proposalYaml = example
    .replace(
      "mql: { score: 60, min_groups: { fit: 20 } }",
      "mql: { score: 80, min_groups: { fit: 20 } }",
    )
    .replace(
      "when: lead.score >= 90\n          target_minutes: 60",
      "when: lead.score >= 90\n          target_minutes: 20",
    );
  expect(proposalYaml).toContain("score: 80");
  expect(proposalYaml).toContain("target_minutes: 20");
  const now = fixture.clock.now;
  const demo = [{ type: "form_submit", at: now - 60_000, fields: { form: "demo" } }];
  const leads = {
    hot: {
      fields: { email: "ada@bigco.com", country: "US", persona_match: true, source: "website" },
      company: { name: "BigCo", domain: "bigco.com", employees: 500, industry: "software" },
      activities: demo,
    },
    warm: {
      fields: { email: "bo@midco.com", country: "US", source: "website" },
      company: { name: "MidCo", domain: "midco.com", employees: 250 },
      activities: demo,
    },
    cold: {
      fields: { email: "cy@fitco.com", country: "US", persona_match: true, source: "website" },
      company: { name: "FitCo", domain: "fitco.com", employees: 900, industry: "software" },
      activities: [],
    },
  };
  for (const [name, lead] of Object.entries(leads)) {
    const result = await ingestLead(
      fixture.engine,
      { system: "web-form", externalId: name, ...lead },
      { actor: "api:test" },
    );
    if (!result.ok) throw new Error(result.error.message);
    ids[name] = result.leadId;
  }
  fixture.advance(30);
  await logActivity(fixture.engine, {
    leadId: ids.hot!,
    actor: "alex",
    activity: { type: "call", at: fixture.clock.now, actor: "alex" },
  });
  fixture.advance(60);
});
afterAll(async () => fixture.test.drop());

describe("backtestProposal", () => {
  it("replays the stored window under a draft and names the leads, cycles and reps that change", async () => {
    const result = await backtestProposal(fixture.engine, { yaml: proposalYaml, from });
    if (!result.ok) throw new Error(result.error.message);
    const report = result.value;
    expect(report.leads).toBe(3);
    expect(report.active.number).toBe(1);
    expect(report.proposed.number).toBeNull();
    const { qualification, sla, routing } = report;
    expect(qualification.actualMqls).toBe(2);
    expect(qualification.before.mqls).toBe(2);
    expect(qualification.after.mqls).toBe(1);
    expect(qualification.droppingOut.items.map((flip) => flip.leadId)).toEqual([ids.warm]);
    expect(qualification.droppingOut.items[0]).toMatchObject({ scoreBefore: 70, scoreAfter: 70 });
    expect(qualification.newlyQualifying.count).toBe(0);

    const firstEffort = sla.steps.find((step) => step.step === "sdr-first-effort")!;
    expect(firstEffort.status).toBe("changed");
    expect(firstEffort.metToBreached.items.map((flip) => flip.leadId)).toEqual([ids.hot]);
    expect(firstEffort.metToBreached.items[0]).toMatchObject({
      before: { state: "met", goal: "demo-request", targetMinutes: 60 },
      after: { state: "breached-closed", goal: "demo-request", targetMinutes: 20 },
    });
    // the warm lead would not have qualified, so its first-effort cycle would not have started
    expect(firstEffort.notStarted.items).toEqual([
      expect.stringMatching(new RegExp(`^${ids.warm}/sdr-first-effort#\\d+$`)),
    ]);
    const qualificationStep = sla.steps.find((step) => step.step === "mql-qualification")!;
    expect(qualificationStep.status).toBe("unchanged");
    expect(qualificationStep.cycles).toBe(3);

    const rows = Object.fromEntries(routing.reps.map((row) => [row.rep, row]));
    expect(rows.alex).toMatchObject({ actual: 1, before: { assigned: 1 }, after: { assigned: 1 } });
    expect(rows.blair).toMatchObject({
      actual: 1,
      before: { assigned: 1 },
      after: { assigned: 0 },
    });
  });

  it("backtests a proposed version once per ledger position", async () => {
    const proposed = await proposeAgreement(fixture.engine, { yaml: proposalYaml, actor: "riley" });
    if (!proposed.ok) throw new Error(proposed.error.message);
    const first = await backtestProposal(fixture.engine, {
      versionNumber: proposed.value.number,
      from,
    });
    const again = await backtestProposal(fixture.engine, {
      versionNumber: proposed.value.number,
      from,
    });
    if (!first.ok || !again.ok) throw new Error("the backtest failed");
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(again.value.proposed.number).toBe(proposed.value.number);
    expect(again.value.qualification.droppingOut.count).toBe(1);
    // a new fact in the ledger makes the next request replay again
    await logActivity(fixture.engine, {
      leadId: ids.cold!,
      actor: "web",
      activity: { type: "page_view", at: fixture.clock.now, fields: { url: "/blog" } },
    });
    const after = await backtestProposal(fixture.engine, {
      versionNumber: proposed.value.number,
      from,
    });
    expect(after.ok && after.cached).toBe(false);
  });

  it("refuses an invalid draft with located issues, an unknown version and an empty window", async () => {
    const invalid = await backtestProposal(fixture.engine, {
      yaml: proposalYaml.replace("mql: { score: 80", "mql: { score: eighty"),
      file: "proposed.yaml",
    });
    expect(invalid.ok).toBe(false);
    if (invalid.ok) return;
    expect(invalid.error.code).toBe("invalid_agreement");
    expect(invalid.error.issues?.[0]).toMatchObject({ file: "proposed.yaml" });
    expect(invalid.error.issues?.[0]?.line).toBeGreaterThan(200);
    const unknown = await backtestProposal(fixture.engine, { versionNumber: 99 });
    expect(!unknown.ok && unknown.error.code).toBe("unknown_version");
    const empty = await backtestProposal(fixture.engine, {
      yaml: proposalYaml,
      from: mondayMorning,
      to: mondayMorning,
    });
    expect(!empty.ok && empty.error.code).toBe("invalid_window");
  });
});
