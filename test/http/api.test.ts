import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadInputSchema } from "../../src/app/lead-input.js";
import { LeadBody } from "../../src/http/routes/lead-schemas.js";
import { as, createHttpFixture, type HttpFixture, password, signIn } from "./http-fixture.js";

function lead(n: number, extra: Record<string, unknown> = {}) {
  return {
    system: "web-form",
    externalId: `form-${n}`,
    fields: {
      email: `person${n}@company${n}.example`,
      first_name: `Person${n}`,
      source: "webinar",
    },
    ...extra,
  };
}

describe("HTTP API", () => {
  let fixture: HttpFixture;
  beforeAll(async () => {
    fixture = await createHttpFixture({ signInAttempts: 3 });
  }, 60_000);
  afterAll(async () => fixture?.close());

  describe("sessions", () => {
    it("sets a secure, httpOnly, SameSite=Strict cookie and refuses a wrong password", async () => {
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { user: "sam", password },
      });
      expect(response.statusCode).toBe(200);
      const cookie = response.cookies.find((c) => c.name === "baton_session")!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: true, path: "/" });
      expect(response.json().user).toMatchObject({
        id: "sam",
        role: "sales_manager",
        person: "sam",
      });
      const wrong = await fixture.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { user: "sam", password: "not the password" },
      });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe("bad_credentials");
      expect(wrong.cookies).toHaveLength(0);
    });

    it("refuses an unsafe request with a session but without its CSRF token", async () => {
      const { cookie } = fixture.users.marketing;
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers: { cookie, "x-csrf-token": "forged" },
        payload: lead(900),
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe("csrf_failed");
      const stored = await fixture.engine.db.selectFrom("leads").select("external_id").execute();
      expect(stored.map((row) => row.external_id)).not.toContain("form-900");
    });

    it("ends the session on sign-out", async () => {
      const session = await signIn(fixture.app, "vera");
      const out = await fixture.app.inject({
        method: "DELETE",
        url: "/api/session",
        headers: { cookie: session.cookie, "x-csrf-token": session.csrf },
      });
      expect(out.statusCode).toBe(204);
      const after = await fixture.app.inject({
        method: "GET",
        url: "/api/session",
        headers: { cookie: session.cookie },
      });
      expect(after.statusCode).toBe(401);
    });

    it("limits sign-in attempts per address and user", async () => {
      const attempt = () =>
        fixture.app.inject({
          method: "POST",
          url: "/api/session",
          payload: { user: "mallory", password: "guess guess guess" },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt()).statusCode);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const limited = await attempt();
      expect(limited.json().error.code).toBe("rate_limited");
    });
  });

  describe("API tokens", () => {
    it("stores only a hash, honours scopes, and stops working once revoked", async () => {
      const { app, users, engine } = fixture;
      const created = await app.inject({
        method: "POST",
        url: "/api/tokens",
        headers: as(users.admin),
        payload: { name: "web form", userId: "maria", scopes: ["leads.ingest"] },
      });
      expect(created.statusCode).toBe(201);
      const { token, info } = created.json();
      const secret = token.split("_").slice(3).join("_");
      const row = await engine.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", info.id)
        .executeTakeFirstOrThrow();
      expect(row.secret_hash).not.toContain(secret);
      expect(JSON.stringify(row)).not.toContain(secret);
      const bearer = { authorization: `Bearer ${token}` };
      const ingested = await app.inject({
        method: "POST",
        url: "/api/leads",
        headers: bearer,
        payload: lead(1),
      });
      expect(ingested.statusCode).toBe(201);
      // maria's role may read leads, but this token was scoped to ingestion only
      const read = await app.inject({ method: "GET", url: "/api/leads", headers: bearer });
      expect(read.statusCode).toBe(403);
      expect(read.json().error.message).toContain("not scoped for leads.read");
      const revoked = await app.inject({
        method: "DELETE",
        url: `/api/tokens/${info.id}`,
        headers: as(users.admin),
      });
      expect(revoked.json().revoked).toBe(true);
      const after = await app.inject({
        method: "POST",
        url: "/api/leads",
        headers: bearer,
        payload: lead(2),
      });
      expect(after.statusCode).toBe(401);
    });

    it("refuses a scope the user's role does not hold", async () => {
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/tokens",
        headers: as(fixture.users.admin),
        payload: { name: "too much", userId: "vera", scopes: ["leads.ingest"] },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json().error).toMatchObject({ code: "scope_not_held", field: "scopes" });
    });
  });

  describe("lead ingestion", () => {
    it("creates once and answers a repeated delivery with the first result", async () => {
      const headers = as(fixture.users.marketing);
      const first = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers,
        payload: lead(10),
      });
      const again = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers,
        payload: lead(10),
      });
      expect(first.statusCode).toBe(201);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ outcome: "duplicate", leadId: first.json().leadId });
    });

    it("names the field and what to do when a lead is wrong, and stores nothing", async () => {
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers: as(fixture.users.marketing),
        payload: {
          externalId: "x-1",
          system: "web-form",
          fields: { email: "a@b.example", employes: 5 },
        },
      });
      expect(response.statusCode).toBe(422);
      const error = response.json().error;
      expect(error.code).toBe("unknown_field");
      expect(error.problems[0].field).toBe("fields.employes");
      const stored = await fixture.engine.db
        .selectFrom("ingest_requests")
        .select("key")
        .where("key", "=", "web-form:x-1")
        .execute();
      expect(stored).toHaveLength(0);
    });

    it("stores a batch with a result per lead, the bad one failing alone", async () => {
      const response = await fixture.app.inject({
        method: "POST",
        url: "/api/leads/batch",
        headers: as(fixture.users.admin),
        payload: { leads: [lead(20), { fields: { email: 42 } }, lead(21)] },
      });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.counts).toEqual({ created: 2, refused: 1 });
      expect(body.results.map((result: { ok: boolean }) => result.ok)).toEqual([true, false, true]);
    });

    it("refuses malformed JSON, oversized bodies and unknown properties specifically", async () => {
      const headers = { ...as(fixture.users.marketing), "content-type": "application/json" };
      const malformed = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers,
        payload: "{nope",
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe("malformed_body");
      const huge = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers,
        payload: JSON.stringify({
          fields: { email: "a@b.example", handoff_notes: "x".repeat(2_000_000) },
        }),
      });
      expect(huge.statusCode).toBe(413);
      const extra = await fixture.app.inject({
        method: "POST",
        url: "/api/leads",
        headers,
        payload: { fields: {}, owner: "me" },
      });
      expect(extra.statusCode).toBe(422);
      expect(extra.json().error.problems).toEqual([
        { field: "body.owner", message: "'owner' is not a known property; remove it" },
      ]);
    });

    it("documents the same lead shape the pipeline parses", () => {
      expect(Object.keys(LeadBody.properties).sort()).toEqual(
        Object.keys(leadInputSchema.shape).sort(),
      );
    });
  });

  describe("acting on leads", () => {
    it("refuses a rejection without a reason, with the allowed list, then records it with one", async () => {
      const { app, users } = fixture;
      // meets the example's MQL threshold (fit 50 + a demo request 40): routed to a rep at once
      const created = await app.inject({
        method: "POST",
        url: "/api/leads",
        headers: as(users.admin),
        payload: {
          system: "web-form",
          externalId: "hot-1",
          fields: {
            email: "ada@bigco.com",
            first_name: "Ada",
            country: "US",
            persona_match: true,
            source: "website",
          },
          company: { name: "BigCo", domain: "bigco.com", employees: 500, industry: "software" },
          activities: [
            { type: "form_submit", at: fixture.clock.now - 60_000, fields: { form: "demo" } },
          ],
        },
      });
      expect(created.json()).toMatchObject({ stage: "mql", mql: true });
      const leadId = created.json().leadId;
      await app.inject({
        method: "POST",
        url: `/api/leads/${leadId}/reassign`,
        headers: as(users.sales_manager),
        payload: { to: "alex" },
      });
      const bare = await app.inject({
        method: "POST",
        url: `/api/leads/${leadId}/actions`,
        headers: as(users.rep),
        payload: { action: "reject" },
      });
      expect(bare.statusCode).toBe(422);
      const refusal = bare.json().error;
      expect(refusal.code).toBe("reason_required");
      const allowed: string[] = refusal.problems[0].requirement.allowed;
      expect(allowed).toContain("wrong_persona");
      const rejected = await app.inject({
        method: "POST",
        url: `/api/leads/${leadId}/actions`,
        headers: as(users.rep),
        payload: {
          action: "reject",
          reason: "wrong_persona",
          note: "checked on a call",
          feedback: { next_action: "disqualify" },
        },
      });
      expect(rejected.statusCode, rejected.body).toBe(200);
      expect(rejected.json().stage).toBe("disqualified");
      const timeline = await app.inject({
        method: "GET",
        url: `/api/leads/${leadId}/events`,
        headers: as(users.viewer),
      });
      const items: {
        type: string;
        actor: string;
        data: { to?: string; reason?: string };
        explanation: unknown;
      }[] = timeline.json().items;
      expect(items[0]!.type).toBe("lead.created");
      const scored = items.find((event) => event.type === "lead.scored");
      expect(JSON.stringify(scored?.explanation)).toContain("target-size");
      const rejection = items.filter((event) => event.type === "lead.stage_changed").at(-1)!;
      expect(rejection.actor).toBe("alex");
      expect(JSON.stringify(rejection.data)).toContain("wrong_persona");
    });
  });

  describe("lists", () => {
    it("pages through leads with a cursor, in order, without repeats", async () => {
      const { app, users } = fixture;
      for (let n = 40; n < 47; n++) {
        fixture.advance(1);
        await app.inject({
          method: "POST",
          url: "/api/leads",
          headers: as(users.admin),
          payload: lead(n),
        });
      }
      const seen: string[] = [];
      const created: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: {
          statusCode: number;
          json(): { items: { id: string; createdAt: string }[]; nextCursor: string | null };
        } = await app.inject({
          method: "GET",
          url: `/api/leads?limit=3&sort=created_at&order=asc${cursor ? `&cursor=${cursor}` : ""}`,
          headers: as(users.viewer),
        });
        expect(response.statusCode).toBe(200);
        const body: { items: { id: string; createdAt: string }[]; nextCursor: string | null } =
          response.json();
        for (const item of body.items) {
          seen.push(item.id);
          created.push(item.createdAt);
        }
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 50);
      const total = await fixture.engine.db
        .selectFrom("leads")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow();
      expect(seen).toHaveLength(Number(total.n));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...created].sort()).toEqual(created);
      const bad = await app.inject({
        method: "GET",
        url: "/api/leads?cursor=garbage",
        headers: as(users.viewer),
      });
      expect(bad.statusCode).toBe(422);
    });

    it("filters by stage and searches by e-mail", async () => {
      const response = await fixture.app.inject({
        method: "GET",
        url: "/api/leads?q=person44",
        headers: as(fixture.users.viewer),
      });
      const items = response.json().items;
      expect(items).toHaveLength(1);
      expect(items[0].email).toBe("person44@company44.example");
      const stage = items[0].stage;
      const byStage = await fixture.app.inject({
        method: "GET",
        url: `/api/leads?stage=${stage}&limit=500`,
        headers: as(fixture.users.viewer),
      });
      expect(byStage.json().items.every((item: { stage: string }) => item.stage === stage)).toBe(
        true,
      );
    });
  });

  describe("agreements", () => {
    it("activates a proposal only when marketing and sales have both approved", async () => {
      const { app, users } = fixture;
      const active = await app.inject({
        method: "GET",
        url: "/api/agreements/active",
        headers: as(users.viewer),
      });
      const yaml = active
        .json()
        .yaml.replace("name: Acme Analytics revenue agreement", "name: Acme revenue agreement v2");
      const proposed = await app.inject({
        method: "POST",
        url: "/api/agreements",
        headers: as(users.marketing),
        payload: { yaml },
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const number = proposed.json().number;
      expect(proposed.json().diff.length).toBeGreaterThan(0);
      const byMarketing = await app.inject({
        method: "POST",
        url: `/api/agreements/${number}/approvals`,
        headers: as(users.marketing),
        payload: {},
      });
      expect(byMarketing.json()).toMatchObject({ activated: false, waitingFor: ["sales"] });
      // riley is an admin but not one of the agreement's approvers
      const byAdmin = await app.inject({
        method: "POST",
        url: `/api/agreements/${number}/approvals`,
        headers: as(users.admin),
        payload: { mode: "new_cycles_only" },
      });
      expect(byAdmin.statusCode).toBe(403);
      expect(byAdmin.json().error.code).toBe("not_an_approver");
      const noMode = await app.inject({
        method: "POST",
        url: `/api/agreements/${number}/approvals`,
        headers: as(users.sales_manager),
        payload: {},
      });
      expect(noMode.statusCode).toBe(422);
      expect(noMode.json().error.code).toBe("activation_mode_required");
      const bySales = await app.inject({
        method: "POST",
        url: `/api/agreements/${number}/approvals`,
        headers: as(users.sales_manager),
        payload: { mode: "new_cycles_only" },
      });
      expect(bySales.json()).toMatchObject({ activated: true, waitingFor: [] });
      const now = await app.inject({
        method: "GET",
        url: "/api/agreements/active",
        headers: as(users.rep),
      });
      expect(now.json()).toMatchObject({ number, status: "active" });
    });
  });

  describe("users", () => {
    it("refuses a weak password by field and never removes the last admin", async () => {
      const { app, users } = fixture;
      const weak = await app.inject({
        method: "POST",
        url: "/api/users",
        headers: as(users.admin),
        payload: { id: "newbie", name: "New", role: "viewer", password: "short" },
      });
      expect(weak.statusCode).toBe(422);
      expect(weak.json().error).toMatchObject({ code: "invalid_input", field: "password" });
      const demote = await app.inject({
        method: "PATCH",
        url: "/api/users/riley",
        headers: as(users.admin),
        payload: { role: "viewer" },
      });
      expect(demote.statusCode).toBe(409);
      expect(demote.json().error.code).toBe("last_admin");
    });

    it("ends a disabled user's sessions", async () => {
      const { app, users } = fixture;
      const created = await app.inject({
        method: "POST",
        url: "/api/users",
        headers: as(users.admin),
        payload: { id: "temp", name: "Temp", role: "viewer", password },
      });
      expect(created.statusCode).toBe(201);
      const session = await signIn(app, "temp");
      await app.inject({
        method: "PATCH",
        url: "/api/users/temp",
        headers: as(users.admin),
        payload: { disabled: true },
      });
      const after = await app.inject({
        method: "GET",
        url: "/api/leads",
        headers: { cookie: session.cookie },
      });
      expect(after.statusCode).toBe(401);
    });
  });

  describe("notifications", () => {
    it("lists dead notifications with their last error and replays them", async () => {
      const { app, users, engine } = fixture;
      const row = await engine.db
        .insertInto("notifications")
        .values({
          dedupe_key: "test:dead:1",
          kind: "sla_breach",
          channel: "webhook",
          recipient: "maria",
          subject: "SLA breached",
          body: "…",
          payload: "{}",
          status: "dead",
          attempts: 8,
          last_error: "receiver answered 500",
          dead_at: new Date(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const listed = await app.inject({
        method: "GET",
        url: "/api/notifications?status=dead",
        headers: as(users.admin),
      });
      expect(listed.json().items).toEqual([
        expect.objectContaining({ id: row.id, status: "dead", lastError: "receiver answered 500" }),
      ]);
      const replayed = await app.inject({
        method: "POST",
        url: `/api/notifications/${row.id}/replay`,
        headers: as(users.admin),
      });
      expect(replayed.json()).toEqual({ id: row.id, status: "pending" });
      const again = await app.inject({
        method: "POST",
        url: `/api/notifications/${row.id}/replay`,
        headers: as(users.admin),
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe("notification_in_flight");
    });
  });

  describe("operations", () => {
    it("answers health and readiness, echoes request ids and audits writes with their actor", async () => {
      const { app, users } = fixture;
      expect((await app.inject({ method: "GET", url: "/api/health" })).json()).toEqual({
        status: "ok",
      });
      const ready = await app.inject({ method: "GET", url: "/api/ready" });
      expect(ready.json().status).toBe("ready");
      const traced = await app.inject({
        method: "GET",
        url: "/api/health",
        headers: { "x-request-id": "trace-123" },
      });
      expect(traced.headers["x-request-id"]).toBe("trace-123");
      await app.inject({
        method: "POST",
        url: "/api/leads",
        headers: as(users.marketing),
        payload: lead(77),
      });
      await app.flushAudit();
      const audit = await app.inject({
        method: "GET",
        url: "/api/audit?actor=maria",
        headers: as(users.admin),
      });
      const entry = audit
        .json()
        .items.find((item: { action: string }) => item.action === "POST /api/leads");
      expect(entry).toMatchObject({
        actor: "maria",
        role: "marketing",
        via: "session",
        status: 201,
      });
      // the audit log is append-only, like the ledger
      await expect(
        fixture.engine.db.updateTable("audit_log").set({ actor: "someone else" }).execute(),
      ).rejects.toThrow(/append-only/);
      await expect(fixture.engine.db.deleteFrom("audit_log").execute()).rejects.toThrow(
        /append-only/,
      );
    });

    it("serves an OpenAPI description of every API route and a docs page", async () => {
      const { app } = fixture;
      const spec = (await app.inject({ method: "GET", url: "/api/docs/json" })).json();
      expect(spec.openapi).toBe("3.1.0");
      const documented = new Set(
        Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
          ([path, ops]) =>
            Object.keys(ops).map(
              (method) => `${method.toUpperCase()} ${path.replaceAll(/\{(\w+)\}/g, ":$1")}`,
            ),
        ),
      );
      for (const route of app.routeList.filter(
        (r) => r.url.startsWith("/api/") && !r.url.startsWith("/api/docs"),
      ))
        expect(documented, `${route.method} ${route.url}`).toContain(
          `${route.method} ${route.url}`,
        );
      const page = await app.inject({ method: "GET", url: "/api/docs/" });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("swagger");
    });

    it("exposes Prometheus metrics with ingest counts and outbox depth", async () => {
      const response = await fixture.app.inject({
        method: "GET",
        url: "/metrics",
        headers: as(fixture.users.admin),
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/baton_leads_ingested_total\{outcome="created"\} \d+/);
      expect(response.body).toMatch(/baton_outbox_depth \d+/);
      expect(response.body).toMatch(/baton_clock_lag_seconds \d+/);
      expect(response.body).toContain(
        'baton_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/api/leads"',
      );
    });
  });
});
