/**
 * Independent verification of any source against any target:
 *
 *   for each planned partition (in parallel):  checksum(source.read(range)) vs checksum(target.read(range))
 *   on a mismatch: keyed row digests of both sides ─► the differing keys
 *
 * A table with a transform is compared with what the target should contain: the source rows after the
 * mapping, minus the rows its rules reject. A table whose key does not reach the target unchanged (or split
 * by a source-only row id) is compared as a whole: the sum of its partitions' checksums against one checksum
 * of the whole target table.
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
  type KeyRange,
  type Partition,
  type Plan,
  rangeChecksum,
  type Secret,
  type SerializedError,
  type Source,
  type TablePlan,
  tableName,
  targetRange,
  toFerryError,
  verifiedAsWholeTable,
} from '../core/index.js';
import { renameColumns } from '../formats/index.js';
import {
  type CompiledTransform,
  compileTransform,
  loadParentKeys,
  type TableTransform,
  transformBatches,
} from '../transform/index.js';

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
  /** The salt of `mask: hash`, for tables whose transform masks by hashing. */
  transformSalt?: Secret;
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
  /** Source rows the table's transform rejects (not expected in the target). */
  rejected?: number;
  /** `table`: this partition's source checksum is compared as part of the whole table (`target` unused). */
  comparedAs?: 'table';
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
  /** Source rows the transform rejects, left out of the comparison; only for tables with a transform. */
  rejected?: number;
  /** How the table was compared: per partition range, or as a whole table. */
  comparedBy: 'range' | 'table';
  error?: SerializedError;
}

export interface VerifyOutcome {
  ok: boolean;
  tables: TableVerification[];
  partitions: PartitionVerification[];
}

async function* renamed(batches: AsyncIterable<RecordBatch>, names: string[]): AsyncIterable<RecordBatch> {
  for await (const b of batches) yield renameColumns(b, names);
}

/** Compiles each table's transform once, with the parent keys its references rules need. */
function transformCompiler(req: ExpectedRowsRequest): (t: TablePlan) => Promise<CompiledTransform> {
  const cache = new Map<TablePlan, Promise<CompiledTransform>>();
  return (t) => {
    let c = cache.get(t);
    if (!c) {
      const transform = t.transform as TableTransform;
      c = (async () => {
        const parentKeys = await loadParentKeys(req.source, transform, {
          batchRows: req.plan.options.batchRows,
          ...(req.signal ? { signal: req.signal } : {}),
        });
        const salt = req.transformSalt?.reveal();
        return compileTransform(transform, t.source.columns, salt === undefined ? {} : { salt }, {
          parentKeys,
        });
      })();
      cache.set(t, c);
    }
    return c;
  };
}

/** What {@link expectedTargetRows} needs: the plan, the source, and the salt of `mask: hash`. */
export type ExpectedRowsRequest = Pick<VerifyRequest, 'plan' | 'source' | 'transformSalt' | 'signal'>;

/**
 * What the target should hold for one source key range, as batches in target column names: the source rows
 * renamed, or (for a table with a transform) after the mapping, minus the rows its rules reject (counted into
 * `counted`). Each table's transform is compiled once per returned function. Used by `verifyPlan` and by the
 * field-level comparison of the reports, so both compare against the same expected rows.
 */
export function expectedTargetRows(
  req: ExpectedRowsRequest,
): (
  t: TablePlan,
  p: Pick<Partition, 'id' | 'table' | 'range'>,
  counted?: { rows: number },
) => Promise<AsyncIterable<RecordBatch>> {
  const compiled = transformCompiler(req);
  const batchRows = req.plan.options.batchRows;
  return async (t, p, counted) => {
    if (!t.transform)
      return renamed(
        req.source.read(t.source, p.range, {
          batchRows,
          columns: t.columns.map((c) => c.source),
          signal: req.signal,
        }),
        t.columns.map((c) => c.target),
      );
    const names = new Set(t.source.columns.map((c) => c.name));
    return transformBatches(
      await compiled(t),
      req.source.read(t.source, p.range, {
        batchRows,
        columns: t.source.columns.map((c) => c.name),
        signal: req.signal,
      }),
      { table: p.table, partition: p.id, keyColumns: t.keyColumns.filter((k) => names.has(k)) },
      (rejects) => {
        if (counted) counted.rows += rejects.length;
      },
    );
  };
}

/** Compares every partition of the plan between source and target; lists differing keys on mismatch. */
export async function verifyPlan(req: VerifyRequest): Promise<VerifyOutcome> {
  const partitionJobs = req.plan.tables.flatMap((t) => t.partitions.map((p) => ({ t, p })));
  const wholeTables = req.plan.tables.filter(verifiedAsWholeTable);
  const out: PartitionVerification[] = new Array(partitionJobs.length);
  const wholeTarget = new Map<TablePlan, { checksum: Checksum; error?: SerializedError }>();
  const batchRows = req.plan.options.batchRows;
  const targetNames = (t: TablePlan) =>
    t.transform ? t.target.columns.map((c) => c.name) : t.columns.map((c) => c.target);
  const sourceRows = expectedTargetRows(req);

  /** What the target holds in a range: hashed from its wire format where the comparison is exact. */
  const targetChecksum = (t: TablePlan, range: KeyRange, rules: CompareRules | undefined) => {
    const options = { batchRows, columns: targetNames(t), signal: req.signal };
    if (rules) return req.checksumOf(req.target.read(t.target, range, options), rules);
    return rangeChecksum(req.target, t.target, range, options, (batches) => req.checksumOf(batches));
  };

  const verifyPartition = async (i: number) => {
    const { t, p } = partitionJobs[i]!;
    const rules = req.rules?.[tableName(t.target)];
    const counted = { rows: 0 };
    const withRejects = (v: PartitionVerification) => (t.transform ? { ...v, rejected: counted.rows } : v);
    try {
      if (verifiedAsWholeTable(t)) {
        const source = await req.checksumOf(await sourceRows(t, p, counted), rules);
        out[i] = withRejects({
          partitionId: p.id,
          table: p.table,
          source,
          target: ZERO_CHECKSUM,
          equal: true,
          comparedAs: 'table',
        });
        return;
      }
      const range = targetRange(t, p.range);
      const readTarget = () =>
        req.target.read(t.target, range, { batchRows, columns: targetNames(t), signal: req.signal });
      const [source, target] = await Promise.all([
        req.checksumOf(await sourceRows(t, p, counted), rules),
        targetChecksum(t, range, rules),
      ]);
      const v: PartitionVerification = withRejects({
        partitionId: p.id,
        table: p.table,
        source,
        target,
        equal: checksumsEqual(source, target),
      });
      if (!v.equal) {
        const diff = await diffKeyedDigests(await sourceRows(t, p), readTarget(), range.columns, {
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
  };

  const verifyWholeTarget = async (t: TablePlan) => {
    try {
      const checksum = await targetChecksum(
        t,
        { columns: [], whole: true },
        req.rules?.[tableName(t.target)],
      );
      wholeTarget.set(t, { checksum });
    } catch (e) {
      const err = toFerryError(e, 'INTERNAL', { table: tableName(t.source) });
      wholeTarget.set(t, { checksum: ZERO_CHECKSUM, error: err.toJSON() });
    }
  };

  const jobs: (() => Promise<void>)[] = [
    ...wholeTables.map((t) => () => verifyWholeTarget(t)),
    ...partitionJobs.map((_, i) => () => verifyPartition(i)),
  ];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.max(1, req.concurrency) }, worker));
  const tables = req.plan.tables.map((t): TableVerification => {
    const parts = out.filter((v) => v.table === tableName(t.source));
    const source = parts.reduce((a, v) => combineChecksums(a, v.source), ZERO_CHECKSUM);
    const whole = wholeTarget.get(t);
    const targetChecksum = whole
      ? whole.checksum
      : parts.reduce((a, v) => combineChecksums(a, v.target), ZERO_CHECKSUM);
    const mismatched = parts.filter((v) => !v.equal).length;
    const v: TableVerification = {
      table: tableName(t.source),
      target: tableName(t.target),
      source,
      targetChecksum,
      equal: mismatched === 0 && !whole?.error && checksumsEqual(source, targetChecksum),
      partitions: parts.length,
      mismatched,
      comparedBy: whole ? 'table' : 'range',
    };
    if (t.transform) v.rejected = parts.reduce((n, p) => n + (p.rejected ?? 0), 0);
    if (whole?.error) v.error = whole.error;
    return v;
  });
  return { ok: tables.every((t) => t.equal), tables, partitions: out };
}
