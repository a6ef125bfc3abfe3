import * as A from 'apache-arrow';
import type { Column, LogicalType } from '../core/index.js';
import { columnBuilder, dataReader, schemaFor } from '../formats/index.js';

type Fixed =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | Uint8Array;

function nullBitmap(isNull: (i: number) => boolean, rows: Int32Array): [Uint8Array, number] {
  const bits = new Uint8Array((rows.length + 7) >> 3);
  let nulls = 0;
  for (let k = 0; k < rows.length; k++) {
    if (isNull(rows[k]!)) nulls++;
    else bits[k >> 3]! |= 1 << (k & 7);
  }
  return [bits, nulls];
}

/**
 * The rows `rows` (ascending or not) of one column, copied into new buffers in ferry's Arrow representation.
 * Fixed-width and variable-width columns copy raw bytes; nothing is decoded.
 */
export function takeData(data: A.Data, type: LogicalType, rows: Int32Array): A.Data {
  const reader = dataReader(data, type);
  const [bitmap, nullCount] = data.nullCount === 0 ? [new Uint8Array(0), 0] : nullBitmap(reader.isNull, rows);
  const n = rows.length;
  const base = { type: data.type, length: n, nullCount, nullBitmap: bitmap } as const;
  switch (type.kind) {
    case 'bool': {
      const src = data.values as Uint8Array;
      const off = data.offset;
      const out = new Uint8Array((n + 7) >> 3);
      for (let k = 0; k < n; k++) {
        const j = rows[k]! + off;
        if (src[j >> 3]! & (1 << (j & 7))) out[k >> 3]! |= 1 << (k & 7);
      }
      return A.makeData({ ...base, data: out } as never) as A.Data;
    }
    case 'int':
    case 'float':
    case 'date':
    case 'time':
    case 'timestamp': {
      const src = data.values as Fixed;
      const Ctor = src.constructor as new (n: number) => Fixed;
      const out = new Ctor(n);
      for (let k = 0; k < n; k++) (out as { [i: number]: number | bigint })[k] = src[rows[k]!]!;
      return A.makeData({ ...base, data: out } as never) as A.Data;
    }
    case 'list': {
      const b = columnBuilder(type, n);
      for (let k = 0; k < n; k++) b.append(reader.get(rows[k]!));
      return b.finish();
    }
    default: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const outOffsets = new Int32Array(n + 1);
      let total = 0;
      for (let k = 0; k < n; k++) {
        const r = rows[k]!;
        total += offsets[r + 1]! - offsets[r]!;
        outOffsets[k + 1] = total;
      }
      const out = new Uint8Array(total);
      for (let k = 0; k < n; k++) {
        const r = rows[k]!;
        out.set(bytes.subarray(offsets[r]!, offsets[r + 1]!), outOffsets[k]!);
      }
      return A.makeData({ ...base, valueOffsets: outOffsets, data: out } as never) as A.Data;
    }
  }
}

/** A record batch of the given columns and column data (all of one length). */
export function makeBatch(
  columns: Column[],
  children: A.Data[],
  length: number,
  schema = schemaFor(columns),
): A.RecordBatch {
  const data = A.makeData({ type: new A.Struct(schema.fields), length, nullCount: 0, children });
  return new A.RecordBatch(schema, data);
}
