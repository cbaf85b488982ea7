import type { Command } from "commander";
import type { AccessError } from "../../app/access/access-error.js";
import { recordAudit } from "../../app/access/audit.js";
import { randomPassword } from "../../app/access/passwords.js";
import { createToken, listTokens, revokeToken } from "../../app/access/tokens.js";
import { createUser, listUsers, type UserChange, updateUser } from "../../app/access/users.js";
import { isRole, roles } from "../../core/access/permissions.js";
import { CliError, exitCodes } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { openStore, type Store } from "../open-store.js";
import type { Outcome } from "../program.js";

/** `baton users` and `baton tokens`: the same use cases as the API, audited as the CLI. */
export function registerAccessCommands(
  program: Command,
  io: CliIo,
  finish: (outcome: Outcome) => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const actor = env.USER ? `cli:${env.USER}` : "cli";

  async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
    const store = await openStore(env);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  function refused(error: AccessError): never {
    const exit =
      error.code === "invalid_input" || error.code === "scope_not_held"
        ? exitCodes.usage
        : exitCodes.invalid;
    throw new CliError(error.message, exit, error.field ? `check --${error.field}` : undefined);
  }

  async function audit(store: Store, action: string, target: string, status: number) {
    await recordAudit(store.engine, [{ actor, role: null, via: "cli", action, target, status }]);
  }

  const users = program.command("users").description("list, create and change Baton's users");

  users
    .command("list")
    .description("every user with role and person")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) =>
      withStore(async (store) => {
        const list = await listUsers(store.engine);
        if (options.json) io.stdout(JSON.stringify(list, null, 2));
        else if (list.length === 0) io.stdout("no users yet; create one with baton users create");
        else
          for (const user of list)
            io.stdout(
              `${user.id.padEnd(16)} ${user.role.padEnd(14)} ${(user.person ?? "-").padEnd(12)} ${user.disabled ? "disabled" : "enabled"}  ${user.name}`,
            );
        finish(exitCodes.ok);
      }),
    );

  users
    .command("create")
    .description("create a user; prints a generated password unless --password is given")
    .argument("<id>", "sign-in name: lower-case letters, digits, '.', '_' or '-'")
    .requiredOption("--role <role>", `one of ${roles.join(", ")}`)
    .option("--name <name>", "display name (default: the id)")
    .option("--email <email>", "e-mail address")
    .option("--person <person>", "the agreement's person this user is (reps, approvers)")
    .option("--password <password>", "at least 12 characters (default: generated and printed once)")
    .option("--json", "print as JSON")
    .action(
      async (
        id: string,
        options: {
          role: string;
          name?: string;
          email?: string;
          person?: string;
          password?: string;
          json?: boolean;
        },
      ) => {
        if (!isRole(options.role))
          throw new CliError(
            `--role ${options.role} is not a role`,
            exitCodes.usage,
            `use one of ${roles.join(", ")}`,
          );
        const password = options.password ?? randomPassword();
        await withStore(async (store) => {
          const created = await createUser(store.engine, {
            id,
            name: options.name ?? id,
            role: options.role as (typeof roles)[number],
            email: options.email,
            person: options.person,
            password,
          });
          if (!created.ok) refused(created.error);
          await audit(store, "users create", id, 201);
          if (options.json)
            io.stdout(
              JSON.stringify(
                { user: created.value, ...(options.password ? {} : { password }) },
                null,
                2,
              ),
            );
          else {
            io.stdout(`created ${id} (${created.value.role})`);
            if (!options.password) io.stdout(`password: ${password}  (shown once)`);
          }
        });
        finish(exitCodes.ok);
      },
    );

  const change = (
    name: string,
    description: string,
    build: (value?: string) => UserChange,
    argument?: string,
  ) => {
    const command = users.command(name).description(description).argument("<id>", "the user");
    if (argument) command.argument(argument);
    command.option("--json", "print as JSON").action(async (id: string, ...rest: unknown[]) => {
      const value = argument ? (rest[0] as string) : undefined;
      const options = (argument ? rest[1] : rest[0]) as { json?: boolean };
      const wanted = build(value);
      const generated =
        name === "set-password" && value === undefined ? randomPassword() : undefined;
      await withStore(async (store) => {
        const updated = await updateUser(
          store.engine,
          id,
          generated ? { password: generated } : wanted,
        );
        if (!updated.ok) refused(updated.error);
        await audit(store, `users ${name}`, id, 200);
        if (options.json) io.stdout(JSON.stringify(updated.value, null, 2));
        else io.stdout(`${id}: ${name} done`);
        if (generated) io.stdout(`password: ${generated}  (shown once)`);
      });
      finish(exitCodes.ok);
    });
  };
  change(
    "set-role",
    "give a user another role",
    (role) => {
      if (role === undefined || !isRole(role))
        throw new CliError(
          `'${role}' is not a role`,
          exitCodes.usage,
          `use one of ${roles.join(", ")}`,
        );
      return { role };
    },
    "<role>",
  );
  change(
    "set-password",
    "set a new password (generated and printed once when none is given)",
    (password) => ({ password }),
    "[password]",
  );
  change("disable", "stop a user signing in; ends their sessions", () => ({ disabled: true }));
  change("enable", "let a disabled user sign in again", () => ({ disabled: false }));

  const tokens = program.command("tokens").description("API tokens: list, create, revoke");

  tokens
    .command("list")
    .description("every token (never its secret)")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) =>
      withStore(async (store) => {
        const list = await listTokens(store.engine);
        if (options.json) io.stdout(JSON.stringify(list, null, 2));
        else if (list.length === 0) io.stdout("no tokens yet; create one with baton tokens create");
        else
          for (const token of list)
            io.stdout(
              `${token.id}  ${token.revoked ? "revoked" : "active "}  ${token.userId.padEnd(12)} ${token.name}  [${token.scopes.join(", ")}]`,
            );
        finish(exitCodes.ok);
      }),
    );

  tokens
    .command("create")
    .description("create a token acting for a user; the token is printed once")
    .argument("<name>", "what the token is for: 'web form', 'hubspot sync' …")
    .requiredOption("--user <id>", "the user the token acts for")
    .option(
      "--scope <capability...>",
      "limit it to these capabilities (default: all of the user's role)",
    )
    .option("--expires-in-days <days>", "expire it after this many days", (value) => {
      const days = Number(value);
      if (!Number.isInteger(days) || days < 1)
        throw new CliError(
          `--expires-in-days ${value} is not a whole number of days`,
          exitCodes.usage,
        );
      return days;
    })
    .option("--json", "print as JSON")
    .action(
      async (
        name: string,
        options: { user: string; scope?: string[]; expiresInDays?: number; json?: boolean },
      ) =>
        withStore(async (store) => {
          const created = await createToken(store.engine, {
            name,
            userId: options.user,
            scopes: options.scope,
            expiresInDays: options.expiresInDays,
            createdBy: actor,
          });
          if (!created.ok) refused(created.error);
          await audit(store, "tokens create", created.value.info.id, 201);
          if (options.json) io.stdout(JSON.stringify(created.value, null, 2));
          else {
            io.stdout(
              `created ${created.value.info.id} for ${options.user} [${created.value.info.scopes.join(", ")}]`,
            );
            io.stdout(
              `token: ${created.value.token}  (shown once; send it as Authorization: Bearer <token>)`,
            );
          }
          finish(exitCodes.ok);
        }),
    );

  tokens
    .command("revoke")
    .description("revoke a token at once")
    .argument("<id>", "the token's id (tok_…)")
    .option("--json", "print as JSON")
    .action(async (id: string, options: { json?: boolean }) =>
      withStore(async (store) => {
        const revoked = await revokeToken(store.engine, id);
        if (!revoked.ok) refused(revoked.error);
        await audit(store, "tokens revoke", id, 200);
        io.stdout(options.json ? JSON.stringify(revoked.value, null, 2) : `${id} revoked`);
        finish(exitCodes.ok);
      }),
    );
}
