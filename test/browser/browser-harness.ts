import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { describe, expect } from "vitest";
import { freshServerStore, type ServedBaton, startServe } from "../server-store.js";

/**
 * What every browser test sets up the same way: Debian's Chromium driven by playwright-core
 * against the real `baton serve` process (from source, serving the built app in dist/web) on a
 * fresh store (an embedded folder, or a new database on the server when DATABASE_URL is set),
 * with the agreement in force and the users created. Each test file keeps its own data and
 * pages; this module holds only the set-up they would otherwise each write again.
 */

const root = new URL("../../", import.meta.url).pathname;
const chromiumPath = process.env.BATON_CHROMIUM ?? "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
const ci = process.env.CI === "true" || process.env.CI === "1";
// the CLI from source through tsx, so the tests need no server build
const cli = ["--import", "tsx", join(root, "src/cli/main.ts")];
const run = promisify(execFile);
const artifacts = join(root, "test/browser/artifacts");

/** One password for every user the harness creates; a test that wants a wrong one types its own. */
const password = "browser test password";

/**
 * Whether this machine runs the browser tests: skipped only where Chromium is absent and CI is
 * not set, so under CI a missing Chromium fails (startBrowserHarness says how to install it).
 */
export const runInBrowser = haveChromium || ci;

/** `describe`, or `describe.skip` where the browser tests do not run (see runInBrowser). */
export const browserSuite = runInBrowser ? describe : describe.skip;

/** A user `baton users create` makes; `person` ties them to a person of the agreement. */
export interface BrowserUser {
  id: string;
  role: string;
  person?: string | null;
}

export interface BrowserHarnessOptions {
  /** Names the fresh store (folder or database), so a leftover says which test made it. */
  store: string;
  /** Created in this order; one of them must be riley, an admin (see asAdmin). */
  users: readonly BrowserUser[];
  /** The agreement put in force as version 1 (YAML); the example's when absent. */
  agreement?: string;
  /** Environment for the baton processes besides PATH and the log level (webhook settings). */
  env?: NodeJS.ProcessEnv;
}

/** A running Baton and a browser to look at it with; `close` ends both and drops the store. */
export interface BrowserHarness {
  /** Where `baton serve` listens, e.g. http://127.0.0.1:5712. */
  baseUrl: string;
  /** A tab of its own, so tests share no cookies. */
  newPage(viewport: { width: number; height: number }): Promise<Page>;
  /** Signs `user` in through the sign-in form, as a person would, and waits for the app. */
  signIn(page: Page, user: string): Promise<void>;
  /**
   * A JSON request to the API as riley (admin), outside the browser: the tests' own set-up and
   * checks. One sign-in serves every call, since sign-in is rate-limited per user (10 per 15
   * minutes) and the browser signs riley in too.
   */
  asAdmin(method: string, path: string, body?: unknown): Promise<Response>;
  /**
   * Opens each path in `page` (a phone-sized tab), waits for its `ready` element and expects
   * nothing to scroll sideways, with a screenshot of each: the phone check the pages share.
   */
  expectFitsWidth(
    page: Page,
    pages: readonly (readonly [path: string, ready: Locator, screenshot: string])[],
  ): Promise<void>;
  /** Submits a lead through the API; its id, or throws unless it was created qualified (MQL). */
  submitLead(lead: unknown): Promise<string>;
  close(): Promise<void>;
}

/**
 * Migrates a fresh store, puts the agreement in force (riley proposes, maria and sam approve,
 * new cycles only), creates the users, starts `baton serve` and launches Chromium. Builds the
 * web app first when dist/web holds none, so a test run needs no build step of its own.
 */
export async function startBrowserHarness(options: BrowserHarnessOptions): Promise<BrowserHarness> {
  if (!haveChromium)
    throw new Error(
      `Chromium is missing at ${chromiumPath}: apt-get install -y chromium (CI requires it)`,
    );
  mkdirSync(artifacts, { recursive: true });
  if (!existsSync(join(root, "dist/web/index.html")))
    await run("npm", ["run", "build:web"], { cwd: root });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    BATON_LOG_LEVEL: "warn",
    ...options.env,
  };
  const store = await freshServerStore(env, options.store);
  let server: ServedBaton | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.stop();
    await store.cleanup();
  };
  try {
    const baton = (...args: string[]) =>
      run(process.execPath, [...cli, ...args], { env, cwd: root });
    let agreementFile = join(root, "examples/agreement.yaml");
    if (options.agreement !== undefined) {
      agreementFile = join(store.folder, "agreement.yaml");
      writeFileSync(agreementFile, options.agreement);
    }
    await baton("migrate");
    await baton("agreement", "propose", agreementFile, "--by", "riley");
    await baton("agreement", "approve", "1", "--by", "maria");
    await baton("agreement", "activate", "1", "--by", "sam", "--mode", "new_cycles_only");
    for (const user of options.users) {
      const person = user.person ? ["--person", user.person] : [];
      await baton(
        "users",
        "create",
        user.id,
        "--role",
        user.role,
        "--password",
        password,
        ...person,
      );
    }
    server = await startServe(cli, env, root);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  } catch (error) {
    // whatever did start must not outlive the failed set-up (a served process holds vitest open)
    await close();
    throw error;
  }

  const baseUrl = server.baseUrl;
  const openBrowser = browser;
  let adminSession: { cookie: string; csrfToken: string } | undefined;
  const asAdmin = async (method: string, path: string, body?: unknown): Promise<Response> => {
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
  };

  return {
    baseUrl,
    newPage: (viewport) => openBrowser.newPage({ viewport }),
    signIn: async (page, user) => {
      await page.goto(baseUrl);
      await page.getByLabel("User name").fill(user);
      await page.locator("input[name=password]").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
    },
    asAdmin,
    expectFitsWidth: async (page, pages) => {
      for (const [path, ready, name] of pages) {
        await page.goto(`${baseUrl}${path}`);
        await ready.waitFor();
        expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
        await shot(page, name);
      }
    },
    submitLead: async (lead) => {
      const created = await asAdmin("POST", "/api/leads", lead);
      const body = (await created.json()) as { leadId: string; stage: string };
      if (created.status !== 201 || body.stage !== "mql")
        throw new Error(`lead not qualified: ${created.status} ${JSON.stringify(body)}`);
      return body.leadId;
    },
    close,
  };
}

/**
 * A screenshot into test/browser/artifacts/ (gitignored; CI keeps them), of the full page by
 * default; a dialog's only of the viewport (a full page misplaces the overlay).
 */
export async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

/** examples/agreement.yaml, for the tests that put an edited copy in force or propose one. */
export function exampleAgreement(): Promise<string> {
  return readFile(join(root, "examples/agreement.yaml"), "utf8");
}

/**
 * A lead the example agreement qualifies at once (fit and intent) and routes to an SDR: the
 * `n`th of a test, at company BigCo n, with an external id of its own (`tag`-n-random).
 */
export function hotLead(n: number, tag: string, lastName: string) {
  return {
    system: "web-form",
    externalId: `${tag}-${n}-${randomBytes(3).toString("hex")}`,
    fields: {
      email: `ada${n}@bigco${n}.com`,
      first_name: "Ada",
      last_name: `${lastName}${n}`,
      country: "US",
      persona_match: true,
      source: "website",
    },
    company: { name: `BigCo ${n}`, domain: `bigco${n}.com`, employees: 500, industry: "software" },
    activities: [{ type: "form_submit", at: Date.now() - 60_000, fields: { form: "demo" } }],
  };
}

/** How far the page scrolls sideways: 0 or less when it fits the screen's width. */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
}
