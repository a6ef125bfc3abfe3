import * as A from 'apache-arrow';
import { FerryError, formatLogicalType, isFerryError, type LogicalType } from '../core/index.js';
import { dataReader } from '../formats/index.js';
import type { ByteSink } from './byte-sink.js';
import { writeDecimalText, writeIntegerText } from './canonical-decimal.js';
import { canonicalJson } from './canonical-json.js';
import type { ResolvedRule } from './compare-rules.js';

/**
 * The canonical encoding of one value: a one-byte tag, then a body fixed by the tag. Variable-length
 * bodies carry a u32 little-endian length first, so a row (the concatenation of its values) is unambiguous.
 * These tags are part of every checksum ever stored: never renumber them.
 */
export const TAG = {
  NULL: 0x00,
  /** + 1 byte 0/1 */
  BOOL: 0x01,
  /** integers of any width and decimals: + u32 length + canonical decimal text */
  NUMBER: 0x02,
  /** + 8 bytes float64 bits (little-endian), one NaN */
  FLOAT: 0x03,
  /** text and uuid: + u32 length + UTF-8 */
  TEXT: 0x04,
  /** + u32 length + raw bytes */
  BYTES: 0x05,
  /** + int32 days since 1970-01-01 */
  DATE: 0x06,
  /** + int64 microseconds since midnight */
  TIME: 0x07,
  /** with or without zone: + int64 microseconds since 1970-01-01 00:00 (UTC for timestamptz) */
  TIMESTAMP: 0x08,
  /** + u32 length + interval text */
  INTERVAL: 0x09,
  /** + u32 length + canonical JSON text */
  JSON: 0x0a,
  /** + u32 element count + each element's encoding */
  LIST: 0x0b,
} as const;

/** Appends the canonical encoding of row `i` of one column to the sink. */
export type ValueEncoder = (i: number) => void;

const TWO32 = 4294967296;
/** |hi word| below this means the int64 is within ±2^53 and exact as a JS number. */
const SAFE_HI = 0x200000;

function withColumn(e: unknown, column: string): unknown {
  return isFerryError(e) ? (e as FerryError).withContext({ column }) : e;
}

/** An encoder for one column's Arrow data (NULLs included), compiled once per batch. */
export function valueEncoder(
  data: A.Data,
  type: LogicalType,
  rule: ResolvedRule,
  sink: ByteSink,
  column: string,
): ValueEncoder {
  if (!isFerryRepresentation(type, data.type))
    throw new FerryError(
      'TYPE',
      `column ${column}: Arrow type ${String(data.type)} is not ferry's representation of ${formatLogicalType(type)}`,
      {
        column,
        hint: 'the connector must build batches with formats/ (microsecond times, day dates, Utf8 text)',
      },
    );
  const enc = nonNullEncoder(data, type, rule, sink, column);
  if (data.nullCount === 0) return enc;
  const { isNull } = dataReader(data, type);
  return (i) => {
    if (isNull(i)) sink.byte(TAG.NULL);
    else enc(i);
  };
}

/** The encoders read buffers directly, so they check once per batch that the layout is the one they assume. */
function isFerryRepresentation(t: LogicalType, d: A.DataType): boolean {
  switch (t.kind) {
    case 'bool':
      return A.DataType.isBool(d);
    case 'int':
      return A.DataType.isInt(d);
    case 'float':
      return A.DataType.isFloat(d) && d.precision !== A.Precision.HALF;
    case 'date':
      return A.DataType.isDate(d) && d.unit === A.DateUnit.DAY;
    case 'time':
      return A.DataType.isTime(d) && d.unit === A.TimeUnit.MICROSECOND;
    case 'timestamp':
      return A.DataType.isTimestamp(d) && d.unit === A.TimeUnit.MICROSECOND;
    case 'bytes':
      return A.DataType.isBinary(d);
    case 'list':
      return A.DataType.isList(d);
    default:
      return A.DataType.isUtf8(d);
  }
}

function nonNullEncoder(
  data: A.Data,
  type: LogicalType,
  rule: ResolvedRule,
  sink: ByteSink,
  column: string,
): ValueEncoder {
  switch (type.kind) {
    case 'bool': {
      // Boolean bits keep the Data offset (Arrow JS slices every other fixed-width buffer instead).
      const bits = data.values as Uint8Array;
      const off = data.offset;
      return (i) => {
        sink.ensure(2);
        const p = sink.pos;
        sink.buf[p] = TAG.BOOL;
        sink.buf[p + 1] = (bits[(i + off) >> 3]! >> ((i + off) & 7)) & 1;
        sink.pos = p + 2;
      };
    }
    case 'int':
      return intEncoder(data, sink);
    case 'float':
      return floatEncoder(data.values as Float64Array | Float32Array, rule.floatDigits, sink);
    case 'decimal': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => {
        sink.byte(TAG.NUMBER);
        try {
          writeDecimalText(bytes, offsets[i]!, offsets[i + 1]!, sink);
        } catch (e) {
          throw withColumn(e, column);
        }
      };
    }
    case 'text':
    case 'bytes':
    case 'interval': {
      const tag = type.kind === 'text' ? TAG.TEXT : type.kind === 'bytes' ? TAG.BYTES : TAG.INTERVAL;
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const { trim, emptyIsNull } = rule;
      return (i) => {
        const s = offsets[i]!;
        let e = offsets[i + 1]!;
        if (trim) while (e > s && bytes[e - 1] === 0x20) e--;
        if (emptyIsNull && e === s) sink.byte(TAG.NULL);
        else writeVar(sink, tag, bytes, s, e);
      };
    }
    case 'uuid': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const { emptyIsNull } = rule;
      return (i) => {
        const s = offsets[i]!;
        const e = offsets[i + 1]!;
        if (emptyIsNull && e === s) sink.byte(TAG.NULL);
        else if (!writeUuid(sink, bytes, s, e)) {
          const value = new TextDecoder().decode(bytes.subarray(s, Math.min(e, s + 100)));
          throw new FerryError('DATA', `invalid uuid ${JSON.stringify(value)} in column ${column}`, {
            column,
            value,
          });
        }
      };
    }
    case 'json': {
      const reader = dataReader(data, type);
      const offsets = data.valueOffsets as Int32Array;
      const { emptyIsNull } = rule;
      return (i) => {
        if (emptyIsNull && offsets[i] === offsets[i + 1]) {
          sink.byte(TAG.NULL);
          return;
        }
        let text: string;
        try {
          text = canonicalJson(reader.get(i) as string);
        } catch (e) {
          throw withColumn(e, column);
        }
        sink.byte(TAG.JSON);
        sink.lengthPrefixedUtf8(text);
      };
    }
    case 'date': {
      const values = data.values as Int32Array;
      return (i) => {
        sink.ensure(5);
        const p = sink.pos;
        sink.buf[p] = TAG.DATE;
        sink.view.setInt32(p + 1, values[i]!, true);
        sink.pos = p + 5;
      };
    }
    case 'time':
    case 'timestamp':
      return microsEncoder(
        data.values as BigInt64Array,
        type.kind === 'time' ? TAG.TIME : TAG.TIMESTAMP,
        rule,
        sink,
      );
    case 'list': {
      const offsets = data.valueOffsets as Int32Array;
      const child = valueEncoder(data.children[0]!, type.element, rule, sink, column);
      return (i) => {
        const s = offsets[i]!;
        const e = offsets[i + 1]!;
        sink.ensure(5);
        const p = sink.pos;
        sink.buf[p] = TAG.LIST;
        sink.view.setUint32(p + 1, e - s, true);
        sink.pos = p + 5;
        for (let k = s; k < e; k++) child(k);
      };
    }
  }
}

export function writeVar(sink: ByteSink, tag: number, src: Uint8Array, s: number, e: number): void {
  sink.ensure(5 + e - s);
  const p = sink.pos;
  sink.buf[p] = tag;
  sink.view.setUint32(p + 1, e - s, true);
  sink.pos = p + 5;
  sink.copy(src, s, e);
}

function intEncoder(data: A.Data, sink: ByteSink): ValueEncoder {
  const values = data.values as Int8Array | Int16Array | Int32Array | BigInt64Array | BigUint64Array;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Read the two 32-bit halves: reading the BigInt64Array itself would allocate a bigint per value.
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    const signed = values instanceof BigInt64Array;
    return (i) => {
      sink.byte(TAG.NUMBER);
      writeInt64Text(sink, words[2 * i]!, signed ? words[2 * i + 1]! | 0 : words[2 * i + 1]!);
    };
  }
  return (i) => {
    sink.byte(TAG.NUMBER);
    writeIntegerText(sink, values[i] as number);
  };
}

/**
 * `u32 length` + the canonical digits of the 64-bit integer with 32-bit halves `lo` (unsigned) and `hi`
 * (signed for int64, unsigned for uint64): a JS number when exact, a bigint's text beyond ±2^53.
 */
export function writeInt64Text(sink: ByteSink, lo: number, hi: number): void {
  if (hi >= -SAFE_HI && hi < SAFE_HI) writeIntegerText(sink, hi * TWO32 + lo);
  else {
    const text = String(BigInt(hi) * BigInt(TWO32) + BigInt(lo));
    sink.u32(text.length);
    sink.ascii(text);
  }
}

function floatEncoder(values: Float64Array | Float32Array, digits: number, sink: ByteSink): ValueEncoder {
  return (i) => {
    let v = values[i]!;
    // Rounding keeps zero's sign and leaves infinities and NaN alone.
    if (digits > 0 && v !== 0 && v - v === 0) v = Number(v.toPrecision(digits));
    writeFloat(sink, v);
  };
}

/** TAG.FLOAT + the float64 bits of `v` (little-endian); every NaN is one. */
export function writeFloat(sink: ByteSink, v: number): void {
  sink.ensure(9);
  const p = sink.pos;
  sink.buf[p] = TAG.FLOAT;
  if (Number.isNaN(v)) {
    // Every NaN, whatever its payload or sign, is the one quiet NaN 0x7ff8000000000000.
    sink.view.setUint32(p + 1, 0, true);
    sink.view.setUint32(p + 5, 0x7ff80000, true);
  } else sink.view.setFloat64(p + 1, v, true);
  sink.pos = p + 9;
}

function microsEncoder(values: BigInt64Array, tag: number, rule: ResolvedRule, sink: ByteSink): ValueEncoder {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const unit = rule.timeUnit;
  if (unit === 1) {
    // Exact: the canonical body is the Arrow value's own little-endian bytes.
    return (i) => {
      sink.ensure(9);
      const p = sink.pos;
      sink.buf[p] = tag;
      sink.view.setUint32(p + 1, words[2 * i]!, true);
      sink.view.setUint32(p + 5, words[2 * i + 1]!, true);
      sink.pos = p + 9;
    };
  }
  const round = rule.roundTime;
  const bigUnit = BigInt(unit);
  return (i) => {
    sink.ensure(9);
    const p = sink.pos;
    sink.buf[p] = tag;
    const hi = words[2 * i + 1]! | 0;
    // Half the safe range, so that rounding up by one unit still stays exact.
    if (hi >= -SAFE_HI / 2 && hi < SAFE_HI / 2) {
      let v = hi * TWO32 + words[2 * i]!;
      const r = v % unit;
      v -= r;
      // r has the value's sign, so this rounds half away from zero.
      if (round && Math.abs(r) * 2 >= unit) v += r < 0 ? -unit : unit;
      const vh = Math.floor(v / TWO32);
      sink.view.setUint32(p + 1, v - vh * TWO32, true);
      sink.view.setInt32(p + 5, vh, true);
    } else {
      let v = values[i]!;
      const r = v % bigUnit;
      v -= r;
      if (round && (r < 0n ? -r : r) * 2n >= bigUnit) v += r < 0n ? -bigUnit : bigUnit;
      sink.view.setBigInt64(p + 1, v, true);
    }
    sink.pos = p + 9;
  };
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

const HEX_DIGITS = '0123456789abcdef';

/** `[position * 256 + byte]` is 1 where the byte may stand at that position of a canonical uuid. */
const CANONICAL_UUID_CHAR = new Uint8Array(36 * 256);
for (let k = 0; k < 36; k++) {
  if (k === 8 || k === 13 || k === 18 || k === 23) CANONICAL_UUID_CHAR[k * 256 + 0x2d] = 1;
  else for (const c of HEX_DIGITS) CANONICAL_UUID_CHAR[k * 256 + c.charCodeAt(0)] = 1;
}

/**
 * Writes a uuid as TEXT in lower-case hyphenated form (`8-4-4-4-12`), accepting upper case, missing
 * hyphens and braces. Returns false when the input is not 32 hex digits.
 */
export function writeUuid(sink: ByteSink, src: Uint8Array, s: number, e: number): boolean {
  sink.ensure(5 + 36);
  const b = sink.buf;
  const p = sink.pos;
  b[p] = TAG.TEXT;
  sink.view.setUint32(p + 1, 36, true);
  let q = p + 5;
  if (e - s === 36) {
    // Fast path: already canonical, copied while checked.
    let ok = true;
    for (let k = 0; k < 36; k++) {
      const c = src[s + k]!;
      b[q + k] = c;
      if (CANONICAL_UUID_CHAR[k * 256 + c] === 0) ok = false;
    }
    if (ok) {
      sink.pos = q + 36;
      return true;
    }
  }
  let n = 0;
  for (let k = s; k < e; k++) {
    const c = src[k]!;
    const h = hexValue(c);
    if (h < 0) {
      if (c === 0x2d || c === 0x7b || c === 0x7d) continue;
      return false;
    }
    if (n === 32) return false;
    if (n === 8 || n === 12 || n === 16 || n === 20) b[q++] = 0x2d;
    b[q++] = HEX_DIGITS.charCodeAt(h);
    n++;
  }
  if (n !== 32) return false;
  sink.pos = q;
  return true;
}
