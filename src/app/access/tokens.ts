import { type Capability, capabilitiesOf, isCapability } from "../../core/access/permissions.js";
import type { Engine } from "../engine.js";
import { type AccessResult, refuse } from "./access-error.js";
import { actorOf, type Principal } from "./principal.js";
import { hashSecret, randomSecret, sameSecret } from "./secrets.js";

/**
 * API tokens: `baton_<id>_<secret>`. The id is public (lists, audit), the secret is shown once
 * and stored as a hash. A token acts for its user with the scopes it was given, never more than
 * the user's role holds (checked again on every request, so demoting a user narrows their tokens).
 */

export interface TokenInfo {
  id: string;
  name: string;
  userId: string;
  scopes: Capability[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
}

const tokenPattern = /^baton_(tok_[a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export async function createToken(
  engine: Engine,
  input: {
    name: string;
    userId: string;
    scopes?: readonly string[] | undefined;
    expiresInDays?: number | undefined;
    createdBy: string;
  },
): Promise<AccessResult<{ token: string; info: TokenInfo }>> {
  const user = await engine.db
    .selectFrom("users")
    .select(["id", "role", "disabled_at"])
    .where("workspace", "=", engine.workspace)
    .where("id", "=", input.userId)
    .executeTakeFirst();
  if (user === undefined)
    return refuse("unknown_user", `there is no user '${input.userId}'`, "userId");
  if (user.disabled_at !== null)
    return refuse(
      "user_disabled",
      `'${input.userId}' is disabled; enable the user first`,
      "userId",
    );
  const held = capabilitiesOf(user.role);
  const scopes = input.scopes ?? held;
  for (const scope of scopes) {
    if (!isCapability(scope))
      return refuse(
        "invalid_input",
        `'${scope}' is not a scope; scopes: ${held.join(", ")}`,
        "scopes",
      );
    if (!held.includes(scope))
      return refuse(
        "scope_not_held",
        `a ${user.role} does not hold '${scope}'; scopes for this user: ${held.join(", ")}`,
        "scopes",
      );
  }
  if (scopes.length === 0)
    return refuse("invalid_input", "give the token at least one scope", "scopes");
  const id = `tok_${randomSecret()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "")
    .slice(0, 12)
    .padEnd(12, "0")}`;
  const secret = randomSecret();
  const expiresAt =
    input.expiresInDays === undefined
      ? null
      : new Date(engine.now() + input.expiresInDays * 86_400_000);
  const row = await engine.db
    .insertInto("api_tokens")
    .values({
      workspace: engine.workspace,
      id,
      name: input.name,
      user_id: input.userId,
      scopes: [...scopes] as string[],
      secret_hash: hashSecret(secret),
      created_by: input.createdBy,
      expires_at: expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { ok: true, value: { token: `baton_${id}_${secret}`, info: infoOf(row) } };
}

function infoOf(row: {
  id: string;
  name: string;
  user_id: string;
  scopes: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    userId: row.user_id,
    scopes: row.scopes.filter(isCapability),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revoked: row.revoked_at !== null,
  };
}

export async function listTokens(engine: Engine): Promise<TokenInfo[]> {
  const rows = await engine.db
    .selectFrom("api_tokens")
    .selectAll()
    .where("workspace", "=", engine.workspace)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(infoOf);
}

export async function revokeToken(engine: Engine, id: string): Promise<AccessResult<TokenInfo>> {
  const row = await engine.db
    .updateTable("api_tokens")
    .set({ revoked_at: new Date(engine.now()) })
    .where("workspace", "=", engine.workspace)
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) return refuse("unknown_token", `there is no token '${id}'`);
  return { ok: true, value: infoOf(row) };
}

/**
 * The principal of a bearer token, when it is well-formed, known, not revoked or expired, and
 * its user enabled. Marks the token used at most once a minute (a write per request would cost
 * more than the request).
 */
export async function tokenPrincipal(
  engine: Engine,
  token: string,
): Promise<Principal | undefined> {
  const match = tokenPattern.exec(token);
  if (match === null) return undefined;
  const [, id, secret] = match as unknown as [string, string, string];
  const row = await engine.db
    .selectFrom("api_tokens")
    .innerJoin("users", (join) =>
      join
        .onRef("users.workspace", "=", "api_tokens.workspace")
        .onRef("users.id", "=", "api_tokens.user_id"),
    )
    .select([
      "api_tokens.id as tokenId",
      "api_tokens.scopes",
      "api_tokens.secret_hash",
      "api_tokens.expires_at",
      "api_tokens.revoked_at",
      "api_tokens.last_used_at",
      "users.id",
      "users.name",
      "users.role",
      "users.person",
      "users.disabled_at",
    ])
    .where("api_tokens.workspace", "=", engine.workspace)
    .where("api_tokens.id", "=", id)
    .executeTakeFirst();
  if (row === undefined || !sameSecret(row.secret_hash, hashSecret(secret))) return undefined;
  const now = engine.now();
  if (row.revoked_at !== null || row.disabled_at !== null) return undefined;
  if (row.expires_at !== null && row.expires_at.getTime() <= now) return undefined;
  if (row.last_used_at === null || now - row.last_used_at.getTime() > 60_000)
    await engine.db
      .updateTable("api_tokens")
      .set({ last_used_at: new Date(now) })
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .execute();
  const held = capabilitiesOf(row.role);
  return {
    userId: row.id,
    name: row.name,
    role: row.role,
    person: row.person,
    actor: actorOf(row),
    via: "token",
    tokenId: row.tokenId,
    scopes: row.scopes.filter(isCapability).filter((scope) => held.includes(scope)),
  };
}
