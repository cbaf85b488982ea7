import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, roles } from "../../src/core/access/permissions.js";
import { as, createHttpFixture, type HttpFixture } from "./http-fixture.js";

/**
 * The whole role × endpoint matrix, written out by hand from the product's rules (not derived
 * from the permission table it checks): every route must appear here, and a role gets past the
 * gate exactly where this table says. "any" means every signed-in role; "public" needs nobody.
 */
const everyone = [...roles];
const matrix: Record<string, readonly Role[] | "public"> = {
  "GET /api/health": "public",
  "GET /api/ready": "public",
  "POST /api/session": "public",
  "GET /api/session": everyone,
  "DELETE /api/session": everyone,
  "GET /metrics": ["admin"],
  // the web app: its files and index.html for its own routes (src/http/web-app.ts)
  "GET /*": "public",
  "GET /api/users": ["admin"],
  "POST /api/users": ["admin"],
  "PATCH /api/users/:id": ["admin"],
  "GET /api/tokens": ["admin"],
  "POST /api/tokens": ["admin"],
  "DELETE /api/tokens/:id": ["admin"],
  "GET /api/audit": ["admin"],
  "POST /api/leads": ["admin", "marketing"],
  "POST /api/leads/batch": ["admin", "marketing"],
  "GET /api/leads": everyone,
  "GET /api/leads/:id": everyone,
  "GET /api/leads/:id/events": everyone,
  // marketing cannot disposition a lead; a viewer only reads
  "POST /api/leads/:id/actions": ["admin", "sales_manager", "rep"],
  "POST /api/leads/:id/activities": ["admin", "sales_manager", "rep"],
  "POST /api/leads/:id/reassign": ["admin", "sales_manager"],
  "POST /api/leads/:id/opportunity/stage": ["admin", "sales_manager", "rep"],
  "GET /api/clocks": everyone,
  "GET /api/agreements": everyone,
  "GET /api/agreements/active": everyone,
  "GET /api/agreements/:number": everyone,
  "POST /api/agreements": ["admin", "marketing", "sales_manager"],
  "POST /api/agreements/:number/approvals": ["admin", "marketing", "sales_manager"],
  "GET /api/agreements/:number/backtest": everyone,
  "POST /api/agreements/backtest": ["admin", "marketing", "sales_manager"],
  "GET /api/notifications": ["admin"],
  "GET /api/notifications/channels": ["admin"],
  "POST /api/notifications/:id/replay": ["admin"],
  "POST /api/notifications/replay-dead": ["admin"],
  // every role reads the figures both sides are held to (a rep opens only their own records)
  "GET /api/metrics": everyone,
  "GET /api/metrics/:name": everyone,
  "GET /api/metrics/:name/records": everyone,
  "GET /api/overview": everyone,
  "GET /api/sla-board": everyone,
  "GET /api/plan": everyone,
  // the joint review: everyone reads packs and action items; the review's owners write
  "GET /api/reviews": everyone,
  "POST /api/reviews": ["admin", "marketing", "sales_manager"],
  "GET /api/reviews/:id": everyone,
  "GET /api/reviews/:id/pack.html": everyone,
  "GET /api/reviews/:id/pack.md": everyone,
  "GET /api/reviews/:id/pack.pdf": everyone,
  "GET /api/reviews/:id/decisions": everyone,
  "POST /api/reviews/:id/decisions": ["admin", "marketing", "sales_manager"],
  "GET /api/action-items": everyone,
  "POST /api/action-items": ["admin", "marketing", "sales_manager"],
  "PATCH /api/action-items/:id": ["admin", "marketing", "sales_manager"],
  "POST /api/action-items/:id/push": ["admin", "marketing", "sales_manager"],
  "GET /api/project-tools": everyone,
};

/** Routes outside the API's own matrix: documentation pages and webhooks (signature-checked). */
const outside = (url: string) => url.startsWith("/api/docs") || url.startsWith("/api/webhooks");

describe("role × endpoint matrix", () => {
  let fixture: HttpFixture;
  let leadId: string;
  beforeAll(async () => {
    fixture = await createHttpFixture();
    const created = await fixture.app.inject({
      method: "POST",
      url: "/api/leads",
      headers: as(fixture.users.admin),
      payload: { fields: { email: "pat@northwind.example", first_name: "Pat" } },
    });
    expect(created.statusCode).toBe(201);
    leadId = created.json().leadId;
  }, 60_000);
  afterAll(async () => fixture?.close());

  it("lists every registered route, and nothing the app does not have", () => {
    const registered = fixture.app.routeList
      .filter((route) => !outside(route.url))
      .map((route) => `${route.method} ${route.url}`);
    expect(new Set(registered)).toEqual(new Set(Object.keys(matrix)));
    for (const route of fixture.app.routeList.filter((r) => !outside(r.url)))
      expect(route.access, `${route.method} ${route.url}`).toBeDefined();
  });

  it("refuses every route but the public ones without a session or token", async () => {
    for (const [route, allowed] of Object.entries(matrix)) {
      const [method, url] = route.split(" ") as [string, string];
      const response = await fixture.app.inject({
        method: method as "GET",
        url: url.replace(":id", leadId).replace(":number", "1"),
        payload: method === "GET" || method === "DELETE" ? undefined : {},
      });
      if (allowed === "public") expect(response.statusCode, route).not.toBe(401);
      else {
        expect(response.statusCode, route).toBe(401);
        expect(response.json().error.code, route).toBe("not_signed_in");
      }
    }
  });

  for (const role of roles)
    it(`lets the ${role} role past the gate exactly where the matrix says`, async () => {
      const user = fixture.users[role];
      for (const [route, allowed] of Object.entries(matrix)) {
        if (allowed === "public" || route === "DELETE /api/session") continue;
        const [method, url] = route.split(" ") as [string, string];
        const target = url
          .replace(
            ":id",
            route.includes("/users/") ? "nobody" : route.includes("/tokens/") ? "tok_none" : leadId,
          )
          .replace(":number", "99");
        const response = await fixture.app.inject({
          method: method as "GET",
          url: target,
          headers: as(user),
          ...(method === "GET" ? {} : { payload: {} }),
        });
        const code = response.statusCode === 403 ? response.json().error.code : null;
        if (allowed.includes(role))
          expect(code, `${role} ${route} → ${response.statusCode} ${response.body}`).not.toBe(
            "forbidden",
          );
        else {
          expect(
            response.statusCode,
            `${role} ${route} unexpectedly allowed: ${response.body}`,
          ).toBe(403);
          expect(code, route).toBe("forbidden");
        }
      }
    });

  it("keeps a rep to their own leads and queued ones", async () => {
    const { app, users } = fixture;
    // hand the lead to another rep; alex (the rep) may no longer see or act on it
    const reassigned = await app.inject({
      method: "POST",
      url: `/api/leads/${leadId}/reassign`,
      headers: as(users.sales_manager),
      payload: { to: "blair" },
    });
    expect(reassigned.statusCode, reassigned.body).toBe(200);
    const seen = await app.inject({
      method: "GET",
      url: `/api/leads/${leadId}`,
      headers: as(users.rep),
    });
    expect(seen.statusCode).toBe(404);
    const listed = await app.inject({ method: "GET", url: "/api/leads", headers: as(users.rep) });
    expect(listed.json().items.map((lead: { id: string }) => lead.id)).not.toContain(leadId);
    const acted = await app.inject({
      method: "POST",
      url: `/api/leads/${leadId}/activities`,
      headers: as(users.rep),
      payload: { type: "call", at: fixture.clock.now },
    });
    expect(acted.statusCode).toBe(403);
    expect(acted.json().error.code).toBe("not_owner");
    // given to alex, the lead is theirs to see and work
    await app.inject({
      method: "POST",
      url: `/api/leads/${leadId}/reassign`,
      headers: as(users.sales_manager),
      payload: { to: "alex" },
    });
    const mine = await app.inject({
      method: "GET",
      url: `/api/leads/${leadId}`,
      headers: as(users.rep),
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().lead.owner).toEqual({ kind: "rep", id: "alex" });
  });
});
