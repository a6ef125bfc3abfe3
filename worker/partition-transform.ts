/**
 * A partition's rows through the table's transform (mapping, cleansing, business rules) on their way to the
 * target:
 *
 *   source batch ─► pool thread: apply + checksum ─► rejects ─► reject file (temporary until commit)
 *                                                 └► rows ─► writer.write
 *   (unique / dedupe / references rules: transformBatches on this thread — the partition stage holds the
 *    partition's batches, the parent keys live here — then the rows are checksummed in the pool)
 *
 * The checksum is of the transformed rows actually written, so read-back verification compares what the target
 * holds with what it was given. Rejected rows never reach the target and are never dropped: each one is in
 * the reject store, committed right before the target transaction.
 */
import type { RecordBatch } from 'apache-arrow';
import { ChecksumAccumulator, combineChecksums, subtractChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import {
  type Checksum,
  FerryError,
  type Partition,
  type Plan,
  type RefusedRow,
  type RejectCounts,
  type Secret,
  type Source,
  type TablePlan,
  tableName,
} from '../core/index.js';
import {
  type CompiledTransform,
  compileTransform,
  loadParentKeys,
  parentKeyRefs,
  type RejectedRow,
  type RejectStore,
  refusedRows,
  targetRejects,
  type TableTransform,
  type TransformContext,
  transformBatches,
} from '../transform/index.js';
import type { BatchPool, PoolTransformSpec } from './pool.js';

/** What a worker needs to run transforms. */
export interface TransformDeps {
  source: Source;
  pool: BatchPool;
  /** The salt of `mask: hash`. */
  transformSalt?: Secret;
  /** Where rejected rows go; without it a partition that rejects a row fails (rows are never dropped). */
  rejects?: RejectStore;
  /** The run's consistent read point: parent keys are read in it too. */
  snapshotId?: string;
}

/** Where one attempt's rejected rows go: the reject store, or a refusal when the worker has none. */
export interface RejectSink {
  write(rows: readonly RejectedRow[]): Promise<void>;
  /** Makes the rows durable (call right before the target commits); the counts per rule. */
  commit(): Promise<RejectCounts>;
  /** Drops the attempt's rows (the attempt failed). */
  discard(): Promise<void>;
}

/** Opens the reject sink of one partition attempt. */
export function openRejectSink(
  deps: TransformDeps,
  target: { run: string; table: string; partition: string; attempt: number },
): RejectSink {
  const store = deps.rejects;
  if (!store) {
    return {
      async write(rows) {
        if (rows.length === 0) return;
        throw new FerryError(
          'CONFIG',
          `partition ${target.partition} rejected ${rows.length} row(s), and this worker has no reject store`,
          {
            run: target.run,
            table: target.table,
            partition: target.partition,
            hint: 'give the worker a state directory for the reject store',
          },
        );
      },
      commit: async () => ({ rows: 0, byRule: {} }),
      discard: async () => undefined,
    };
  }
  const writer = store.open(target);
  return {
    write: (rows) => writer.write(rows),
    commit: async () => {
      const s = await writer.commit();
      return { rows: s.rows, byRule: s.byRule };
    },
    discard: () => writer.discard(),
  };
}

/** The counts of a partition's committed rejects (a partition committed by an earlier attempt). */
export async function committedRejects(
  store: RejectStore | undefined,
  run: string,
  partition: string,
): Promise<RejectCounts> {
  if (!store) return { rows: 0, byRule: {} };
  const f = (await store.list(run)).find((s) => s.partition === partition);
  return f ? { rows: f.rows, byRule: f.byRule } : { rows: 0, byRule: {} };
}

/** Unique and dedupe need the whole partition; references need the parent keys held by this thread. */
function runsOnThisThread(t: TableTransform): boolean {
  return t.dedupe !== undefined || t.rules.some((r) => r.kind === 'unique' || r.kind === 'references');
}

/** A small cache, oldest entry out first: a process loads a few tables of a few runs at a time. */
class Bounded<V> {
  readonly #map = new Map<string, V>();
  constructor(readonly max: number) {}
  get(key: string, make: () => V): V {
    let v = this.#map.get(key);
    if (v === undefined) {
      v = make();
      if (this.#map.size >= this.max) this.#map.delete(this.#map.keys().next().value!);
      this.#map.set(key, v);
    }
    return v;
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
}

const onThisThread = new Bounded<Promise<CompiledTransform>>(16);

function compileHere(deps: TransformDeps, plan: Plan, runId: string, table: TablePlan, t: TableTransform) {
  const key = `${runId}\u0000${plan.hash}\u0000${tableName(table.source)}`;
  const p = onThisThread.get(key, async () => {
    const parentKeys = parentKeyRefs(t).length
      ? await loadParentKeys(deps.source, t, {
          batchRows: plan.options.batchRows,
          ...(deps.snapshotId ? { snapshotId: deps.snapshotId } : {}),
        })
      : undefined;
    const salt = deps.transformSalt?.reveal();
    return compileTransform(
      t,
      table.source.columns,
      salt === undefined ? {} : { salt },
      parentKeys ? { parentKeys } : {},
    );
  });
  // A failed load (a dropped connection) is not cached: the retry loads again.
  p.catch(() => onThisThread.delete(key));
  return p;
}

export interface TransformLoad {
  deps: TransformDeps;
  plan: Plan;
  runId: string;
  table: TablePlan;
  partition: Partition;
  /** Source batches with every source column (the reject store keeps whole source rows). */
  batches: AsyncIterable<RecordBatch>;
  rejects: RejectSink;
  /** Writes one transformed batch to the target; the rows the target refused (isolated, not loaded). */
  write(batch: RecordBatch): Promise<readonly RefusedRow[]>;
}

/** Transforms and writes a partition's rows; the checksum and bytes of what was written. */
export async function loadTransformed(load: TransformLoad): Promise<{ checksum: Checksum; bytes: number }> {
  const { deps, table, partition } = load;
  const t = table.transform as TableTransform;
  const names = new Set(table.source.columns.map((c) => c.name));
  const context: TransformContext = {
    table: partition.table,
    partition: partition.id,
    // A source-only row id (ctid) is not a column of the rows: such rows are named by position.
    keyColumns: table.keyColumns.filter((k) => names.has(k)),
  };
  // Rows the target refused: rejected with its error, and their checksum taken out of what was written.
  const toTarget = new Map(table.columns.map((c) => [c.source, c.target]));
  const targetKeys = { ...context, keyColumns: context.keyColumns.map((k) => toTarget.get(k) ?? k) };
  const refusedSum = new ChecksumAccumulator();
  const write = async (b: RecordBatch) => {
    const refused = await load.write(b);
    if (refused.length === 0) return;
    await load.rejects.write(targetRejects(b, table.target.columns, refused, targetKeys));
    refusedSum.addBatch(refusedRows(b, table.target.columns, refused));
  };
  const loaded = async (): Promise<{ checksum: Checksum; bytes: number }> => {
    if (runsOnThisThread(t)) {
      const compiled = await compileHere(deps, load.plan, load.runId, table, t);
      const rows = transformBatches(compiled, load.batches, context, (r) => load.rejects.write(r));
      return deps.pool.checksumStream(rows, { onBatch: write });
    }
    return loadInPool(load, t, context, write);
  };
  const out = await loaded();
  return { ...out, checksum: subtractChecksums(out.checksum, refusedSum.result()) };
}

/** The pool path of `loadTransformed`: transform and checksum in threads, one batch ahead of the writes. */
async function loadInPool(
  load: TransformLoad,
  t: TableTransform,
  context: TransformContext,
  write: (batch: RecordBatch) => Promise<void>,
): Promise<{ checksum: Checksum; bytes: number }> {
  const { deps, partition, table } = load;
  const salt = deps.transformSalt?.reveal();
  const spec: PoolTransformSpec = {
    key: `${load.plan.hash}\u0000${partition.table}`,
    transform: t,
    source: table.source.columns,
    ...(salt === undefined ? {} : { salt }),
  };
  type Done = Awaited<ReturnType<BatchPool['transform']>>;
  let total = ZERO_CHECKSUM;
  let bytes = 0;
  let offset = 0;
  const pending: Promise<Done>[] = [];
  const settle = async (r: Done) => {
    if (r.rejects.length) await load.rejects.write(r.rejects);
    if (r.batch.numRows > 0) {
      await write(r.batch);
      bytes += r.batch.data.byteLength;
    }
    total = combineChecksums(total, r.checksum);
  };
  try {
    // One batch transforms in a thread while the previous one is written: about two batches in memory.
    for await (const batch of load.batches) {
      const p = deps.pool.transform(batch, spec, { ...context, rowOffset: offset });
      // Observed now, awaited in order below: a failure surfaces there, not as an unhandled rejection.
      p.catch(() => undefined);
      pending.push(p);
      offset += batch.numRows;
      if (pending.length > 1) await settle(await pending.shift()!);
    }
    while (pending.length) await settle(await pending.shift()!);
    return { checksum: total, bytes };
  } finally {
    await Promise.allSettled(pending);
  }
}
