import { formatPercent, type HistogramBin } from '../../profiling/index.js';

/** Small inline SVG charts for the HTML profile: no scripts, no external assets. */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** An axis label short enough for two to fit under a small chart: timestamps by their date, long text cut. */
function tickLabel(text: string): string {
  if (/^-?\d{4,}-\d\d-\d\d[ T]/.test(text)) return text.slice(0, text.indexOf('-', 1) + 6);
  return text.length > 18 ? `${text.slice(0, 17)}…` : text;
}

/** A histogram: one bar per bin, height by count, each with a tooltip; the axis shows the first and last edge. */
export function histogramSvg(
  bins: HistogramBin[],
  options: { width?: number; height?: number; approximate?: boolean } = {},
): string {
  if (bins.length === 0) return '';
  const width = options.width ?? 260;
  const height = options.height ?? 64;
  const axis = 14;
  const plot = height - axis;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const step = width / bins.length;
  const bars = bins
    .map((b, i) => {
      const h = b.count === 0 ? 0 : Math.max(1, Math.round((b.count / max) * (plot - 2)));
      const range = b.lo === b.hi ? b.lo : `${b.lo} – ${b.hi}`;
      return `<rect x="${(i * step + 0.5).toFixed(1)}" y="${plot - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" class="bar"><title>${escapeHtml(`${range}: ${options.approximate ? '≈' : ''}${fmt(b.count)}`)}</title></rect>`;
    })
    .join('');
  const first = escapeHtml(tickLabel(bins[0]!.lo));
  const last = escapeHtml(tickLabel(bins[bins.length - 1]!.hi));
  return (
    `<svg class="hist" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="histogram">` +
    `<line x1="0" y1="${plot + 0.5}" x2="${width}" y2="${plot + 0.5}" class="axis"/>${bars}` +
    `<text x="0" y="${height - 2}" class="tick">${first}</text>` +
    `<text x="${width}" y="${height - 2}" class="tick" text-anchor="end">${last}</text></svg>`
  );
}

/** A horizontal bar: the NULL share in red over the non-NULL share. */
export function nullBarSvg(percent: number, options: { width?: number } = {}): string {
  const width = options.width ?? 260;
  const filled = percent > 0 ? Math.max(1, Math.round((percent / 100) * width)) : 0;
  return (
    `<svg class="nullbar" width="${width}" height="10" viewBox="0 0 ${width} 10" role="img" aria-label="NULL ${percent}%">` +
    `<rect x="0" y="0" width="${width}" height="10" class="present"/>` +
    `<rect x="0" y="0" width="${filled}" height="10" class="nulls"><title>NULL ${percent}%</title></rect></svg>`
  );
}

/** Bars for the top values of a column, longest first, as an HTML list with inline SVG bars. */
export function topValuesHtml(
  values: { value: string; count: number; error?: number }[],
  total: number,
): string {
  if (values.length === 0) return '';
  const max = Math.max(1, ...values.map((v) => v.count));
  const rows = values
    .map((v) => {
      const w = Math.max(1, Math.round((v.count / max) * 80));
      const share = total > 0 ? ` (${formatPercent((v.count / total) * 100)})` : '';
      return (
        `<li><svg width="80" height="8" viewBox="0 0 80 8" aria-hidden="true"><rect width="${w}" height="8" class="bar"/></svg>` +
        ` <code>${escapeHtml(v.value)}</code> <span class="muted">${v.error ? '≥' : ''}${fmt(v.count)}${share}</span></li>`
      );
    })
    .join('');
  return `<ul class="top">${rows}</ul>`;
}
