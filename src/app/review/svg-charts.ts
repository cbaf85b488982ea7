/**
 * The review pack's charts as small pure functions returning inline SVG: no script, no font or
 * image fetched, no namespace URL (inline SVG in HTML needs none). Each chart carries a <title>
 * and an aria-label, so a screen reader (and a PDF's text) says what it shows, and writes its
 * numbers as text beside the bars, so it survives grey-scale printing.
 */

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const number = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "0");

function open(title: string, width: number, height: number, extraClass = ""): string {
  const text = escapeHtml(title);
  // Drawn at its own size (text stays at its set size) and shrunk by CSS when the page is narrower.
  return `<svg class="chart${extraClass === "" ? "" : ` ${extraClass}`}" role="img" aria-label="${text}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title>${text}</title>`;
}

export interface Bar {
  label: string;
  value: number;
  /** the number written beside the bar */
  text: string;
  /** an optional second, thinner bar under it (e.g. the previous period) */
  previous?: { value: number; text: string } | undefined;
}

/** Horizontal bars, one row per item, scaled to the largest value or to `max`. */
export function horizontalBars(
  title: string,
  bars: readonly Bar[],
  options: { max?: number; color?: string; previousLabel?: string; width?: number } = {},
): string {
  if (bars.length === 0) return `<p class="empty">${escapeHtml(title)}: no data.</p>`;
  const width = options.width ?? 640;
  const labelWidth = 190;
  const textWidth = 120;
  const plot = width - labelWidth - textWidth;
  const withPrevious = bars.some((bar) => bar.previous !== undefined);
  const row = withPrevious ? 34 : 24;
  const legend = withPrevious ? 18 : 0;
  const height = bars.length * row + 6 + legend;
  const max =
    options.max ??
    Math.max(...bars.map((bar) => Math.max(bar.value, bar.previous?.value ?? 0)), 1e-9);
  const color = options.color ?? "#2f6db5";
  const scale = (value: number) => (max <= 0 ? 0 : Math.max(0, Math.min(1, value / max)) * plot);
  const parts = bars.map((bar, index) => {
    const y = index * row + 4;
    const length = scale(bar.value);
    let out =
      `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${number(length)}" height="14" fill="${color}"/>` +
      `<text x="${number(labelWidth + length + 6)}" y="${y + 14}">${escapeHtml(bar.text)}</text>`;
    if (bar.previous !== undefined) {
      const before = scale(bar.previous.value);
      out +=
        `<rect x="${labelWidth}" y="${y + 19}" width="${number(before)}" height="7" fill="#a9b4c2"/>` +
        `<text x="${number(labelWidth + before + 6)}" y="${y + 26}" class="note">${escapeHtml(bar.previous.text)}</text>`;
    }
    return out;
  });
  const key = withPrevious
    ? `<rect x="${labelWidth}" y="${height - 12}" width="12" height="8" fill="${color}"/><text x="${labelWidth + 16}" y="${height - 4}" class="note">this period</text><rect x="${labelWidth + 96}" y="${height - 12}" width="12" height="6" fill="#a9b4c2"/><text x="${labelWidth + 112}" y="${height - 4}" class="note">${escapeHtml(options.previousLabel ?? "previous period")}</text>`
    : "";
  return `${open(title, width, height)}${parts.join("")}${key}</svg>`;
}

export interface Column {
  label: string;
  value: number;
  text: string;
}

/** Vertical columns (e.g. speed-to-lead bands), each with its number above it. */
export function columnChart(
  title: string,
  columns: readonly Column[],
  options: { color?: string; width?: number; height?: number } = {},
): string {
  if (columns.length === 0) return `<p class="empty">${escapeHtml(title)}: no data.</p>`;
  const width = options.width ?? 420;
  const height = options.height ?? 170;
  const base = height - 24;
  const step = (width - 20) / columns.length;
  const max = Math.max(...columns.map((column) => column.value), 1e-9);
  const color = options.color ?? "#7a5cb5";
  const parts = columns.map((column, index) => {
    const x = 10 + index * step;
    const h = Math.max(0, (column.value / max) * (base - 28));
    const middle = x + step / 2;
    return (
      `<rect x="${number(x + step * 0.18)}" y="${number(base - h)}" width="${number(step * 0.64)}" height="${number(h)}" fill="${color}"/>` +
      `<text x="${number(middle)}" y="${number(base - h - 6)}" text-anchor="middle">${escapeHtml(column.text)}</text>` +
      `<text x="${number(middle)}" y="${base + 16}" text-anchor="middle" class="note">${escapeHtml(column.label)}</text>`
    );
  });
  return `${open(title, width, height)}<line x1="0" y1="${base}" x2="${width}" y2="${base}" stroke="#999"/>${parts.join("")}</svg>`;
}

/**
 * A headline's trend: two bars, the previous period (grey) and this one (coloured by whether
 * the change is good news), on a shared scale from zero.
 */
export function trendBars(
  title: string,
  previous: number | null,
  current: number | null,
  verdict: "better" | "worse" | "same" | "none",
): string {
  const width = 96;
  const height = 44;
  const max = Math.max(previous ?? 0, current ?? 0, 1e-9);
  const bar = (value: number | null, x: number, fill: string) => {
    if (value === null)
      return `<line x1="${x}" y1="${height - 2}" x2="${x + 40}" y2="${height - 2}" stroke="#bbb" stroke-dasharray="3 2"/>`;
    const h = Math.max(1, (Math.max(0, value) / max) * (height - 6));
    return `<rect x="${x}" y="${number(height - 2 - h)}" width="40" height="${number(h)}" fill="${fill}"/>`;
  };
  const fill = verdict === "better" ? "#2e8b57" : verdict === "worse" ? "#c0392b" : "#2f6db5";
  return `${open(title, width, height, "trend")}${bar(previous, 4, "#a9b4c2")}${bar(current, 52, fill)}</svg>`;
}

/** A bar inside a table cell: a share 0–1 of the cell's width. */
export function cellBar(title: string, share: number | null, color = "#2e8b57"): string {
  const width = 60;
  const height = 10;
  const length = share === null ? 0 : Math.max(0, Math.min(1, share)) * width;
  return `${open(title, width, height, "cell")}<rect x="0" y="0" width="${width}" height="${height}" fill="#eef1f4"/><rect x="0" y="0" width="${number(length)}" height="${height}" fill="${color}"/></svg>`;
}
