import type {
  CommitmentRow,
  Comparison,
  DiscussionPoint,
  Headline,
  ReasonsOfGroup,
  ReviewPack,
} from "../../core/review/review-pack-types.js";
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
  verdictOf,
} from "./render-format.js";
import { cellBar, columnChart, escapeHtml, horizontalBars, trendBars } from "./svg-charts.js";

/**
 * The review pack as one self-contained HTML page: inline CSS and SVG, no script, no external
 * URL (fonts, images, links), so it can be mailed, archived and printed to PDF as it is. Print
 * rules: A4 with margins, headings kept with what follows, cards, tables and charts not split
 * across pages where they fit. Every piece of text from the data goes through escapeHtml.
 */

const e = escapeHtml;

const style = `
  * { box-sizing: border-box; }
  body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; max-width: 960px; margin: 1.5rem auto; padding: 0 1rem; }
  h1 { font-size: 1.55rem; margin: 0 0 0.2rem; }
  h2 { font-size: 1.1rem; border-bottom: 2px solid #1b1f24; padding-bottom: 0.15rem; margin: 1.6rem 0 0.6rem; }
  h3 { font-size: 0.95rem; margin: 0.8rem 0 0.3rem; }
  .meta { color: #555; margin: 0.1rem 0; }
  .headlines { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.5rem; }
  .card { border: 1px solid #d8dde3; border-radius: 4px; padding: 0.4rem 0.55rem; display: grid; grid-template-columns: 1fr 76px; gap: 0 0.4rem; break-inside: avoid; page-break-inside: avoid; }
  .card .label { grid-column: 1 / 3; color: #444; font-size: 0.85rem; font-weight: 600; }
  .card .value { font-size: 1.25rem; font-weight: 700; white-space: nowrap; }
  .card .detail { color: #555; font-size: 0.76rem; }
  .card .detail span { white-space: nowrap; }
  .card svg.trend { grid-row: 2 / 4; grid-column: 2; width: 76px; height: auto; margin: 0.1rem 0 0; }
  .card .commitment { grid-column: 1 / 3; font-size: 0.78rem; color: #444; }
  .better { color: #2e8b57; }
  .worse { color: #c0392b; }
  .point { border-left: 5px solid #999; padding: 0.25rem 0.7rem; margin: 0.5rem 0; background: #f6f7f9; break-inside: avoid; page-break-inside: avoid; }
  .point.high { border-color: #c0392b; }
  .point.medium { border-color: #d68910; }
  .point.low { border-color: #5d6d7e; }
  .point p { margin: 0.15rem 0; }
  .point ul { margin: 0.2rem 0 0.2rem 1.1rem; padding: 0; color: #333; font-size: 0.85rem; }
  .severity { font-weight: 700; margin-right: 0.3rem; }
  .records { color: #666; font-size: 0.8rem; }
  .sides { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem; }
  table { border-collapse: collapse; width: 100%; margin: 0.3rem 0 0.6rem; font-size: 0.85rem; break-inside: avoid; page-break-inside: avoid; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
  th { background: #f0f2f5; font-weight: 600; }
  td.number, th.number { text-align: right; white-space: nowrap; }
  .status-met { color: #2e8b57; font-weight: 600; }
  .status-missed { color: #c0392b; font-weight: 600; }
  .status-no-data, .status-in-progress { color: #666; }
  .overdue { color: #c0392b; font-weight: 700; }
  .empty { color: #777; font-style: italic; }
  svg.chart { display: block; max-width: 100%; height: auto; margin: 0.3rem 0 0.6rem; break-inside: avoid; page-break-inside: avoid; }
  svg.chart.cell { display: block; width: 60px; height: 8px; max-width: none; margin: 0.25rem 0 0.1rem; }
  [class^="status-"] { white-space: nowrap; }
  td.date { white-space: nowrap; }
  svg text { font: 11.5px system-ui, sans-serif; fill: #1b1f24; }
  svg text.note { fill: #555; font-size: 10.5px; }
  .two { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem; align-items: start; }
  footer { color: #666; font-size: 0.8rem; margin-top: 1.5rem; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 10pt; }
    h2 { break-after: avoid; page-break-after: avoid; }
    h3 { break-after: avoid; page-break-after: avoid; }
    section { break-inside: auto; }
    .point { background: none; }
    th { background: none; }
  }
`;

function cardHtml(headline: Headline, previousLabel: string): string {
  const verdict = verdictOf(headline, headline.better);
  const changeClass = verdict === "better" ? "better" : verdict === "worse" ? "worse" : "";
  const commitments = headline.commitments
    .map(
      (entry) =>
        `<div class="commitment">${e(entry.side)}: ${e(entry.label)} <span class="status-${entry.status}">${e(statusText[entry.status])}</span></div>`,
    )
    .join("");
  return `<div class="card"><div class="label">${e(headline.label)}</div><div class="value">${e(formatValue(headline.current.value, headline.current.unit))}</div>${trendBars(
    `${headline.label}: ${formatValue(headline.previous.value, headline.previous.unit)} in ${previousLabel}, ${formatValue(headline.current.value, headline.current.unit)} now`,
    headline.previous.value,
    headline.current.value,
    verdict,
  )}<div class="detail"><span class="${changeClass}">${e(formatChange(headline))}</span> · <span>${e(previousLabel)}: ${e(formatValue(headline.previous.value, headline.previous.unit))}</span>${
    headline.current.numerator !== null && headline.current.denominator !== null
      ? ` · <span>${e(formatNumber(headline.current.numerator, 2))} of ${e(formatNumber(headline.current.denominator, 2))}</span>`
      : ""
  }</div>${commitments}</div>`;
}

function pointHtml(point: DiscussionPoint): string {
  const evidence = point.evidence
    .map((proof) => {
      const parts =
        proof.numerator !== null && proof.denominator !== null
          ? ` (${formatNumber(proof.numerator, 2)} of ${formatNumber(proof.denominator, 2)})`
          : "";
      const records = formatRecords(proof.records, proof.recordCount, 8);
      return `<li>${e(proof.label)}: ${e(formatValue(proof.value, proof.unit))}${e(parts)}${records === "" ? "" : ` <span class="records">${e(records)}</span>`}</li>`;
    })
    .join("");
  return `<div class="point ${point.severity}"><p><span class="severity">${e(severityText[point.severity])}</span>${e(point.text)}</p>${evidence === "" ? "" : `<ul>${evidence}</ul>`}</div>`;
}

function commitmentsTable(
  side: string,
  rows: readonly CommitmentRow[],
  now: string,
  before: string,
): string {
  if (rows.length === 0)
    return `<div><h3>${e(side)}</h3><p class="empty">No commitments.</p></div>`;
  return `<div><h3>${e(side)}</h3><table><thead><tr><th>Commitment</th><th>Target</th><th>${e(now)}</th><th>${e(before)}</th></tr></thead><tbody>${rows
    .map(
      (row) =>
        `<tr><td>${e(row.label)}</td><td class="number">${e(formatTarget(row))}</td><td>${e(formatActuals(row, "periods", now))} <span class="status-${row.status}">${e(statusText[row.status])}</span></td><td>${e(formatActuals(row, "previousPeriods", before))} <span class="status-${row.previousStatus}">${e(statusText[row.previousStatus])}</span></td></tr>`,
    )
    .join("")}</tbody></table></div>`;
}

function comparisonRow(
  label: string,
  comparison: Comparison,
  better: "higher" | "lower" = "higher",
): string {
  const verdict = verdictOf(comparison, better);
  return `<tr><td>${e(label)}</td><td class="number">${e(formatFigure(comparison.current))}</td><td class="number">${e(formatFigure(comparison.previous))}</td><td class="number ${verdict === "better" ? "better" : verdict === "worse" ? "worse" : ""}">${e(formatChange(comparison))}</td></tr>`;
}

function reasonGroupsTable(
  title: string,
  column: string,
  groups: readonly ReasonsOfGroup[],
): string {
  if (groups.length === 0) return "";
  return `<div><h3>${e(title)}</h3><table><thead><tr><th>${e(column)}</th><th class="number">Rejections</th><th>Top reasons</th></tr></thead><tbody>${groups
    .map(
      (group) =>
        `<tr><td>${e(group.label)}</td><td class="number">${e(formatNumber(group.rejections))}</td><td>${e(group.top.map((reason) => `${reason.label} ${reason.count} (${formatRate(reason.share)})`).join(", "))}</td></tr>`,
    )
    .join("")}</tbody></table></div>`;
}

export function renderReviewHtml(pack: ReviewPack): string {
  const now = pack.period.label;
  const before = pack.previousPeriod.label;

  const points =
    pack.discussionPoints.length === 0
      ? `<p class="empty">Nothing in the data calls for discussion.</p>`
      : pack.discussionPoints.map(pointHtml).join("\n");

  const sla = pack.sla;
  const slaOwners =
    sla.byOwner.length === 0
      ? `<p class="empty">No SLA breaches in the period.</p>`
      : `${horizontalBars(
          "SLA breaches by owner",
          sla.byOwner.map((entry) => ({
            label: entry.label,
            value: entry.breached.value ?? 0,
            text: formatNumber(entry.breached.value),
          })),
          { color: "#c0392b" },
        )}<table><thead><tr><th>Owner</th><th class="number">Breaches</th><th>Steps</th><th>Leads</th></tr></thead><tbody>${sla.byOwner
          .map(
            (entry) =>
              `<tr><td>${e(entry.label)}</td><td class="number">${e(formatNumber(entry.breached.value))}</td><td>${e(entry.steps.map((step) => `${step.name} ${step.breached}`).join(", "))}</td><td class="records">${e(formatRecords(entry.leadIds, entry.leadIds.length, 10))}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  const steps =
    sla.steps.length === 0
      ? ""
      : `<table><thead><tr><th>SLA step</th><th class="number">Attainment</th><th class="number">Breached</th></tr></thead><tbody>${sla.steps
          .map(
            (step) =>
              `<tr><td>${e(step.name)}</td><td class="number">${e(formatFigure(step.attainment))}</td><td class="number">${e(formatNumber(step.breached))}</td></tr>`,
          )
          .join("")}</tbody></table>`;

  const stuck = pack.stuck;
  const stuckOwners =
    stuck.byOwner.length === 0
      ? ""
      : `<table><thead><tr><th>Owner</th><th class="number">Stuck</th><th>Leads</th></tr></thead><tbody>${stuck.byOwner
          .map(
            (entry) =>
              `<tr><td>${e(entry.label)}</td><td class="number">${e(formatNumber(entry.stuck.value))}</td><td class="records">${e(formatRecords(entry.stuck.records, entry.stuck.recordCount, 10))}</td></tr>`,
          )
          .join("")}</tbody></table>`;

  const rejections = pack.rejections;
  const shareOr0 = (value: number | null, total: number | null) => value ?? (total ? 0 : null);
  const mixChart = horizontalBars(
    `Rejection mix: share of rejections by reason, ${now} against ${before}`,
    rejections.reasons.map((reason) => {
      const current = shareOr0(reason.share.value, rejections.rejections.current.value);
      const previous = shareOr0(reason.previousShare.value, rejections.rejections.previous.value);
      return {
        label: reason.label,
        value: current ?? 0,
        text: `${formatRate(current)} (${formatNumber(reason.count.value ?? 0)})`,
        previous: { value: previous ?? 0, text: `${before}: ${formatRate(previous)}` },
      };
    }),
    { max: 1, color: "#b5832f", previousLabel: before },
  );

  const sources =
    pack.sources.length === 0
      ? `<p class="empty">No MQLs or closed deals in the period.</p>`
      : `<table><thead><tr><th>Source</th><th class="number">MQLs</th><th>Acceptance</th><th>MQL→SQL</th><th>MQL→SQL ${e(before)}</th><th>Win rate</th><th class="number">Mean deal size</th></tr></thead><tbody>${pack.sources
          .map(
            (source) =>
              `<tr><td>${e(source.label)}${source.marketing ? ` <span class="records">marketing</span>` : ""}</td><td class="number">${e(formatNumber(source.mqls.value))}</td><td>${cellBar(`Acceptance from ${source.label}`, source.acceptance.value, "#3b7f9e")}${e(formatFigure(source.acceptance))}</td><td>${cellBar(`MQL→SQL from ${source.label}`, source.mqlToSql.value)}${e(formatFigure(source.mqlToSql))}</td><td>${e(formatFigure(source.previousMqlToSql))}</td><td>${cellBar(`Win rate of ${source.label}`, source.winRate.value, "#7a5cb5")}${e(formatFigure(source.winRate))}</td><td class="number">${e(formatValue(source.meanDealSize.value, "currency"))}</td></tr>`,
          )
          .join("")}</tbody></table>`;

  const speed = pack.speed;
  const bands = columnChart(
    "Speed to lead: MQLs by minutes from MQL to first touch",
    speed.bands.map((band) => ({
      label: `${band.band} min`,
      value: band.leads.value ?? 0,
      text: `${formatNumber(band.leads.value)} (${formatRate(band.share.value)})`,
    })),
  );

  const marketing = pack.marketing;
  const actionItems =
    pack.actionItems.length === 0
      ? `<p class="empty">No action items.</p>`
      : `<table><thead><tr><th>Item</th><th>Owner</th><th>Due</th><th>State</th><th>From</th></tr></thead><tbody>${pack.actionItems
          .map(
            ({ item, overdue, fromLastReview }) =>
              `<tr><td>${e(item.title)}</td><td>${e(item.owner)}</td><td class="date">${e(item.dueOn)}</td><td>${e(itemStatusText[item.status])}${overdue ? ` <span class="overdue">overdue</span>` : ""}</td><td>${fromLastReview ? "last review" : item.reviewPackId === null ? "outside a review" : "an earlier review"}</td></tr>`,
          )
          .join("")}</tbody></table>`;
  const decisions =
    pack.decisions.length === 0
      ? `<p class="empty">No decisions were recorded.</p>`
      : `<ul>${pack.decisions.map((decision) => `<li>${e(decision.text)} <span class="records">${e(decision.decidedBy)}, ${e(formatInstant(decision.at, pack.timezone))}</span></li>`).join("")}</ul>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(pack.title)}: ${e(now)}</title>
<style>${style}</style>
</head>
<body>
<header>
<h1>${e(pack.title)}: ${e(now)}</h1>
<p class="meta">${e(packSubtitle(pack))}</p>
<p class="meta">Generated ${e(formatInstant(pack.generatedAt, pack.timezone))} · data as of ${e(formatInstant(pack.asOf, pack.timezone))} · pack version ${pack.version}</p>
</header>

<section>
<h2>Headline numbers</h2>
<div class="headlines">
${pack.headlines.map((headline) => cardHtml(headline, before)).join("\n")}
</div>
</section>

<section>
<h2>Discussion points</h2>
${points}
</section>

<section>
<h2>Commitments</h2>
<div class="sides">
${commitmentsTable("Marketing", pack.commitments.marketing, now, before)}
${commitmentsTable("Sales", pack.commitments.sales, now, before)}
</div>
</section>

<section>
<h2>SLA breaches</h2>
<p>SLA attainment ${e(formatFigure(sla.attainment.current))} (${e(before)}: ${e(formatFigure(sla.attainment.previous))}); ${e(formatNumber(sla.breached.value))} cycles breached.</p>
${steps}
${slaOwners}
</section>

<section>
<h2>Stuck leads</h2>
<p>${e(formatNumber(stuck.total.value))} leads in New/Working with no activity for more than ${stuck.stuckHours} hours, as of ${e(formatInstant(stuck.asOf, pack.timezone))}${stuck.previousTotal === null ? "" : ` (${e(formatNumber(stuck.previousTotal))} at the last review)`}; median age ${e(formatValue(stuck.ageP50Hours.value, "hours"))}.</p>
${stuckOwners}
</section>

<section>
<h2>Rejections</h2>
<p>${e(formatNumber(rejections.rejections.current.value))} rejections in ${e(now)} (${e(before)}: ${e(formatNumber(rejections.rejections.previous.value))}) · ${e(formatNumber(rejections.noReason.value))} without a reason · ${e(formatNumber(rejections.recycledNoReason.value))} recycles without a reason.</p>
${rejections.reasons.length === 0 ? `<p class="empty">No rejections in either period.</p>` : mixChart}
<div class="two">
${reasonGroupsTable("Top reasons by source", "Source", rejections.bySource)}
${reasonGroupsTable("Top reasons by campaign", "Campaign", rejections.byCampaign)}
</div>
</section>

<section>
<h2>Source quality</h2>
${sources}
</section>

<section>
<h2>Speed to lead</h2>
<p>P50 ${e(formatValue(speed.p50Minutes.current.value, "minutes"))} (${e(formatChange(speed.p50Minutes))}) · P90 ${e(formatValue(speed.p90Minutes.current.value, "minutes"))} (${e(formatChange(speed.p90Minutes))}) · within the ${speed.goalMinutes === null ? "SLA" : `${e(formatNumber(speed.goalMinutes))}-minute`} goal ${e(formatFigure(speed.withinGoal))} · ${e(formatNumber(speed.untouched.value))} not touched yet.</p>
${bands}
</section>

<section>
<h2>Marketing pipeline</h2>
<table><thead><tr><th>Figure</th><th class="number">${e(now)}</th><th class="number">${e(before)}</th><th class="number">Change</th></tr></thead><tbody>
${comparisonRow("Marketing-sourced pipeline", marketing.sourcedPipeline)}
${comparisonRow("Marketing-sourced revenue", marketing.sourcedRevenue)}
${comparisonRow("Marketing-sourced open pipeline", marketing.sourcedOpenPipeline)}
${comparisonRow("Share of pipeline sourced by marketing", marketing.sourcedShare)}
${comparisonRow("Marketing-influenced pipeline", marketing.influencedPipeline)}
${comparisonRow("Marketing-influenced revenue", marketing.influencedRevenue)}
${comparisonRow("Share of pipeline influenced by marketing", marketing.influencedShare)}
${comparisonRow("Pipeline velocity (per day)", marketing.velocity)}
${comparisonRow("Win rate (decided)", marketing.winRate)}
</tbody></table>
</section>

<section>
<h2>Action items</h2>
${actionItems}
<h3>Decisions of the last review</h3>
${decisions}
</section>

<footer>Every number comes from Baton's metric definitions (METRICS.md), the same code the dashboard and the API use. ${e(dash)} means no value (nothing to measure).</footer>
</body>
</html>
`;
}
