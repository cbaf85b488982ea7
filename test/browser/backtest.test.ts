import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BrowserHarness,
  exampleAgreement,
  runInBrowser,
  shot,
  startBrowserHarness,
} from "./browser-harness.js";

/**
 * The backtest on the Agreement page, in Chromium against the real `baton serve` (model:
 * web-app.test.ts). The example is in force; a lead scoring 90 and one scoring 70 have qualified;
 * version 2 raises the MQL threshold to 80. Maria, a marketing approver, sees before approving:
 * MQLs 2 → 1, the 70 dropping out with its score and reason, and the rep table (the 90 went to
 * alex, the 70 to blair in the actual history, when routed in working hours; otherwise both
 * waited in the queue, so the test reads the counts, not names).
 */
let harness: BrowserHarness;
let warm = "";

const suite = runInBrowser ? it : it.skip;

beforeAll(async () => {
  if (!runInBrowser) return;
  const example = await exampleAgreement();
  const raised = example.replace(
    "mql: { score: 60, min_groups: { fit: 20 } }",
    "mql: { score: 80, min_groups: { fit: 20 } }",
  );
  expect(raised).not.toBe(example);
  harness = await startBrowserHarness({
    store: "backtest",
    users: [
      { id: "riley", role: "admin", person: "riley" },
      { id: "maria", role: "marketing", person: "maria" },
    ],
  });
  const demo = [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }];
  for (const [name, fields, company] of [
    [
      "hot",
      { email: "ada@bigco.com", country: "US", persona_match: true },
      { employees: 500, industry: "software" },
    ],
    ["warm", { email: "bo@midco.com", country: "US" }, { employees: 250 }],
  ] as const) {
    const leadId = await harness.submitLead({
      system: "web-form",
      externalId: name,
      fields,
      company,
      activities: demo,
    });
    if (name === "warm") warm = leadId;
  }
  // the served process holds the store now: propose through the API
  const proposed = await harness.asAdmin("POST", "/api/agreements", { yaml: raised });
  if (proposed.status !== 201) throw new Error(`not proposed: ${await proposed.text()}`);
}, 400_000);

afterAll(async () => harness?.close());

suite("an approver sees the proposal's backtest before the approve button", async () => {
  const page = await harness.newPage({ width: 1280, height: 1000 });
  await harness.signIn(page, "maria");
  await page.goto(`${harness.baseUrl}/agreement?tab=proposals`);
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
  await shot(page, "agreement-backtest");
  await page.close();
}, 90_000);
