import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumsEqual, combineChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import { type Checksum, describeError, type Plan, type SerializedError, tableName } from '../core/index.js';
import type { RunInfo, RunSnapshot } from './run-state.js';

export interface TableReport {
  table: string;
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
}

/** Builds the report of a run from its plan and its folded event log. */
export function buildReport(plan: Plan, info: RunInfo, snapshot: RunSnapshot, seconds: number): RunReport {
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
    tables.push({
      table: tableName(t.source),
      target: tableName(t.target),
      partitions: t.partitions.length,
      partitioning: `${t.partitioning.strategy}: ${t.partitioning.reason}`,
      done,
      failed,
      sourceRows: written.rows,
      targetRows:
        t.partitioning.strategy === 'ctid' ? (snapshot.tablesVerified.get(tableName(t.source))?.actual.rows ?? '0') : readBack.rows,
      written,
      readBack,
      verified:
        t.partitioning.strategy === 'ctid'
          ? done === t.partitions.length && snapshot.tablesVerified.get(tableName(t.source))?.ok === true
          : verified && checksumsEqual(written, readBack),
      bytes: tBytes,
    });
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
  };
  return report;
}

function consistencyOf(snapshot: RunSnapshot): RunReport['consistency'] {
  const s = snapshot.snapshots;
  if (s.length === 0) {
    return { consistent: false, reason: 'the source has no shared snapshot: each partition read the data as it was when read' };
  }
  if (s.length > 1) {
    return { consistent: false, reason: `resumed ${s.length - 1} time(s): partitions read ${s.length} different snapshots of the source` };
  }
  const only = s[0]!;
  if (!only.consistent) return { consistent: false, reason: 'per-partition snapshots: each partition is consistent in itself, the run is not one point in time' };
  return { consistent: true, reason: `one snapshot (${only.id}) shared by every reader`, ...(only.position ? { position: only.position } : {}) };
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
  if (r.failures.length) {
    lines.push(
      '## Failures',
      '',
      ...r.failures.map((f) => `- partition ${f.partition} (attempt ${f.attempt}): ${f.message}`),
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
