import { createUser } from "../../src/app/access/users.js";
import { approveAgreement, proposeAgreement } from "../../src/app/agreements.js";
import type { Role } from "../../src/core/access/permissions.js";
import { type BatonApp, buildApp } from "../../src/http/app.js";
import type { WebhookSettings } from "../../src/http/routes/webhook-routes.js";
import {
  createEngineFixture,
  type EngineFixture,
  exampleAgreementYaml,
} from "../app/engine-fixture.js";

/** The HTTP app in memory on the engine fixture, with one signed-in user per role. */
export interface HttpFixture extends EngineFixture {
  app: BatonApp;
  /** users by role: their id, the agreement person they are, and their session */
  users: Record<Role, SignedInUser>;
  close(): Promise<void>;
}

export interface SignedInUser {
  id: string;
  person: string | null;
  cookie: string;
  csrf: string;
}

export const password = "correct horse battery staple";

/** Who plays each role: people of examples/agreement.yaml, and a viewer who is nobody's person. */
export const cast: Record<Role, { id: string; person: string | null }> = {
  admin: { id: "riley", person: "riley" },
  marketing: { id: "maria", person: "maria" },
  sales_manager: { id: "sam", person: "sam" },
  rep: { id: "alex", person: "alex" },
  viewer: { id: "vera", person: null },
};

export async function createHttpFixture(
  options: { activate?: boolean; signInAttempts?: number; webhooks?: WebhookSettings } = {},
): Promise<HttpFixture> {
  const fixture = await createEngineFixture();
  const { engine } = fixture;
  if (options.activate !== false) {
    const proposed = await proposeAgreement(engine, {
      yaml: await exampleAgreementYaml(),
      actor: "riley",
    });
    if (!proposed.ok) throw new Error(proposed.error.message);
    await approveAgreement(engine, { number: 1, approver: "maria" });
    const approved = await approveAgreement(engine, {
      number: 1,
      approver: "sam",
      mode: "new_cycles_only",
    });
    if (!approved.ok) throw new Error(approved.error.message);
  }
  const app = await buildApp({
    engine,
    ...(options.signInAttempts === undefined ? {} : { signInAttempts: options.signInAttempts }),
    ...(options.webhooks === undefined ? {} : { webhooks: options.webhooks }),
  });
  const users = {} as Record<Role, SignedInUser>;
  for (const [role, who] of Object.entries(cast) as [Role, (typeof cast)[Role]][]) {
    const created = await createUser(engine, {
      id: who.id,
      name: who.id,
      role,
      password,
      ...(who.person === null ? {} : { person: who.person }),
    });
    if (!created.ok) throw new Error(created.error.message);
    users[role] = { ...who, ...(await signIn(app, who.id)) };
  }
  return {
    ...fixture,
    app,
    users,
    async close() {
      await app.close();
      await fixture.test.drop();
    },
  };
}

export async function signIn(
  app: BatonApp,
  user: string,
): Promise<{ cookie: string; csrf: string }> {
  const response = await app.inject({
    method: "POST",
    url: "/api/session",
    payload: { user, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === "baton_session");
  if (cookie === undefined) throw new Error("no session cookie");
  return { cookie: `baton_session=${cookie.value}`, csrf: response.json().csrfToken };
}

/** Headers for a request as `user`: the session cookie, and the CSRF token for unsafe methods. */
export function as(user: SignedInUser): Record<string, string> {
  return { cookie: user.cookie, "x-csrf-token": user.csrf };
}
