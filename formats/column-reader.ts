import type * as A from 'apache-arrow';
import type { LogicalType } from '../core/index.js';
import { logicalTypeOf } from './arrow-types.js';
import type { JsValue } from './batch-builder.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads values of one column of a batch in the `JsValue` domain (inverse of the builders). */
export interface ColumnReader {
  readonly type: LogicalType;
  readonly length: number;
  isNull(i: number): boolean;
  /** The value at row `i`, or null. */
  get(i: number): JsValue | null;
  /** For text/bytes-like columns: the raw UTF-8/bytes of row `i` without decoding (a view, do not keep). */
  bytes?(i: number): Uint8Array;
}

function nullTest(data: A.Data): (i: number) => boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0 || bitmap.length === 0) return () => false;
  const off = data.offset;
  return (i) => {
    const j = i + off;
    return (bitmap[j >> 3]! & (1 << (j & 7))) === 0;
  };
}

/** A reader over Arrow Data of the given logical type. */
export function dataReader(data: A.Data, type: LogicalType): ColumnReader {
  const isNull = nullTest(data);
  const length = data.length;
  const off = data.offset;
  const base = { type, length, isNull };
  switch (type.kind) {
    case 'bool': {
      const bits = data.values as Uint8Array;
      return {
        ...base,
        get: (i) => (isNull(i) ? null : (bits[(i + off) >> 3]! & (1 << ((i + off) & 7))) !== 0),
      };
    }
    case 'int':
    case 'float':
    case 'date':
    case 'time':
    case 'timestamp': {
      // Arrow JS slices fixed-width and offset buffers on `Data.slice` (only the validity and boolean
      // bitmaps keep `offset`), so these are indexed by `i` alone.
      const values = data.values as ArrayLike<number | bigint>;
      return { ...base, get: (i) => (isNull(i) ? null : values[i]!) };
    }
    case 'list': {
      const offsets = data.valueOffsets as Int32Array;
      const child = dataReader(data.children[0]!, type.element);
      return {
        ...base,
        get: (i) => {
          if (isNull(i)) return null;
          const out: (JsValue | null)[] = [];
          for (let k = offsets[i]!; k < offsets[i + 1]!; k++) out.push(child.get(k));
          return out;
        },
      };
    }
    default: {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const view = (i: number) => bytes.subarray(offsets[i]!, offsets[i + 1]!);
      if (type.kind === 'bytes')
        return { ...base, bytes: view, get: (i) => (isNull(i) ? null : view(i).slice()) };
      return { ...base, bytes: view, get: (i) => (isNull(i) ? null : decoder.decode(view(i))) };
    }
  }
}

/** Readers for every column of a batch, in schema order, typed by the fields' logical types. */
export function batchReaders(batch: A.RecordBatch): ColumnReader[] {
  return batch.schema.fields.map((f, i) => dataReader(batch.data.children[i]!, logicalTypeOf(f)));
}

/** The batch as plain rows (tests and error messages only; the data plane never materialises rows). */
export function batchRows(batch: A.RecordBatch): (JsValue | null)[][] {
  const readers = batchReaders(batch);
  const rows: (JsValue | null)[][] = [];
  for (let r = 0; r < batch.numRows; r++) rows.push(readers.map((c) => c.get(r)));
  return rows;
}
