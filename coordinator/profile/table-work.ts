import type { RecordBatch } from 'apache-arrow';
import type { Column, Partition, Source, TableSpec } from '../../core/index.js';
import {
  type BatchProfile,
  type BatchProfileSpec,
  ColumnAccumulator,
  type ColumnState,
  decodeKeyHashes,
  type DuplicateCheck,
  displayKey,
  type ForeignKeyEdge,
  type KeyCheckResult,
  keyPartsAt,
  keyReaders,
  type OrphanCheck,
  type OrphanCheckResult,
} from '../../profiling/index.js';

/**
 * One table's profiling work: its partitions are read in parallel; each batch goes to a pool thread
 * (`profileBatch`) and comes back as column states and key hashes.
 *
 *   partition ─► batches ─► pool: profileBatch ─► column states: merged per partition in scan order,
 *                                                 partitions merged in index order (deterministic sketches)
 *                                             └─► key hashes: DuplicateCheck / OrphanCheck (exact, any order)
 */

/** Computes a batch's profile; the CLI passes the worker pool's `profileBatch`. */
export type ProfileBatchFn = (batch: RecordBatch, spec: BatchProfileSpec) => Promise<BatchProfile>;

/** One distinct key column list of a table and the checks fed from its hashes. */
export interface KeyEntry {
  columns: string[];
  /** The duplicate check reported for this key, when it is one. */
  kind?: 'primary' | 'unique' | 'candidate';
  /** Holds every distinct key: for a reported duplicate check, or as a parent for foreign keys. */
  dup?: DuplicateCheck;
  orphans: { edge: ForeignKeyEdge; check: OrphanCheck }[];
  /** Child tables still to finish that check against `dup.keys`. */
  pendingChildren: number;
}

/** What a partition read needs beyond the table. */
export interface ReadContext {
  source: Source;
  batchRows: number;
  profileBatch: ProfileBatchFn;
  snapshotId?: string;
  signal: AbortSignal;
}

export const sameColumns = (a: string[], b: string[]) =>
  a.length === b.length && a.every((c, i) => c === b[i]);

export class TableWork {
  readonly name: string;
  readonly spec: TableSpec;
  readonly keysOnly: boolean;
  /** Columns profiled (none for a keys-only table). */
  readonly columns: Column[];
  readonly entries: KeyEntry[] = [];
  partitions: Partition[] = [];
  rows = 0;
  bytes = 0;
  /** Set by `finish`: the results of this table's key checks. */
  finished = false;
  keyResults: KeyCheckResult[] = [];
  orphanResults: OrphanCheckResult[] = [];
  readonly #acc: ColumnAccumulator[];
  /** Finished partitions waiting for an earlier one, so partitions merge in index order. */
  readonly #waiting = new Map<number, ColumnState[]>();
  #next = 0;

  constructor(name: string, spec: TableSpec, keysOnly: boolean) {
    this.name = name;
    this.spec = spec;
    this.keysOnly = keysOnly;
    this.columns = keysOnly ? [] : spec.columns;
    this.#acc = this.columns.map((c) => new ColumnAccumulator(c.type));
  }

  /** The entry for a key column list, created on first use. */
  entry(columns: string[]): KeyEntry {
    let e = this.entries.find((x) => sameColumns(x.columns, columns));
    if (!e) {
      e = { columns: [...columns], orphans: [], pendingChildren: 0 };
      this.entries.push(e);
    }
    return e;
  }

  /** Columns a read must return: the profiled ones, or only the key columns for a keys-only table. */
  readColumns(): string[] | undefined {
    if (!this.keysOnly) return undefined;
    return [...new Set(this.entries.flatMap((e) => e.columns))];
  }

  /** Reads and profiles one partition. */
  async runPartition(p: Partition, ctx: ReadContext): Promise<void> {
    const spec: BatchProfileSpec = {
      columns: this.columns.map((c) => c.name),
      keys: this.entries.map((e) => e.columns),
    };
    const states = this.columns.map((c) => new ColumnAccumulator(c.type));
    const readColumns = this.readColumns();
    const batches = ctx.source.read(this.spec, p.range, {
      batchRows: ctx.batchRows,
      signal: ctx.signal,
      ...(readColumns ? { columns: readColumns } : {}),
      ...(ctx.snapshotId ? { snapshotId: ctx.snapshotId } : {}),
    });
    // One batch is profiled in a thread while the next is read; results are folded in scan order.
    const pending: { batch: RecordBatch; result: Promise<BatchProfile> }[] = [];
    const fold = async () => {
      const { batch, result } = pending.shift()!;
      this.#absorb(batch, await result, states);
    };
    try {
      for await (const batch of batches) {
        const result = ctx.profileBatch(batch, spec);
        result.catch(() => undefined); // awaited in order below; do not report it unhandled meanwhile
        pending.push({ batch, result });
        if (pending.length > 1) await fold();
      }
      while (pending.length) await fold();
    } finally {
      await Promise.allSettled(pending.map((x) => x.result));
    }
    this.#partitionDone(
      p.index,
      states.map((s) => s.state()),
    );
  }

  /**
   * Records the key-check results once every partition is done, and lets go of what no later table needs:
   * its orphan checks, and the key sets no unfinished child references.
   */
  finish(): void {
    for (const e of this.entries) {
      if (e.kind && e.dup) this.keyResults.push({ kind: e.kind, columns: e.columns, ...e.dup.result() });
      for (const { edge, check } of e.orphans) {
        this.orphanResults.push({
          columns: edge.columns,
          references: edge.to,
          referencedColumns: edge.referencedColumns,
          origin: edge.origin,
          mode: check.mode,
          ...check.result(),
        });
      }
      e.orphans = [];
    }
    this.finished = true;
    this.release();
  }

  /** Drops key sets that no unfinished child table checks against (memory is the number of distinct keys). */
  release(): void {
    if (!this.finished) return;
    for (const e of this.entries) if (e.pendingChildren === 0) e.dup = undefined;
  }

  /** Merged column states, once every partition is done. */
  columnStates(): ColumnState[] {
    return this.#acc.map((a) => a.state());
  }

  #absorb(batch: RecordBatch, result: BatchProfile, states: ColumnAccumulator[]): void {
    this.rows += result.rows;
    this.bytes += batch.data.byteLength;
    for (const [i, s] of result.columns.entries()) states[i]!.merge(s);
    for (const [i, e] of this.entries.entries()) {
      const hashes = decodeKeyHashes(result.keys[i]!);
      let readers: ReturnType<typeof keyReaders> | undefined;
      // Key texts are read back from the batch only for offending rows (examples).
      const textAt = (row: number) => {
        readers ??= keyReaders(batch, e.columns);
        return displayKey(keyPartsAt(readers, row) ?? []);
      };
      e.dup?.add(hashes, textAt);
      for (const o of e.orphans) o.check.add(hashes, textAt);
    }
  }

  #partitionDone(index: number, states: ColumnState[]): void {
    this.#waiting.set(index, states);
    for (;;) {
      const next = this.#waiting.get(this.#next);
      if (!next) return;
      this.#waiting.delete(this.#next);
      for (const [i, s] of next.entries()) this.#acc[i]!.merge(s);
      this.#next++;
    }
  }
}
