import type * as A from 'apache-arrow';
import { FerryError, formatLogicalType, type LogicalType, toFerryError } from '../../core/index.js';
import { logicalTypeOf } from '../arrow-types.js';
import { dataReader } from '../column-reader.js';
import { writeArray } from './array.js';
import type { PgCodec, PgWire } from './codec.js';
import { displayValue, utf8Chars, writeScalar } from './encode-scalar.js';
import { DATE_NEG_INFINITY, DATE_POS_INFINITY, dateToWire, PG_EPOCH_MICROS } from './temporal.js';
import { ByteWriter } from './writer.js';

/**
 * Encodes Arrow record batches as `COPY … FROM STDIN (FORMAT binary)` bytes: `header()`, then `encode(batch)`
 * for each batch, then `trailer()`.
 *
 * Fixed-width, text and bytea columns are written straight from the Arrow buffers (64-bit values as two
 * 32-bit halves, no BigInt); decimals, lists and text-carried types (uuid, interval, inet, …) go through the
 * JsValue path. Every value is checked against the target type (range, varchar/char length, numeric
 * precision and scale, time precision): a value the target cannot hold throws DATA naming the column,
 * the row's key and the value, before PostgreSQL could round or truncate it.
 */

const HEADER = Uint8Array.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
const TRAILER = Uint8Array.from([0xff, 0xff]);

/** The header of a binary COPY stream (a fresh copy), for writers of rows without an encoder. */
export function binaryCopyHeader(): Uint8Array {
  return HEADER.slice();
}

/** The trailer of a binary COPY stream (a fresh copy). */
export function binaryCopyTrailer(): Uint8Array {
  return TRAILER.slice();
}

const TEXT_TARGETS = new Set<PgWire>([
  'text',
  'jsonb',
  'uuid',
  'numeric',
  'money',
  'timetz',
  'interval',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'bit',
]);

/** Why a column of logical type `t` cannot be loaded into the codec's type, or undefined when it can. */
export function incompatibility(t: LogicalType, codec: PgCodec): string | undefined {
  let depth = 0;
  let inner = t;
  while (inner.kind === 'list') {
    inner = inner.element;
    depth++;
  }
  if (depth !== codec.dims)
    return `${formatLogicalType(t)} has ${depth} list level(s), the column ${codec.dims}`;
  const w = codec.wire;
  const ok = (() => {
    switch (inner.kind) {
      case 'bool':
        return w === 'bool';
      case 'int':
        return ['int2', 'int4', 'int8', 'oid', 'numeric'].includes(w);
      case 'float':
        return w === 'float8' || w === 'float4';
      case 'decimal':
        return w === 'numeric' || w === 'money';
      case 'text':
        return TEXT_TARGETS.has(w);
      case 'json':
        return w === 'text' || w === 'jsonb';
      case 'uuid':
        return w === 'uuid' || w === 'text';
      case 'interval':
        return w === 'interval' || w === 'text';
      case 'bytes':
        return w === 'bytea';
      case 'date':
        return w === 'date';
      case 'time':
        return w === 'time';
      case 'timestamp':
        return w === (inner.tz ? 'timestamptz' : 'timestamp');
    }
  })();
  return ok ? undefined : `${formatLogicalType(t)} cannot be loaded into a ${w} column`;
}

type Emit = (w: ByteWriter, row: number) => void;

const MICROS_LO = Number(PG_EPOCH_MICROS & 0xffffffffn);
const MICROS_HI = Number(PG_EPOCH_MICROS >> 32n);
const hexVal = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  hexVal['0123456789abcdef'.charCodeAt(i)] = i;
  hexVal['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export interface PgCopyEncoderOptions {
  /** Column names, for errors. */
  names: string[];
  /** Column indexes of the key, to name the row in errors. */
  keyColumns?: number[];
}

export class PgCopyEncoder {
  private readonly writer = new ByteWriter();
  /** Rows encoded so far (PostgreSQL's COPY line numbers are 1-based over the whole stream). */
  rowCount = 0;

  constructor(
    private readonly codecs: PgCodec[],
    private readonly options: PgCopyEncoderOptions,
  ) {}

  header(): Uint8Array {
    return binaryCopyHeader();
  }

  trailer(): Uint8Array {
    return binaryCopyTrailer();
  }

  /** The COPY rows `[from, to)` (default all) of one batch, whose columns are the target's in order. */
  encode(batch: A.RecordBatch, from = 0, to = batch.numRows): Uint8Array {
    const ncols = this.codecs.length;
    if (batch.numCols !== ncols)
      throw new FerryError('INTERNAL', `batch has ${batch.numCols} columns, the COPY ${ncols}`);
    const emits: Emit[] = [];
    const nulls: ((i: number) => boolean)[] = [];
    for (let c = 0; c < ncols; c++) {
      const field = batch.schema.fields[c]!;
      const data = batch.data.children[c]!;
      const type = logicalTypeOf(field);
      const why = incompatibility(type, this.codecs[c]!);
      if (why) throw new FerryError('SCHEMA_MISMATCH', why, { column: this.options.names[c] });
      emits.push(emitter(data, type, this.codecs[c]!));
      nulls.push(nullTest(data));
    }
    const w = this.writer;
    let c = 0;
    let r = from;
    try {
      for (; r < to; r++) {
        w.ensure(2);
        w.dv.setInt16(w.pos, ncols);
        w.pos += 2;
        for (c = 0; c < ncols; c++) {
          if (nulls[c]!(r)) w.int32(-1);
          else emits[c]!(w, r);
        }
      }
    } catch (e) {
      w.pos = 0;
      const err = toFerryError(e, 'DATA', { column: this.options.names[c], key: this.keyOf(batch, r) });
      if (err.context.value === undefined) {
        const v = dataReader(batch.data.children[c]!, logicalTypeOf(batch.schema.fields[c]!)).get(r);
        err.context.value = displayValue(v);
      }
      throw err;
    }
    this.rowCount += to - from;
    return w.take();
  }

  private keyOf(batch: A.RecordBatch, row: number): string | undefined {
    const keys = this.options.keyColumns;
    if (!keys?.length) return undefined;
    return keys
      .map((k) =>
        displayValue(dataReader(batch.data.children[k]!, logicalTypeOf(batch.schema.fields[k]!)).get(row)),
      )
      .join(', ');
  }
}

function nullTest(data: A.Data): (i: number) => boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || data.nullCount === 0 || bitmap.length === 0) return () => false;
  const off = data.offset;
  return (i) => (bitmap[(i + off) >> 3]! & (1 << ((i + off) & 7))) === 0;
}

/** Writes int64 halves (lo, hi) of row `i` with an optional subtraction of the epoch shift. */
function emitInt64(data: A.Data, shiftEpoch: boolean, slow: Emit): Emit {
  const halves = new Int32Array(
    (data.values as BigInt64Array).buffer,
    (data.values as BigInt64Array).byteOffset,
    data.length * 2 + data.offset * 2,
  );
  const off = data.offset;
  return (w, i) => {
    const lo = halves[(i + off) * 2]!;
    const hi = halves[(i + off) * 2 + 1]!;
    if (shiftEpoch && !((hi === 0x7fffffff && lo === -1) || (hi === -0x80000000 && lo === 0))) {
      // Below 4714 BC (PostgreSQL's minimum) the JsValue path checks with 64-bit arithmetic; above, every
      // int64 below the +infinity sentinel is in PostgreSQL's range.
      if (hi < -49_096_621) return slow(w, i);
      const l = (lo >>> 0) - MICROS_LO;
      w.ensure(12);
      w.dv.setInt32(w.pos, 8);
      w.dv.setInt32(w.pos + 4, (hi - MICROS_HI - (l < 0 ? 1 : 0)) | 0);
      w.dv.setInt32(w.pos + 8, l | 0);
      w.pos += 12;
      return;
    }
    w.ensure(12);
    w.dv.setInt32(w.pos, 8);
    w.dv.setInt32(w.pos + 4, hi);
    w.dv.setInt32(w.pos + 8, lo);
    w.pos += 12;
  };
}

function emitter(data: A.Data, type: LogicalType, codec: PgCodec): Emit {
  const reader = dataReader(data, type);
  const slow: Emit =
    codec.dims > 0
      ? (w, i) => writeArray(w, codec, reader.get(i)!)
      : (w, i) => writeScalar(w, codec, reader.get(i)!);
  const off = data.offset;
  const wire = codec.wire;
  if (codec.dims > 0) return slow;
  switch (type.kind) {
    case 'int': {
      if (type.bits === 64 && !type.unsigned && wire === 'int8') return emitInt64(data, false, slow);
      if (type.bits === 64 || type.unsigned || wire === 'numeric' || wire === 'oid') return slow;
      const values = data.values as Int8Array | Int16Array | Int32Array;
      if (wire === 'int8')
        return (w, i) => {
          const v = values[i + off]!;
          w.ensure(12);
          w.dv.setInt32(w.pos, 8);
          w.dv.setInt32(w.pos + 4, v < 0 ? -1 : 0);
          w.dv.setInt32(w.pos + 8, v);
          w.pos += 12;
        };
      if (wire === 'int4' || type.bits <= 16)
        return wire === 'int4'
          ? (w, i) => {
              w.ensure(8);
              w.dv.setInt32(w.pos, 4);
              w.dv.setInt32(w.pos + 4, values[i + off]!);
              w.pos += 8;
            }
          : (w, i) => {
              w.ensure(6);
              w.dv.setInt32(w.pos, 2);
              w.dv.setInt16(w.pos + 4, values[i + off]!);
              w.pos += 6;
            };
      return slow;
    }
    case 'float': {
      const values = data.values as Float32Array | Float64Array;
      if (wire === 'float8')
        return (w, i) => {
          w.ensure(12);
          w.dv.setInt32(w.pos, 8);
          w.dv.setFloat64(w.pos + 4, values[i + off]!);
          w.pos += 12;
        };
      if (type.bits === 32)
        return (w, i) => {
          w.ensure(8);
          w.dv.setInt32(w.pos, 4);
          w.dv.setFloat32(w.pos + 4, values[i + off]!);
          w.pos += 8;
        };
      return slow;
    }
    case 'date': {
      const values = data.values as Int32Array;
      return (w, i) => {
        const d = values[i + off]!;
        w.ensure(8);
        w.dv.setInt32(w.pos, 4);
        w.dv.setInt32(w.pos + 4, d === DATE_POS_INFINITY || d === DATE_NEG_INFINITY ? d : dateToWire(d));
        w.pos += 8;
      };
    }
    case 'timestamp':
      return codec.timePrecision !== undefined && codec.timePrecision < 6
        ? slow
        : emitInt64(data, true, slow);
    case 'time':
      return slow;
    case 'bool': {
      const bits = data.values as Uint8Array;
      return (w, i) => {
        w.ensure(5);
        w.dv.setInt32(w.pos, 1);
        w.buf[w.pos + 4] = (bits[(i + off) >> 3]! >> ((i + off) & 7)) & 1;
        w.pos += 5;
      };
    }
    case 'bytes':
    case 'text':
    case 'json':
    case 'uuid':
      break;
    default:
      return slow;
  }
  if (wire !== 'text' && wire !== 'jsonb' && wire !== 'bytea' && wire !== 'uuid') return slow;
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  if (wire === 'uuid')
    return (w, i) => {
      const s = offsets[i + off]!;
      if (offsets[i + off + 1]! - s !== 36) return slow(w, i);
      w.ensure(20);
      w.dv.setInt32(w.pos, 16);
      let p = w.pos + 4;
      for (let k = 0; k < 36; k += 2) {
        if (k === 8 || k === 13 || k === 18 || k === 23) k++;
        const h = hexVal[bytes[s + k]!]!;
        const l = hexVal[bytes[s + k + 1]!]!;
        if (h < 0 || l < 0) return slow(w, i);
        w.buf[p++] = (h << 4) | l;
      }
      w.pos = p;
    };
  const prefix = wire === 'jsonb' ? 1 : 0;
  const max = codec.maxLength;
  return (w, i) => {
    const s = offsets[i + off]!;
    const len = offsets[i + off + 1]! - s;
    if (max !== undefined && len > max && utf8Chars(bytes, s, s + len) > max)
      throw new FerryError('DATA', `value of ${utf8Chars(bytes, s, s + len)} characters does not fit ${max}`);
    w.ensure(4 + prefix + len);
    w.dv.setInt32(w.pos, len + prefix);
    let p = w.pos + 4;
    if (prefix) w.buf[p++] = 1;
    if (len <= 32) for (let k = 0; k < len; k++) w.buf[p + k] = bytes[s + k]!;
    else w.buf.set(bytes.subarray(s, s + len), p);
    w.pos = p + len;
  };
}
