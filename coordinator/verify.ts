/**
 * Independent verification of any source against any target:
 *
 *   for each planned partition (in parallel):  checksum(source.read(range)) vs checksum(target.read(range))
 *   on a mismatch: keyed row digests of both sides ─► the differing keys
 *
 * Checksums are computed by the caller's `checksumOf` (the CLI passes the thread pool), so verification of
 * a large table uses every core.
 */
import type { RecordBatch } from 'apache-arrow';
import {
  type CompareRules,
  checksumsEqual,
  combineChecksums,
  diffKeyedDigests,
  ZERO_CHECKSUM,
} from '../checksums/index.js';
import {
  type Checksum,
  type Plan,
  type Source,
  tableName,
  targetRange,
  toFerryError,
  type SerializedError,
} from '../core/index.js';
import { renameColumns } from '../formats/index.js';

export interface VerifyRequest {
  plan: Plan;
  source: Source;
  /** A reader of the target (Target.reader()). */
  target: Source;
  checksumOf(batches: AsyncIterable<RecordBatch>, rules?: CompareRules): Promise<Checksum>;
  concurrency: number;
  /** Per-table compare rules keyed by target column. */
  rules?: Record<string, CompareRules>;
  /** Most differing keys reported per partition (default 20). */
  maxKeys?: number;
  signal?: AbortSignal;
}

export interface PartitionVerification {
  partitionId: string;
  table: string;
  source: Checksum;
  target: Checksum;
  equal: boolean;
  missing?: string[];
  extra?: string[];
  changed?: string[];
  truncated?: boolean;
  error?: SerializedError;
}

export interface TableVerification {
  table: string;
  target: string;
  source: Checksum;
  targetChecksum: Checksum;
  equal: boolean;
  partitions: number;
  mismatched: number;
}

export interface VerifyOutcome {
  ok: boolean;
  tables: TableVerification[];
  partitions: PartitionVerification[];
}

async function* renamed(batches: AsyncIterable<RecordBatch>, names: string[]): AsyncIterable<RecordBatch> {
  for await (const b of batches) yield renameColumns(b, names);
}

/** Compares every partition of the plan between source and target; lists differing keys on mismatch. */
export async function verifyPlan(req: VerifyRequest): Promise<VerifyOutcome> {
  const jobs = req.plan.tables.flatMap((t) => t.partitions.map((p) => ({ t, p })));
  const out: PartitionVerification[] = new Array(jobs.length);
  const batchRows = req.plan.options.batchRows;
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const { t, p } = jobs[i]!;
      const names = t.columns.map((c) => c.target);
      const rules = req.rules?.[tableName(t.target)];
      const readSource = () =>
        renamed(
          req.source.read(t.source, p.range, {
            batchRows,
            columns: t.columns.map((c) => c.source),
            signal: req.signal,
          }),
          names,
        );
      const range = targetRange(t, p.range);
      const readTarget = () =>
        req.target.read(t.target, range, { batchRows, columns: names, signal: req.signal });
      try {
        const [source, target] = await Promise.all([
          req.checksumOf(readSource(), rules),
          req.checksumOf(readTarget(), rules),
        ]);
        const v: PartitionVerification = {
          partitionId: p.id,
          table: p.table,
          source,
          target,
          equal: checksumsEqual(source, target),
        };
        if (!v.equal) {
          const diff = await diffKeyedDigests(readSource(), readTarget(), range.columns, {
            rules,
            maxKeys: req.maxKeys ?? 20,
          });
          Object.assign(v, diff);
        }
        out[i] = v;
      } catch (e) {
        const err = toFerryError(e, 'INTERNAL', { table: p.table, partition: p.id });
        out[i] = {
          partitionId: p.id,
          table: p.table,
          source: ZERO_CHECKSUM,
          target: ZERO_CHECKSUM,
          equal: false,
          error: err.toJSON(),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, req.concurrency) }, worker));
  const tables = req.plan.tables.map((t): TableVerification => {
    const parts = out.filter((v) => v.table === tableName(t.source));
    const source = parts.reduce((a, v) => combineChecksums(a, v.source), ZERO_CHECKSUM);
    const targetChecksum = parts.reduce((a, v) => combineChecksums(a, v.target), ZERO_CHECKSUM);
    const mismatched = parts.filter((v) => !v.equal).length;
    return {
      table: tableName(t.source),
      target: tableName(t.target),
      source,
      targetChecksum,
      equal: mismatched === 0 && checksumsEqual(source, targetChecksum),
      partitions: parts.length,
      mismatched,
    };
  });
  return { ok: tables.every((t) => t.equal), tables, partitions: out };
}
