import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliRunner } from "../cli-runner.js";
import { freshServerStore } from "../server-store.js";

/**
 * `baton review` on a fresh store (an embedded folder, or a new database on the server with
 * DATABASE_URL): the example agreement activated through the CLI, then packs generated in each
 * format, a stored one shown again, and action items added, listed and closed.
 */
const root = new URL("../../", import.meta.url).pathname;
const example = join(root, "examples/agreement.yaml");
const env: NodeJS.ProcessEnv = {};
const baton = cliRunner(env);
let folder: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ folder, cleanup } = await freshServerStore(env, "reviewcli"));
  if (env.DATABASE_URL) expect((await baton("migrate")).code).toBe(0);
  expect((await baton("agreement", "propose", example, "--by", "riley")).code).toBe(0);
  expect((await baton("agreement", "approve", "1", "--by", "maria")).code).toBe(0);
  expect(
    (await baton("agreement", "approve", "1", "--by", "sam", "--mode", "new_cycles_only")).code,
  ).toBe(0);
}, 60_000);
afterAll(async () => cleanup?.());

it("generates a review's pack and prints its summary, JSON and Markdown", async () => {
  const text = await baton("review", "--review", "forecast", "--period", "last-week");
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/^pack rp_[0-9a-f]{16} · \d{4}-W\d{2} · America\/New_York$/m);
  expect(text.stdout).toContain("Action items: 0 open");

  const json = await baton("review", "--review", "forecast", "--format", "json");
  expect(json.code).toBe(0);
  const stored = JSON.parse(json.stdout);
  expect(stored).toMatchObject({ review: "forecast", trigger: "demand", generatedBy: "cli" });
  expect(stored.pack.version).toBe(1);
  // a week: seven days, give or take a DST hour
  expect(Math.abs(stored.period.to - stored.period.from - 7 * 86_400_000)).toBeLessThanOrEqual(
    3_600_000,
  );

  const out = join(folder, "pack.md");
  const markdown = await baton("review", "--pack", stored.id, "--format", "markdown", "--out", out);
  expect(markdown.code).toBe(0);
  expect(markdown.stdout).toContain(`(${stored.id}) written to ${out}`);
  expect(await readFile(out, "utf8")).toMatch(/^# /);
});

it("refuses a wrong review, format or combination with exit code 2", async () => {
  const review = await baton("review", "--review", "weekly");
  expect(review.code).toBe(2);
  expect(review.stderr).toContain("forecast, joint-revenue-review");
  expect((await baton("review", "--format", "docx")).code).toBe(2);
  expect((await baton("review", "--format", "pdf")).code).toBe(2);
  expect((await baton("review", "--pack", "rp_x", "--period", "last-week")).code).toBe(2);
  expect((await baton("review", "--period", "last-fortnight")).code).toBe(2);
});

it("adds, lists and closes action items", async () => {
  const added = await baton(
    "review",
    "actions",
    "add",
    "--title",
    "Call back the stuck demo requests",
    "--owner",
    "sam",
    "--due",
    "2020-01-06",
    "--type",
    "process",
    "--json",
  );
  expect(added.code, added.stderr).toBe(0);
  const item = JSON.parse(added.stdout).item;
  expect(item).toMatchObject({ status: "open", owner: "sam", dueOn: "2020-01-06" });

  const overdue = await baton("review", "actions", "list", "--overdue");
  expect(overdue.stdout).toMatch(
    new RegExp(`^${item.id}\\s+open\\s+due 2020-01-06 OVERDUE  sam`, "m"),
  );

  const bad = await baton(
    "review",
    "actions",
    "add",
    "--title",
    "x",
    "--owner",
    "sam",
    "--due",
    "2020-01-06",
    "--type",
    "budget",
  );
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("targeting, messaging");

  const done = await baton("review", "actions", "update", item.id, "--status", "done");
  expect(done.code, done.stderr).toBe(0);
  expect((await baton("review", "actions", "list", "--overdue")).stdout).toBe("no action items");
  const all = await baton("review", "actions", "list", "--status", "done", "--json");
  expect(JSON.parse(all.stdout).items.map((entry: { id: string }) => entry.id)).toEqual([item.id]);
  expect((await baton("review", "actions", "update", item.id)).code).toBe(2);
});
