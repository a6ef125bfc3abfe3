import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumsEqual, combineChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import {
  type Checksum,
  describeError,
  FerryError,
  type Plan,
  type SerializedError,
  type TablePlan,
  tableName,
  readBackAsWholeTable,
} from '../core/index.js';
import type { RunInfo, RunSnapshot } from './run-state.js';

/** A table's rejected rows (from its partitions' results) and the rows loaded. */
export interface TableRejects {
  rejected: number;
  byRule: Record<string, number>;
  loaded: bigint;
}

/** The rejected and loaded rows of a table, from the results its partitions recorded in the run log. */
export function tableRejects(t: TablePlan, snapshot: RunSnapshot): TableRejects {
  const out: TableRejects = { rejected: 0, byRule: {}, loaded: 0n };
  for (const p of t.partitions) {
    const s = snapshot.partitions.get(p.id);
    if (s?.status !== 'done' || !s.result) continue;
    out.loaded += BigInt(s.result.written?.rows ?? '0');
    const r = s.result.rejected;
    if (!r) continue;
    out.rejected += r.rows;
    for (const [rule, n] of Object.entries(r.byRule)) out.byRule[rule] = (out.byRule[rule] ?? 0) + n;
  }
  return out;
}

/** The share of a table's source rows that were rejected, in percent (0 when it read none). */
export function rejectPercent(r: TableRejects): number {
  const total = Number(r.loaded) + r.rejected;
  return total === 0 ? 0 : (r.rejected / total) * 100;
}

/** The error that fails a run whose table rejected more than `limit` percent of its rows, or undefined. */
export function rejectLimitError(
  t: TablePlan,
  r: TableRejects,
  limit: number,
  runId: string,
): FerryError | undefined {
  const pct = rejectPercent(r);
  if (pct <= limit) return undefined;
  const name = tableName(t.source);
  const rules = Object.entries(r.byRule)
    .sort((a, b) => b[1] - a[1])
    .map(([rule, n]) => `${rule} ${n}`)
    .join(', ');
  return new FerryError(
    'DATA',
    `${name}: ${r.rejected} of ${Number(r.loaded) + r.rejected} source rows were rejected (${formatPercent(pct)}), above max_reject_percent ${limit}% (${rules})`,
    {
      run: runId,
      table: name,
      hint: `list them with \`ferry rejects ${runId} --table ${name}\`; fix the data or the mapping, or raise max_reject_percent and \`ferry resume ${runId}\``,
    },
  );
}

function formatPercent(p: number): string {
  return `${p < 0.01 && p > 0 ? p.toPrecision(2) : p.toFixed(2)}%`;
}

export interface TableReport {
  table: string;
  /** What the plan could not carry over (e.g. a foreign key to a table outside the migration). */
  warnings?: string[];
  target: string;
  partitions: number;
  partitioning: string;
  done: number;
  failed: number;
  sourceRows: string;
  targetRows: string;
  written: Checksum;
  readBack: Checksum;
  /** True when every partition was read back from the target and matched what was written. */
  verified: boolean;
  bytes: number;
  /** Rows the table's transform rejected (in the reject store), per rule; only for tables with a transform. */
  rejected?: number;
  rejectsByRule?: Record<string, number>;
  /** Rejected share of the source rows, in percent. */
  rejectPercent?: number;
  /** How the rows were verified: by partition range read-back, or the whole target table at once. */
  verifiedBy?: 'range' | 'table';
}

export interface RunReport {
  runId: string;
  status: string;
  source: string;
  target: string;
  mode: string;
  planHash: string;
  startedAt?: string;
  finishedAt: string;
  /** Wall time of the last invocation, in seconds. */
  seconds: number;
  rows: string;
  bytes: number;
  rowsPerSecond: number;
  mbPerSecond: number;
  verified: boolean;
  /** Whether every partition was read from one consistent point in time of the source, and why not. */
  consistency: { consistent: boolean; reason: string; position?: string };
  tables: TableReport[];
  failures: { partition: string; table: string; attempt: number; error: SerializedError; message: string }[];
  /** The `max_reject_percent` the run was held to, when set. */
  maxRejectPercent?: number;
}

/** Options of `buildReport`. */
export interface ReportOptions {
  /** The run's `max_reject_percent`: a table above it is listed among the failures. */
  maxRejectPercent?: number;
}

/** Builds the report of a run from its plan and its folded event log. */
export function buildReport(
  plan: Plan,
  info: RunInfo,
  snapshot: RunSnapshot,
  seconds: number,
  options: ReportOptions = {},
): RunReport {
  const tables: TableReport[] = [];
  const failures: RunReport['failures'] = [];
  let rows = 0n;
  let bytes = 0;
  for (const t of plan.tables) {
    let written = ZERO_CHECKSUM;
    let readBack = ZERO_CHECKSUM;
    let done = 0;
    let failed = 0;
    let verified = true;
    let tBytes = 0;
    for (const p of t.partitions) {
      const s = snapshot.partitions.get(p.id);
      const r = s?.result;
      if (s?.status === 'done') done++;
      if (s?.status === 'failed') failed++;
      if (r?.written) written = combineChecksums(written, r.written);
      if (r?.readBack) readBack = combineChecksums(readBack, r.readBack);
      if (
        !(s?.status === 'done' && r?.verified === true) &&
        !(s?.status === 'done' && r?.status === 'skipped')
      )
        verified = false;
      tBytes += r?.bytes ?? 0;
      if (s?.status === 'failed' && r?.error) {
        failures.push({
          partition: p.id,
          table: p.table,
          attempt: r.attempt,
          error: r.error,
          message: describeError(r.error),
        });
      }
    }
    rows += BigInt(written.rows);
    bytes += tBytes;
    const whole = readBackAsWholeTable(t);
    const table: TableReport = {
      table: tableName(t.source),
      target: tableName(t.target),
      partitions: t.partitions.length,
      partitioning: `${t.partitioning.strategy}: ${t.partitioning.reason}`,
      done,
      failed,
      sourceRows: written.rows,
      targetRows: whole
        ? (snapshot.tablesVerified.get(tableName(t.source))?.actual.rows ?? '0')
        : readBack.rows,
      written,
      readBack,
      verified: whole
        ? done === t.partitions.length && snapshot.tablesVerified.get(tableName(t.source))?.ok === true
        : verified && checksumsEqual(written, readBack),
      bytes: tBytes,
    };
    if (t.transform) {
      const r = tableRejects(t, snapshot);
      // Source rows = loaded + rejected: a rejected row was read but, by design, not loaded.
      table.sourceRows = (BigInt(written.rows) + BigInt(r.rejected)).toString();
      table.rejected = r.rejected;
      table.rejectsByRule = r.byRule;
      table.rejectPercent = Math.round(rejectPercent(r) * 1000) / 1000;
      table.verifiedBy = whole ? 'table' : 'range';
      const over =
        options.maxRejectPercent !== undefined
          ? rejectLimitError(t, r, options.maxRejectPercent, info.runId)
          : undefined;
      if (over && done === t.partitions.length)
        failures.push({
          partition: table.table,
          table: table.table,
          attempt: 0,
          error: over.toJSON(),
          message: describeError(over.toJSON()),
        });
    }
    if (t.warnings?.length) table.warnings = t.warnings;
    tables.push(table);
  }
  // Steps outside any partition (foreign keys added at the end) that failed.
  const planned = new Set(plan.tables.flatMap((t) => t.partitions.map((p) => p.id)));
  for (const [id, s] of snapshot.partitions) {
    if (planned.has(id) || s.status !== 'failed' || !s.result?.error) continue;
    failures.push({ partition: id, table: s.result.table, attempt: s.result.attempt, error: s.result.error, message: describeError(s.result.error) });
  }
  const secs = Math.max(seconds, 1e-3);
  const report: RunReport = {
    runId: info.runId,
    status: snapshot.status,
    source: info.source,
    target: info.target,
    mode: info.mode,
    planHash: plan.hash,
    startedAt: info.startedAt,
    finishedAt: new Date().toISOString(),
    seconds: Math.round(seconds * 100) / 100,
    rows: rows.toString(),
    bytes,
    rowsPerSecond: Math.round(Number(rows) / secs),
    mbPerSecond: Math.round((bytes / 1e6 / secs) * 10) / 10,
    verified: tables.every((t) => t.verified),
    consistency: consistencyOf(snapshot),
    tables,
    failures,
    ...(options.maxRejectPercent !== undefined ? { maxRejectPercent: options.maxRejectPercent } : {}),
  };
  return report;
}

function consistencyOf(snapshot: RunSnapshot): RunReport['consistency'] {
  const s = snapshot.snapshots;
  if (s.length === 0) {
    return {
      consistent: false,
      reason: 'the source has no shared snapshot: each partition read the data as it was when read',
    };
  }
  if (s.length > 1) {
    return {
      consistent: false,
      reason: `resumed ${s.length - 1} time(s): partitions read ${s.length} different snapshots of the source`,
    };
  }
  const only = s[0]!;
  if (!only.consistent)
    return {
      consistent: false,
      reason:
        'per-partition snapshots: each partition is consistent in itself, the run is not one point in time',
    };
  return {
    consistent: true,
    reason: `one snapshot (${only.id}) shared by every reader`,
    ...(only.position ? { position: only.position } : {}),
  };
}

/** The report as Markdown for a person. */
export function reportMarkdown(r: RunReport): string {
  const lines = [
    `# ferry run ${r.runId}`,
    '',
    `- **Status:** ${r.status}${r.verified ? ' — verified' : ' — NOT verified'}`,
    `- **Source:** \`${r.source}\``,
    `- **Target:** \`${r.target}\` (mode ${r.mode})`,
    `- **Rows:** ${r.rows} in ${r.seconds} s (${r.rowsPerSecond.toLocaleString('en-US')} rows/s, ${r.mbPerSecond} MB/s)`,
    `- **Plan:** \`${r.planHash.slice(0, 16)}\``,
    `- **Consistency:** ${r.consistency.consistent ? 'one point in time' : 'NOT one point in time'} — ${r.consistency.reason}`,
    '',
    '## Tables',
    '',
    '| table | target | partitions | done | failed | source rows | target rows | checksum | verified |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
    ...r.tables.map(
      (t) =>
        `| ${t.table} | ${t.target} | ${t.partitions} | ${t.done} | ${t.failed} | ${t.sourceRows} | ${t.targetRows} | \`${t.written.sum.slice(0, 12)}…\` | ${t.verified ? 'verified' : 'NOT verified'} |`,
    ),
    '',
    'Partitioning: ' + r.tables.map((t) => `${t.table} (${t.partitioning})`).join('; '),
    '',
  ];
  const mapped = r.tables.filter((t) => t.rejected !== undefined);
  if (mapped.length) {
    lines.push(
      '## Rejected rows',
      '',
      `Rows the mapping or a business rule rejected are in the reject store (\`ferry rejects ${r.runId}\`), never loaded and never dropped.` +
        (r.maxRejectPercent !== undefined ? ` Limit: ${r.maxRejectPercent}% of a table's source rows.` : ''),
      '',
      '| table | rule | rejected rows |',
      '|---|---|---:|',
    );
    for (const t of mapped) {
      lines.push(`| ${t.table} | **all rules** | **${t.rejected}** (${t.rejectPercent}%) |`);
      for (const [rule, n] of Object.entries(t.rejectsByRule ?? {}).sort((a, b) => b[1] - a[1]))
        lines.push(`| ${t.table} | ${rule} | ${n} |`);
    }
    lines.push('');
    const whole = mapped.filter((t) => t.verifiedBy === 'table').map((t) => t.table);
    if (whole.length)
      lines.push(
        `Verified as whole tables (read back in one scan once loaded: their key is not copied unchanged, or the target builds its indexes after the load): ${whole.join(', ')}.`,
        '',
      );
  }
  const warnings = r.tables.flatMap((t) => (t.warnings ?? []).map((w) => `- ${t.table}: ${w}`));
  if (warnings.length) lines.push('## Warnings', '', ...warnings, '');
  if (r.failures.length) {
    lines.push(
      '## Failures',
      '',
      ...r.failures.map((f) =>
        f.attempt === 0
          ? `- ${f.message}`
          : `- partition ${f.partition} (attempt ${f.attempt}): ${f.message}`,
      ),
      '',
    );
    lines.push(
      `Fix the cause, then run \`ferry resume ${r.runId}\`: finished partitions are not loaded again.`,
      '',
    );
  }
  return lines.join('\n');
}

/** Writes `RUN_ID.md` and `RUN_ID.json` into `dir`; returns their paths. */
export function writeReport(r: RunReport, dir: string): { markdown: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = join(dir, `${r.runId}.md`);
  const json = join(dir, `${r.runId}.json`);
  writeFileSync(markdown, reportMarkdown(r));
  writeFileSync(json, JSON.stringify(r, null, 2));
  return { markdown, json };
}
