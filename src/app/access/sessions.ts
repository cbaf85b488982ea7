import type { Role } from "../../core/access/permissions.js";
import type { Engine } from "../engine.js";
import { type AccessResult, refuse } from "./access-error.js";
import { verifyPassword } from "./passwords.js";
import { actorOf, type Principal } from "./principal.js";
import { hashSecret, randomSecret } from "./secrets.js";

/** Browser sessions: the cookie holds a random secret; the table holds its hash. */

export const sessionLifetimeMs = 12 * 60 * 60 * 1000;

/** A password check for an unknown user still costs a hash, so timing does not reveal users. */
const decoyHash =
  "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export interface SignedIn {
  /** the cookie's value; shown once, stored only hashed */
  secret: string;
  principal: Principal;
  expiresAt: number;
}

export async function signIn(
  engine: Engine,
  input: { userId: string; password: string },
): Promise<AccessResult<SignedIn>> {
  const user = await engine.db
    .selectFrom("users")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .where("id", "=", input.userId.trim().toLowerCase())
    .executeTakeFirst();
  const matches = await verifyPassword(input.password, user?.password_hash ?? decoyHash);
  if (user === undefined || user.password_hash === null || !matches)
    return refuse("bad_credentials", "the user name or the password is wrong");
  if (user.disabled_at !== null)
    return refuse("user_disabled", "this user is disabled; ask an admin to enable it");
  const secret = randomSecret();
  const csrfToken = randomSecret();
  const expiresAt = engine.now() + sessionLifetimeMs;
  await engine.db
    .insertInto("sessions")
    .values({
      id_hash: hashSecret(secret),
      workspace: engine.workspace,
      user_id: user.id,
      csrf_token: csrfToken,
      expires_at: new Date(expiresAt),
    })
    .execute();
  return {
    ok: true,
    value: {
      secret,
      expiresAt,
      principal: {
        userId: user.id,
        name: user.name,
        role: user.role,
        person: user.person,
        actor: actorOf(user),
        via: "session",
        csrfToken,
      },
    },
  };
}

/** The principal of a session cookie, when the session exists, is current and its user enabled. */
export async function sessionPrincipal(
  engine: Engine,
  secret: string,
): Promise<Principal | undefined> {
  const row = await engine.db
    .selectFrom("sessions")
    .innerJoin("users", (join) =>
      join
        .onRef("users.workspace", "=", "sessions.workspace")
        .onRef("users.id", "=", "sessions.user_id"),
    )
    .select([
      "users.id",
      "users.name",
      "users.role",
      "users.person",
      "users.disabled_at",
      "sessions.csrf_token",
      "sessions.expires_at",
    ])
    .where("sessions.id_hash", "=", hashSecret(secret))
    .where("sessions.workspace", "=", engine.workspace)
    .executeTakeFirst();
  if (row === undefined || row.disabled_at !== null) return undefined;
  if (row.expires_at.getTime() <= engine.now()) return undefined;
  return {
    userId: row.id,
    name: row.name,
    role: row.role as Role,
    person: row.person,
    actor: actorOf(row),
    via: "session",
    csrfToken: row.csrf_token,
  };
}

export async function signOut(engine: Engine, secret: string): Promise<void> {
  await engine.db.deleteFrom("sessions").where("id_hash", "=", hashSecret(secret)).execute();
}
