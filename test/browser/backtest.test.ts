import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freshServerStore, type ServedBaton, startServe } from "../server-store.js";

/**
 * The backtest on the Agreement page, in Chromium against the real `baton serve` (model:
 * web-app.test.ts). The example is in force; a lead scoring 90 and one scoring 70 have qualified;
 * version 2 raises the MQL threshold to 80. Maria, a marketing approver, sees before approving:
 * MQLs 2 → 1, the 70 dropping out with its score and reason, and the rep table (the 90 went to
 * alex, the 70 to blair in the actual history, when routed in working hours; otherwise both
 * waited in the queue, so the test reads the counts, not names).
 */
const root = new URL("../../", import.meta.url).pathname;
const chromiumPath = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
const ci = process.env.CI === "true" || process.env.CI === "1";
const artifacts = join(root, "test/browser/artifacts");
const cli = ["--import", "tsx", join(root, "src/cli/main.ts")];
const run = promisify(execFile);
const password = "browser test password";

let server: ServedBaton | undefined;
let browser: Browser | undefined;
let cleanup: () => Promise<void> = async () => {};
let warm = "";

const suite = haveChromium || ci ? it : it.skip;

beforeAll(async () => {
  if (!haveChromium && !ci) return;
  mkdirSync(artifacts, { recursive: true });
  if (!existsSync(join(root, "dist/web/index.html")))
    await run("npm", ["run", "build:web"], { cwd: root });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, BATON_LOG_LEVEL: "warn" };
  const store = await freshServerStore(env, "backtest");
  cleanup = store.cleanup;
  const baton = (...args: string[]) => run(process.execPath, [...cli, ...args], { env, cwd: root });
  const example = readFileSync(join(root, "examples/agreement.yaml"), "utf8");
  const raised = example.replace(
    "mql: { score: 60, min_groups: { fit: 20 } }",
    "mql: { score: 80, min_groups: { fit: 20 } }",
  );
  expect(raised).not.toBe(example);
  await baton("migrate");
  await baton("agreement", "propose", join(root, "examples/agreement.yaml"), "--by", "riley");
  await baton("agreement", "approve", "1", "--by", "maria");
  await baton("agreement", "activate", "1", "--by", "sam", "--mode", "new_cycles_only");
  for (const [id, role] of [
    ["riley", "admin"],
    ["maria", "marketing"],
  ])
    await baton("users", "create", id!, "--role", role!, "--password", password, "--person", id!);
  server = await startServe(cli, env, root, 5700);
  const signedIn = await fetch(`${server.baseUrl}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: "riley", password }),
  });
  const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
  const headers = {
    cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!,
    "x-csrf-token": csrfToken,
    "content-type": "application/json",
  };
  const demo = [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }];
  for (const [name, fields, company] of [
    [
      "hot",
      { email: "ada@bigco.com", country: "US", persona_match: true },
      { employees: 500, industry: "software" },
    ],
    ["warm", { email: "bo@midco.com", country: "US" }, { employees: 250 }],
  ] as const) {
    const created = await fetch(`${server.baseUrl}/api/leads`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        system: "web-form",
        externalId: name,
        fields,
        company,
        activities: demo,
      }),
    });
    const body = (await created.json()) as { leadId: string; stage: string };
    if (created.status !== 201 || body.stage !== "mql")
      throw new Error(`lead not qualified: ${created.status} ${JSON.stringify(body)}`);
    if (name === "warm") warm = body.leadId;
  }
  // the served process holds the store now: propose through the API
  const proposed = await fetch(`${server.baseUrl}/api/agreements`, {
    method: "POST",
    headers,
    body: JSON.stringify({ yaml: raised }),
  });
  if (proposed.status !== 201) throw new Error(`not proposed: ${await proposed.text()}`);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await cleanup();
});

suite("an approver sees the proposal's backtest before the approve button", async () => {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(server!.baseUrl);
  await page.getByLabel("User name").fill("maria");
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  await page.goto(`${server!.baseUrl}/agreement?tab=proposals`);
  const proposal = page.getByTestId("proposal-2");
  const mqls = proposal.getByTestId("backtest-mqls");
  await mqls.waitFor().catch(async (error: unknown) => {
    await page.screenshot({ path: "/tmp/backtest-failed.png", fullPage: true });
    throw error;
  });
  expect(await mqls.textContent()).toContain("2 → 1");
  const dropping = proposal.getByTestId("backtest-dropping");
  await dropping.locator("summary").click();
  const rows = await dropping.locator("tbody tr").allTextContents();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toContain(warm);
  expect(rows[0]).toContain("70 → 70");
  expect(rows[0]).toContain("score 70 is 10 short of the MQL minimum of 80");
  // the routing table: two MQLs under the version in force, one under the proposal
  const reps = await proposal.getByTestId("backtest-reps").locator("tbody tr").allTextContents();
  expect(reps.length).toBeGreaterThan(0);
  // the backtest sits between the diff and the approve button
  const order = await proposal.evaluate((card) => {
    const at = (selector: string) =>
      [...card.querySelectorAll("*")].findIndex((node) => node.matches(selector));
    return {
      diff: at('[data-testid="proposal-diff"]'),
      backtest: at('[data-testid="backtest"]'),
      approve: at('button[type="submit"]'),
    };
  });
  expect(order.diff).toBeLessThan(order.backtest);
  expect(order.backtest).toBeLessThan(order.approve);
  await proposal.screenshot({ path: "/tmp/backtest-proposal.png" });
  await page.screenshot({ path: join(artifacts, "agreement-backtest.png"), fullPage: true });
  await page.close();
}, 90_000);
