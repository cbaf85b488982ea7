import type { Capability, Role } from "../../core/access/permissions.js";

/**
 * Who is calling: a signed-in user (browser session) or an API token acting for its user.
 * `actor` is the id decisions are recorded under: the agreement's person when the user is one,
 * else the user's id.
 */
export interface Principal {
  userId: string;
  name: string;
  role: Role;
  person: string | null;
  actor: string;
  via: "session" | "token";
  /** a token's id; absent for sessions */
  tokenId?: string;
  /** a token's scopes; absent for sessions, which hold every capability of their role */
  scopes?: readonly Capability[];
  /** the session's CSRF token, which unsafe requests must echo */
  csrfToken?: string;
}

export function actorOf(user: { id: string; person: string | null }): string {
  return user.person ?? user.id;
}
