import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import { ingestLeads } from "../../src/app/ingest.js";
import {
  actOnLead,
  changeOpportunityStage,
  logActivity,
  reassignLead,
} from "../../src/app/lead-actions.js";
import { rebuildProjections } from "../../src/app/rebuild.js";
import {
  activateExample,
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
} from "./engine-fixture.js";

/**
 * The projections are a fold of the ledger: after a long random scenario (ingest in batches,
 * repeats, every lead action, refusals, timers firing, escalations, a new agreement version
 * recalculating open clocks), rebuilding every projection from the events gives back exactly
 * the rows the live path wrote.
 */

let fixture: EngineFixture;
beforeAll(async () => {
  fixture = await createEngineFixture();
  await activateExample(fixture.engine);
});
afterAll(async () => fixture.test.drop());

/** mulberry32: a seeded generator, so a failure replays with the printed seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const projections = [
  "leads",
  "opportunities",
  "accounts",
  "clocks",
  "routing_state",
  "agreement_versions",
  "agreement_approvals",
] as const;

async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of projections) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      fixture.test.db,
    );
    out[table] = rows.rows
      .map((row) => JSON.parse(JSON.stringify(row)) as Record<string, unknown>)
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

it("rebuilding every projection from the ledger gives the live rows back", async () => {
  const seed = Number(process.env.BATON_SCENARIO_SEED ?? 20261123);
  const random = generator(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const engine = fixture.engine;
  const leads: string[] = [];
  const countries = ["US", "CA", "GB", "DE", "US", "US"];
  let made = 0;
  const outcomes: Record<string, number> = {};
  const count = (key: string) => {
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  };

  for (let step = 0; step < 260; step++) {
    fixture.advance(Math.floor(random() * 90));
    let roll = random();
    if (roll < 0.3 || leads.length < 5) {
      const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
        made += 1;
        const repeat = made > 3 && random() < 0.15;
        const n = repeat ? Math.max(1, made - 1 - Math.floor(random() * 3)) : made;
        const region = pick(countries);
        return {
          system: "web-form",
          externalId: repeat && random() < 0.5 ? `f-${n}` : `f-${made}`,
          fields: {
            email: `person${n}@company${n % 40}.com`,
            country: region,
            ...(region === "GB" ? { region: "emea" } : {}),
            persona_match: random() < 0.7,
            source: pick(["website", "webinar", "paid_search"]),
          },
          company: {
            name: `Company ${n % 40}`,
            domain: `company${n % 40}.com`,
            employees: pick([50, 250, 900]),
            industry: pick(["software", "retail"]),
          },
          activities:
            random() < 0.6
              ? [{ type: "form_submit", at: fixture.clock.now - 1000, fields: { form: "demo" } }]
              : [],
        };
      });
      const results = await ingestLeads(engine, batch, { actor: "api:scenario" });
      for (const result of results) {
        count(result.ok ? `ingest:${result.outcome}` : `ingest:${result.error.code}`);
        if (result.ok && !leads.includes(result.leadId)) leads.push(result.leadId);
      }
      continue;
    }
    const leadId = pick(leads);
    const row = await fixture.test.db
      .selectFrom("leads")
      .select(["owner", "stage"])
      .where("id", "=", leadId)
      .executeTakeFirstOrThrow();
    // mostly the action a lead in its stage would see next, sometimes anything (refusals)
    if (random() < 0.6) {
      const natural: Record<string, number> = {
        mql: 0.5,
        working: 0.7,
        sql: 0.7,
        opportunity: 0.8,
      };
      const next = natural[row.stage];
      if (next !== undefined) roll = next + random() * 0.05;
    }
    const rep = { id: row.owner ?? "alex", role: "rep" as const };
    const manager = { id: "dana", role: "sales_manager" as const };
    let result: { ok: boolean; error?: { code: string } };
    if (roll < 0.42)
      result = await logActivity(engine, {
        leadId,
        actor: rep.id,
        activity: {
          type: pick(["call", "email", "meeting", "page_view"] as const),
          at: fixture.clock.now,
          actor: rep.id,
          autoReply: random() < 0.3,
        },
      });
    else if (roll < 0.55)
      result = await actOnLead(engine, {
        leadId,
        action: {
          type: "accept",
          actor: random() < 0.1 ? { id: "blair", role: "rep" } : rep,
          ...(random() < 0.8
            ? {
                context: { source: "website", message_used: "pricing", account_context: "growing" },
              }
            : {}),
          feedback: {
            meeting_quality: "strong_fit",
            message_match: pick(["accurate", "overstated"]),
          },
        },
      });
    else if (roll < 0.62)
      result = await actOnLead(engine, {
        leadId,
        action: {
          type: "reject",
          actor: rep,
          reason: pick(["wrong_persona", "poor_timing", "other"]),
          ...(random() < 0.5 ? { note: "called twice" } : {}),
          feedback: { next_action: pick(["nurture", "disqualify", "rework_targeting"]) },
        },
      });
    else if (roll < 0.67)
      result = await actOnLead(engine, {
        leadId,
        action: { type: "recycle", actor: rep, reason: pick(["no_response", "poor_timing"]) },
      });
    else if (roll < 0.74)
      result = await actOnLead(engine, {
        leadId,
        action: { type: "convert", actor: rep },
        opportunity: { stage: "discovery", amount: 1000 * Math.ceil(random() * 50) },
      });
    else if (roll < 0.78)
      result = await changeOpportunityStage(engine, {
        leadId,
        stage: pick(["proposal", "negotiation"]),
        actor: rep.id,
      });
    else if (roll < 0.83)
      result = await actOnLead(
        engine,
        random() < 0.5
          ? { leadId, action: { type: "win", actor: rep }, amount: 42_000 }
          : { leadId, action: { type: "lose", actor: rep, reason: pick(["price", "competitor"]) } },
      );
    else if (roll < 0.87)
      result = await reassignLead(engine, {
        leadId,
        to: random() < 0.5 ? "routing" : pick(["alex", "blair", "emery"]),
        actor: manager,
      });
    else if (roll < 0.97) {
      fixture.advance(Math.floor(random() * 300));
      count(`fired:${(await fixture.fireDue()) > 0}`);
      continue;
    } else {
      const yaml = (await exampleAgreementYaml()).replace(
        "target_minutes: 240",
        `target_minutes: ${pick([120, 180, 300])}`,
      );
      const proposed = await proposeAgreement(engine, { yaml, actor: "riley" });
      if (!proposed.ok) throw new Error(proposed.error.message);
      await approveAgreement(engine, { number: proposed.value.number, approver: "maria" });
      result = await approveAgreement(engine, {
        number: proposed.value.number,
        approver: "sam",
        mode: pick(["new_cycles_only", "new_and_open_cycles"] as const),
      });
    }
    count(result.ok ? `${roll.toFixed(1)}:ok` : `refused:${result.error?.code}`);
  }

  const live = await snapshot();
  // the scenario must have exercised the paths it claims to
  expect(live.leads!.length).toBeGreaterThan(50);
  expect(live.opportunities!.length).toBeGreaterThan(3);
  expect(live.agreement_versions!.length).toBeGreaterThan(1);
  expect(outcomes["ingest:duplicate"] ?? 0).toBeGreaterThan(0);
  expect(outcomes["ingest:updated"] ?? 0).toBeGreaterThan(0);
  expect(Object.keys(outcomes).some((key) => key.startsWith("refused:"))).toBe(true);
  expect(outcomes["fired:true"] ?? 0).toBeGreaterThan(0);

  const report = await rebuildProjections(fixture.test.db, fixture.engine.workspace);
  expect(report.leads).toBe(live.leads!.length);
  const rebuilt = await snapshot();
  for (const table of projections)
    expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: live[table] });
}, 120_000);

it("rebuilding gives the live rows back after concurrent writers too (routing turns, repeat submissions)", async () => {
  const engine = fixture.engine;
  const shared = (n: number) => ({
    system: "web-form",
    fields: {
      email: `shared${n % 7}@together.com`,
      country: n % 2 ? "US" : "CA",
      persona_match: true,
      source: "website",
    },
    company: { name: "Together", domain: "together.com", employees: 300, industry: "software" },
    activities: [
      { type: "form_submit" as const, at: fixture.clock.now - 1000, fields: { form: "demo" } },
    ],
  });
  await Promise.all(
    Array.from({ length: 6 }, async (_, client) => {
      for (let round = 0; round < 12; round++) {
        const n = client * 100 + round;
        const batch = Array.from({ length: 1 + (n % 4) }, (_, index) =>
          index === 0
            ? shared(n)
            : {
                ...shared(n),
                externalId: `c${n}-${index}`,
                fields: { ...shared(n).fields, email: `p${n}-${index}@firm${n}.com` },
              },
        );
        const results = await ingestLeads(engine, batch, { actor: `api:client-${client}` });
        const first = results[0];
        if (first?.ok && first.owner?.kind === "rep" && round % 3 === 0)
          await actOnLead(engine, {
            leadId: first.leadId,
            action: {
              type: "reject",
              actor: { id: first.owner.id, role: "rep" },
              reason: "wrong_persona",
              feedback: { next_action: "disqualify" },
            },
          });
      }
    }),
  );
  const live = await snapshot();
  await rebuildProjections(fixture.test.db, fixture.engine.workspace);
  const rebuilt = await snapshot();
  for (const table of projections)
    expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: live[table] });
}, 120_000);
