import type { CommitmentRow, Comparison, ReviewPack } from "../../core/review/review-pack-types.js";
import {
  dash,
  formatActuals,
  formatChange,
  formatFigure,
  formatInstant,
  formatNumber,
  formatRate,
  formatRecords,
  formatTarget,
  formatValue,
  itemStatusText,
  packSubtitle,
  severityText,
  statusText,
} from "./render-format.js";

/**
 * The review pack as Markdown for chat and e-mail: headline numbers first, then what to discuss,
 * then the sections, in tables that read as plain text too. Text from the data (source names,
 * owners, item titles) is escaped so it cannot break a table or turn into markup or a link; only
 * the characters that would do so are escaped, so the text still reads where chat shows it raw.
 */

/** Escapes Markdown's active characters and keeps a value on one table line. */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\r\n]+/g, " ")
      .replace(/([\\`*{}[\]<>|~])/g, "\\$1")
      // An underscore inside a word (paid_search) is not emphasis in CommonMark; only the others are.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, "\\_")
      .replace(/^(\s*)-/, "$1\\-")
  );
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

function compared(comparison: Comparison): string[] {
  return [
    formatFigure(comparison.current),
    formatFigure(comparison.previous),
    formatChange(comparison),
  ];
}

function commitmentCells(entry: CommitmentRow | undefined, now: string, before: string): string[] {
  if (entry === undefined) return ["", "", "", "", ""];
  return [
    escapeMarkdown(entry.label),
    formatTarget(entry),
    `${formatActuals(entry, "periods", now)} ${statusText[entry.status]}`,
    `${formatActuals(entry, "previousPeriods", before)} ${statusText[entry.previousStatus]}`,
    "",
  ];
}

export function renderReviewMarkdown(pack: ReviewPack): string {
  const now = escapeMarkdown(pack.period.label);
  const before = escapeMarkdown(pack.previousPeriod.label);
  const lines: string[] = [];
  lines.push(`# ${escapeMarkdown(pack.title)}: ${now}`);
  lines.push("");
  lines.push(
    `${escapeMarkdown(packSubtitle(pack))}. Generated ${formatInstant(pack.generatedAt, pack.timezone)}; data as of ${formatInstant(pack.asOf, pack.timezone)}.`,
  );

  lines.push("", "## Headline numbers", "");
  lines.push(
    table(
      ["Number", now, before, "Change", "Commitment"],
      pack.headlines.map((entry) => [
        entry.label,
        ...compared(entry),
        entry.commitments.length === 0
          ? ""
          : entry.commitments
              .map(
                (commitment) =>
                  `${commitment.side}: ${escapeMarkdown(commitment.label)} ${statusText[commitment.status]}`,
              )
              .join("; "),
      ]),
    ),
  );

  lines.push("", "## Discussion points", "");
  if (pack.discussionPoints.length === 0) lines.push("Nothing in the data calls for discussion.");
  pack.discussionPoints.forEach((entry, index) => {
    lines.push(`${index + 1}. **${severityText[entry.severity]}**: ${escapeMarkdown(entry.text)}`);
    for (const proof of entry.evidence) {
      const records = formatRecords(proof.records, proof.recordCount);
      const parts =
        proof.numerator !== null && proof.denominator !== null
          ? ` (${formatNumber(proof.numerator, 2)} of ${formatNumber(proof.denominator, 2)})`
          : "";
      lines.push(
        `   - ${escapeMarkdown(proof.label)}: ${formatValue(proof.value, proof.unit)}${parts}${records === "" ? "" : `; ${escapeMarkdown(records)}`}`,
      );
    }
  });

  lines.push("", "## Commitments", "");
  const marketing = pack.commitments.marketing;
  const sales = pack.commitments.sales;
  if (marketing.length + sales.length === 0) lines.push("The agreement has no commitments.");
  else {
    const count = Math.max(marketing.length, sales.length);
    const rows: string[][] = [];
    for (let index = 0; index < count; index++) {
      const left = commitmentCells(marketing[index], now, before).slice(0, 4);
      const right = commitmentCells(sales[index], now, before).slice(0, 4);
      rows.push([...left, ...right]);
    }
    lines.push(table(["Marketing", "Target", now, before, "Sales", "Target", now, before], rows));
  }

  lines.push("", "## SLA breaches by owner", "");
  lines.push(
    `SLA attainment ${formatFigure(pack.sla.attainment.current)} (${before}: ${formatFigure(pack.sla.attainment.previous)}); ${formatNumber(pack.sla.breached.value)} breached.`,
  );
  if (pack.sla.byOwner.length > 0) {
    lines.push("");
    lines.push(
      table(
        ["Owner", "Breaches", "Steps", "Leads"],
        pack.sla.byOwner.map((entry) => [
          escapeMarkdown(entry.label),
          formatNumber(entry.breached.value),
          escapeMarkdown(entry.steps.map((step) => `${step.name} ${step.breached}`).join(", ")),
          escapeMarkdown(formatRecords(entry.leadIds, entry.leadIds.length, 8)),
        ]),
      ),
    );
  }

  lines.push("", "## Stuck leads", "");
  lines.push(
    `${formatNumber(pack.stuck.total.value)} leads in New/Working with no activity for more than ${pack.stuck.stuckHours} hours (as of ${formatInstant(pack.stuck.asOf, pack.timezone)}${pack.stuck.previousTotal === null ? "" : `; ${pack.stuck.previousTotal} at the last review`}).`,
  );
  if (pack.stuck.byOwner.length > 0) {
    lines.push("");
    lines.push(
      table(
        ["Owner", "Stuck", "Leads"],
        pack.stuck.byOwner.map((entry) => [
          escapeMarkdown(entry.label),
          formatNumber(entry.stuck.value),
          escapeMarkdown(formatRecords(entry.stuck.records, entry.stuck.recordCount, 8)),
        ]),
      ),
    );
  }

  lines.push("", "## Rejections", "");
  const rejections = pack.rejections;
  lines.push(
    `${formatNumber(rejections.rejections.current.value)} rejections in ${now} (${before}: ${formatNumber(rejections.rejections.previous.value)}); ${formatNumber(rejections.noReason.value)} without a reason, ${formatNumber(rejections.recycledNoReason.value)} recycles without a reason.`,
  );
  if (rejections.reasons.length > 0) {
    lines.push("");
    lines.push(
      table(
        ["Reason", now, before, "Share change"],
        rejections.reasons.map((entry) => [
          escapeMarkdown(entry.label),
          `${formatNumber(entry.count.value ?? 0)} (${formatRate(entry.share.value ?? (rejections.rejections.current.value ? 0 : null))})`,
          `${formatNumber(entry.previousCount.value ?? 0)} (${formatRate(entry.previousShare.value ?? (rejections.rejections.previous.value ? 0 : null))})`,
          entry.change === null
            ? dash
            : `${entry.change > 0 ? "▲" : entry.change < 0 ? "▼" : "="} ${(Math.abs(entry.change) * 100).toFixed(1)} pts`,
        ]),
      ),
    );
  }
  for (const [title, groups] of [
    ["Top reasons by source", rejections.bySource],
    ["Top reasons by campaign", rejections.byCampaign],
  ] as const) {
    if (groups.length === 0) continue;
    lines.push("", `**${title}**`, "");
    lines.push(
      table(
        [title.endsWith("source") ? "Source" : "Campaign", "Rejections", "Top reasons"],
        groups.map((group) => [
          escapeMarkdown(group.label),
          formatNumber(group.rejections),
          escapeMarkdown(
            group.top
              .map((reason) => `${reason.label} ${reason.count} (${formatRate(reason.share)})`)
              .join(", "),
          ),
        ]),
      ),
    );
  }

  lines.push("", "## Source quality", "");
  if (pack.sources.length === 0) lines.push("No MQLs or closed deals in the period.");
  else
    lines.push(
      table(
        [
          "Source",
          "MQLs",
          "Acceptance",
          "MQL→SQL",
          `MQL→SQL ${before}`,
          "Win rate",
          "Mean deal size",
        ],
        pack.sources.map((source) => [
          `${escapeMarkdown(source.label)}${source.marketing ? " (marketing)" : ""}`,
          formatNumber(source.mqls.value),
          formatFigure(source.acceptance),
          formatFigure(source.mqlToSql),
          formatFigure(source.previousMqlToSql),
          formatFigure(source.winRate),
          formatValue(source.meanDealSize.value, "currency"),
        ]),
      ),
    );

  lines.push("", "## Speed to lead", "");
  const speed = pack.speed;
  lines.push(
    `P50 ${formatValue(speed.p50Minutes.current.value, "minutes")} (${formatChange(speed.p50Minutes)}), P90 ${formatValue(speed.p90Minutes.current.value, "minutes")} (${formatChange(speed.p90Minutes)}); within the ${speed.goalMinutes === null ? "SLA" : `${formatNumber(speed.goalMinutes)}-minute`} goal ${formatFigure(speed.withinGoal)}; ${formatNumber(speed.untouched.value)} not touched yet.`,
  );
  lines.push("");
  lines.push(
    table(
      ["Minutes to first touch", "Leads", "Share"],
      speed.bands.map((band) => [
        band.band,
        formatNumber(band.leads.value),
        formatRate(band.share.value),
      ]),
    ),
  );

  lines.push("", "## Marketing pipeline", "");
  const marketingSection = pack.marketing;
  lines.push(
    table(
      ["Figure", now, before, "Change"],
      (
        [
          ["Marketing-sourced pipeline", marketingSection.sourcedPipeline],
          ["Marketing-sourced revenue", marketingSection.sourcedRevenue],
          ["Marketing-sourced open pipeline", marketingSection.sourcedOpenPipeline],
          ["Share of pipeline sourced by marketing", marketingSection.sourcedShare],
          ["Marketing-influenced pipeline", marketingSection.influencedPipeline],
          ["Marketing-influenced revenue", marketingSection.influencedRevenue],
          ["Share of pipeline influenced by marketing", marketingSection.influencedShare],
          ["Pipeline velocity (per day)", marketingSection.velocity],
          ["Win rate (decided)", marketingSection.winRate],
        ] as const
      ).map(([label, comparison]) => [label, ...compared(comparison)]),
    ),
  );

  lines.push("", "## Action items", "");
  if (pack.actionItems.length === 0) lines.push("No action items.");
  else
    lines.push(
      table(
        ["Item", "Owner", "Due", "State", "From"],
        pack.actionItems.map(({ item, overdue, fromLastReview }) => [
          escapeMarkdown(item.title),
          escapeMarkdown(item.owner),
          item.dueOn,
          `${itemStatusText[item.status]}${overdue ? " **overdue**" : ""}`,
          fromLastReview
            ? "last review"
            : item.reviewPackId === null
              ? "outside a review"
              : "an earlier review",
        ]),
      ),
    );

  lines.push("", "## Decisions of the last review", "");
  if (pack.decisions.length === 0) lines.push("No decisions were recorded.");
  for (const decision of pack.decisions)
    lines.push(
      `- ${escapeMarkdown(decision.text)} (${escapeMarkdown(decision.decidedBy)}, ${formatInstant(decision.at, pack.timezone)})`,
    );
  lines.push("");
  lines.push(
    "_Every number comes from Baton's metric definitions (METRICS.md), the same code the dashboard and the API use._",
  );
  return `${lines.join("\n")}\n`;
}
