/**
 * `ferry profile`: read every selected table once, in parallel partitions, and describe what is in it.
 *
 *   resolve tables (+ parents, for keys) ─► FK graph: levels, cycles ─► one source snapshot
 *     ─► per level, parents first: plan partitions ─► read ∥ pool: profileBatch ─► merge ─► key checks
 *     ─► summaries, findings, PII flags ─► ProfileReport
 *
 * Parents are read in an earlier level than their children, so each child row is checked for orphans
 * against the parent's complete key set as it arrives; tables in one foreign-key cycle share a level and are
 * checked at the end. A key set is dropped as soon as no unfinished table needs it.
 */
import {
  FerryError,
  type KeyStats,
  type SourceSnapshot,
} from '../../core/index.js';
import { planPartitions, rowsPerPartition } from '../../partitioning/index.js';
import {
  DuplicateCheck,
  type FkOrder,
  type ForeignKeyEdge,
  OrphanCheck,
  orderByForeignKeys,
  type ProfileReport,
} from '../../profiling/index.js';
import { assembleReport } from './assemble.js';
import type { ProfileSourceOptions } from './options.js';
import {
  resolveProfileTables,
} from './profile-tables.js';
import { type ReadContext, TableWork } from './table-work.js';

export type { ProfileSourceOptions } from './options.js';

async function planTablePartitions(work: TableWork, opts: ProfileSourceOptions): Promise<void> {
  const spec = work.spec;
  const keyColumns = spec.primaryKey;
  // As the migration plan does: about 64 samples per partition, capped for huge tables.
  const partitionRows = rowsPerPartition(spec, opts.partitionRows, opts.partitionBytes).rows;
  const wanted = Math.ceil(Math.max(spec.estimatedRows, 1) / partitionRows);
  const maxSamples = Math.min(100_000, Math.max(1_000, wanted * 64));
  const stats: KeyStats = keyColumns.length
    ? await opts.source.sampleKeys(spec, keyColumns, maxSamples, opts.signal)
    : { rows: spec.estimatedRows, exact: false, nullKeyRows: 0, samples: [] };
  const keyNullable = keyColumns.some((k) => spec.columns.find((c) => c.name === k)?.nullable);
  work.partitions = planPartitions({
    table: work.name,
    keyColumns,
    keyNullable,
    stats,
    partitionRows,
  }).partitions;
}

/** Sets up every table's key checks: duplicates on declared and candidate keys, parent key sets, orphans. */
function wireKeys(
  works: Map<string, TableWork>,
  order: FkOrder,
  edges: ForeignKeyEdge[],
  opts: ProfileSourceOptions,
): void {
  for (const w of works.values()) {
    if (w.keysOnly) continue;
    if (w.spec.primaryKey.length) w.entry(w.spec.primaryKey).kind = 'primary';
    for (const u of w.spec.uniqueKeys ?? []) w.entry(u).kind ??= 'unique';
    for (const k of opts.candidateKeys ?? []) {
      if (k.table === w.name || k.table === w.spec.name) w.entry(k.columns).kind ??= 'candidate';
    }
    for (const e of w.entries) e.dup = new DuplicateCheck();
  }
  for (const edge of edges) {
    const child = works.get(edge.from)!;
    const parent = works.get(edge.to)!;
    const pe = parent.entry(edge.referencedColumns);
    pe.dup ??= new DuplicateCheck();
    if (child !== parent) pe.pendingChildren++;
    const mode = order.component.get(edge.from) === order.component.get(edge.to) ? 'deferred' : 'immediate';
    child.entry(edge.columns).orphans.push({ edge, check: new OrphanCheck(pe.dup.keys, mode) });
  }
}

/** Runs tasks with at most `limit` at a time; the first failure aborts the others and is rethrown. */
async function runLimited(
  tasks: (() => Promise<void>)[],
  limit: number,
  abort: AbortController,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < tasks.length && !failure) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failure ??= { error };
        abort.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, lane));
  if (failure) throw failure.error;
}

/** Finishes a level's tables and lets their parents drop key sets no other child needs. */
function finishLevel(done: TableWork[], works: Map<string, TableWork>, edges: ForeignKeyEdge[]): void {
  for (const w of done) w.finish();
  const names = new Set(done.map((w) => w.name));
  for (const edge of edges) {
    if (!names.has(edge.from) || edge.from === edge.to) continue;
    const parent = works.get(edge.to)!;
    parent.entry(edge.referencedColumns).pendingChildren--;
    parent.release();
  }
}

/** Profiles a source (see module comment). Throws CONFIG for unknown tables or columns in the options. */
export async function profileSource(opts: ProfileSourceOptions): Promise<ProfileReport> {
  const started = performance.now();
  const { source } = opts;
  const resolved = await resolveProfileTables(source, opts.tables, {
    candidateKeys: opts.candidateKeys ?? [],
    required: opts.required ?? [],
    foreignKeys: opts.foreignKeys ?? [],
  });
  const works = new Map(resolved.tables.map((t) => [t.name, new TableWork(t.name, t.spec, t.keysOnly)]));
  const order = orderByForeignKeys([...works.keys()], resolved.edges);
  wireKeys(works, order, resolved.edges, opts);

  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let snapshot: SourceSnapshot | undefined;
  try {
    snapshot = source.beginSnapshot
      ? await source.beginSnapshot(
          resolved.tables.map((t) => t.spec),
          abort.signal,
        )
      : undefined;
    const ctx: ReadContext = {
      source,
      batchRows: opts.batchRows,
      profileBatch: opts.profileBatch,
      signal: abort.signal,
      ...(snapshot ? { snapshotId: snapshot.id } : {}),
    };
    let tablesDone = 0;
    const levels = [...new Set(order.levels.values())].sort((a, b) => a - b);
    for (const level of levels) {
      const tables = order.loadOrder
        .map((n) => works.get(n)!)
        .filter((w) => order.levels.get(w.name) === level);
      for (const w of tables) await planTablePartitions(w, opts);
      const left = new Map(tables.map((w) => [w.name, w.partitions.length]));
      const tasks = tables.flatMap((w) =>
        w.partitions.map((p) => async () => {
          await w.runPartition(p, ctx);
          const remaining = left.get(w.name)! - 1;
          left.set(w.name, remaining);
          if (remaining === 0) opts.onTable?.(w.name, w.rows, ++tablesDone, works.size);
        }),
      );
      await runLimited(tasks, opts.concurrency, abort);
      finishLevel(tables, works, resolved.edges);
      opts.logger?.debug({ level, tables: tables.map((t) => t.name) }, 'profiled a level of tables');
    }
  } catch (e) {
    if (opts.signal?.aborted) throw new FerryError('ABORTED', 'the profile was cancelled', { cause: e });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
    await snapshot?.release();
  }
  return assembleReport({
    opts,
    works,
    order,
    edges: resolved.edges,
    missingParents: resolved.missingParents,
    snapshot,
    seconds: (performance.now() - started) / 1000,
  });
}
