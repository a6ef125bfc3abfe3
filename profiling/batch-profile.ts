import type { RecordBatch } from 'apache-arrow';
import { FerryError } from '../core/index.js';
import { batchFromIPC, dataReader, logicalTypeOf } from '../formats/index.js';
import { ColumnAccumulator, type ColumnState } from './column-state.js';
import { keyHashes } from './key-text.js';

/**
 * The per-batch work of profiling, run in a pool thread:
 *
 *   batch ─► per profiled column: ColumnAccumulator ─► ColumnState (JSON)
 *         └► per key: 128-bit hash of each row's key tuple ─► base64
 *
 * The coordinator merges the column states (in scan order) and feeds the key hashes to its exact duplicate and
 * orphan checks. Everything returned is plain JSON, so it crosses threads (and could cross processes) as is.
 */

/** What to compute for a batch. */
export interface BatchProfileSpec {
  /** Columns to profile, by name, in this order; default every column of the batch. */
  columns?: string[];
  /** Key column lists to hash (primary, unique, candidate, foreign and referenced keys). */
  keys: string[][];
}

/** The profile of one batch. */
export interface BatchProfile {
  rows: number;
  /** One state per profiled column, in the spec's order. */
  columns: ColumnState[];
  /** Per key of the spec: the rows' 16-byte key hashes, base64 (all-zero bytes for a key with a NULL). */
  keys: string[];
}

/** A profiling task as it crosses to a pool thread: the batch as Arrow IPC bytes (transferred). */
export interface ProfileTask {
  ipc: Uint8Array;
  spec: BatchProfileSpec;
}

/** Profiles one batch (see module comment). Throws INTERNAL when a named column is not in the batch. */
export function profileBatch(batch: RecordBatch, spec: BatchProfileSpec): BatchProfile {
  const fields = batch.schema.fields;
  const names = spec.columns ?? fields.map((f) => f.name);
  const columns = names.map((name) => {
    const i = fields.findIndex((f) => f.name === name);
    if (i < 0) {
      throw new FerryError('INTERNAL', `profiled column ${name} is not in the batch`, {
        column: name,
        hint: `the batch has ${fields.map((f) => f.name).join(', ')}`,
      });
    }
    const acc = new ColumnAccumulator(logicalTypeOf(fields[i]!));
    acc.addColumn(dataReader(batch.data.children[i]!, acc.type));
    return acc.state();
  });
  const keys = spec.keys.map((k) => Buffer.from(keyHashes(batch, k).buffer).toString('base64'));
  return { rows: batch.numRows, columns, keys };
}

/** {@link profileBatch} of a task received by a pool thread. */
export function profileTask(task: ProfileTask): BatchProfile {
  return profileBatch(batchFromIPC(task.ipc), task.spec);
}

/** Decodes one key's hashes of a {@link BatchProfile}. */
export function decodeKeyHashes(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
