import * as A from 'apache-arrow';
import { FerryError, type LogicalType } from '../../core/index.js';
import { arrowTypeFor } from '../arrow-types.js';
import { columnBuilder } from '../batch-builder.js';
import { decodeArray } from './array.js';
import { decodeScalar, type PgCodec } from './codec.js';
import { numericTextBound, writeNumericText } from './numeric.js';
import { dateFromWire, timestampFromWire } from './temporal.js';
import { writeUuidText } from './uuid-text.js';

/**
 * Column sinks of the COPY decoder: each appends wire values of one column straight into the Arrow buffers
 * of the batch being built (no per-value objects on the fixed-width, text and bytea paths) and hands them
 * over as Arrow Data. 64-bit values are copied as two 32-bit halves, never through a BigInt.
 */
export interface Sink {
  append(b: Uint8Array, dv: DataView, off: number, len: number): void;
  appendNull(): void;
  /** The Arrow Data of the `length` rows appended since the last call. */
  finish(length: number): A.Data;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
  throw new FerryError('INTERNAL', 'ferry needs a little-endian host (Arrow buffers are little-endian)');

class Validity {
  bits: Uint8Array;
  nulls = 0;
  constructor(readonly capacity: number) {
    this.bits = new Uint8Array((capacity + 7) >> 3).fill(0xff);
  }
  setNull(i: number): void {
    this.bits[i >> 3]! &= ~(1 << (i & 7));
    this.nulls++;
  }
  take(): [Uint8Array, number] {
    const out: [Uint8Array, number] = [this.bits, this.nulls];
    this.bits = new Uint8Array((this.capacity + 7) >> 3).fill(0xff);
    this.nulls = 0;
    return out;
  }
}

abstract class FixedSink<T extends Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array>
  implements Sink
{
  protected n = 0;
  protected values: T;
  protected readonly valid: Validity;
  constructor(
    protected readonly type: A.DataType,
    protected readonly capacity: number,
    protected readonly make: (n: number) => T,
    protected readonly width: number,
    protected readonly wire: string,
  ) {
    this.values = make(capacity);
    this.valid = new Validity(capacity);
  }
  protected check(len: number): void {
    if (len !== this.width)
      throw new FerryError('DATA', `invalid ${this.wire} value in binary COPY data (${len} bytes)`);
  }
  abstract append(b: Uint8Array, dv: DataView, off: number, len: number): void;
  appendNull(): void {
    this.valid.setNull(this.n++);
  }
  finish(length: number): A.Data {
    const [nullBitmap, nullCount] = this.valid.take();
    const data = this.values.subarray(0, length);
    this.values = this.make(this.capacity);
    this.n = 0;
    return A.makeData({ type: this.type, length, nullCount, nullBitmap, data } as never) as A.Data;
  }
}

class Int16Sink extends FixedSink<Int16Array> {
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    this.values[this.n++] = dv.getInt16(off);
  }
}

class Int32Sink extends FixedSink<Int32Array> {
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    this.values[this.n++] = dv.getInt32(off);
  }
}

class DateSink extends FixedSink<Int32Array> {
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    const d = dv.getInt32(off);
    this.values[this.n++] = dateFromWire(d);
  }
}

class Float32Sink extends FixedSink<Float32Array> {
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    this.values[this.n++] = dv.getFloat32(off);
  }
}

class Float64Sink extends FixedSink<Float64Array> {
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    this.values[this.n++] = dv.getFloat64(off);
  }
}

/** int8, time: 8 big-endian bytes copied as two int32 halves. oid: uint32 widened. timestamps: epoch shifted. */
class Int64Sink extends FixedSink<BigInt64Array> {
  private halves: Int32Array;
  constructor(
    type: A.DataType,
    capacity: number,
    private readonly mode: 'copy' | 'oid' | 'timestamp',
  ) {
    super(type, capacity, (n) => new BigInt64Array(n), mode === 'oid' ? 4 : 8, mode);
    this.halves = new Int32Array(this.values.buffer);
  }
  append(_b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.check(len);
    const i = this.n++ << 1;
    if (this.mode === 'oid') {
      this.halves[i] = dv.getInt32(off);
      this.halves[i + 1] = 0;
      return;
    }
    if (this.mode === 'timestamp') {
      timestampFromWire(dv, off, this.halves, i);
      return;
    }
    this.halves[i] = dv.getInt32(off + 4);
    this.halves[i + 1] = dv.getInt32(off);
  }
  override finish(length: number): A.Data {
    const out = super.finish(length);
    this.halves = new Int32Array(this.values.buffer);
    return out;
  }
}

class BoolSink implements Sink {
  private n = 0;
  private bits: Uint8Array;
  private readonly valid: Validity;
  constructor(private readonly capacity: number) {
    this.bits = new Uint8Array((capacity + 7) >> 3);
    this.valid = new Validity(capacity);
  }
  append(b: Uint8Array, _dv: DataView, off: number, len: number): void {
    if (len !== 1) throw new FerryError('DATA', `invalid bool value in binary COPY data (${len} bytes)`);
    if (b[off] !== 0) this.bits[this.n >> 3]! |= 1 << (this.n & 7);
    this.n++;
  }
  appendNull(): void {
    this.valid.setNull(this.n++);
  }
  finish(length: number): A.Data {
    const [nullBitmap, nullCount] = this.valid.take();
    const data = this.bits;
    this.bits = new Uint8Array((this.capacity + 7) >> 3);
    this.n = 0;
    return A.makeData({ type: new A.Bool(), length, nullCount, nullBitmap, data }) as A.Data;
  }
}

const encoder = new TextEncoder();

/** Utf8/Binary columns. `copy` moves the bytes as they are; the other modes render text straight into the buffer. */
class VarSink implements Sink {
  private n = 0;
  private offsets: Int32Array;
  private bytes: Uint8Array;
  private readonly valid: Validity;
  constructor(
    private readonly type: A.Utf8 | A.Binary,
    private readonly capacity: number,
    private readonly mode: 'copy' | 'jsonb' | 'uuid' | 'numeric' | 'other',
    private readonly codec: PgCodec,
  ) {
    this.offsets = new Int32Array(capacity + 1);
    this.bytes = new Uint8Array(Math.max(4096, capacity * 16));
    this.valid = new Validity(capacity);
  }
  private ensure(extra: number): number {
    const pos = this.offsets[this.n]!;
    if (pos + extra > this.bytes.length) {
      if (pos + extra > 0x7fffffff)
        throw new FerryError('DATA', 'a batch exceeds 2 GiB of variable-length data');
      const grown = new Uint8Array(Math.max(pos + extra, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, pos));
      this.bytes = grown;
    }
    return pos;
  }
  private copy(b: Uint8Array, off: number, len: number): number {
    const pos = this.ensure(len);
    const out = this.bytes;
    if (len <= 32) for (let i = 0; i < len; i++) out[pos + i] = b[off + i]!;
    else out.set(b.subarray(off, off + len), pos);
    return pos + len;
  }
  append(b: Uint8Array, dv: DataView, off: number, len: number): void {
    let pos: number;
    switch (this.mode) {
      case 'jsonb':
        if (b[off] !== 1) throw new FerryError('DATA', `unsupported jsonb binary version ${b[off]}`);
        pos = this.copy(b, off + 1, len - 1);
        break;
      case 'copy':
        pos = this.copy(b, off, len);
        break;
      case 'uuid': {
        if (len !== 16) throw new FerryError('DATA', `invalid uuid value in binary COPY data (${len} bytes)`);
        pos = writeUuidText(b, off, this.bytes, this.ensure(36));
        break;
      }
      case 'numeric': {
        const bound = numericTextBound(dv.getInt16(off), dv.getInt16(off + 2), dv.getInt16(off + 6));
        pos = this.ensure(bound);
        pos = writeNumericText(dv, off, this.bytes, pos);
        break;
      }
      default: {
        const text = decodeScalar(this.codec, b, dv, off, len) as string;
        pos = this.ensure(text.length * 3);
        pos += encoder.encodeInto(text, this.bytes.subarray(pos)).written;
      }
    }
    this.offsets[++this.n] = pos;
  }
  appendNull(): void {
    this.offsets[this.n + 1] = this.offsets[this.n]!;
    this.valid.setNull(this.n++);
  }
  finish(length: number): A.Data {
    const [nullBitmap, nullCount] = this.valid.take();
    const valueOffsets = this.offsets.subarray(0, length + 1);
    const data = this.bytes.subarray(0, valueOffsets[length]!);
    const used = valueOffsets[length]!;
    this.offsets = new Int32Array(this.capacity + 1);
    this.bytes = new Uint8Array(Math.max(4096, Math.ceil(used * 1.1)));
    this.n = 0;
    return A.makeData({
      type: this.type,
      length,
      nullCount,
      nullBitmap,
      valueOffsets,
      data,
    } as never) as A.Data;
  }
}

/** Arrays, through the general JsValue path (formats/ columnBuilder). */
class ListSink implements Sink {
  private readonly builder;
  constructor(
    type: LogicalType,
    capacity: number,
    private readonly codec: PgCodec,
  ) {
    this.builder = columnBuilder(type, capacity);
  }
  append(b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.builder.append(decodeArray(this.codec, b, dv, off, len));
  }
  appendNull(): void {
    this.builder.append(null);
  }
  finish(): A.Data {
    return this.builder.finish();
  }
}

/** Narrowed integers (codec.integer): range-checked values through formats/ columnBuilder. */
class CheckedSink implements Sink {
  private readonly builder;
  constructor(
    type: LogicalType,
    capacity: number,
    private readonly codec: PgCodec,
  ) {
    this.builder = columnBuilder(type, capacity);
  }
  append(b: Uint8Array, dv: DataView, off: number, len: number): void {
    this.builder.append(decodeScalar(this.codec, b, dv, off, len));
  }
  appendNull(): void {
    this.builder.append(null);
  }
  finish(): A.Data {
    return this.builder.finish();
  }
}

/** The sink for one column of logical type `type` arriving in the codec's wire form. */
export function makeSink(codec: PgCodec, type: LogicalType, capacity: number): Sink {
  const arrow = arrowTypeFor(type);
  if (codec.dims > 0) return new ListSink(type, capacity, codec);
  if (codec.integer) return new CheckedSink(type, capacity, codec);
  switch (codec.wire) {
    case 'bool':
      return new BoolSink(capacity);
    case 'int2':
      return new Int16Sink(arrow, capacity, (n) => new Int16Array(n), 2, 'int2');
    case 'int4':
      return new Int32Sink(arrow, capacity, (n) => new Int32Array(n), 4, 'int4');
    case 'date':
      return new DateSink(arrow, capacity, (n) => new Int32Array(n), 4, 'date');
    case 'float4':
      return new Float32Sink(arrow, capacity, (n) => new Float32Array(n), 4, 'float4');
    case 'float8':
      return new Float64Sink(arrow, capacity, (n) => new Float64Array(n), 8, 'float8');
    case 'int8':
    case 'time':
      return new Int64Sink(arrow, capacity, 'copy');
    case 'oid':
      return new Int64Sink(arrow, capacity, 'oid');
    case 'timestamp':
    case 'timestamptz':
      return new Int64Sink(arrow, capacity, 'timestamp');
    case 'text':
    case 'bytea':
      return new VarSink(arrow as A.Utf8, capacity, 'copy', codec);
    case 'jsonb':
      return new VarSink(arrow as A.Utf8, capacity, 'jsonb', codec);
    case 'uuid':
      return new VarSink(arrow as A.Utf8, capacity, 'uuid', codec);
    case 'numeric':
      return new VarSink(arrow as A.Utf8, capacity, 'numeric', codec);
    default:
      return new VarSink(arrow as A.Utf8, capacity, 'other', codec);
  }
}
