import { PDFParse } from "pdf-parse";
import { describe, expect, it } from "vitest";
import { chromiumPath, printPdf } from "../../src/app/review/print-pdf.js";
import { renderReviewHtml } from "../../src/app/review/render-html.js";
import { buildReviewPack } from "../../src/core/review/review-pack.js";
import { scenarioInput } from "../../src/core/review/review-pack-fixture.js";

describe("printPdf", () => {
  it("prints the review pack's HTML to a PDF whose text holds the headlines", async () => {
    const html = renderReviewHtml(buildReviewPack(scenarioInput()));
    const printed = await printPdf(html);
    if (!printed.ok) throw new Error(printed.error.message);
    expect(printed.pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const parser = new PDFParse({ data: new Uint8Array(printed.pdf) });
    try {
      const text = (await parser.getText()).text;
      expect(text).toContain("Joint revenue review: 2026-W46");
      expect(text).toContain("Headline numbers");
      expect(text).toMatch(/MQL→SQL from paid_search under 20 %/);
    } finally {
      await parser.destroy();
    }
  });

  it("loads nothing from outside the page", async () => {
    const printed = await printPdf(
      '<p>offline</p><img src="http://192.0.2.1/x.png"><link rel="stylesheet" href="https://192.0.2.1/x.css">',
      { timeoutMs: 20_000 },
    );
    if (!printed.ok) throw new Error(printed.error.message);
    const parser = new PDFParse({ data: new Uint8Array(printed.pdf) });
    try {
      expect((await parser.getText()).text).toContain("offline");
    } finally {
      await parser.destroy();
    }
  });

  it("says how to fix a missing browser", async () => {
    const printed = await printPdf("<p>x</p>", { executablePath: "/nonexistent/chromium" });
    expect(printed.ok).toBe(false);
    if (printed.ok) return;
    expect(printed.error.code).toBe("browser_missing");
    expect(printed.error.message).toContain("/nonexistent/chromium");
    expect(printed.error.message).toContain("BATON_CHROMIUM_PATH");
  });

  it("takes the browser from the option, then BATON_CHROMIUM_PATH, then /usr/bin/chromium", () => {
    expect(chromiumPath({ executablePath: "/a", env: { BATON_CHROMIUM_PATH: "/b" } })).toBe("/a");
    expect(chromiumPath({ env: { BATON_CHROMIUM_PATH: "/b" } })).toBe("/b");
    expect(chromiumPath({ env: {} })).toBe("/usr/bin/chromium");
  });
});
