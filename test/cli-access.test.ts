import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { tokenPrincipal } from "../src/app/access/tokens.js";
import { openStore } from "../src/cli/open-store.js";
import { cliRunner } from "./cli-runner.js";

/**
 * `baton users`, `baton tokens` and `baton agreement activate` on an embedded data folder: what
 * an admin runs before anyone signs in.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-access-cli-")), USER: "ops" };

const baton = cliRunner(env);

it("activates only with the approval that completes both sides, recording nothing otherwise", async () => {
  expect((await baton("agreement", "propose", example, "--by", "riley")).code).toBe(0);
  const early = await baton(
    "agreement",
    "activate",
    "1",
    "--by",
    "maria",
    "--mode",
    "new_cycles_only",
  );
  expect(early.code).toBe(1);
  expect(early.stderr).toMatch(
    /activation_incomplete: version 1 still needs the sales side's approval/,
  );
  // maria's refused activation left no approval behind: she can still approve
  expect((await baton("agreement", "approve", "1", "--by", "maria")).stdout).toMatch(
    /waiting for sales/,
  );
  const done = await baton(
    "agreement",
    "activate",
    "1",
    "--by",
    "sam",
    "--mode",
    "new_cycles_only",
  );
  expect(done).toMatchObject({ code: 0, stdout: "version 1 is active (new_cycles_only)" });
});

it("creates users with a one-time password, refuses bad input by flag, and changes roles", async () => {
  const created = await baton(
    "users",
    "create",
    "alex",
    "--role",
    "rep",
    "--person",
    "alex",
    "--json",
  );
  expect(created.code).toBe(0);
  const body = JSON.parse(created.stdout);
  expect(body.user).toMatchObject({ id: "alex", role: "rep", person: "alex", disabled: false });
  expect(body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
  const unknownPerson = await baton("users", "create", "zed", "--role", "rep", "--person", "zed");
  expect(unknownPerson.code).toBe(1);
  expect(unknownPerson.stderr).toMatch(/'zed' is not a person of the active agreement/);
  const badRole = await baton("users", "create", "zed", "--role", "boss");
  expect(badRole).toMatchObject({ code: 2 });
  expect(badRole.stderr).toMatch(/use one of admin, marketing, sales_manager, rep, viewer/);
  const unknownFlag = await baton("users", "create", "zed", "--role", "rep", "--colour", "red");
  expect(unknownFlag.code).toBe(2);
  expect((await baton("users", "set-role", "alex", "sales_manager")).code).toBe(0);
  const list = JSON.parse((await baton("users", "list", "--json")).stdout);
  expect(list).toEqual([expect.objectContaining({ id: "alex", role: "sales_manager" })]);
});

it("creates a scoped token that works, then revokes it", async () => {
  const created = await baton(
    "tokens",
    "create",
    "web form",
    "--user",
    "alex",
    "--scope",
    "leads.read",
    "--json",
  );
  expect(created.code).toBe(0);
  const { token, info } = JSON.parse(created.stdout);
  expect(info.scopes).toEqual(["leads.read"]);
  // one process owns an embedded folder at a time: the test opens it between commands
  const before = await openStore(env);
  expect(await tokenPrincipal(before.engine, token)).toMatchObject({
    userId: "alex",
    scopes: ["leads.read"],
  });
  await before.close();
  const tooWide = await baton("tokens", "create", "x", "--user", "alex", "--scope", "users.manage");
  expect(tooWide.code).toBe(2);
  expect(tooWide.stderr).toMatch(/does not hold 'users.manage'/);
  expect((await baton("tokens", "revoke", info.id)).stdout).toBe(`${info.id} revoked`);
  const store = await openStore(env);
  try {
    expect(await tokenPrincipal(store.engine, token)).toBeUndefined();
    const audit = await store.db
      .selectFrom("audit_log")
      .select(["actor", "via", "action", "target"])
      .orderBy("id")
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      "users create",
      "users set-role",
      "tokens create",
      "tokens revoke",
    ]);
    expect(audit.every((row) => row.actor === "cli:ops" && row.via === "cli")).toBe(true);
  } finally {
    await store.close();
  }
});
