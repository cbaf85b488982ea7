import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import { loadBacktestHistory } from "../../src/app/backtest.js";
import { ingestLead } from "../../src/app/ingest.js";
import { logActivity, reassignLead } from "../../src/app/lead-actions.js";
import { loadClockLogs } from "../../src/app/ledger-store.js";
import { emptyProjectionSet } from "../../src/core/ledger/projection.js";
import type { ClockEvent } from "../../src/core/sla/index.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
} from "./engine-fixture.js";

/**
 * The backtest's read of the stored history (PGlite, or the server with DATABASE_URL), checked
 * against the ledger's own read of each clock's log. Four leads over a week: one before the
 * window, then three inside it, days apart so they fall in different spans of the read. The
 * first in the window is routed to blair, touched, then reassigned to alex by hand; a second
 * version is activated for new and open cycles, so open cycles carry a recalculation.
 */
let fixture: EngineFixture;
const ids: Record<string, string> = {};
let from = 0;

const lead = (name: string) => ({
  system: "web-form",
  externalId: name,
  fields: { email: `${name}@bigco.com`, country: "US", persona_match: true, source: "website" },
  company: { name: `${name} Co`, domain: `${name}.com`, employees: 500, industry: "software" },
  activities: [
    { type: "form_submit" as const, at: fixture.clock.now - 60_000, fields: { form: "demo" } },
  ],
});

async function ingest(name: string) {
  const result = await ingestLead(fixture.engine, lead(name), { actor: "api:test" });
  if (!result.ok) throw new Error(result.error.message);
  ids[name] = result.leadId;
}

beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
  await ingest("before");
  fixture.advance(24 * 60);
  from = fixture.clock.now;
  await ingest("first");
  fixture.advance(30);
  await logActivity(fixture.engine, {
    leadId: ids.first!,
    actor: "blair",
    activity: { type: "call", at: fixture.clock.now, actor: "blair" },
  });
  const reassigned = await reassignLead(fixture.engine, {
    leadId: ids.first!,
    to: "alex",
    actor: { id: "dana", role: "sales_manager" },
  });
  if (!reassigned.ok) throw new Error(reassigned.error.message);
  fixture.advance(2 * 24 * 60);
  await ingest("second");
  fixture.advance(2 * 24 * 60);
  await ingest("third");
  fixture.advance(10);
  const yaml = (await exampleAgreementYaml()).replace(
    "{ id: four-business-hours, target_minutes: 240, calendar: owner }",
    "{ id: four-business-hours, target_minutes: 120, calendar: owner }",
  );
  const proposed = await proposeAgreement(fixture.engine, { yaml, actor: "riley" });
  if (!proposed.ok) throw new Error(proposed.error.message);
  await approveAgreement(fixture.engine, { number: proposed.value.number, approver: "maria" });
  const activated = await approveAgreement(fixture.engine, {
    number: proposed.value.number,
    approver: "sam",
    mode: "new_and_open_cycles",
  });
  if (!activated.ok || !activated.value.activated) throw new Error("version 2 did not activate");
}, 60_000);
afterAll(async () => fixture.test.drop());

describe("loadBacktestHistory", () => {
  it("reads the window's leads in creation order with their stages and assignments", async () => {
    const history = await loadBacktestHistory(fixture.engine.db, fixture.engine.workspace, {
      from,
      to: fixture.clock.now + 60_000,
    });
    expect(history.leads.map((known) => known.id)).toEqual([ids.first, ids.second, ids.third]);
    const first = history.leads[0]!;
    expect(first.createdAt).toBe(from);
    expect(first.fields.email).toBe("first@bigco.com");
    expect(first.company.employees).toBe(500);
    expect(first.activities.map((activity) => activity.type)).toEqual(["form_submit", "call"]);
    expect(first.assignments.map(({ owner, cause }) => ({ owner, cause }))).toEqual([
      { owner: { kind: "rep", id: "blair" }, cause: "routing" },
      { owner: { kind: "rep", id: "alex" }, cause: "manual" },
    ]);
    expect(first.stages[0]!.at).toBe(from);
    expect(first.stages.map((entry) => entry.stage)).toContain("mql");
    for (const known of history.leads)
      expect(known.stages.map((entry) => entry.at)).toEqual(
        [...known.stages.map((entry) => entry.at)].sort((a, b) => a - b),
      );
    // the lead from before the window weighs on caps only as a carried load
    expect(history.carriedLoads.map((load) => load.rep)).toEqual(["alex"]);
  });

  it("reads each clock's log as the ledger holds it, without its warn and breach records", async () => {
    const history = await loadBacktestHistory(fixture.engine.db, fixture.engine.workspace, {
      from,
      to: fixture.clock.now + 60_000,
    });
    const set = emptyProjectionSet();
    const clockRows = await fixture.engine.db
      .selectFrom("clocks")
      .select(["id", "lead_id"])
      .where("lead_id", "in", [ids.first!, ids.second!, ids.third!])
      .execute();
    expect(history.clocks.map((clock) => clock.id).sort()).toEqual(
      clockRows.map((row) => row.id).sort(),
    );
    await loadClockLogs(
      fixture.engine.db,
      fixture.engine.workspace,
      set,
      clockRows.map((row) => row.id),
    );
    let recalculations = 0;
    for (const clock of history.clocks) {
      const log = set.clocks.get(clock.id)!;
      expect(clock.leadId).toBe(log.leadId);
      expect(clock.step).toBe(log.step);
      const expected = log.events
        .filter((event) => event.type !== "warn" && event.type !== "breach")
        .map((event): ClockEvent => {
          if (event.type === "start") {
            const { warnings: _warnings, ...goal } = event.goal;
            return { ...event, goal };
          }
          return event;
        });
      recalculations += expected.filter((event) => event.type === "recalculate").length;
      expect([...clock.events].sort((a, b) => a.seq - b.seq)).toEqual(expected);
    }
    // the open cycles of the second and third leads took version 2
    expect(recalculations).toBeGreaterThanOrEqual(2);
  });
});
