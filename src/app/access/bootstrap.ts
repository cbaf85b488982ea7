import type { Engine } from "../engine.js";
import { randomPassword } from "./passwords.js";
import { countUsers, createUser } from "./users.js";

/**
 * First run: a workspace without users gets one admin with a random password, returned once so
 * the server can print it. Nothing happens when any user exists, so restarting never resets a
 * password. Two servers starting at once both try; the second finds the user taken.
 */
export async function bootstrapAdmin(
  engine: Engine,
): Promise<{ userId: string; password: string } | null> {
  if ((await countUsers(engine)) > 0) return null;
  const password = randomPassword();
  const created = await createUser(engine, {
    id: "admin",
    name: "Administrator",
    role: "admin",
    password,
  });
  return created.ok ? { userId: "admin", password } : null;
}
