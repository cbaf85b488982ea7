import type { ReviewPack } from "../../core/review/review-pack-types.js";
import { renderReviewHtml } from "./render-html.js";
import { renderReviewMarkdown } from "./render-markdown.js";

/**
 * A stored pack in each of its formats, for the CLI, the API and delivery: JSON is the pack
 * itself; Markdown and HTML are rendered from it; the PDF is the HTML printed by headless
 * Chromium. Every format is a view of the same frozen figures.
 */

export const packFormats = ["json", "markdown", "html", "pdf"] as const;
export type PackFormat = (typeof packFormats)[number];

export const packMediaTypes: Record<PackFormat, string> = {
  json: "application/json; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
};

export function packMarkdown(pack: ReviewPack): string {
  return renderReviewMarkdown(pack);
}

export function packHtml(pack: ReviewPack): string {
  return renderReviewHtml(pack);
}

/** The printed pack, or why it could not be printed (no Chromium, a crash, a time-out). */
export async function packPdf(
  pack: ReviewPack,
): Promise<{ ok: true; pdf: Buffer } | { ok: false; message: string }> {
  // playwright-core is loaded when a PDF is asked for, not by every `baton` command at start
  const { printPdf } = await import("./print-pdf.js");
  const printed = await printPdf(renderReviewHtml(pack));
  return printed.ok ? printed : { ok: false, message: printed.error.message };
}
