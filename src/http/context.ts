import type { Principal } from "../app/access/principal.js";
import type { Capability, Reach } from "../core/access/permissions.js";

/**
 * What every route declares about who may call it: `public` (health, sign-in, webhooks, which
 * authenticate by signature), `signed-in` (any user: their own session), or one capability of
 * the role table (src/core/access/permissions.ts). A route without a declaration is refused at
 * start-up, so nothing becomes public by omission.
 */
export type Access = Capability | "public" | "signed-in";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
    /** the caller's reach for the route's capability: every record, or only their own */
    reach?: Reach;
  }
}

/** The signed-in caller; routes that are not public run only after auth has set it. */
export function principalOf(request: { principal?: Principal | undefined }): Principal {
  if (request.principal === undefined) throw new Error("route ran without a principal");
  return request.principal;
}
