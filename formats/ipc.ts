import * as A from 'apache-arrow';
import { FerryError } from '../core/index.js';

/**
 * Serialises one batch to Arrow IPC stream bytes, to hand it to a pool thread (the underlying ArrayBuffer is
 * transferred, not copied) or across processes. Field metadata (logical types) travels with it.
 */
export function batchToIPC(batch: A.RecordBatch): Uint8Array {
  return A.tableToIPC(new A.Table(batch), 'stream');
}

/** The single batch in IPC bytes made by `batchToIPC` (an empty table yields an empty batch). */
export function batchFromIPC(bytes: Uint8Array): A.RecordBatch {
  const table = A.tableFromIPC(bytes);
  if (table.batches.length === 1) return table.batches[0]!;
  if (table.batches.length === 0)
    return new A.RecordBatch(
      table.schema,
      A.makeData({
        type: new A.Struct(table.schema.fields),
        length: 0,
        nullCount: 0,
        children: table.schema.fields.map((f) => A.makeData({ type: f.type, length: 0 } as never)),
      }),
    );
  throw new FerryError('INTERNAL', `expected one batch in IPC bytes, found ${table.batches.length}`);
}
