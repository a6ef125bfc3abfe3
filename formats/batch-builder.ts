import * as A from 'apache-arrow';
import { type Column, FerryError, type LogicalType } from '../core/index.js';
import { arrowTypeFor, schemaFor } from './arrow-types.js';

/**
 * The in-memory value of a logical type, as builders accept it and readers return it:
 * bool → boolean; int up to 32 bits (unsigned up to 16) and float → number; int64, uint32, uint64,
 * time and timestamp (microseconds) → bigint; date → number of days since 1970-01-01;
 * decimal, text, uuid, json, interval → string; bytes → Uint8Array; list → array of element values.
 */
export type JsValue = boolean | number | bigint | string | Uint8Array | (JsValue | null)[];

/** Appends values of one column into Arrow buffers it owns (hot path: no per-value allocation). */
export interface ColumnBuilder {
  append(value: JsValue | null | undefined): void;
  /**
   * Text and bytes columns: appends the bytes `src[start, end)` as one value, unchecked, without a view of them
   * per value (a reader decoding rows where they lie in a network buffer).
   */
  appendSlice?(src: Uint8Array, start: number, end: number): void;
  /** Arrow Data for the values appended since the last `finish`; then starts empty. */
  finish(): A.Data;
  readonly length: number;
  /** Bytes of Arrow buffers the values appended since the last `finish` take (validity bitmaps left out). */
  readonly bytes: number;
}

const encoder = new TextEncoder();

function validity(capacity: number) {
  let bits = new Uint8Array(Math.max(8, (capacity + 7) >> 3));
  let nulls = 0;
  return {
    set(i: number, valid: boolean) {
      if (i >> 3 >= bits.length) {
        const grown = new Uint8Array(bits.length * 2);
        grown.set(bits);
        bits = grown;
      }
      if (valid) bits[i >> 3]! |= 1 << (i & 7);
      else {
        bits[i >> 3]! &= ~(1 << (i & 7));
        nulls++;
      }
    },
    take(length: number): [Uint8Array, number] {
      const out = bits.slice(0, (length + 7) >> 3);
      const n = nulls;
      bits.fill(0);
      nulls = 0;
      return [out, n];
    },
  };
}

type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | Uint8Array;

function fixedBuilder(
  type: A.DataType,
  make: (n: number) => TypedArray,
  convert: (v: JsValue) => number | bigint,
  zero: number | bigint,
  capacity: number,
): ColumnBuilder {
  let values = make(capacity);
  let length = 0;
  const valid = validity(capacity);
  return {
    get length() {
      return length;
    },
    get bytes() {
      return length * values.BYTES_PER_ELEMENT;
    },
    append(v) {
      if (length === values.length) {
        const grown = make(values.length * 2);
        grown.set(values as never);
        values = grown;
      }
      if (v === null || v === undefined) {
        (values as { [i: number]: number | bigint })[length] = zero;
        valid.set(length++, false);
      } else {
        (values as { [i: number]: number | bigint })[length] = convert(v);
        valid.set(length++, true);
      }
    },
    finish() {
      const [nullBitmap, nullCount] = valid.take(length);
      const data = A.makeData({
        type,
        length,
        nullCount,
        nullBitmap,
        data: values.slice(0, length),
      } as never);
      length = 0;
      return data as A.Data;
    },
  };
}

function boolBuilder(capacity: number): ColumnBuilder {
  const bits = validity(capacity);
  const valid = validity(capacity);
  let length = 0;
  return {
    get length() {
      return length;
    },
    get bytes() {
      return (length + 7) >> 3;
    },
    append(v) {
      if (v === null || v === undefined) {
        bits.set(length, false);
        valid.set(length++, false);
      } else {
        bits.set(length, v === true);
        valid.set(length++, true);
      }
    },
    finish() {
      const [nullBitmap, nullCount] = valid.take(length);
      const [data] = bits.take(length);
      const out = A.makeData({ type: new A.Bool(), length, nullCount, nullBitmap, data });
      length = 0;
      return out as A.Data;
    },
  };
}

function varBuilder(type: A.Utf8 | A.Binary, capacity: number): ColumnBuilder {
  let offsets = new Int32Array(capacity + 1);
  let bytes = new Uint8Array(Math.max(1024, capacity * 16));
  let length = 0;
  const valid = validity(capacity);
  const ensure = (extra: number) => {
    const need = offsets[length]! + extra;
    if (need > bytes.length) {
      const grown = new Uint8Array(Math.max(need, bytes.length * 2));
      grown.set(bytes);
      bytes = grown;
    }
  };
  const growOffsets = () => {
    const grown = new Int32Array(offsets.length * 2);
    grown.set(offsets);
    offsets = grown;
  };
  return {
    get length() {
      return length;
    },
    get bytes() {
      return offsets[length]! + 4 * (length + 1);
    },
    appendSlice(src, from, to) {
      if (length + 1 === offsets.length) growOffsets();
      const n = to - from;
      ensure(n);
      let p = offsets[length]!;
      // Short values by hand; longer ones through a plain view (cheaper than `Buffer.subarray`).
      if (n <= 48) for (let k = from; k < to; k++) bytes[p++] = src[k]!;
      else {
        bytes.set(new Uint8Array(src.buffer, src.byteOffset + from, n), p);
        p += n;
      }
      if (p > 0x7fffffff) throw new FerryError('DATA', 'batch exceeds 2 GiB of variable-length data');
      offsets[length + 1] = p;
      valid.set(length++, true);
    },
    append(v) {
      if (length + 1 === offsets.length) growOffsets();
      const start = offsets[length]!;
      if (v === null || v === undefined) {
        offsets[length + 1] = start;
        valid.set(length++, false);
        return;
      }
      if (typeof v === 'string') {
        ensure(v.length * 3);
        const { written } = encoder.encodeInto(v, bytes.subarray(start));
        offsets[length + 1] = start + written;
      } else if (v instanceof Uint8Array) {
        ensure(v.length);
        bytes.set(v, start);
        offsets[length + 1] = start + v.length;
      } else {
        throw new FerryError('INTERNAL', `expected text or bytes, got ${typeof v}`);
      }
      if (offsets[length + 1]! > 0x7fffffff)
        throw new FerryError('DATA', 'batch exceeds 2 GiB of variable-length data');
      valid.set(length++, true);
    },
    finish() {
      const [nullBitmap, nullCount] = valid.take(length);
      const valueOffsets = offsets.slice(0, length + 1);
      const data = bytes.slice(0, valueOffsets[length]!);
      const out = A.makeData({ type, length, nullCount, nullBitmap, valueOffsets, data } as never);
      length = 0;
      offsets.fill(0, 0, 1);
      return out as A.Data;
    },
  };
}

function listBuilder(t: Extract<LogicalType, { kind: 'list' }>, capacity: number): ColumnBuilder {
  const child = columnBuilder(t.element, capacity * 4);
  const type = arrowTypeFor(t) as A.List;
  let offsets = new Int32Array(capacity + 1);
  let length = 0;
  const valid = validity(capacity);
  return {
    get length() {
      return length;
    },
    get bytes() {
      return 4 * (length + 1) + child.bytes;
    },
    append(v) {
      if (length + 1 === offsets.length) {
        const grown = new Int32Array(offsets.length * 2);
        grown.set(offsets);
        offsets = grown;
      }
      if (v === null || v === undefined) {
        offsets[length + 1] = offsets[length]!;
        valid.set(length++, false);
        return;
      }
      if (!Array.isArray(v))
        throw new FerryError('INTERNAL', `expected an array for a list value, got ${typeof v}`);
      for (const e of v) child.append(e);
      offsets[length + 1] = offsets[length]! + v.length;
      valid.set(length++, true);
    },
    finish() {
      const [nullBitmap, nullCount] = valid.take(length);
      const valueOffsets = offsets.slice(0, length + 1);
      const out = A.makeData({ type, length, nullCount, nullBitmap, valueOffsets, child: child.finish() });
      length = 0;
      return out as A.Data;
    },
  };
}

const toNumber = (v: JsValue) => v as number;
const toBig = (v: JsValue) => (typeof v === 'bigint' ? v : BigInt(v as number));

/** A builder for one column of the given logical type; `capacity` is a hint (it grows). */
export function columnBuilder(t: LogicalType, capacity: number): ColumnBuilder {
  const type = arrowTypeFor(t);
  switch (t.kind) {
    case 'bool':
      return boolBuilder(capacity);
    case 'int':
    case 'float':
    case 'date':
    case 'time':
    case 'timestamp': {
      if (type.ArrayType === BigInt64Array || type.ArrayType === BigUint64Array) {
        const Ctor = type.ArrayType as BigInt64ArrayConstructor;
        return fixedBuilder(type, (n) => new Ctor(n), toBig, 0n, capacity);
      }
      const Ctor = type.ArrayType as Int32ArrayConstructor;
      return fixedBuilder(type, (n) => new Ctor(n), toNumber, 0, capacity);
    }
    case 'bytes':
      return varBuilder(type as A.Binary, capacity);
    case 'list':
      return listBuilder(t, capacity);
    default:
      return varBuilder(type as A.Utf8, capacity);
  }
}

/**
 * Builds Arrow record batches column by column. Typical use in a connector's reader:
 * `for each row: for each column c: builder.columns[c].append(v)`; `if (builder.length >= n) yield builder.finish()`.
 */
export class BatchBuilder {
  readonly columns: ColumnBuilder[];
  readonly schema: A.Schema;

  constructor(columns: Column[], capacity: number) {
    this.schema = schemaFor(columns);
    this.columns = columns.map((c) => columnBuilder(c.type, capacity));
  }

  /** Rows appended since the last `finish`. */
  get length(): number {
    return this.columns[0]?.length ?? 0;
  }

  /** Bytes of the Arrow buffers of the rows appended since the last `finish` (see `ColumnBuilder.bytes`). */
  get bytes(): number {
    let n = 0;
    for (const c of this.columns) n += c.bytes;
    return n;
  }

  appendRow(values: readonly (JsValue | null | undefined)[]): void {
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.append(values[i]);
  }

  /** The batch of everything appended since the last call; the builder starts empty again. */
  finish(): A.RecordBatch {
    const length = this.length;
    const children = this.columns.map((c) => c.finish());
    const data = A.makeData({
      type: new A.Struct(this.schema.fields),
      length,
      nullCount: 0,
      children,
    });
    return new A.RecordBatch(this.schema, data);
  }
}
