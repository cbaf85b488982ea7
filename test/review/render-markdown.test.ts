import { describe, expect, it } from "vitest";
import { escapeMarkdown, renderReviewMarkdown } from "../../src/app/review/render-markdown.js";
import { buildReviewPack } from "../../src/core/review/review-pack.js";
import { scenarioInput } from "../../src/core/review/review-pack-fixture.js";

describe("renderReviewMarkdown", () => {
  const pack = buildReviewPack(scenarioInput());
  const markdown = renderReviewMarkdown(pack);
  const lines = markdown.split("\n");

  it("starts with the title and the headline table, with arrows against the previous period", () => {
    expect(lines[0]).toBe("# Joint revenue review: 2026-W46");
    expect(markdown).toContain("| Number | 2026-W46 | 2026-W45 | Change | Commitment |");
    expect(lines).toContain("| MQLs | 10 | 7 | ▲ 3 | marketing: MQLs per week ✗ missed |");
    expect(lines).toContain(
      "| MQL→SQL conversion | 40.0 % (4 of 10) | 28.6 % (2 of 7) | ▲ 11.4 pts | marketing: MQL to SQL conversion ✓ met |",
    );
    expect(lines).toContain(
      "| SLA attainment | 50.0 % (4 of 8) | 100.0 % (2 of 2) | ▼ 50.0 pts | sales: SDR first effort within SLA ✗ missed |",
    );
    expect(lines).toContain("| Win rate (decided) | 50.0 % (1 of 2) | – (0 of 0) | – |  |");
  });

  it("puts the discussion points right after the headlines, with their evidence", () => {
    const headlines = lines.indexOf("## Headline numbers");
    const points = lines.indexOf("## Discussion points");
    const commitments = lines.indexOf("## Commitments");
    expect(headlines).toBeGreaterThan(0);
    expect(points).toBeGreaterThan(headlines);
    expect(commitments).toBeGreaterThan(points);
    expect(lines).toContain(
      "2. **High**: MQL→SQL from paid_search under 20 % for two periods: 16.7 % (1 of 6) in 2026-W46, 0 % (0 of 5) in 2026-W45",
    );
    expect(markdown).toContain(
      "   - MQL→SQL from paid_search, 2026-W46: 16.7 % (1 of 6); ps-6, ps-7, ps-8, ps-9, ps-10 and 1 more",
    );
  });

  it("lays both sides' commitments side by side", () => {
    expect(lines).toContain(
      "| Marketing | Target | 2026-W46 | 2026-W45 | Sales | Target | 2026-W46 | 2026-W45 |",
    );
    expect(lines).toContain(
      "| MQLs per week | ≥ 12 | 10 ✗ missed | 7 ✗ missed | SDR first effort within SLA | ≥ 90.0 % | 50.0 % ✗ missed | 100.0 % ✓ met |",
    );
  });

  it("lists breaches, stuck leads, rejections, sources, speed bands and action items", () => {
    expect(lines).toContain("| Alex Rivera | 3 | SDR prospecting effort 3 | ps-7, ps-8, ps-9 |");
    expect(lines).toContain("| Alex Rivera | 3 | old-1, old-2, old-3 |");
    expect(lines).toContain("| Wrong persona | 4 (80.0 %) | 0 (0.0 %) | ▲ 80.0 pts |");
    expect(lines).toContain("| paid_search | 5 | Wrong persona 4 (80.0 %) |");
    expect(lines).toContain(
      "| paid_search (marketing) | 6 | 16.7 % (1 of 6) | 16.7 % (1 of 6) | 0.0 % (0 of 5) | – (0 of 0) | – |",
    );
    expect(lines).toContain("| 0-5 | 3 | 30.0 % |");
    expect(lines).toContain(
      "| Tighten paid search keywords | maria@acme.example | 2026-11-10 | open **overdue** | last review |",
    );
    expect(lines).toContain(
      "| Add persona field to the form | maria@acme.example | 2026-11-20 | in progress | outside a review |",
    );
    expect(markdown).toContain(
      "- Pause the Spring promo ad group until targeting is fixed (riley@acme.example, 2026-11-09 10:00)",
    );
  });

  it("escapes text from the data so it cannot break a table or become a link", () => {
    expect(escapeMarkdown("a|b [x](http://e) *y* _z_ paid_search\nz")).toBe(
      "a\\|b \\[x\\](http://e) \\*y\\* \\_z\\_ paid_search z",
    );
    const hostile = buildReviewPack(
      scenarioInput({
        actionItems: [
          {
            ...scenarioInput().actionItems[0]!,
            title: "Fix | table [click](https://evil.example)",
          },
        ],
      }),
    );
    const text = renderReviewMarkdown(hostile);
    expect(text).toContain("Fix \\| table \\[click\\](https://evil.example)");
    expect(text).not.toContain("[click](");
  });
});
