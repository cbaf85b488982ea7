import { type Role, roles } from "../../core/access/permissions.js";
import type { Engine } from "../engine.js";
import { type AccessResult, refuse } from "./access-error.js";
import { hashPassword, passwordProblem } from "./passwords.js";

/**
 * Local users. A user signs in with a password (or calls the API with a token) and acts with a
 * role; a user who is a person of the agreement (`person`) acts as that person — a rep's queue,
 * an approver's signature.
 */

export interface User {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  person: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface NewUser {
  id: string;
  name: string;
  email?: string | undefined;
  role: Role;
  person?: string | undefined;
  password?: string | undefined;
}

const idPattern = /^[a-z0-9][a-z0-9._-]{0,62}$/;

function userOf(row: {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  person: string | null;
  disabled_at: Date | null;
  created_at: Date;
}): User {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    person: row.person,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}

const columns = ["id", "name", "email", "role", "person", "disabled_at", "created_at"] as const;

/** Whether `person` names someone in the active agreement (any person is allowed before one is). */
async function personProblem(engine: Engine, person: string): Promise<string | undefined> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined) return undefined;
  if (Object.hasOwn(active.compiled.agreement.people, person)) return undefined;
  const known = Object.keys(active.compiled.agreement.people).join(", ");
  return `'${person}' is not a person of the active agreement (people: ${known})`;
}

export async function createUser(engine: Engine, input: NewUser): Promise<AccessResult<User>> {
  if (!idPattern.test(input.id))
    return refuse(
      "invalid_input",
      "a user id is 1–63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
      "id",
    );
  if (!(roles as readonly string[]).includes(input.role))
    return refuse("invalid_input", `role must be one of ${roles.join(", ")}`, "role");
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) return refuse("invalid_input", `password: ${problem}`, "password");
  }
  if (input.person !== undefined) {
    const problem = await personProblem(engine, input.person);
    if (problem) return refuse("unknown_person", problem, "person");
  }
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const row = await engine.db
    .insertInto("users")
    .values({
      workspace: engine.workspace,
      id: input.id,
      name: input.name,
      email: input.email ?? null,
      role: input.role,
      person: input.person ?? null,
      password_hash: passwordHash,
    })
    .onConflict((conflict) => conflict.doNothing())
    .returning(columns)
    .executeTakeFirst()
    .catch((error: { code?: string }) => {
      if (error.code === "23505") return "person_taken" as const;
      throw error;
    });
  if (row === "person_taken")
    return refuse("person_taken", `another user already is '${input.person}'`, "person");
  if (row === undefined) return refuse("user_exists", `a user '${input.id}' already exists`, "id");
  return { ok: true, value: userOf(row) };
}

export async function findUser(engine: Engine, id: string): Promise<User | undefined> {
  const row = await engine.db
    .selectFrom("users")
    .select(columns)
    .where("workspace", "=", engine.workspace)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && userOf(row);
}

export async function listUsers(engine: Engine): Promise<User[]> {
  const rows = await engine.db
    .selectFrom("users")
    .select(columns)
    .where("workspace", "=", engine.workspace)
    .orderBy("id")
    .execute();
  return rows.map(userOf);
}

export async function countUsers(engine: Engine): Promise<number> {
  const row = await engine.db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("workspace", "=", engine.workspace)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface UserChange {
  name?: string | undefined;
  email?: string | null | undefined;
  role?: Role | undefined;
  person?: string | null | undefined;
  password?: string | undefined;
  disabled?: boolean | undefined;
}

/**
 * Changes a user. Refuses to leave the workspace without an enabled admin, so nobody locks
 * everyone out. Disabling a user or changing their password ends their sessions.
 */
export async function updateUser(
  engine: Engine,
  id: string,
  change: UserChange,
): Promise<AccessResult<User>> {
  if (change.password !== undefined) {
    const problem = passwordProblem(change.password);
    if (problem) return refuse("invalid_input", `password: ${problem}`, "password");
  }
  if (change.person) {
    const problem = await personProblem(engine, change.person);
    if (problem) return refuse("unknown_person", problem, "person");
  }
  const passwordHash =
    change.password === undefined ? undefined : await hashPassword(change.password);
  return engine.db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom("users")
      .select(columns)
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (current === undefined) return refuse("unknown_user", `there is no user '${id}'`);
    const losesAdmin =
      current.role === "admin" &&
      current.disabled_at === null &&
      ((change.role !== undefined && change.role !== "admin") || change.disabled === true);
    if (losesAdmin) {
      // locked, so two admins demoting each other at once cannot both succeed
      const admins = await trx
        .selectFrom("users")
        .select("id")
        .where("workspace", "=", engine.workspace)
        .where("role", "=", "admin")
        .where("disabled_at", "is", null)
        .forUpdate()
        .execute();
      if (admins.length <= 1)
        return refuse(
          "last_admin",
          `'${id}' is the only enabled admin; make another user admin first`,
        );
    }
    const row = await trx
      .updateTable("users")
      .set({
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.email !== undefined ? { email: change.email } : {}),
        ...(change.role !== undefined ? { role: change.role } : {}),
        ...(change.person !== undefined ? { person: change.person } : {}),
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
        ...(change.disabled !== undefined
          ? { disabled_at: change.disabled ? new Date(engine.now()) : null }
          : {}),
      })
      .where("workspace", "=", engine.workspace)
      .where("id", "=", id)
      .returning(columns)
      .executeTakeFirstOrThrow()
      .catch((error: { code?: string }) => {
        if (error.code === "23505") return "person_taken" as const;
        throw error;
      });
    if (row === "person_taken")
      return refuse("person_taken", `another user already is '${change.person}'`, "person");
    if (passwordHash !== undefined || change.disabled === true)
      await trx
        .deleteFrom("sessions")
        .where("workspace", "=", engine.workspace)
        .where("user_id", "=", id)
        .execute();
    return { ok: true, value: userOf(row) };
  });
}
