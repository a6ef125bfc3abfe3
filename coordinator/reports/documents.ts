/**
 * The three documents of a run, as data (their JSON form), from the run report and the quality checks:
 *
 *   RunReport (run log) ─┐
 *                        ├─► reconciliation (per table) ─► certificate (pass/fail per criterion) ─► summary
 *   QualityResult ───────┘
 */
import type { RunReport } from '../report.js';
import type { QualityResult, TableQuality } from './quality-checks.js';
import type { SampleComparison } from './sample-compare.js';
import type { TargetDuplicates, TargetOrphans } from './target-keys.js';

/** One table of the reconciliation report. */
export interface ReconciliationTable {
  table: string;
  target: string;
  sourceRows: string;
  targetRows: string;
  rejectedRows: number;
  rejectsByRule: Record<string, number>;
  rejectPercent: number;
  /** `match`: every partition read back equal; `mismatch`: read back and different; `incomplete`: not all done. */
  checksum: 'match' | 'mismatch' | 'incomplete';
  checksumSum: string;
  partitions: number;
  partitionsDone: number;
  /** Field-level match of the sample, in percent; absent when not compared. */
  fieldMatchPercent?: number;
  sample?: SampleComparison;
  duplicates?: TargetDuplicates;
  orphans: TargetOrphans[];
  notes: string[];
  errors: string[];
}

/** The reconciliation report: per table, what the source had, what the target holds, and why they differ. */
export interface Reconciliation {
  runId: string;
  status: string;
  source: string;
  target: string;
  generatedAt: string;
  checkedAt: string;
  sampleRows: number;
  seed: number;
  tables: ReconciliationTable[];
}

export type CriterionId =
  | 'partitions_verified'
  | 'reject_percent'
  | 'no_duplicate_keys'
  | 'no_orphans'
  | 'field_match';

/** One criterion of the certificate, with what was measured. */
export interface Criterion {
  id: CriterionId;
  title: string;
  /** The threshold, as a person reads it. */
  requirement: string;
  /** What was measured, as a person reads it. */
  measured: string;
  passed: boolean;
  /** Tables that fail the criterion, with the reason. */
  failing: string[];
}

/** The data-quality certificate: pass when every criterion passes. */
export interface Certificate {
  runId: string;
  generatedAt: string;
  passed: boolean;
  criteria: Criterion[];
}

/** The executive summary: a few sentences and the key figures. */
export interface ExecutiveSummary {
  runId: string;
  generatedAt: string;
  sentences: string[];
  figures: { label: string; value: string }[];
}

/** All three documents of a run. */
export interface RunDocuments {
  reconciliation: Reconciliation;
  certificate: Certificate;
  summary: ExecutiveSummary;
}

function reconcileTable(t: RunReport['tables'][number], q: TableQuality | undefined): ReconciliationTable {
  const complete = t.done === t.partitions;
  const out: ReconciliationTable = {
    table: t.table,
    target: t.target,
    sourceRows: t.sourceRows,
    targetRows: t.targetRows,
    rejectedRows: t.rejected ?? 0,
    rejectsByRule: t.rejectsByRule ?? {},
    rejectPercent: t.rejectPercent ?? 0,
    checksum: !complete ? 'incomplete' : t.verified ? 'match' : 'mismatch',
    checksumSum: t.written.sum,
    partitions: t.partitions,
    partitionsDone: t.done,
    orphans: q?.orphans ?? [],
    notes: q?.notes ?? ['quality checks not run'],
    errors: q?.errors ?? [],
  };
  if (q?.sample) {
    out.sample = q.sample;
    out.fieldMatchPercent = q.sample.matchPercent;
  }
  if (q?.duplicates) out.duplicates = q.duplicates;
  return out;
}

/** The reconciliation report of a run. */
export function buildReconciliation(report: RunReport, quality: QualityResult): Reconciliation {
  return {
    runId: report.runId,
    status: report.status,
    source: report.source,
    target: report.target,
    generatedAt: new Date().toISOString(),
    checkedAt: quality.checkedAt,
    sampleRows: quality.sampleRows,
    seed: quality.seed,
    tables: report.tables.map((t) =>
      reconcileTable(
        t,
        quality.tables.find((q) => q.table === t.table),
      ),
    ),
  };
}

function pct(n: number): string {
  return `${Number.isInteger(n) ? n : n.toFixed(2)}%`;
}

/**
 * The certificate's criteria. `maxRejectPercent` unset means 0%: a certificate does not pass rejected rows
 * nobody allowed.
 */
export function buildCertificate(r: Reconciliation, maxRejectPercent: number | undefined): Certificate {
  const tables = r.tables;
  const limit = maxRejectPercent ?? 0;
  const unverified = tables.filter((t) => t.checksum !== 'match');
  const partitions = tables.reduce((n, t) => n + t.partitions, 0);
  const done = tables.reduce((n, t) => n + t.partitionsDone, 0);
  const overLimit = tables.filter((t) => t.rejectPercent > limit);
  const worstReject = Math.max(0, ...tables.map((t) => t.rejectPercent));
  const rejected = tables.reduce((n, t) => n + t.rejectedRows, 0);
  const failedCheck = (t: ReconciliationTable, what: string) =>
    t.errors.filter((e) => e.startsWith(what)).map((e) => `${t.table}: ${e}`);
  const dupFailing = tables.flatMap((t) => [
    ...(t.duplicates?.duplicateKeys
      ? [
          `${t.target}: ${t.duplicates.duplicateKeys} key(s) held more than once (${t.duplicates.duplicateRows} extra row(s)), e.g. ${t.duplicates.examples.join(', ')}`,
        ]
      : []),
    ...failedCheck(t, 'duplicate check'),
  ]);
  const dupKeys = tables.reduce((n, t) => n + (t.duplicates?.duplicateKeys ?? 0), 0);
  const dupChecked = tables.filter((t) => t.duplicates).length;
  const orphanFailing = tables.flatMap((t) => [
    ...t.orphans
      .filter((o) => o.orphanRows > 0)
      .map(
        (o) =>
          `${t.target}: ${o.orphanRows} row(s) whose ${o.columns.join(', ')} is not in ${o.references}, e.g. ${o.examples.join(', ')}`,
      ),
    ...failedCheck(t, 'orphan check'),
  ]);
  const orphanRows = tables.reduce((n, t) => n + t.orphans.reduce((m, o) => m + o.orphanRows, 0), 0);
  const fks = tables.reduce((n, t) => n + t.orphans.length, 0);
  let cells = 0;
  let matched = 0;
  for (const t of tables) {
    for (const c of t.sample?.columns ?? []) {
      cells += c.compared;
      matched += c.matched;
    }
  }
  const matchPct = cells === 0 ? 100 : Math.floor((matched / cells) * 10000) / 100;
  const fieldFailing = tables.flatMap((t) => [
    ...(t.sample && t.sample.matchPercent < 100
      ? [
          `${t.table}: ${pct(t.sample.matchPercent)} of sampled values match (${t.sample.columns
            .filter((c) => c.matched < c.compared)
            .map((c) => `${c.column} ${pct(c.matchPercent)}`)
            .join(
              ', ',
            )}${t.sample.missingInTarget ? `; ${t.sample.missingInTarget} sampled key(s) missing` : ''})`,
        ]
      : []),
    ...failedCheck(t, 'field-level comparison'),
  ]);
  const sampledRows = tables.reduce((n, t) => n + (t.sample?.sampled ?? 0), 0);
  const criteria: Criterion[] = [
    {
      id: 'partitions_verified',
      title: 'Every partition verified',
      requirement: 'every partition loaded and its checksum read back equal from the target',
      measured: `${done} of ${partitions} partitions done; ${tables.length - unverified.length} of ${tables.length} tables verified`,
      passed: unverified.length === 0,
      failing: unverified.map(
        (t) => `${t.table}: ${t.checksum} (${t.partitionsDone} of ${t.partitions} partitions done)`,
      ),
    },
    {
      id: 'reject_percent',
      title: 'Rejected rows within the limit',
      requirement: `reject % ≤ max_reject_percent (${maxRejectPercent === undefined ? 'not set: 0%' : pct(limit)}) in every table`,
      measured: `${rejected} rows rejected; highest table ${pct(worstReject)}`,
      passed: overLimit.length === 0,
      failing: overLimit.map((t) => `${t.table}: ${pct(t.rejectPercent)} rejected (${t.rejectedRows} rows)`),
    },
    {
      id: 'no_duplicate_keys',
      title: 'No duplicate keys on the target',
      requirement: "every target table's primary key is held once",
      measured: `${dupKeys} duplicate key(s) in ${dupChecked} table(s) with a primary key`,
      passed: dupFailing.length === 0,
      failing: dupFailing,
    },
    {
      id: 'no_orphans',
      title: 'No orphans on the target',
      requirement: 'every foreign key between migrated tables references an existing row',
      measured: `${orphanRows} orphan row(s) over ${fks} foreign key(s)`,
      passed: orphanFailing.length === 0,
      failing: orphanFailing,
    },
    {
      id: 'field_match',
      title: 'Field-level match 100%',
      requirement: `every value of a random sample (up to ${r.sampleRows} rows per table, seed ${r.seed}) equals the expected value`,
      measured: `${pct(matchPct)} of ${cells} values in ${sampledRows} sampled rows`,
      passed: fieldFailing.length === 0 && matchPct === 100,
      failing: fieldFailing,
    },
  ];
  return {
    runId: r.runId,
    generatedAt: r.generatedAt,
    passed: criteria.every((c) => c.passed),
    criteria,
  };
}

/** The executive summary: what moved, whether it is proven, and what needs attention. */
export function buildSummary(report: RunReport, r: Reconciliation, c: Certificate): ExecutiveSummary {
  const rejected = r.tables.reduce((n, t) => n + t.rejectedRows, 0);
  const failed = c.criteria.filter((x) => !x.passed);
  const sentences = [
    `Run ${report.runId} moved ${report.rows} rows in ${report.tables.length} table(s) from ${report.source} to ${report.target} in ${report.seconds} s; it ended ${report.status}.`,
    report.verified
      ? 'Every partition was read back from the target and its checksum matched what the source should give.'
      : 'Not every partition could be verified by checksum: see the reconciliation report.',
    rejected > 0
      ? `${rejected} source row(s) were rejected by the mapping and business rules; they are in the reject store (\`ferry rejects ${report.runId}\`), not lost.`
      : 'No row was rejected.',
    c.passed
      ? 'The data-quality certificate passes every criterion.'
      : `The data-quality certificate FAILS: ${failed.map((x) => x.title.toLowerCase()).join('; ')}.`,
  ];
  if (!report.consistency.consistent) sentences.push(`Note: ${report.consistency.reason}.`);
  const sampled = r.tables.reduce((n, t) => n + (t.sample?.sampled ?? 0), 0);
  const fieldMatch = c.criteria.find((x) => x.id === 'field_match')?.measured ?? '';
  return {
    runId: report.runId,
    generatedAt: r.generatedAt,
    sentences,
    figures: [
      { label: 'Status', value: report.status },
      { label: 'Tables', value: String(report.tables.length) },
      { label: 'Rows loaded', value: report.rows },
      { label: 'Rows rejected', value: String(rejected) },
      { label: 'Duration', value: `${report.seconds} s` },
      { label: 'Throughput', value: `${report.rowsPerSecond} rows/s` },
      { label: 'Checksum verification', value: report.verified ? 'all partitions equal' : 'NOT verified' },
      { label: 'Sampled rows compared', value: `${sampled} (${fieldMatch})` },
      { label: 'Certificate', value: c.passed ? 'PASS' : `FAIL (${failed.length} criteria)` },
    ],
  };
}

/** Builds the three documents. */
export function buildRunDocuments(
  report: RunReport,
  quality: QualityResult,
  maxRejectPercent: number | undefined = report.maxRejectPercent,
): RunDocuments {
  const reconciliation = buildReconciliation(report, quality);
  const certificate = buildCertificate(reconciliation, maxRejectPercent);
  return { reconciliation, certificate, summary: buildSummary(report, reconciliation, certificate) };
}
