import { FerryError, type LogicalType } from '../../core/index.js';
import type { JsValue } from '../batch-builder.js';
import { numericText } from './numeric.js';
import { formatBits, formatInet, formatMac, formatMoney } from './net.js';
import { formatInterval } from '../interval-text.js';
import {
  dateFromWire,
  formatTimetz,
  PG_EPOCH_MICROS,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
} from './temporal.js';

/**
 * How one PostgreSQL type travels in binary COPY. Several SQL types share a wire form: `text` covers
 * text, varchar, bpchar, name, enums, json, xml and citext (their binary form is the UTF-8 text); `bit` covers
 * bit and varbit; domains use their base type's.
 */
export type PgWire =
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'oid'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'money'
  | 'text'
  | 'jsonb'
  | 'bytea'
  | 'uuid'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'inet'
  | 'cidr'
  | 'macaddr'
  | 'macaddr8'
  | 'bit';

/** One column's codec: its wire form and, for the encoder, the target type's limits. */
export interface PgCodec {
  wire: PgWire;
  /** Array nesting: 0 for a scalar, 1 for `int[]`, 2 for `int[][]` (list of lists). */
  dims: number;
  /** The element type's OID, required to encode an array (array_recv checks it). */
  elementOid?: number;
  /** varchar(n)/bpchar(n): maximum characters. */
  maxLength?: number;
  /** bit(n): exact bit count. */
  bitLength?: number;
  /** numeric(p,s). */
  precision?: number;
  scale?: number;
  /** timestamp(p)/time(p)/interval(p): fractional second digits kept (0–6). */
  timePrecision?: number;
  /** Fractional digits of `money` in the server's lc_monetary (2 unless set otherwise). */
  moneyScale?: number;
  /** The target server accepts numeric ±Infinity (PostgreSQL ≥ 14). Default true. */
  numericInfinity?: boolean;
  /**
   * Decode into a narrower integer than the wire's: `int8` from int2, `uint8` from int2, `uint16` from int4,
   * `uint32` from int8, `uint64` from numeric (a column that holds another engine's integer type). Values out
   * of the narrower range are DATA errors.
   */
  integer?: 'int8' | 'uint8' | 'uint16' | 'uint32' | 'uint64';
}

/** The logical type a wire form decodes to (before array nesting). */
export function wireLogicalType(wire: PgWire): LogicalType {
  switch (wire) {
    case 'bool':
      return { kind: 'bool' };
    case 'int2':
      return { kind: 'int', bits: 16 };
    case 'int4':
      return { kind: 'int', bits: 32 };
    case 'int8':
    case 'oid':
      return { kind: 'int', bits: 64 };
    case 'float4':
      return { kind: 'float', bits: 32 };
    case 'float8':
      return { kind: 'float', bits: 64 };
    case 'numeric':
    case 'money':
      return { kind: 'decimal' };
    case 'jsonb':
      return { kind: 'json', binary: true };
    case 'bytea':
      return { kind: 'bytes' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time' };
    case 'timestamp':
      return { kind: 'timestamp', tz: false };
    case 'timestamptz':
      return { kind: 'timestamp', tz: true };
    case 'interval':
      return { kind: 'interval' };
    default:
      return { kind: 'text' };
  }
}

/** The logical type a codec decodes to (before array nesting): the wire's, or the narrower integer it names. */
export function codecLogicalType(codec: PgCodec): LogicalType {
  switch (codec.integer) {
    case 'int8':
      return { kind: 'int', bits: 8 };
    case 'uint8':
      return { kind: 'int', bits: 8, unsigned: true };
    case 'uint16':
      return { kind: 'int', bits: 16, unsigned: true };
    case 'uint32':
      return { kind: 'int', bits: 32, unsigned: true };
    case 'uint64':
      return { kind: 'int', bits: 64, unsigned: true };
    default:
      return wireLogicalType(codec.wire);
  }
}

/** Wraps a logical type in `dims` levels of list. */
export function nestList(t: LogicalType, dims: number): LogicalType {
  let out = t;
  for (let i = 0; i < dims; i++) out = { kind: 'list', element: out };
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Reads int64 wire bytes as a bigint (slow path: arrays and keys). */
function int64(dv: DataView, off: number): bigint {
  return dv.getBigInt64(off);
}

/** `xxxxxxxx-xxxx-…` of 16 wire bytes. */
export function uuidText(b: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[off + i]!];
  }
  return s;
}

function expectLen(wire: PgWire, len: number, want: number): void {
  if (len !== want)
    throw new FerryError('DATA', `invalid ${wire} value in binary COPY data: ${len} bytes, expected ${want}`);
}

/**
 * Decodes one non-NULL scalar of `len` bytes at `off` into ferry's JsValue domain (formats/ batch-builder):
 * the slow but general path, used for array elements and key values.
 */
export function decodeScalar(codec: PgCodec, b: Uint8Array, dv: DataView, off: number, len: number): JsValue {
  switch (codec.wire) {
    case 'bool':
      expectLen('bool', len, 1);
      return b[off] !== 0;
    case 'int2': {
      expectLen('int2', len, 2);
      const v = dv.getInt16(off);
      if (codec.integer === 'int8' && (v < -128 || v > 127))
        throw new FerryError('DATA', `smallint ${v} does not fit int8`, { value: String(v) });
      if (codec.integer === 'uint8' && (v < 0 || v > 255))
        throw new FerryError('DATA', `smallint ${v} does not fit uint8`, { value: String(v) });
      return v;
    }
    case 'int4': {
      expectLen('int4', len, 4);
      const v = dv.getInt32(off);
      if (codec.integer === 'uint16' && (v < 0 || v > 65535))
        throw new FerryError('DATA', `integer ${v} does not fit uint16`, { value: String(v) });
      return v;
    }
    case 'int8': {
      expectLen('int8', len, 8);
      const v = int64(dv, off);
      if (codec.integer === 'uint32' && (v < 0n || v > 0xffffffffn))
        throw new FerryError('DATA', `bigint ${v} does not fit uint32`, { value: String(v) });
      return v;
    }
    case 'oid':
      expectLen('oid', len, 4);
      return BigInt(dv.getUint32(off));
    case 'float4':
      expectLen('float4', len, 4);
      return dv.getFloat32(off);
    case 'float8':
      expectLen('float8', len, 8);
      return dv.getFloat64(off);
    case 'numeric': {
      const text = numericText(dv, off);
      if (codec.integer !== 'uint64') return text;
      if (!/^\d+$/.test(text) || BigInt(text) >= 1n << 64n)
        throw new FerryError('DATA', `numeric ${text} is not an unsigned 64-bit integer`, { value: text });
      return BigInt(text);
    }
    case 'money':
      expectLen('money', len, 8);
      return formatMoney(int64(dv, off), codec.moneyScale ?? 2);
    case 'text':
      return utf8.decode(b.subarray(off, off + len));
    case 'jsonb':
      if (b[off] !== 1) throw new FerryError('DATA', `unsupported jsonb binary version ${b[off]}`);
      return utf8.decode(b.subarray(off + 1, off + len));
    case 'bytea':
      return b.slice(off, off + len);
    case 'uuid':
      expectLen('uuid', len, 16);
      return uuidText(b, off);
    case 'date':
      expectLen('date', len, 4);
      return dateFromWire(dv.getInt32(off));
    case 'time':
      expectLen('time', len, 8);
      return int64(dv, off);
    case 'timetz':
      expectLen('timetz', len, 12);
      return formatTimetz(int64(dv, off), dv.getInt32(off + 8));
    case 'timestamp':
    case 'timestamptz': {
      expectLen(codec.wire, len, 8);
      const v = int64(dv, off);
      return v === TIMESTAMP_POS_INFINITY || v === TIMESTAMP_NEG_INFINITY ? v : v + PG_EPOCH_MICROS;
    }
    case 'interval':
      expectLen('interval', len, 16);
      return formatInterval({
        months: dv.getInt32(off + 12),
        days: dv.getInt32(off + 8),
        micros: int64(dv, off),
      });
    case 'inet':
    case 'cidr':
      return formatInet(b, off, len);
    case 'macaddr':
      expectLen('macaddr', len, 6);
      return formatMac(b, off, 6);
    case 'macaddr8':
      expectLen('macaddr8', len, 8);
      return formatMac(b, off, 8);
    case 'bit':
      return formatBits(dv, off);
  }
}
