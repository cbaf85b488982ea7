import type { Role } from "../../core/access/permissions.js";
import type { Engine } from "../engine.js";
import { createUser, findUser } from "./users.js";

/**
 * Sign-ins for the demo company: one user per person of the active agreement, with the role
 * their team implies — RevOps are admins, the marketing side is marketing, a sales-side team's
 * manager is a sales manager, everyone else on the sales side is a rep. All share one password,
 * printed by the command that made them; this is for a demo, never for real data.
 */
export const demoPassword = "baton-demo-company";

export async function createDemoUsers(
  engine: Engine,
): Promise<{ id: string; role: Role; name: string }[]> {
  const active = await engine.registry.active(engine.db);
  if (active === undefined) return [];
  const { people, teams } = active.compiled.agreement;
  const managers = new Set(Object.values(teams).map((team) => team.manager));
  const created: { id: string; role: Role; name: string }[] = [];
  for (const [id, person] of Object.entries(people)) {
    const side = Object.hasOwn(teams, person.team) ? teams[person.team]!.side : undefined;
    const role: Role =
      side === "revops"
        ? "admin"
        : side === "marketing"
          ? "marketing"
          : managers.has(id)
            ? "sales_manager"
            : "rep";
    if ((await findUser(engine, id)) !== undefined) continue;
    const outcome = await createUser(engine, {
      id,
      name: person.name,
      role,
      person: id,
      password: demoPassword,
      ...(person.email ? { email: person.email } : {}),
    });
    if (outcome.ok) created.push({ id, role, name: person.name });
  }
  return created;
}

/** "riley (admin), maria (marketing), …" for the banner. */
export function describeDemoUsers(users: readonly { id: string; role: Role }[]): string {
  return users.map((user) => `${user.id} (${user.role})`).join(", ");
}
