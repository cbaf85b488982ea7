import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { DateTime } from "luxon";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshServerStore, type ServedBaton, startServe } from "../server-store.js";

/**
 * The planner page in Chromium against the real `baton serve` (from source, serving dist/web) on
 * a fresh store. Two hot website leads arrive through the API; the first is accepted,
 * sales-qualified, converted and won at 30,000. Rates over the default 180 days: MQL→SQL 1/2,
 * SQL→opportunity 1/1, win rate 1/1, deal size 30,000. A target of 300,000 over ten Monday weeks
 * needs 10 won, 10 opportunities, 10 SQLs and 20 MQLs: 2.0 MQLs a week. Screenshots go to /tmp.
 *
 * Skipped only when Chromium is absent and CI is not set; under CI a missing Chromium fails.
 */

const root = new URL("../../", import.meta.url).pathname;
const chromiumPath = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
const ci = process.env.CI === "true" || process.env.CI === "1";
const cli = ["--import", "tsx", join(root, "src/cli/main.ts")];
const run = promisify(execFile);
const password = "planner test password";

let server: ServedBaton | undefined;
let browser: Browser | undefined;
let baseUrl = "";
let cleanup: () => Promise<void> = async () => {};
let session: { cookie: string; csrfToken: string } | undefined;

async function asAdmin(method: string, path: string, body?: unknown): Promise<Response> {
  if (session === undefined) {
    const signedIn = await fetch(`${baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "riley", password }),
    });
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    session = { cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, csrfToken };
  }
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      "x-csrf-token": session.csrfToken,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function submitLead(n: number): Promise<string> {
  const created = await asAdmin("POST", "/api/leads", {
    system: "web-form",
    externalId: `planner-${n}-${randomBytes(3).toString("hex")}`,
    fields: {
      email: `ada${n}@planner${n}.com`,
      first_name: "Ada",
      country: "US",
      persona_match: true,
      source: "website",
    },
    company: { name: `Planner ${n}`, domain: `planner${n}.com`, employees: 500 },
    activities: [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }],
  });
  const body = (await created.json()) as { leadId: string; stage: string };
  if (created.status !== 201 || body.stage !== "mql")
    throw new Error(`lead not qualified: ${created.status} ${JSON.stringify(body)}`);
  return body.leadId;
}

async function act(leadId: string, body: Record<string, unknown>): Promise<void> {
  const response = await asAdmin("POST", `/api/leads/${leadId}/actions`, body);
  if (response.status !== 200)
    throw new Error(`${String(body.action)}: ${response.status} ${await response.text()}`);
}

const suite = haveChromium || ci ? describe : describe.skip;

suite("the planner in Chromium", () => {
  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(`Chromium is missing at ${chromiumPath}: apt-get install -y chromium`);
    if (!existsSync(join(root, "dist/web/index.html")))
      await run("npm", ["run", "build:web"], { cwd: root });
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, BATON_LOG_LEVEL: "warn" };
    const store = await freshServerStore(env, "planner");
    cleanup = store.cleanup;
    const baton = (...args: string[]) =>
      run(process.execPath, [...cli, ...args], { env, cwd: root });
    const example = join(root, "examples/agreement.yaml");
    await baton("migrate");
    await baton("agreement", "propose", example, "--by", "riley");
    await baton("agreement", "approve", "1", "--by", "maria");
    await baton("agreement", "activate", "1", "--by", "sam", "--mode", "new_cycles_only");
    await baton(
      "users",
      "create",
      "riley",
      "--role",
      "admin",
      "--password",
      password,
      "--person",
      "riley",
    );
    server = await startServe(cli, env, root, 5700);
    baseUrl = server.baseUrl;

    const won = await submitLead(1);
    await submitLead(2);
    await act(won, {
      action: "accept",
      context: { message_used: "pricing angle", account_context: "expanding EU team" },
      feedback: { meeting_quality: "strong_fit", message_match: "accurate" },
    });
    await act(won, { action: "qualify_sales" });
    await act(won, { action: "convert", opportunity: { stage: "discovery", amount: 30_000 } });
    await act(won, { action: "win", amount: 30_000 });

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await cleanup();
  });

  it("plans a target over ten weeks: the funnel back, the weeks and each lever's worth", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(baseUrl);
    await page.getByLabel("User name").fill("riley");
    await page.locator("input[name=password]").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("navigation")
      .getByRole("link", { name: /Planner/ })
      .click();
    await page.getByText("Enter a target to plan").waitFor();

    // ten Monday weeks in the workspace zone, starting next Monday
    const monday = DateTime.now().setZone("America/New_York").startOf("week").plus({ weeks: 1 });
    await page.getByLabel("Revenue target").fill("300000");
    await page.getByRole("textbox", { name: "Period" }).click();
    await page.getByRole("option", { name: "Dates…" }).click();
    await page.getByLabel("From").fill(monday.toISODate()!);
    await page.getByLabel("To (excluded)").fill(monday.plus({ weeks: 10 }).toISODate()!);
    await page.getByRole("button", { name: "Plan" }).click();

    const perWeek = page.getByTestId("plan-mqls-per-week");
    await perWeek.waitFor();
    expect(await perWeek.textContent()).toContain("2.0");
    expect(await perWeek.textContent()).toContain("20 in all");
    const needed = async (stage: string) =>
      (
        await page
          .locator(`[data-testid=plan-stages-table] tr[data-stage=${stage}] td`)
          .nth(1)
          .textContent()
      )?.trim();
    expect(await needed("won")).toBe("10");
    expect(await needed("opportunities")).toBe("10");
    expect(await needed("sqls")).toBe("10");
    expect(await needed("mqls")).toBe("20");
    expect(await page.getByTestId("plan-period").textContent()).toContain("10.0 weeks to plan");
    expect(await page.locator("[data-testid=plan-weeks-table] tbody tr").count()).toBe(10);
    const mqlToSql = page.locator("[data-testid=plan-sensitivity] tr[data-lever=mql-to-sql]");
    expect(await mqlToSql.textContent()).toContain("50 % → 55 %");
    // +5 points of MQL→SQL: 10 SQLs ÷ 0.55 = 18.18 MQLs instead of 20, 0.18 fewer a week
    expect(await mqlToSql.locator("td").nth(2).textContent()).toBe("0.2");
    // the charts drew their SVGs
    expect(await page.locator(".recharts-surface").count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: "/tmp/baton-planner.png", fullPage: true });

    await page.getByText("By source").click();
    await page.getByRole("button", { name: "Plan" }).click();
    const groups = page.getByTestId("plan-groups");
    await groups.waitFor();
    expect(await groups.locator("tbody tr").first().textContent()).toMatch(
      /^website100 %300,00010/,
    );
    await page.screenshot({ path: "/tmp/baton-planner-by-source.png", fullPage: true });
    await page.close();
  }, 90_000);

  it("says what to fix when the target is missing", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(baseUrl);
    await page.getByLabel("User name").fill("riley");
    await page.locator("input[name=password]").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("navigation")
      .getByRole("link", { name: /Planner/ })
      .click();
    await page.getByRole("button", { name: "Plan" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("revenue target");
    await page.close();
  }, 60_000);
});
