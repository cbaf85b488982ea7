import {
  type AuditReport,
  type FigureSummary,
  isAvailable,
  type MetricEntry,
  type RedFlag,
} from "../core/audit/audit-report.js";

/**
 * `baton audit --html FILE`: the report as one self-contained page — inline CSS and SVG charts,
 * no script, no font or image fetched — that reads on screen and prints on A4 (each section
 * kept on one page where it fits, colours that survive grey-scale printing through labels).
 */

const escapeHtml = (text: string) =>
  text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");

export const formatRate = (value: number | null | undefined) =>
  value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)} %`;
export const formatNumber = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined
    ? "–"
    : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });

interface Bar {
  label: string;
  value: number;
  text: string;
}

/** Horizontal bars, one per item, scaled to the largest value (or `max`). */
function barChart(
  title: string,
  bars: Bar[],
  options: { max?: number; color?: string } = {},
): string {
  if (bars.length === 0)
    return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><p class="empty">No data.</p></figure>`;
  const row = 26;
  const labelWidth = 170;
  const width = 640;
  const plot = width - labelWidth - 90;
  const max = options.max ?? Math.max(...bars.map((bar) => bar.value), 1e-9);
  const height = bars.length * row + 8;
  const color = options.color ?? "#2f6db5";
  const rows = bars
    .map((bar, index) => {
      const y = index * row + 4;
      const length = max <= 0 ? 0 : Math.max(0, (bar.value / max) * plot);
      return (
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${row - 8}" fill="${color}"/>` +
        `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 16}">${escapeHtml(bar.text)}</text>`
      );
    })
    .join("");
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%">${rows}</svg></figure>`;
}

/** Vertical columns over periods, with a rate line's value written above each column. */
function columnChart(
  title: string,
  columns: { label: string; value: number; note: string }[],
): string {
  if (columns.length === 0)
    return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><p class="empty">No data.</p></figure>`;
  const width = 640;
  const height = 200;
  const base = height - 30;
  const step = Math.min(80, (width - 20) / columns.length);
  const max = Math.max(...columns.map((column) => column.value), 1);
  const parts = columns
    .map((column, index) => {
      const x = 10 + index * step;
      const h = (column.value / max) * (base - 40);
      return (
        `<rect x="${(x + 6).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(step - 12).toFixed(1)}" height="${h.toFixed(1)}" fill="#2f6db5"/>` +
        `<text x="${(x + step / 2).toFixed(1)}" y="${(base - h - 18).toFixed(1)}" text-anchor="middle">${escapeHtml(formatNumber(column.value))}</text>` +
        `<text x="${(x + step / 2).toFixed(1)}" y="${(base - h - 5).toFixed(1)}" text-anchor="middle" class="note">${escapeHtml(column.note)}</text>` +
        `<text x="${(x + step / 2).toFixed(1)}" y="${base + 16}" text-anchor="middle">${escapeHtml(column.label)}</text>`
      );
    })
    .join("");
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%"><line x1="0" y1="${base}" x2="${width}" y2="${base}" stroke="#999"/>${parts}</svg></figure>`;
}

function groupsOf(entry: MetricEntry | undefined) {
  return isAvailable(entry) ? entry.groups : [];
}

function value(figure: FigureSummary | undefined): number | null {
  return figure?.value ?? null;
}

function flagHtml(flag: RedFlag): string {
  const mark =
    flag.status === "flagged" ? "✗ red flag" : flag.status === "clear" ? "✓ clear" : "? unknown";
  return `<section class="flag ${flag.status}"><h3><span class="mark">${mark}</span> ${escapeHtml(flag.title)}</h3><p>${escapeHtml(flag.summary)}</p>${
    flag.evidence.length === 0
      ? ""
      : `<ul>${flag.evidence.map((line) => `<li>${escapeHtml(line)}</li>`).join("")}</ul>`
  }${flag.examples.length === 0 ? "" : `<p class="examples">e.g. ${flag.examples.map(escapeHtml).join(", ")}</p>`}${
    flag.status === "flagged" ? `<p class="action">What to do: ${escapeHtml(flag.action)}</p>` : ""
  }</section>`;
}

export function renderAuditHtml(report: AuditReport): string {
  const metrics = report.metrics;
  const speed = metrics["speed-to-lead"];
  const bands = isAvailable(speed)
    ? (["band:0-5", "band:5-15", "band:15-60", "band:60+"] as const).map((name) => ({
        label: `${name.slice(5)} min`,
        value: speed.total[name]?.numerator ?? 0,
        text: `${speed.total[name]?.numerator ?? 0} (${formatRate(value(speed.total[name]))})`,
      }))
    : [];
  if (isAvailable(speed) && (speed.total.untouched?.value ?? 0) > 0)
    bands.push({
      label: "not touched",
      value: speed.total.untouched?.value ?? 0,
      text: `${speed.total.untouched?.value ?? 0}`,
    });

  const conversionBySource = groupsOf(report.breakdowns.bySource["mql-to-sql"]).map((group) => ({
    label: group.label,
    value: value(group.figures.rate) ?? 0,
    text: `${formatRate(value(group.figures.rate))} (${group.figures.rate?.numerator ?? 0}/${group.figures.rate?.denominator ?? 0})`,
  }));
  const quality = groupsOf(report.breakdowns.bySource["deal-quality"]);
  const stuckByOwner = groupsOf(report.breakdowns.byOwner["stuck-leads"])
    .map((group) => ({
      label: group.label,
      value: value(group.figures.stuck) ?? 0,
      text: formatNumber(value(group.figures.stuck)),
    }))
    .sort((a, b) => b.value - a.value);
  const winByOwner = groupsOf(report.breakdowns.byOwner["win-rate"]).map((group) => ({
    label: group.label,
    value: value(group.figures.decided) ?? 0,
    text: `${formatRate(value(group.figures.decided))} (${group.figures.decided?.numerator ?? 0}/${group.figures.decided?.denominator ?? 0})`,
  }));
  const cycleByOwner = groupsOf(report.breakdowns.byOwner["sales-cycle"]).map((group) => ({
    label: group.label,
    value: value(group.figures["won-mean-days"]) ?? 0,
    text: `${formatNumber(value(group.figures["won-mean-days"]), 1)} days`,
  }));
  const conversionByMonth = new Map(
    groupsOf(report.breakdowns.byMonth["mql-to-sql"]).map((group) => [
      group.key,
      group.figures.rate,
    ]),
  );
  const months = groupsOf(report.breakdowns.byMonth.mqls).map((group) => ({
    label: group.label,
    value: value(group.figures.leads) ?? 0,
    note: `MQL→SQL ${formatRate(value(conversionByMonth.get(group.key)))}`,
  }));
  const funnel = report.funnel.map((stage) => ({
    label:
      stage.stage.toUpperCase() === "MQL" || stage.stage === "sql"
        ? stage.stage.toUpperCase()
        : stage.stage,
    value: stage.entered,
    text: formatNumber(stage.entered),
  }));

  const understood = report.files
    .map(
      (file) => `<section class="file"><h3>${escapeHtml(file.file)}</h3>
<p>${escapeHtml(file.title)} — ${escapeHtml(file.detectedBy)}; ${escapeHtml(file.encoding)}, ${escapeHtml(file.delimiter)}-delimited; ${file.rows} rows, ${file.read} read, ${file.skipped.count} skipped.</p>
<table><thead><tr><th>column</th><th>read as</th></tr></thead><tbody>${file.columnsUsed
        .map(
          (use) => `<tr><td>${escapeHtml(use.column)}</td><td>${escapeHtml(use.field)}</td></tr>`,
        )
        .join("")}</tbody></table>
${file.columnsIgnored.length === 0 ? "" : `<p>Ignored: ${file.columnsIgnored.map(escapeHtml).join(", ")}</p>`}
${
  file.values.length === 0
    ? ""
    : `<table><thead><tr><th>value</th><th>means</th><th>from</th><th>rows</th></tr></thead><tbody>${file.values
        .map(
          (entry) =>
            `<tr class="${entry.origin === "unmapped" ? "unmapped" : ""}"><td>${escapeHtml(entry.column)}: ${escapeHtml(entry.value)}</td><td>${escapeHtml(entry.meaning)}</td><td>${escapeHtml(entry.origin)}</td><td>${entry.count}</td></tr>`,
        )
        .join("")}</tbody></table>`
}
${file.skipped.rows.length === 0 ? "" : `<p>Skipped rows:</p><ul>${file.skipped.rows.map((row) => `<li>line ${row.line}: ${escapeHtml(row.reason)}</li>`).join("")}</ul>`}
${file.stoppedAt === null ? "" : `<p class="warning">Not read past line ${file.stoppedAt.line}: ${escapeHtml(file.stoppedAt.message)} — ${escapeHtml(file.stoppedAt.hint)}</p>`}
</section>`,
    )
    .join("\n");

  const unavailable = Object.values(metrics).filter((entry) => !isAvailable(entry));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Baton audit — ${escapeHtml(report.asOf.slice(0, 10))}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; max-width: 900px; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
  h2 { border-bottom: 2px solid #1b1f24; padding-bottom: 0.2rem; margin-top: 2rem; }
  .meta { color: #555; }
  .flag { border-left: 6px solid #999; padding: 0.3rem 0.8rem; margin: 0.8rem 0; background: #f6f7f9; }
  .flag.flagged { border-color: #c0392b; }
  .flag.clear { border-color: #2e8b57; }
  .flag h3 { margin: 0.2rem 0; font-size: 1rem; }
  .mark { font-weight: 700; }
  .flag.flagged .mark { color: #c0392b; }
  .flag.clear .mark { color: #2e8b57; }
  .examples, .action { color: #444; font-size: 0.92rem; }
  .chart { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
  figcaption { font-weight: 600; margin-bottom: 0.3rem; }
  svg text { font: 12px system-ui, sans-serif; fill: #1b1f24; }
  svg text.note { fill: #555; font-size: 11px; }
  table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.2rem 0.6rem; text-align: left; }
  tr.unmapped td { color: #c0392b; font-weight: 600; }
  .warning { color: #c0392b; }
  .empty { color: #777; font-style: italic; }
  ul.notes li { color: #444; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    h2 { page-break-after: avoid; break-after: avoid; }
    section.flag, section.file, table { page-break-inside: avoid; break-inside: avoid; }
    .flag { background: none; }
    @page { size: A4; margin: 16mm; }
  }
</style>
</head>
<body>
<h1>Monday-morning audit</h1>
<p class="meta">As of ${escapeHtml(report.asOf)} · period ${escapeHtml(report.period.from.slice(0, 10))} to ${escapeHtml(report.period.to.slice(0, 10))} (${escapeHtml(report.timezone)}) · ${formatNumber(report.counts.leads)} leads, ${formatNumber(report.counts.opportunities)} opportunities (${formatNumber(report.counts.joined)} joined to their lead) · report version ${report.version}</p>

<h2>Red flags</h2>
${report.flags.map(flagHtml).join("\n")}

<h2>Funnel and speed</h2>
${barChart("Funnel: leads entering each stage in the period", funnel, { color: "#3b7f9e" })}
${barChart("Speed to lead: minutes from MQL to first touch", bands, { color: "#7a5cb5" })}

<h2>Sources</h2>
${barChart("MQL→SQL conversion by source", conversionBySource, { max: 1, color: "#2e8b57" })}
<figure class="chart"><figcaption>Deal quality by source</figcaption>
<table><thead><tr><th>source</th><th>win rate</th><th>mean won amount</th><th>sales cycle (days)</th><th>acceptance</th></tr></thead><tbody>
${quality
  .map(
    (group) =>
      `<tr><td>${escapeHtml(group.label)}</td><td>${formatRate(value(group.figures["win-rate"]))}</td><td>${formatNumber(value(group.figures["mean-won-amount"]), 2)}</td><td>${formatNumber(value(group.figures["sales-cycle-days"]), 1)}</td><td>${formatRate(value(group.figures.acceptance))}</td></tr>`,
  )
  .join("\n")}
</tbody></table></figure>

<h2>Owners</h2>
${barChart("Stuck leads by owner", stuckByOwner, { color: "#c0392b" })}
${barChart("Win rate by owner (won ÷ decided)", winByOwner, { max: 1, color: "#2e8b57" })}
${barChart("Sales cycle by owner (mean days, won)", cycleByOwner, { color: "#b5832f" })}

<h2>Trend by month</h2>
${columnChart("MQLs per month, with MQL→SQL conversion", months)}

<h2>What was understood</h2>
${understood}
<ul class="notes">${report.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join("")}</ul>
${unavailable.length === 0 ? "" : `<p>Not measured from exports:</p><ul class="notes">${unavailable.map((entry) => `<li>${escapeHtml(entry.metric)}: ${escapeHtml("unavailable" in entry ? entry.unavailable : "")}</li>`).join("")}</ul>`}
<p class="meta">Every number is computed by Baton's metric definitions (METRICS.md), the same code the dashboard and the API use.</p>
</body>
</html>
`;
}
