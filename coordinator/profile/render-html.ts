import {
  type ColumnProfile,
  type Finding,
  formatPercent,
  type ProfileReport,
  type TableProfile,
} from '../../profiling/index.js';
import { formatBytes } from '../../core/index.js';
import { escapeHtml as e, histogramSvg, nullBarSvg, topValuesHtml } from './svg.js';

/**
 * The profile report as one self-contained HTML page: inline CSS and inline SVG charts, no scripts, no
 * fonts or images fetched, so it opens from a file, an e-mail attachment or an air-gapped machine.
 */

const fmt = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, word: string) => `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;

const CSS = `
:root{--err:#c0392b;--warn:#d68910;--info:#2e86c1;--ink:#1c2833;--muted:#6c7a89;--line:#e5e8eb;--bg:#f7f9fa;--bar:#5d8aa8;--null:#e74c3c}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:1280px;margin:0 auto;padding:24px 28px 64px}h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:24px 0 8px}code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f3;padding:1px 4px;border-radius:3px;word-break:break-all}
td.where code,td.key code{white-space:nowrap;word-break:normal}.muted{color:var(--muted)}.meta{color:var(--muted);margin:0 0 14px}.meta b{color:var(--ink);font-weight:600}
.badges{display:flex;gap:10px;margin:12px 0}.badge{padding:6px 12px;border-radius:6px;color:#fff;font-weight:600}.badge.error{background:var(--err)}.badge.warning{background:var(--warn)}.badge.info{background:var(--info)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);border-radius:6px;overflow:hidden;margin:6px 0 10px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#f0f3f5;font-weight:600;font-size:12.5px;color:#34495e}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:64px;text-align:center;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}.sev.error{background:var(--err)}.sev.warning{background:var(--warn)}.sev.info{background:var(--info)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.card h4{margin:0 0 2px;font-size:15px;display:flex;justify-content:space-between;gap:8px}.card .type{font-size:12px;color:var(--muted);margin-bottom:8px}
.tag{font-size:11px;font-weight:600;padding:1px 6px;border-radius:8px;background:#fdebd0;color:#935116}.tag.req{background:#e8f6f3;color:#117864}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0}dt{color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums}
ul.top{list-style:none;margin:6px 0;padding:0}ul.top li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
svg .bar{fill:var(--bar)}svg .axis{stroke:#aab7b8}svg .tick{font:10px system-ui,sans-serif;fill:var(--muted)}svg .present{fill:#d5dbdb}svg .nulls{fill:var(--null)}
.section-note{color:var(--muted);margin:4px 0 10px}.sub{font-size:12px;color:var(--muted);margin:8px 0 2px;text-transform:uppercase;letter-spacing:.04em}
`;

function findingRows(findings: Finding[]): string {
  if (findings.length === 0) return '<p>Nothing found.</p>';
  const rows = findings
    .map((f) => {
      const where = f.column ? `${f.table}.${f.column}` : f.table;
      return `<tr><td><span class="sev ${f.severity}">${f.severity}</span></td><td class="where"><code>${e(where)}</code></td><td>${e(f.message)}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>Severity</th><th>Where</th><th>Finding</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function inventoryHtml(r: ProfileReport): string {
  const inv = r.inventory;
  const rows = inv.tables
    .map((t) => {
      const fks = inv.foreignKeys
        .filter((x) => x.from === t.name)
        .map(
          (x) =>
            `${e(x.columns.join(', '))} → <code>${e(x.to)}</code>(${e(x.referencedColumns.join(', '))})${x.origin === 'configured' ? ' <span class="muted">configured</span>' : ''}`,
        )
        .join('<br>');
      return (
        `<tr><td><code>${e(t.name)}</code>${t.keysOnly ? ' <span class="muted">keys only</span>' : ''}</td>` +
        `<td class="num">${fmt(t.rows)}</td><td class="num">${formatBytes(t.bytesRead)}</td><td class="num">${t.columns.length}</td>` +
        `<td>${e(t.primaryKey.join(', ')) || '<span class="sev warning">none</span>'}</td><td>${fks || '—'}</td><td class="num">${t.partitions}</td></tr>`
      );
    })
    .join('');
  const extra: string[] = [
    `<p><b>Load order</b> (parents first): ${inv.loadOrder.map((t) => `<code>${e(t)}</code>`).join(' → ') || '—'}</p>`,
  ];
  if (inv.cycles.length)
    extra.push(`<p><b>Foreign-key cycles:</b> ${e(inv.cycles.map((c) => c.join(' → ')).join('; '))}</p>`);
  if (inv.selfReferences.length)
    extra.push(`<p><b>Self-references:</b> ${e(inv.selfReferences.join(', '))}</p>`);
  if (inv.withoutPrimaryKey.length)
    extra.push(`<p><b>Without a primary key:</b> ${e(inv.withoutPrimaryKey.join(', '))}</p>`);
  return (
    '<table><thead><tr><th>Table</th><th class="num">Rows</th><th class="num">Read</th><th class="num">Columns</th><th>Primary key</th><th>Foreign keys</th><th class="num">Partitions</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>${extra.join('')}`
  );
}

function piiHtml(r: ProfileReport): string {
  if (r.pii.length === 0) return '<p>No column looks like personal data.</p>';
  const note = r.options.showPii
    ? 'Values of these columns are shown unmasked (<code>--show-pii</code>).'
    : 'Values of these columns are masked in this report (first character of each word kept); <code>--show-pii</code> shows them.';
  const rows = r.pii
    .map(
      (p) =>
        `<tr><td><code>${e(`${p.table}.${p.column}`)}</code></td><td>${e(p.category.replace('_', ' '))}</td><td>${p.confidence}</td><td>${e(p.reasons.join('; '))}</td></tr>`,
    )
    .join('');
  return `<p class="section-note">${note}</p><table><thead><tr><th>Column</th><th>Category</th><th>Confidence</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function keysHtml(t: TableProfile): string {
  const parts: string[] = [];
  if (t.keys.length) {
    const rows = t.keys
      .map(
        (k) =>
          `<tr><td class="key"><code>${e(k.columns.join(', '))}</code></td><td>${k.kind}</td><td class="num">${fmt(k.distinct)}</td><td class="num">${fmt(k.nullRows)}</td><td class="num">${fmt(k.duplicateRows)}</td><td>${k.examples.map((x) => `<code>${e(x)}</code>`).join(' ')}</td></tr>`,
      )
      .join('');
    parts.push(
      `<table><thead><tr><th>Key</th><th>Kind</th><th class="num">Distinct</th><th class="num">NULL rows</th><th class="num">Duplicate rows</th><th>Examples</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
  if (t.foreignKeys.length) {
    const rows = t.foreignKeys
      .map(
        (f) =>
          `<tr><td class="key"><code>${e(f.columns.join(', '))}</code></td><td><code>${e(`${f.references}(${f.referencedColumns.join(', ')})`)}</code></td><td>${f.mode}${f.reason ? `: ${e(f.reason)}` : ''}</td><td class="num">${fmt(f.orphanRows)}</td><td class="num">${fmt(f.orphanKeys)}</td><td>${f.examples.map((x) => `<code>${e(x)}</code>`).join(' ')}</td></tr>`,
      )
      .join('');
    parts.push(
      `<table><thead><tr><th>Foreign key</th><th>References</th><th>Checked</th><th class="num">Orphan rows</th><th class="num">Orphan keys</th><th>Examples</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
  }
  return parts.join('');
}

function columnCard(c: ColumnProfile): string {
  const tags: string[] = [];
  if (c.pii)
    tags.push(
      `<span class="tag" title="${e(c.pii.reasons.join('; '))}">PII · ${e(c.pii.category.replace('_', ' '))}</span>`,
    );
  if (c.required) tags.push('<span class="tag req">required</span>');
  const facts: [string, string][] = [
    ['NULL', `${fmt(c.nulls)} (${formatPercent(c.nullPercent)})`],
    ['Distinct', `${c.distinct.exact ? '' : '≈'}${fmt(c.distinct.count)}`],
  ];
  if (c.min !== undefined) facts.push(['Min', `<code>${e(c.min)}</code>`]);
  if (c.max !== undefined) facts.push(['Max', `<code>${e(c.max)}</code>`]);
  if (c.quantiles)
    facts.push([
      'Q1 · median · Q3',
      `${e(c.quantiles.q1)} · ${e(c.quantiles.median)} · ${e(c.quantiles.q3)}${c.quantiles.exact ? '' : ' (≈)'}`,
    ]);
  if (c.outliers && c.outliers.below + c.outliers.above > 0) {
    facts.push([
      'Outliers',
      `${c.outliers.exact ? '' : '≈'}${fmt(c.outliers.below + c.outliers.above)} outside [${e(c.outliers.low)}, ${e(c.outliers.high)}]`,
    ]);
  }
  if (c.lengths)
    facts.push(['Length', `${c.lengths.min}–${c.lengths.max} ${c.lengths.unit}, mean ${c.lengths.mean}`]);
  if (c.nan) facts.push(['NaN', fmt(c.nan)]);
  const body: string[] = [
    `<h4><span>${e(c.name)}</span><span>${tags.join(' ')}</span></h4>`,
    `<div class="type">${e(c.nativeType)} · ${e(c.type)}${c.nullable ? '' : ' · NOT NULL'}</div>`,
    nullBarSvg(c.nullPercent),
    `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`,
  ];
  const patterns = (c.patterns ?? []).filter((p) => p.percent >= 1);
  if (patterns.length) {
    body.push(
      `<div class="sub">Patterns</div><ul class="top">${patterns
        .map(
          (p) =>
            `<li>${e(p.label)}: ${formatPercent(p.percent)}${
              p.percent < 100 && p.misses.length
                ? ` <span class="muted">not: ${p.misses
                    .slice(0, 2)
                    .map((m) => `<code>${e(m)}</code>`)
                    .join(' ')}</span>`
                : ''
            }</li>`,
        )
        .join('')}</ul>`,
    );
  }
  if (c.histogram && c.histogram.bins.length > 1) {
    body.push(
      `<div class="sub">Distribution${c.histogram.exact ? '' : ' (≈)'}</div>`,
      histogramSvg(c.histogram.bins, { approximate: !c.histogram.exact }),
    );
  } else if (c.lengths && c.lengths.histogram.length > 1) {
    body.push(`<div class="sub">Length (${c.lengths.unit})</div>`, histogramSvg(c.lengths.histogram));
  }
  const showTop = c.topValues.length > 0 && (c.topValues[0]!.count > 1 || c.distinct.count <= 10);
  if (showTop)
    body.push(
      `<div class="sub">Top values${c.topValuesExact ? '' : ' (≥)'}</div>`,
      topValuesHtml(c.topValues.slice(0, 6), c.rows),
    );
  return `<div class="card">${body.join('')}</div>`;
}

function tableHtml(t: TableProfile): string {
  return (
    `<h3 id="t-${e(t.name)}">${e(t.name)} <span class="muted">— ${plural(t.rows, 'row')}, ${plural(t.partitions, 'partition')}, ${formatBytes(t.bytesRead)} read</span></h3>` +
    `${keysHtml(t)}<div class="cards">${t.columns.map(columnCard).join('')}</div>`
  );
}

export function profileHtml(r: ProfileReport): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  const rows = r.tables.reduce((sum, t) => sum + t.rows, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Data profile: ${e(r.name)}</title><style>${CSS}</style></head>
<body><main>
<h1>Data profile: ${e(r.name)}</h1>
<p class="meta"><b>Source</b> <code>${e(r.source)}</code> · <b>Profiled</b> ${e(r.createdAt)} in ${r.durationSeconds} s · ${r.tables.length} tables, ${fmt(rows)} rows<br>
<b>Consistency</b> ${r.consistency.consistent ? 'one point in time' : 'not one point in time'} — ${e(r.consistency.reason)}</p>
<div class="badges"><span class="badge error">${plural(counts.error, 'error')}</span><span class="badge warning">${plural(counts.warning, 'warning')}</span><span class="badge info">${plural(counts.info, 'note')}</span></div>
<h2>Findings</h2>${findingRows(r.findings)}
<h2>Inventory</h2>${inventoryHtml(r)}
<h2>Personal data</h2>${piiHtml(r)}
<h2>Tables</h2>${r.tables.map(tableHtml).join('\n')}
</main></body></html>
`;
}
