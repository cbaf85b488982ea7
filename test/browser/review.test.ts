import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshServerStore, type ServedBaton, startServe } from "../server-store.js";

/**
 * The review in the web app, in Chromium against the real `baton serve` (see web-app.test.ts for
 * the set-up's reasons): a manager generates this week's pack and sees its headline numbers,
 * creates an action item from a discussion point, changes its status and pushes it to the
 * action-item webhook (a local receiver that refuses the first push and takes the second); a
 * viewer reads the same pages without a single manage control. Screenshots go to
 * test/browser/artifacts/review-*.png.
 */

const root = new URL("../../", import.meta.url).pathname;
const chromiumPath = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
const ci = process.env.CI === "true" || process.env.CI === "1";
const artifacts = join(root, "test/browser/artifacts");
const cli = ["--import", "tsx", join(root, "src/cli/main.ts")];
const run = promisify(execFile);
const password = "review test password";

let server: ServedBaton | undefined;
let browser: Browser | undefined;
let receiver: Server | undefined;
let baseUrl = "";
let cleanup: () => Promise<void> = async () => {};
/** The pack the manager generates (the viewer reads it). */
let packId = "";
/** The action item due two days ago. */
let lateId = "";
/** What the webhook receiver answered, in order. */
const receiverAnswers: number[] = [];

/** A lead the example agreement qualifies at once (fit and intent). */
function hotLead(n: number) {
  return {
    system: "web-form",
    externalId: `review-${n}-${randomBytes(3).toString("hex")}`,
    fields: {
      email: `ada${n}@bigco${n}.com`,
      first_name: "Ada",
      last_name: `Review${n}`,
      country: "US",
      persona_match: true,
      source: "website",
    },
    company: { name: `BigCo ${n}`, domain: `bigco${n}.com`, employees: 500, industry: "software" },
    activities: [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }],
  };
}

let adminSession: { cookie: string; csrfToken: string } | undefined;

/** A JSON request as riley (admin), outside the browser; one sign-in serves every call. */
async function asAdmin(method: string, path: string, body?: unknown): Promise<Response> {
  if (adminSession === undefined) {
    const signedIn = await fetch(`${baseUrl}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: "riley", password }),
    });
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string };
    adminSession = { cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, csrfToken };
  }
  const { cookie, csrfToken } = adminSession;
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      "x-csrf-token": csrfToken,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function signIn(page: Page, user: string): Promise<void> {
  await page.goto(baseUrl);
  await page.getByLabel("User name").fill(user);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** A full-page screenshot; a dialog's only of the viewport (a full page misplaces the overlay). */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

/** YYYY-MM-DD, `days` from today in UTC (the overdue item is days late in any zone). */
function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const suite = haveChromium || ci ? describe : describe.skip;

suite("the review in Chromium", () => {
  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(
        `Chromium is missing at ${chromiumPath}: apt-get install -y chromium (CI requires it)`,
      );
    mkdirSync(artifacts, { recursive: true });
    if (!existsSync(join(root, "dist/web/index.html")))
      await run("npm", ["run", "build:web"], { cwd: root });

    // the action-item webhook's receiver: refuses the first push (403), takes the rest
    receiver = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        const status = receiverAnswers.length === 0 ? 403 : 200;
        receiverAnswers.push(status);
        response.writeHead(status, { "content-type": "application/json" });
        response.end(status === 200 ? "{}" : '{"error":"not allowed"}');
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      BATON_LOG_LEVEL: "warn",
      BATON_ACTIONS_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/actions`,
      BATON_ACTIONS_WEBHOOK_SECRET: randomBytes(32).toString("hex"),
    };
    const store = await freshServerStore(env, "review");
    cleanup = store.cleanup;
    const baton = (...args: string[]) =>
      run(process.execPath, [...cli, ...args], { env, cwd: root });
    const agreementFile = join(store.folder, "agreement.yaml");
    writeFileSync(agreementFile, await readFile(join(root, "examples/agreement.yaml"), "utf8"));
    await baton("migrate");
    await baton("agreement", "propose", agreementFile, "--by", "riley");
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
    await baton("users", "create", "vera", "--role", "viewer", "--password", password);

    server = await startServe(cli, env, root, 5700);
    baseUrl = server.baseUrl;

    // three MQLs this week, and an action item two days late (a discussion point of its own)
    const leadIds: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await asAdmin("POST", "/api/leads", hotLead(n));
      const body = (await created.json()) as { leadId: string; stage: string };
      if (created.status !== 201 || body.stage !== "mql")
        throw new Error(`lead not qualified: ${created.status} ${JSON.stringify(body)}`);
      leadIds.push(body.leadId);
    }
    // one of them rejected (still one of the week's MQLs): the rejection mix has one reason
    const rejected = await asAdmin("POST", `/api/leads/${leadIds[2]}/actions`, {
      action: "reject",
      reason: "wrong_persona",
      feedback: { next_action: "disqualify" },
    });
    if (rejected.status !== 200) throw new Error(`rejection refused: ${await rejected.text()}`);
    const late = await asAdmin("POST", "/api/action-items", {
      title: "Refresh the webinar follow-up sequence",
      owner: "maria",
      dueOn: dayFromToday(-2),
      type: "content",
    });
    if (late.status !== 201) throw new Error(`action item refused: ${await late.text()}`);
    lateId = ((await late.json()) as { id: string }).id;

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) =>
      receiver === undefined ? resolve(null) : receiver.close(resolve),
    );
    await cleanup();
  });

  it("a manager generates this week's pack, creates an action item from a discussion point, moves it and pushes it", async () => {
    const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
    await signIn(page, "riley");
    await page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: /^Review/ })
      .click();
    // the worker may have made a scheduled pack already: wait for the list, whatever it holds
    await page.getByRole("button", { name: "Generate now" }).waitFor();

    await page.getByRole("textbox", { name: "Period" }).click();
    await page.getByRole("option", { name: "This week", exact: true }).click();
    await page.getByRole("button", { name: "Generate now" }).click();
    // the new pack's id comes into the address, then the pack itself (a scheduled one may show before)
    await page.waitForURL(/[?&]pack=/, { timeout: 60_000 });
    packId = new URL(page.url()).searchParams.get("pack") ?? "";
    await page.locator(`[data-testid="review-pack"][data-pack="${packId}"]`).waitFor();

    // the three leads submitted above are this week's MQLs (none existed before)
    const mqls = page.getByTestId("pack-headline-mqls");
    expect(await mqls.getByRole("button", { name: /Show the records/ }).textContent()).toBe("3");
    expect(await page.getByTestId("past-pack").first().textContent()).toContain("by riley");
    // the downloads are the API's renderings of this pack
    const downloads = page.getByRole("group", { name: "Download the pack" });
    expect(await downloads.getByRole("link", { name: "HTML" }).getAttribute("href")).toBe(
      `/api/reviews/${packId}/pack.html`,
    );
    const markdown = await asAdmin("GET", `/api/reviews/${packId}/pack.md`);
    expect(markdown.status).toBe(200);

    // the headline's records: the three leads, by name
    await mqls.getByRole("button", { name: /Show the records/ }).click();
    const records = page.getByTestId("pack-records-table");
    await records.waitFor();
    expect(await records.locator("tbody tr").count()).toBe(3);
    expect(await records.textContent()).toContain("BigCo");
    await shot(page, "review-records", false);
    await page.keyboard.press("Escape");
    await records.waitFor({ state: "hidden" });

    // the rejection: one, for the one reason, all of the mix
    const mix = page.getByTestId("pack-rejections");
    expect(
      await mix.getByRole("button", { name: /^Rejections and disqualifications/ }).textContent(),
    ).toBe("1");
    expect(
      await mix
        .getByRole("button", { name: "Wrong persona: 1 rejections. Show the records" })
        .textContent(),
    ).toContain("100 %");

    // the late item is a discussion point; an action item is made from it
    const point = page
      .getByTestId("discussion-point")
      .filter({ hasText: "Refresh the webinar follow-up sequence" });
    await point.waitFor();
    await shot(page, "review-pack");
    await point.getByRole("button", { name: "Create action item" }).click();
    const dialog = page.getByRole("dialog");
    const title = dialog.getByRole("textbox", { name: "Title" });
    expect(await title.inputValue()).toContain("overdue");
    await title.fill("Chase the overdue follow-up with Maria");
    // no owner, no type: the form says so at the fields and sends nothing
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.getByText("Required: a person of the agreement or an e-mail address").waitFor();
    await dialog.getByText("Required: pick what kind of change it asks for").waitFor();
    await shot(page, "review-action-item-invalid", false);
    await dialog.getByRole("textbox", { name: "Owner" }).fill("sam");
    await dialog.getByRole("textbox", { name: "Type" }).click();
    await page.getByRole("option", { name: "Process" }).click();
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.waitFor({ state: "hidden" });
    await point.getByRole("link", { name: /Created: Chase the overdue/ }).click();

    // the list: the new item (open, from the pack) and the late one, marked overdue
    const table = page.getByTestId("action-items");
    await table.waitFor();
    const created = table.locator("tr", { hasText: "Chase the overdue follow-up" });
    const late = table.locator(`tr[data-item="${lateId}"]`);
    expect(await created.getAttribute("data-overdue")).toBe("false");
    expect(await late.getAttribute("data-overdue")).toBe("true");
    expect(await late.textContent()).toContain("Overdue");
    const id = (await created.getAttribute("data-item"))!;
    const stored = (await (await asAdmin("GET", "/api/action-items?status=open")).json()) as {
      items: { id: string; owner: string; type: string; reviewPackId: string | null }[];
    };
    const item = stored.items.find((entry) => entry.id === id);
    expect(item).toMatchObject({ owner: "sam", type: "process" });
    expect(item?.reviewPackId).not.toBeNull();

    await created.getByRole("textbox", { name: /^Status of/ }).click();
    await page.getByRole("option", { name: "In progress" }).click();
    await expect.poll(() => created.getAttribute("data-status")).toBe("in_progress");
    const after = (await (await asAdmin("GET", "/api/action-items?status=in_progress")).json()) as {
      items: { id: string }[];
    };
    expect(after.items.map((entry) => entry.id)).toEqual([id]);
    await shot(page, "review-action-items");

    // push: the receiver refuses the first, and the form says so; the second gives a key
    await created.getByRole("button", { name: /^Change / }).click();
    const form = page.getByRole("dialog");
    await form.getByRole("button", { name: "Push" }).click();
    const refused = form.getByRole("alert").filter({ hasText: "Not pushed" });
    await refused.waitFor();
    expect(await refused.textContent()).toContain("403");
    await shot(page, "review-push-refused", false);
    await form.getByRole("button", { name: "Push" }).click();
    const pushed = form.getByRole("status").filter({ hasText: "Pushed to Webhook" });
    await pushed.waitFor();
    expect(receiverAnswers).toEqual([403, 200]);
    const reference = (await (
      await asAdmin("GET", "/api/action-items?status=in_progress")
    ).json()) as {
      items: { pushedTo: { tool: string; key: string }[] }[];
    };
    const key = reference.items[0]?.pushedTo[0]?.key;
    expect(key).toBeTruthy();
    expect(await pushed.textContent()).toContain(key!);
    await shot(page, "review-push-done", false);
    await page.keyboard.press("Escape");

    // a decision logged with the pack
    await page.goto(`${baseUrl}/reviews?pack=${packId}`);
    await page.getByTestId("review-pack").waitFor();
    await page
      .getByRole("textbox", { name: "Log a decision" })
      .fill("Sales follows up webinar MQLs within a day");
    await page.getByRole("button", { name: "Log the decision" }).click();
    await page
      .getByTestId("decisions")
      .locator("li", { hasText: "Sales follows up webinar MQLs within a day" })
      .waitFor();
    expect(await page.getByTestId("decisions").locator("li").textContent()).toContain("riley");
    await page.close();
  }, 180_000);

  it("creates an action item from a figure of the overview, about its metric", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, "riley");
    const mqls = page.getByTestId("headline-mqls");
    await mqls.waitFor();
    await mqls.getByRole("button", { name: /^Create action item/ }).click();
    const dialog = page.getByRole("dialog");
    expect(await dialog.getByRole("textbox", { name: "Title" }).inputValue()).toBe("MQLs");
    expect(await dialog.getByRole("textbox", { name: "Metric concerned" }).inputValue()).toBe(
      "mqls",
    );
    await dialog.getByRole("textbox", { name: "Title" }).fill("Lift webinar MQLs");
    await dialog.getByRole("textbox", { name: "Owner" }).fill("maria@example.com");
    await dialog.getByRole("textbox", { name: "Type" }).click();
    await page.getByRole("option", { name: "Targeting" }).click();
    await shot(page, "review-overview-action-item", false);
    await dialog.getByRole("button", { name: "Create action item" }).click();
    await dialog.waitFor({ state: "hidden" });
    const listed = (await (await asAdmin("GET", "/api/action-items?status=open")).json()) as {
      items: { title: string; metric: string | null; reviewPackId: string | null }[];
    };
    expect(listed.items.find((item) => item.title === "Lift webinar MQLs")).toMatchObject({
      metric: "mqls",
      reviewPackId: null,
    });
    await page.close();
  }, 60_000);

  it("a viewer reads the pack and the action items without a manage control", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, "vera");
    await page.goto(`${baseUrl}/reviews?pack=${packId}`);
    await page.getByTestId("review-pack").waitFor();
    expect(
      await page
        .getByTestId("pack-headline-mqls")
        .getByRole("button", { name: /Show the records/ })
        .textContent(),
    ).toBe("3");
    expect(await page.getByRole("button", { name: "Generate now" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /Create action item/ }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Log the decision" }).count()).toBe(0);
    // the decision riley logged is there to read
    await page
      .getByTestId("decisions")
      .getByText("Sales follows up webinar MQLs within a day")
      .waitFor();
    await shot(page, "review-viewer");

    await page.goto(`${baseUrl}/reviews/actions`);
    const table = page.getByTestId("action-items");
    await table.waitFor();
    // the late item, the one made from the discussion point and the one from the overview
    expect(await table.locator("tbody tr").count()).toBe(3);
    expect(await page.getByRole("button", { name: "New action item" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Change / }).count()).toBe(0);
    expect(await page.getByRole("textbox", { name: /^Status of/ }).count()).toBe(0);
    await shot(page, "review-action-items-viewer");
    await page.close();
  }, 60_000);

  it("fits a phone's width", async () => {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await signIn(page, "riley");
    for (const [path, ready, name] of [
      ["/reviews", page.getByTestId("review-pack"), "review-phone"],
      ["/reviews/actions", page.getByTestId("action-items"), "review-action-items-phone"],
    ] as const) {
      await page.goto(`${baseUrl}${path}`);
      await ready.waitFor();
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await shot(page, name);
    }
    await page.close();
  }, 60_000);
});
