import { describe, expect, it } from "vitest";
import { renderReviewHtml } from "../../src/app/review/render-html.js";
import {
  cellBar,
  columnChart,
  horizontalBars,
  trendBars,
} from "../../src/app/review/svg-charts.js";
import { buildReviewPack } from "../../src/core/review/review-pack.js";
import { scenarioHistory, scenarioInput } from "../../src/core/review/review-pack-fixture.js";

const hostileSource = `<script>alert("x")</script> & "paid" <img src=x onerror=alert(1)>`;

function hostilePackHtml(): string {
  const sample = scenarioHistory();
  const leads = sample.leads.map((lead) =>
    lead.source === "paid_search" ? { ...lead, source: hostileSource } : lead,
  );
  return renderReviewHtml(buildReviewPack(scenarioInput({ history: { ...sample, leads } })));
}

describe("renderReviewHtml", () => {
  const html = renderReviewHtml(buildReviewPack(scenarioInput()));

  it("is one self-contained page: no script, no external URL, inline CSS with A4 print rules", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html).toContain("@page { size: A4");
    expect(html).toContain("break-inside: avoid");
  });

  it("shows the headlines, discussion points, commitments and sections with their numbers", () => {
    expect(html).toContain("<h1>Joint revenue review: 2026-W46</h1>");
    expect(html).toMatch(/<div class="label">MQLs<\/div><div class="value">10<\/div>/);
    expect(html).toContain('<span class="worse">▼ 50.0 pts</span>');
    expect(html).toContain("MQL→SQL from paid_search under 20 % for two periods");
    expect(html.indexOf("Discussion points")).toBeLessThan(html.indexOf("<h2>Commitments"));
    expect(html).toContain("<h3>Marketing</h3>");
    expect(html).toContain("<h3>Sales</h3>");
    expect(html).toContain('<td>Alex Rivera</td><td class="number">3</td>');
    expect(html).toContain('<span class="overdue">overdue</span>');
  });

  it("draws the charts as inline SVG with titles", () => {
    expect(html).toContain("<title>Speed to lead: MQLs by minutes from MQL to first touch</title>");
    expect(html).toContain(
      "<title>Rejection mix: share of rejections by reason, 2026-W46 against 2026-W45</title>",
    );
    expect(html).toContain("<title>SLA breaches by owner</title>");
    expect(html).toContain("<title>MQL→SQL from paid_search</title>");
    expect(html).toContain("<title>MQLs: 7 in 2026-W45, 10 now</title>");
  });

  it("escapes a hostile source name everywhere it appears", () => {
    const page = hostilePackHtml();
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toContain("<img");
    expect(page).toContain(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;paid&quot;",
    );
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toMatch(/https?:\/\//i);
  });
});

describe("svg charts", () => {
  it("scale bars to the largest value, with the numbers written beside them", () => {
    const svg = horizontalBars("Test", [
      { label: "a", value: 2, text: "2" },
      { label: "b", value: 1, text: "1" },
    ]);
    // plot width 640 − 190 − 120 = 330: a full bar and a half bar
    expect(svg).toContain('width="330.0"');
    expect(svg).toContain('width="165.0"');
    expect(svg).toContain("<title>Test</title>");
    expect(svg).toContain('role="img"');
  });

  it("say so when there is nothing to draw", () => {
    expect(horizontalBars("Empty", [])).toContain("Empty: no data.");
    expect(columnChart("None", [])).toContain("None: no data.");
  });

  it("draw a missing trend value as a dashed line and clamp cell bars to 0–1", () => {
    expect(trendBars("t", null, 3, "none")).toContain("stroke-dasharray");
    expect(cellBar("c", 1.7)).toContain('width="60.0"');
    expect(cellBar("c", null)).toContain('width="0.0"');
  });
});
