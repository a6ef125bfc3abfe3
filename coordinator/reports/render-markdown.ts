import type { Certificate, ExecutiveSummary, Reconciliation } from './documents.js';

/** Escapes a value for a Markdown table cell. */
function cell(v: string): string {
  return v.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function shown(v: string | null): string {
  return v === null ? 'NULL' : `\`${cell(v)}\``;
}

/** The reconciliation report as Markdown. */
export function reconciliationMarkdown(r: Reconciliation): string {
  const lines = [
    `# Reconciliation — run ${r.runId}`,
    '',
    `Source \`${r.source}\` → target \`${r.target}\`; run ${r.status}. Checks on the target at ${r.checkedAt}; field-level sample of up to ${r.sampleRows} rows per table (seed ${r.seed}).`,
    '',
    '| table | target | source rows | target rows | rejected | checksum | field match | duplicate keys | orphan rows |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const t of r.tables) {
    const orphans = t.orphans.reduce((n, o) => n + o.orphanRows, 0);
    lines.push(
      `| ${cell(t.table)} | ${cell(t.target)} | ${t.sourceRows} | ${t.targetRows} | ${t.rejectedRows} | ${t.checksum} | ${t.fieldMatchPercent === undefined ? '—' : `${t.fieldMatchPercent}%`} | ${t.duplicates ? t.duplicates.duplicateKeys : '—'} | ${t.orphans.length ? orphans : '—'} |`,
    );
  }
  lines.push('');
  for (const t of r.tables) {
    lines.push(`## ${t.table} → ${t.target}`, '');
    lines.push(
      `- Checksum: ${t.checksum} (\`${t.checksumSum.slice(0, 16)}…\`), ${t.partitionsDone} of ${t.partitions} partitions done`,
    );
    const rules = Object.entries(t.rejectsByRule).sort((a, b) => b[1] - a[1]);
    lines.push(
      `- Rejected: ${t.rejectedRows} (${t.rejectPercent}%)${rules.length ? ` — ${rules.map(([k, n]) => `${k} ${n}`).join(', ')}` : ''}`,
    );
    if (t.duplicates)
      lines.push(
        `- Duplicates on (${t.duplicates.keyColumns.join(', ')}): ${t.duplicates.duplicateKeys} key(s), ${t.duplicates.duplicateRows} extra row(s)${t.duplicates.examples.length ? ` — e.g. ${t.duplicates.examples.join(', ')}` : ''}`,
      );
    for (const o of t.orphans)
      lines.push(
        `- Orphans of ${o.foreignKey} (${o.columns.join(', ')}) → ${o.references}: ${o.orphanRows} row(s), ${o.orphanKeys} key(s)${o.examples.length ? ` — e.g. ${o.examples.join(', ')}` : ''}`,
      );
    const s = t.sample;
    if (s) {
      lines.push(
        `- Field-level sample: ${s.sampled} of ${s.requested} rows requested, matched by (${s.keyColumns.join(', ')}); ${s.matchPercent}% of values match${s.missingInTarget ? `; ${s.missingInTarget} sampled key(s) missing in the target (e.g. ${s.missingExamples.join(', ')})` : ''}`,
        '',
        '| column | compared | matched | match % |',
        '|---|---:|---:|---:|',
        ...s.columns.map(
          (c) =>
            `| ${cell(c.column)}${c.masked ? ' (PII)' : ''} | ${c.compared} | ${c.matched} | ${c.matchPercent}% |`,
        ),
      );
      if (s.differences.length)
        lines.push(
          '',
          'First differing values:',
          '',
          '| key | column | expected | target |',
          '|---|---|---|---|',
          ...s.differences.map(
            (d) =>
              `| ${cell(d.key)} | ${cell(d.column)}${d.masked ? ' (masked)' : ''} | ${shown(d.expected)} | ${shown(d.actual)} |`,
          ),
        );
    }
    for (const n of t.notes) lines.push(`- Note: ${n}`);
    for (const e of t.errors) lines.push(`- **Error:** ${e}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The data-quality certificate as Markdown (one page). */
export function certificateMarkdown(c: Certificate): string {
  const lines = [
    `# Data-quality certificate — run ${c.runId}`,
    '',
    `**Result: ${c.passed ? 'PASS' : 'FAIL'}** (${c.criteria.filter((x) => x.passed).length} of ${c.criteria.length} criteria met; generated ${c.generatedAt})`,
    '',
    '| criterion | requirement | measured | result |',
    '|---|---|---|---|',
    ...c.criteria.map(
      (x) =>
        `| ${cell(x.title)} | ${cell(x.requirement)} | ${cell(x.measured)} | ${x.passed ? 'PASS' : '**FAIL**'} |`,
    ),
    '',
  ];
  const failing = c.criteria.filter((x) => !x.passed);
  if (failing.length) {
    lines.push('## Failing criteria', '');
    for (const x of failing) {
      lines.push(`- **${x.title}** (\`${x.id}\`): ${x.measured}`);
      for (const f of x.failing) lines.push(`  - ${f}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** The executive summary as Markdown. */
export function summaryMarkdown(s: ExecutiveSummary): string {
  return [
    `# Executive summary — run ${s.runId}`,
    '',
    s.sentences.join(' '),
    '',
    '| | |',
    '|---|---|',
    ...s.figures.map((f) => `| ${cell(f.label)} | ${cell(f.value)} |`),
    '',
  ].join('\n');
}
