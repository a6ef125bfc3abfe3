import { formatBytes } from '../../core/index.js';
import {
  formatPercent,
  type ColumnProfile,
  type ProfileReport,
  type TableProfile,
} from '../../profiling/index.js';

/** The profile report as Markdown: findings first, then the inventory, PII, and each table's columns. */

const fmt = (n: number) => n.toLocaleString('en-US');
/** `1 error`, `2 errors`. */
export const plural = (n: number, word: string) => `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;

/** Escapes a value for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, 'ˋ')}\``;
}

const SEVERITY_MARK = { error: '🟥 error', warning: '🟧 warning', info: '🟦 info' } as const;

function findingsSection(r: ProfileReport): string[] {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of r.findings) counts[f.severity]++;
  const lines = [
    '## Findings',
    '',
    `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.info, 'note')}.`,
    '',
  ];
  if (r.findings.length === 0) return [...lines, 'Nothing found.', ''];
  lines.push('| Severity | Where | Finding |', '|---|---|---|');
  for (const f of r.findings) {
    const where = f.column ? `${f.table}.${f.column}` : f.table;
    lines.push(`| ${SEVERITY_MARK[f.severity]} | ${code(where)} | ${cell(f.message)} |`);
  }
  return [...lines, ''];
}

function inventorySection(r: ProfileReport): string[] {
  const inv = r.inventory;
  const lines = [
    '## Inventory',
    '',
    '| Table | Rows | Read | Columns | Primary key | Foreign keys | Partitions |',
    '|---|---:|---:|---:|---|---|---:|',
  ];
  for (const t of inv.tables) {
    const fks = inv.foreignKeys
      .filter((e) => e.from === t.name)
      .map(
        (e) =>
          `${e.columns.join(', ')} → ${e.to}(${e.referencedColumns.join(', ')})${e.origin === 'configured' ? ' (configured)' : ''}`,
      )
      .join('; ');
    const name = t.keysOnly ? `${t.name} (keys only)` : t.name;
    lines.push(
      `| ${code(name)} | ${fmt(t.rows)} | ${formatBytes(t.bytesRead)} | ${t.columns.length} | ${cell(t.primaryKey.join(', ') || '—')} | ${cell(fks || '—')} | ${t.partitions} |`,
    );
  }
  lines.push(
    '',
    `**Load order** (parents first): ${inv.loadOrder.map((t) => code(t)).join(' → ') || '—'}`,
    '',
  );
  if (inv.cycles.length)
    lines.push(`**Foreign-key cycles:** ${inv.cycles.map((c) => c.join(' → ')).join('; ')}`, '');
  if (inv.selfReferences.length) lines.push(`**Self-references:** ${inv.selfReferences.join(', ')}`, '');
  if (inv.withoutPrimaryKey.length)
    lines.push(`**Without a primary key:** ${inv.withoutPrimaryKey.join(', ')}`, '');
  return lines;
}

function piiSection(r: ProfileReport): string[] {
  if (r.pii.length === 0) return ['## Personal data', '', 'No column looks like personal data.', ''];
  const lines = [
    '## Personal data',
    '',
    r.options.showPii
      ? 'Values of these columns are shown unmasked (`--show-pii`).'
      : 'Values of these columns are masked in this report (first character of each word kept); `--show-pii` shows them.',
    '',
    '| Column | Category | Confidence | Why |',
    '|---|---|---|---|',
  ];
  for (const p of r.pii) {
    lines.push(
      `| ${code(`${p.table}.${p.column}`)} | ${p.category.replace('_', ' ')} | ${p.confidence} | ${cell(p.reasons.join('; '))} |`,
    );
  }
  return [...lines, ''];
}

function distinctText(c: ColumnProfile): string {
  return c.distinct.exact ? fmt(c.distinct.count) : `≈${fmt(c.distinct.count)}`;
}

function columnRow(c: ColumnProfile): string {
  const top =
    c.topValues.length && (c.topValues[0]!.count > 1 || c.distinct.count <= 10)
      ? c.topValues
          .slice(0, 5)
          .map((v) => `${code(v.value)} ${v.error ? '≥' : ''}${fmt(v.count)}`)
          .join(', ')
      : '';
  const notes: string[] = [];
  if (c.lengths) notes.push(`length ${c.lengths.min}–${c.lengths.max} (mean ${c.lengths.mean})`);
  if (c.quantiles) notes.push(`median ${c.quantiles.median}${c.quantiles.exact ? '' : ' (≈)'}`);
  const patterns = (c.patterns ?? [])
    .filter((p) => p.percent >= 5)
    .map((p) => `${p.label} ${formatPercent(p.percent)}`);
  if (patterns.length) notes.push(patterns.join(', '));
  if (c.pii) notes.push(`PII: ${c.pii.category.replace('_', ' ')}`);
  const name = `${c.name}${c.required ? ' *' : ''}`;
  return `| ${code(name)} | ${cell(c.nativeType)} | ${formatPercent(c.nullPercent)} | ${distinctText(c)} | ${c.min !== undefined ? code(c.min) : ''} | ${c.max !== undefined ? code(c.max) : ''} | ${top} | ${cell(notes.join('; '))} |`;
}

function tableSection(t: TableProfile): string[] {
  const lines = [
    `### ${t.name}`,
    '',
    `${plural(t.rows, 'row')} in ${plural(t.partitions, 'partition')}, ${formatBytes(t.bytesRead)} read.`,
    '',
  ];
  if (t.keys.length) {
    lines.push(
      '| Key | Kind | Distinct | NULL rows | Duplicate rows | Examples |',
      '|---|---|---:|---:|---:|---|',
    );
    for (const k of t.keys) {
      lines.push(
        `| ${code(k.columns.join(', '))} | ${k.kind} | ${fmt(k.distinct)} | ${fmt(k.nullRows)} | ${fmt(k.duplicateRows)} | ${k.examples.map(code).join(', ')} |`,
      );
    }
    lines.push('');
  }
  if (t.foreignKeys.length) {
    lines.push(
      '| Foreign key | References | Checked | Orphan rows | Orphan keys | Examples |',
      '|---|---|---|---:|---:|---|',
    );
    for (const f of t.foreignKeys) {
      lines.push(
        `| ${code(f.columns.join(', '))} | ${code(`${f.references}(${f.referencedColumns.join(', ')})`)} | ${f.mode}${f.reason ? `: ${cell(f.reason)}` : ''} | ${fmt(f.orphanRows)} | ${fmt(f.orphanKeys)} | ${f.examples.map(code).join(', ')} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '| Column | Type | NULL | Distinct | Min | Max | Top values | Notes |',
    '|---|---|---:|---:|---|---|---|---|',
  );
  for (const c of t.columns) lines.push(columnRow(c));
  lines.push('', '`*` required (declared NOT NULL or configured). `≈` estimated.', '');
  return lines;
}

export function profileMarkdown(r: ProfileReport): string {
  const rows = r.tables.reduce((sum, t) => sum + t.rows, 0);
  const lines = [
    `# Data profile: ${r.name}`,
    '',
    `- **Source:** \`${r.source}\``,
    `- **Profiled:** ${r.createdAt} in ${r.durationSeconds} s — ${r.tables.length} tables, ${fmt(rows)} rows`,
    `- **Consistency:** ${r.consistency.consistent ? 'one point in time' : 'not one point in time'} — ${r.consistency.reason}`,
    '',
    ...findingsSection(r),
    ...inventorySection(r),
    ...piiSection(r),
    '## Tables',
    '',
    ...r.tables.flatMap(tableSection),
  ];
  return `${lines.join('\n')}\n`;
}
