/**
 * One partition, end to end:
 *
 *   source.read(range) ──batch──► rename to target columns ──► writer.write ─┐
 *                                     └──► pool.checksum (thread) ──────────┴─► commit(data + ledger row)
 *   then: target.reader().read(range) ──► pool.checksum ──► compare with what was written
 *
 * A table with a transform goes through partition-transform.ts instead of the rename: rows are mapped and
 * checked, rejects go to the reject store (committed right before the target transaction). Tables whose key
 * does not reach the target unchanged (or split by a source-only row id), and tables a target indexes only after
 * the load (`TablePlan.readBack`), are verified as a whole table by the coordinator instead of by range here.
 *
 * At most one batch is being checksummed while the next is read and written, so memory per partition is
 * about two batches whatever the partition's size.
 */
import type * as A from 'apache-arrow';
import { checksumsEqual, subtractChecksums } from '../checksums/index.js';
import {
  type Checksum,
  failpoint,
  fenceOf,
  FerryError,
  findPartition,
  type KeyRange,
  type LoadRequest,
  type Logger,
  type Partition,
  type PartitionResult,
  type Plan,
  rangeChecksum,
  type Source,
  type RejectCounts,
  type Secret,
  type TablePlan,
  type Target,
  targetRange,
  toFerryError,
  verifiedAsWholeTable,
  readBackAsWholeTable,
  ATTR,
  SPANS,
  contextFromHeaders,
  ferryMetrics,
  formatRange,
  withSpan,
} from '../core/index.js';
import { SpanStatusCode } from '@opentelemetry/api';
import { renameColumns } from '../formats/index.js';
import type { RejectStore } from '../transform/index.js';
import type { PartitionTask, TaskContext } from '../transport/index.js';
import { committedRejects, loadTransformed, openRejectSink } from './partition-transform.js';
import { hidePiiInError } from './pii-errors.js';
import type { BatchPool } from './pool.js';
import { diagnoseRawFailure, rawChecksumStream, readRawRange, transcodeStream } from './raw-copy.js';

export interface PartitionRunnerDeps {
  source: Source;
  target: Target;
  /** Independent reader of the target for verification (target.reader()). */
  verifier: Source;
  pool: BatchPool;
  logger: Logger;
  getPlan(runId: string): Promise<Plan>;
  /** Verify each partition by reading it back (default true). */
  verify: boolean;
  /** The run's consistent source read point (Source.beginSnapshot), joined by every read. */
  snapshotId?: string;
  /** The salt of `mask: hash` in table transforms. */
  transformSalt?: Secret;
  /**
   * The reject store (root: the state directory) for rows a table's transform rejects. Without it, a partition
   * that rejects a row fails: rejected rows are never dropped silently.
   */
  rejects?: RejectStore;
}

/** Runs one task; failures come back as a `failed` result carrying the error, never as a throw. */
export async function runPartition(
  deps: PartitionRunnerDeps,
  task: PartitionTask,
  context: TaskContext,
): Promise<PartitionResult> {
  const attributes = {
    [ATTR.run]: task.runId,
    [ATTR.partition]: task.partitionId,
    [ATTR.attempt]: task.attempt,
  };
  return withSpan(
    SPANS.partition,
    attributes,
    async (span) => {
      const result = await runPartitionInSpan(deps, task, context);
      span.setAttributes({
        [ATTR.table]: result.table,
        [ATTR.status]: result.status,
        [ATTR.rows]: Number(result.written?.rows ?? 0),
        [ATTR.bytes]: result.bytes,
        ...(result.verified === undefined ? {} : { [ATTR.verified]: result.verified }),
        ...(result.written ? { [ATTR.checksum]: result.written.sum } : {}),
      });
      if (result.error) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message });
      const m = metricsOnce();
      m.partitions.add(1, { status: result.error ? 'failed' : result.status, table: result.table });
      m.rows.add(result.status === 'done' ? Number(result.written?.rows ?? 0) : 0, { table: result.table });
      m.bytes.add(result.bytes, { table: result.table });
      m.partitionDuration.record(result.durationMs / 1000, { table: result.table });
      return result;
    },
    contextFromHeaders(task.trace),
  );
}

let instruments: ReturnType<typeof ferryMetrics> | undefined;
const metricsOnce = () => (instruments ??= ferryMetrics());

async function runPartitionInSpan(
  deps: PartitionRunnerDeps,
  task: PartitionTask,
  context: TaskContext,
): Promise<PartitionResult> {
  const started = performance.now();
  const plan = await deps.getPlan(task.runId);
  const { table, partition } = findPartition(plan, task.partitionId);
  const spanAttrs = {
    [ATTR.run]: task.runId,
    [ATTR.table]: partition.table,
    [ATTR.partition]: partition.id,
    [ATTR.range]: formatRange(partition.range),
  };
  const log = deps.logger.child({ run: task.runId, partition: partition.id, attempt: task.attempt });
  const base = { partitionId: partition.id, table: partition.table, attempt: task.attempt };
  try {
    // Before the ledger is read: from here on no older delivery of this partition can commit (fencing).
    const attempt = fenceOf(task.attempt, context.deliveries);
    await deps.target.beginAttempt?.({ runId: task.runId, planHash: plan.hash, partition, attempt });
    const done = (await deps.target.readLedger(task.runId)).find((e) => e.partitionId === partition.id);
    const range = targetRange(table, partition.range);
    let result: PartitionResult;
    let before: Checksum | undefined;
    if (done && done.planHash === plan.hash) {
      // Committed by an earlier delivery: the ledger, not the queue, says it is done. Verify, do not reload.
      log.info('partition already committed; verifying without loading again');
      result = {
        ...base,
        status: 'skipped',
        written: { rows: done.rows, sum: done.checksum },
        bytes: 0,
        durationMs: 0,
      };
      if (table.transform) result.rejected = await committedRejects(deps.rejects, task.runId, partition.id);
    } else {
      // Append mode: the range may already hold rows, so what was loaded is verified as (after − before).
      if (table.mode === 'append' && deps.verify && !readBackAsWholeTable(table))
        before = await readChecksum(deps, plan, table, range, context);
      const written = await withSpan(SPANS.load, spanAttrs, async (span) => {
        const w = await loadPartition(deps, task, context, plan, table, partition, range);
        span.setAttributes({ [ATTR.rows]: Number(w.checksum.rows), [ATTR.bytes]: w.bytes });
        return w;
      });
      result = { ...base, status: 'done', written: written.checksum, bytes: written.bytes, durationMs: 0 };
      if (written.rejected) result.rejected = written.rejected;
    }
    // Row-id partitions (ctid) and keys the transform changes have no range on the target: the coordinator
    // verifies such a table as a whole.
    if (deps.verify && !readBackAsWholeTable(table)) {
      const after = await withSpan(SPANS.verify, spanAttrs, () =>
        readChecksum(deps, plan, table, range, context),
      );
      const readBack = before ? subtractChecksums(after, before) : after;
      const written = result.written!;
      result.readBack = readBack;
      result.verified = checksumsEqual(written, readBack);
      if (!result.verified) {
        const keys = formatRange(partition.range);
        const err = hidePiiInError(
          new FerryError(
            'VERIFY',
            `read-back of partition ${partition.id} (keys ${keys}) differs: wrote ${written.rows} rows (${written.sum}), target holds ${readBack.rows} (${readBack.sum})`,
            {
              table: partition.table,
              partition: partition.id,
              key: keys,
              hint: 'run `ferry verify` to list the differing keys',
            },
          ),
          table,
          deps.transformSalt,
        );
        log.error({ code: err.code, err: err.describe() }, 'partition failed verification');
        result.error = err.toJSON();
      }
    }
    result.durationMs = performance.now() - started;
    return result;
  } catch (e) {
    const err = hidePiiInError(
      toFerryError(e, 'INTERNAL', { run: task.runId, table: partition.table, partition: partition.id }),
      table,
      deps.transformSalt,
    );
    log.error({ code: err.code, err: err.describe() }, 'partition failed');
    return {
      ...base,
      status: 'failed',
      bytes: 0,
      durationMs: performance.now() - started,
      error: err.toJSON(),
    };
  }
}

/** Checksum of what the target holds in a range, read through the independent verification reader. */
async function readChecksum(
  deps: PartitionRunnerDeps,
  plan: Plan,
  table: TablePlan,
  range: KeyRange,
  context: TaskContext,
): Promise<Checksum> {
  const options = { batchRows: plan.options.batchRows, signal: context.signal };
  const heartbeat = async () => context.heartbeat();
  if (table.rawCopy)
    return (
      await rawChecksumStream(table, readRawRange(deps.verifier, table.target, range, options), heartbeat)
    ).checksum;
  return rangeChecksum(
    deps.verifier,
    table.target,
    range,
    { ...options, onProgress: heartbeat },
    async (batches) => (await deps.pool.checksumStream(batches, { onBatch: heartbeat })).checksum,
  );
}

/** Loads one partition in one target transaction: rows and ledger entry commit together or not at all. */
async function loadPartition(
  deps: PartitionRunnerDeps,
  task: PartitionTask,
  context: TaskContext,
  plan: Plan,
  table: TablePlan,
  partition: Partition,
  range: KeyRange,
): Promise<{ checksum: Checksum; bytes: number; rejected?: RejectCounts }> {
  const request: LoadRequest = {
    runId: task.runId,
    planHash: plan.hash,
    table: table.target,
    partition: { ...partition, range },
    attempt: fenceOf(task.attempt, context.deliveries),
    // Where ferry owns the table, a deliberate re-run first removes what an earlier attempt committed.
    clearRange: table.mode !== 'append' && task.attempt > 1 && !verifiedAsWholeTable(table),
    ...(table.transform && deps.rejects ? { isolateRefused: true } : {}),
  };
  const rawFormat = table.rawCopy ?? table.transcode;
  const writer = await deps.target.openPartition(
    rawFormat ? { ...request, rawFormat } : request,
    context.signal,
  );
  const readOptions = {
    batchRows: plan.options.batchRows,
    // A transform reads whole source rows: a rejected row is kept whole in the reject store.
    columns: table.transform ? table.source.columns.map((c) => c.name) : table.columns.map((c) => c.source),
    signal: context.signal,
    ...(deps.snapshotId ? { snapshotId: deps.snapshotId } : {}),
  };
  const rejects = table.transform
    ? openRejectSink(deps, {
        run: task.runId,
        table: partition.table,
        partition: partition.id,
        attempt: task.attempt,
      })
    : undefined;
  try {
    await failpoint('before_copy');
    let written: { checksum: Checksum; bytes: number; rejected?: RejectCounts };
    let nextBatch = plan.options.batchRows;
    const writeRaw = async (chunk: Uint8Array, rows: number) => {
      await writer.writeRaw!(chunk);
      context.heartbeat();
      // Once per batch of rows, as on the Arrow path, whatever the chunk size.
      for (; rows >= nextBatch; nextBatch += plan.options.batchRows) await failpoint('mid_copy');
    };
    if (table.rawCopy) {
      const chunks = readRawRange(deps.source, table.source, partition.range, readOptions);
      written = await rawChecksumStream(table, chunks, writeRaw);
    } else if (table.transcode) {
      written = await transcodeStream(deps.source, table, partition.range, readOptions, writeRaw);
    } else {
      const batches = deps.source.read(table.source, partition.range, readOptions);
      const write = async (b: A.RecordBatch) => {
        // Rows the target refuses go to the reject store with the rest loaded, where the table has rejects.
        let refused: Awaited<ReturnType<NonNullable<typeof writer.writeIsolating>>> = [];
        if (request.isolateRefused && writer.writeIsolating) refused = await writer.writeIsolating(b);
        else await writer.write(b);
        context.heartbeat();
        await failpoint('mid_copy');
        return refused;
      };
      written = rejects
        ? await loadTransformed({ deps, plan, runId: task.runId, table, partition, batches, rejects, write })
        : await deps.pool.checksumStream(mapBatches(batches, table), {
            onBatch: async (b) => void (await write(b)),
          });
    }
    await failpoint('before_commit');
    // Rejects first: a crash between the two leaves rejects a retry replaces, never loaded rows without them.
    const rejected = await rejects?.commit();
    await writer.commit({
      runId: task.runId,
      partitionId: partition.id,
      table: partition.table,
      planHash: plan.hash,
      attempt: fenceOf(task.attempt, context.deliveries),
      rows: written.checksum.rows,
      checksum: written.checksum.sum,
    });
    await failpoint('after_commit');
    return rejected ? { ...written, rejected } : written;
  } catch (e) {
    await rejects?.discard().catch(() => {});
    await writer.abort().catch(() => {});
    if (!rawFormat) throw e;
    // The raw stream has no decoded rows to name the one the target refused (often only at commit): find it
    // by loading the same rows through Arrow into a transaction that is rolled back.
    throw await diagnoseRawFailure(e, {
      open: () => deps.target.openPartition(request, context.signal),
      batches: () => mapBatches(deps.source.read(table.source, partition.range, readOptions), table),
    });
  }
}

async function* mapBatches(
  batches: AsyncIterable<A.RecordBatch>,
  table: TablePlan,
): AsyncIterable<A.RecordBatch> {
  const names = table.columns.map((c) => c.target);
  for await (const b of batches) yield renameColumns(b, names);
}
