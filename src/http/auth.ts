import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Principal } from "../app/access/principal.js";
import { sessionPrincipal } from "../app/access/sessions.js";
import { tokenPrincipal } from "../app/access/tokens.js";
import type { Engine } from "../app/engine.js";
import { type Capability, reachOf } from "../core/access/permissions.js";
import type { Access } from "./context.js";
import { HttpError } from "./http-error.js";

/**
 * Authentication and the role gate, before any body is read: the session cookie or the bearer
 * token names the principal, the route's declared access decides, and unsafe requests made with
 * a session must echo the session's CSRF token (a bearer token cannot be sent by a browser on
 * its own, so token requests need none).
 */

export const sessionCookie = "baton_session";
export const csrfHeader = "x-csrf-token";

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Token look-ups cached briefly: a revocation made elsewhere takes effect within `tokenCacheMs`. */
export const tokenCacheMs = 5_000;

export function registerAuth(app: FastifyInstance, engine: Engine): { forgetTokens(): void } {
  const tokenCache = new Map<string, { principal: Principal | undefined; until: number }>();

  async function principalOfToken(token: string): Promise<Principal | undefined> {
    const now = Date.now();
    const cached = tokenCache.get(token);
    if (cached !== undefined && cached.until > now) return cached.principal;
    const principal = await tokenPrincipal(engine, token);
    if (tokenCache.size > 10_000) tokenCache.clear();
    tokenCache.set(token, { principal, until: now + tokenCacheMs });
    return principal;
  }

  async function authenticate(request: FastifyRequest): Promise<Principal | undefined> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const [scheme, token] = header.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !token)
        throw new HttpError(
          "not_signed_in",
          "the Authorization header must be 'Bearer <token>' with a Baton API token",
        );
      const principal = await principalOfToken(token);
      if (principal === undefined)
        throw new HttpError(
          "not_signed_in",
          "the API token is unknown, revoked or expired; create a new one (baton tokens create)",
        );
      return principal;
    }
    const secret = request.cookies[sessionCookie];
    if (secret === undefined) return undefined;
    return sessionPrincipal(engine, secret);
  }

  app.addHook("onRoute", (route) => {
    if (
      route.config?.access === undefined &&
      route.url.startsWith("/api") &&
      !route.url.startsWith("/api/docs")
    )
      throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
  });

  app.addHook("onRequest", async (request) => {
    const access: Access | undefined = request.routeOptions.config?.access;
    if (access === undefined || access === "public") return;
    const principal = await authenticate(request);
    if (principal === undefined)
      throw new HttpError(
        "not_signed_in",
        "sign in first (POST /api/session) or send an API token",
      );
    if (principal.via === "session" && unsafe.has(request.method)) {
      const echoed = request.headers[csrfHeader];
      if (typeof echoed !== "string" || echoed !== principal.csrfToken)
        throw new HttpError(
          "csrf_failed",
          `send the session's CSRF token in the ${csrfHeader} header (GET /api/session returns it)`,
        );
    }
    request.principal = principal;
    if (access === "signed-in") return;
    request.reach = gate(principal, access);
  });

  return { forgetTokens: () => tokenCache.clear() };
}

/** The role table, then the token's scopes. */
export function gate(principal: Principal, capability: Capability) {
  const reach = reachOf(principal.role, capability);
  if (reach === undefined)
    throw new HttpError(
      "forbidden",
      `the ${principal.role} role may not use ${capability}; ask an admin if your role is wrong`,
      { capability },
    );
  if (principal.scopes !== undefined && !principal.scopes.includes(capability))
    throw new HttpError(
      "forbidden",
      `this API token is not scoped for ${capability}; create a token with that scope`,
      { capability },
    );
  return reach;
}
