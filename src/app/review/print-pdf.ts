import { access } from "node:fs/promises";
import { chromium } from "playwright-core";

/**
 * Prints an HTML page (a review pack) to an A4 PDF with a headless Chromium through
 * playwright-core. No browser is downloaded: it uses the one installed on the machine — the
 * `executablePath` option, else BATON_CHROMIUM_PATH, else Debian's /usr/bin/chromium. The page is
 * set from the string (no file, no URL), and the browser is closed whatever happens.
 */

export const defaultChromiumPath = "/usr/bin/chromium";

/** Flags for a server without a display or a sandbox, and without background traffic. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

export interface PrintPdfOptions {
  executablePath?: string | undefined;
  /** the environment to read BATON_CHROMIUM_PATH from (default process.env) */
  env?: Record<string, string | undefined> | undefined;
  /** milliseconds allowed for launching and printing (default 60 s) */
  timeoutMs?: number | undefined;
}

export type PrintPdfError = {
  code: "browser_missing" | "print_failed";
  message: string;
};

export type PrintPdfOutcome = { ok: true; pdf: Buffer } | { ok: false; error: PrintPdfError };

/** The browser the options and environment point to. */
export function chromiumPath(options: PrintPdfOptions = {}): string {
  const env = options.env ?? process.env;
  const fromEnv = env.BATON_CHROMIUM_PATH?.trim();
  return (
    options.executablePath ??
    (fromEnv === undefined || fromEnv === "" ? defaultChromiumPath : fromEnv)
  );
}

export async function printPdf(
  html: string,
  options: PrintPdfOptions = {},
): Promise<PrintPdfOutcome> {
  const executablePath = chromiumPath(options);
  try {
    await access(executablePath);
  } catch {
    return {
      ok: false,
      error: {
        code: "browser_missing",
        message: `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set BATON_CHROMIUM_PATH to a Chromium or Chrome executable`,
      },
    };
  }
  const timeout = options.timeoutMs ?? 60_000;
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: chromiumArgs, timeout });
    const page = await browser.newPage();
    page.setDefaultTimeout(timeout);
    // The pack needs nothing from outside; a page that asks anyway (a URL in data that escaped
    // escaping, a caller's own HTML) loads nothing rather than waiting on or leaking to the network.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "load" });
    const pdf = await page.pdf({ format: "A4", printBackground: true });
    return { ok: true, pdf };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // A path that exists but is not a runnable browser fails at launch.
    if (browser === undefined)
      return {
        ok: false,
        error: {
          code: "browser_missing",
          message: `Chromium at ${executablePath} did not start (${message.split("\n")[0]}); install Debian's chromium or set BATON_CHROMIUM_PATH to a working Chromium`,
        },
      };
    return {
      ok: false,
      error: {
        code: "print_failed",
        message: `printing the page to PDF failed: ${message.split("\n")[0]}`,
      },
    };
  } finally {
    await browser?.close().catch(() => undefined);
  }
}
