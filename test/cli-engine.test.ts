import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { processIo } from "../src/cli/io.js";
import { runCli } from "../src/cli/program.js";

/**
 * The engine's commands on an embedded data folder, as a user runs them after `npm ci`: the folder
 * is migrated on first use, a version is proposed, refused for the wrong approver, activated by
 * both sides, and the projections rebuilt.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-engine-cli-")) };

async function baton(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      readText: processIo.readText,
    },
    env,
  );
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

it("proposes, approves by both sides and rebuilds on a fresh embedded folder", async () => {
  const proposed = await baton("agreement", "propose", example, "--by", "riley");
  expect(proposed).toMatchObject({ code: 0 });
  expect(proposed.stdout).toMatch(/version 1 proposed by riley/);

  const stranger = await baton("agreement", "approve", "1", "--by", "dana");
  expect(stranger.code).toBe(1);
  expect(stranger.stderr).toMatch(/not_an_approver: dana is not an approver/);

  expect((await baton("agreement", "approve", "1", "--by", "maria")).stdout).toMatch(
    /approved by maria; waiting for sales/,
  );
  const noMode = await baton("agreement", "approve", "1", "--by", "sam");
  expect(noMode.stderr).toMatch(/activation_mode_required/);
  const badMode = await baton("agreement", "approve", "1", "--by", "sam", "--mode", "later");
  expect(badMode).toMatchObject({ code: 2 });
  expect(badMode.stderr).toMatch(/use new_cycles_only or new_and_open_cycles/);
  const active = await baton(
    "agreement",
    "approve",
    "1",
    "--by",
    "sam",
    "--mode",
    "new_cycles_only",
    "--json",
  );
  expect(JSON.parse(active.stdout)).toMatchObject({
    ok: true,
    value: { activated: true, mode: "new_cycles_only" },
  });

  const rebuilt = await baton("rebuild", "--json");
  expect(JSON.parse(rebuilt.stdout)).toMatchObject({ ok: true, events: 4, agreementVersions: 1 });
}, 60_000);
