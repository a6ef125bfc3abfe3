import type { Certificate, ExecutiveSummary, Reconciliation } from './documents.js';

/**
 * Self-contained HTML pages: inline CSS, no scripts, no external assets (no fonts, images or links to
 * fetch), so a page opens offline and can be mailed or archived as one file.
 */

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde2ea;padding-bottom:.25rem}
table{border-collapse:collapse;width:100%;margin:.75rem 0}th,td{border:1px solid #dde2ea;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums}code{font:12px ui-monospace,monospace;background:#f3f5f9;padding:0 .2rem}
.pass{color:#0b6b2e;font-weight:600}.fail{color:#b3261e;font-weight:600}.muted{color:#667085}
.badge{display:inline-block;padding:.3rem .8rem;border-radius:4px;font-size:1.1rem;font-weight:700;color:#fff}
.badge.pass{background:#0b6b2e}.badge.fail{background:#b3261e}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:.5rem;margin:1rem 0}
.fig{border:1px solid #dde2ea;border-radius:4px;padding:.5rem .75rem}.fig b{display:block;font-size:1.1rem}
@media print{body{margin:0}}`;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

/** A complete page around `body`. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)}</title><style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}

function verdict(passed: boolean): string {
  return passed ? '<span class="pass">PASS</span>' : '<span class="fail">FAIL</span>';
}

function shown(v: string | null): string {
  return v === null ? '<span class="muted">NULL</span>' : `<code>${e(v)}</code>`;
}

/** The reconciliation report's body. */
export function reconciliationBody(r: Reconciliation): string {
  const rows = r.tables
    .map((t) => {
      const orphans = t.orphans.reduce((n, o) => n + o.orphanRows, 0);
      const field = t.fieldMatchPercent === undefined ? '—' : `${t.fieldMatchPercent}%`;
      return `<tr><td>${e(t.table)}</td><td>${e(t.target)}</td><td class="n">${t.sourceRows}</td><td class="n">${t.targetRows}</td><td class="n">${t.rejectedRows}</td><td>${t.checksum === 'match' ? '<span class="pass">match</span>' : `<span class="fail">${t.checksum}</span>`}</td><td class="n">${field}</td><td class="n">${t.duplicates ? t.duplicates.duplicateKeys : '—'}</td><td class="n">${t.orphans.length ? orphans : '—'}</td></tr>`;
    })
    .join('\n');
  const details = r.tables
    .map((t) => {
      const items: string[] = [];
      const rules = Object.entries(t.rejectsByRule).sort((a, b) => b[1] - a[1]);
      items.push(
        `Checksum ${e(t.checksum)} (<code>${e(t.checksumSum.slice(0, 16))}…</code>), ${t.partitionsDone} of ${t.partitions} partitions done`,
        `Rejected ${t.rejectedRows} (${t.rejectPercent}%)${rules.length ? ` — ${rules.map(([k, n]) => `${e(k)} ${n}`).join(', ')}` : ''}`,
      );
      if (t.duplicates)
        items.push(
          `Duplicates on (${e(t.duplicates.keyColumns.join(', '))}): ${t.duplicates.duplicateKeys} key(s), ${t.duplicates.duplicateRows} extra row(s)${t.duplicates.examples.length ? ` — e.g. ${e(t.duplicates.examples.join(', '))}` : ''}`,
        );
      for (const o of t.orphans)
        items.push(
          `Orphans of ${e(o.foreignKey)} → ${e(o.references)}: ${o.orphanRows} row(s)${o.examples.length ? ` — e.g. ${e(o.examples.join(', '))}` : ''}`,
        );
      for (const n of t.notes) items.push(`<span class="muted">${e(n)}</span>`);
      for (const x of t.errors) items.push(`<span class="fail">${e(x)}</span>`);
      let sample = '';
      const s = t.sample;
      if (s) {
        sample = `<p>Field-level sample: ${s.sampled} of ${s.requested} rows requested, matched by (${e(s.keyColumns.join(', '))}); <b>${s.matchPercent}%</b> of values match${s.missingInTarget ? `; ${s.missingInTarget} sampled key(s) missing in the target` : ''}.</p>
<table><tr><th>column</th><th>compared</th><th>matched</th><th>match %</th></tr>
${s.columns.map((c) => `<tr><td>${e(c.column)}${c.masked ? ' <span class="muted">(PII)</span>' : ''}</td><td class="n">${c.compared}</td><td class="n">${c.matched}</td><td class="n">${c.matchPercent < 100 ? `<span class="fail">${c.matchPercent}%</span>` : `${c.matchPercent}%`}</td></tr>`).join('\n')}
</table>`;
        if (s.differences.length)
          sample += `<p>First differing values:</p><table><tr><th>key</th><th>column</th><th>expected</th><th>target</th></tr>
${s.differences.map((d) => `<tr><td><code>${e(d.key)}</code></td><td>${e(d.column)}${d.masked ? ' <span class="muted">(masked)</span>' : ''}</td><td>${shown(d.expected)}</td><td>${shown(d.actual)}</td></tr>`).join('\n')}
</table>`;
      }
      return `<h2>${e(t.table)} → ${e(t.target)}</h2><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>${sample}`;
    })
    .join('\n');
  return `<h1>Reconciliation — run ${e(r.runId)}</h1>
<p class="muted">Source <code>${e(r.source)}</code> → target <code>${e(r.target)}</code>; run ${e(r.status)}. Checks on the target at ${e(r.checkedAt)}; sample of up to ${r.sampleRows} rows per table (seed ${r.seed}).</p>
<table><tr><th>table</th><th>target</th><th>source rows</th><th>target rows</th><th>rejected</th><th>checksum</th><th>field match</th><th>duplicate keys</th><th>orphan rows</th></tr>
${rows}
</table>
${details}`;
}

/** The certificate's body (one printed page). */
export function certificateBody(c: Certificate): string {
  const rows = c.criteria
    .map(
      (x) =>
        `<tr><td><b>${e(x.title)}</b><br><span class="muted">${e(x.id)}</span></td><td>${e(x.requirement)}</td><td>${e(x.measured)}${x.failing.length ? `<ul>${x.failing.map((f) => `<li>${e(f)}</li>`).join('')}</ul>` : ''}</td><td>${verdict(x.passed)}</td></tr>`,
    )
    .join('\n');
  return `<h1>Data-quality certificate — run ${e(c.runId)}</h1>
<p><span class="badge ${c.passed ? 'pass' : 'fail'}">${c.passed ? 'PASS' : 'FAIL'}</span> ${c.criteria.filter((x) => x.passed).length} of ${c.criteria.length} criteria met <span class="muted">· generated ${e(c.generatedAt)}</span></p>
<table><tr><th>criterion</th><th>requirement</th><th>measured</th><th>result</th></tr>
${rows}
</table>`;
}

/** The executive summary's body. */
export function summaryBody(s: ExecutiveSummary): string {
  return `<h1>Executive summary — run ${e(s.runId)}</h1>
<p>${s.sentences.map(e).join(' ')}</p>
<div class="figs">${s.figures.map((f) => `<div class="fig"><span class="muted">${e(f.label)}</span><b>${e(f.value)}</b></div>`).join('')}</div>`;
}
