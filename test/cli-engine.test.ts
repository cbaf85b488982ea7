import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openStore } from "../src/cli/open-store.js";
import { cliRunner } from "./cli-runner.js";

/**
 * The engine's commands on an embedded data folder, as a user runs them after `npm ci`: the folder
 * is migrated on first use, a version is proposed, refused for the wrong approver, activated by
 * both sides, and the projections rebuilt.
 */
const root = new URL("../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env = { BATON_DATA_DIR: mkdtempSync(join(tmpdir(), "baton-engine-cli-")) };

const baton = cliRunner(env);

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

it("lists the outbox and replays a dead notification with the same id", async () => {
  const store = await openStore(env);
  try {
    await store.db
      .insertInto("notifications")
      .values({
        dedupe_key: "test:dead:webhook",
        kind: "sla_breach",
        channel: "webhook",
        recipient: "dana",
        subject: "SLA breached",
        body: "…",
        payload: "{}",
        status: "dead",
        attempts: 8,
        last_error: "HTTP 500",
        dead_at: new Date(),
      })
      .execute();
  } finally {
    await store.close();
  }
  const dead = await baton("notifications", "list", "--status", "dead", "--json");
  const [row] = JSON.parse(dead.stdout) as { id: string; attempts: number }[];
  expect(row).toMatchObject({ attempts: 8 });
  expect((await baton("notifications", "list")).stdout).toMatch(
    /dead\s+webhook sla_breach {2}to dana: SLA breached {2}\(attempt 8: HTTP 500\)/,
  );
  expect(await baton("notifications", "replay")).toMatchObject({ code: 2 });
  expect((await baton("notifications", "replay", row!.id)).stdout).toMatch(/queued again/);
  const again = await baton("notifications", "replay", row!.id);
  expect(again).toMatchObject({ code: 1 });
  expect(again.stderr).toMatch(/is pending, already on its way/);
  const pending = await baton("notifications", "list", "--status", "pending", "--json");
  expect(JSON.parse(pending.stdout)).toMatchObject([
    { id: row!.id, status: "pending", attempts: 0 },
  ]);
}, 60_000);
