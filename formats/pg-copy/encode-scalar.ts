import { FerryError } from '../../core/index.js';
import type { JsValue } from '../batch-builder.js';
import { parseInterval } from '../interval-text.js';
import type { PgCodec } from './codec.js';
import { encodeBits, encodeInet, encodeMac } from './net.js';
import { encodeNumeric, parseDecimal } from './numeric.js';
import {
  dateToWire,
  parseTimetz,
  PG_EPOCH_MICROS,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
} from './temporal.js';
import type { ByteWriter } from './writer.js';

const encoder = new TextEncoder();

/** Microseconds since 2000-01-01 of 4714-11-24 BC 00:00 and of 294277-01-01 (PostgreSQL's timestamp range). */
const MIN_TIMESTAMP = -211_813_488_000_000_000n;
const END_TIMESTAMP = 9_223_371_331_200_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

function fail(message: string, value: JsValue): never {
  throw new FerryError('DATA', message, { value: displayValue(value) });
}

/** A value as text for error messages, shortened to 200 characters. */
export function displayValue(v: JsValue | null): string {
  let s: string;
  if (v === null) s = 'NULL';
  else if (v instanceof Uint8Array) s = `\\x${Buffer.from(v.subarray(0, 100)).toString('hex')}`;
  else if (Array.isArray(v)) s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  else s = String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** Number of characters (code points) of UTF-8 bytes, as PostgreSQL counts varchar(n). */
export function utf8Chars(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if ((b[i]! & 0xc0) !== 0x80) n++;
  return n;
}

function toBigInt(v: JsValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
  return fail(`expected an integer, got ${typeof v}`, v);
}

/** Checks that µs `v` carries no more fractional digits than `p` keeps (PostgreSQL would round them). */
export function checkMicrosPrecision(v: bigint, p: number | undefined, what: string): void {
  if (p === undefined || p >= 6) return;
  const unit = 10n ** BigInt(6 - p);
  if (v % unit !== 0n) fail(`${what}(${p}) would round away the value's microseconds`, v);
}

function uuidBytes(s: string): Uint8Array {
  const hex = s.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) fail('not a valid uuid', s);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * Writes one non-NULL value as a length-prefixed binary COPY field of the codec's wire type. Values are
 * checked against the target type's limits (range, length, precision, scale) and never rounded, truncated
 * or clamped: a value that does not fit throws DATA with the value.
 */
export function writeScalar(w: ByteWriter, codec: PgCodec, v: JsValue): void {
  switch (codec.wire) {
    case 'bool':
      if (typeof v !== 'boolean') fail('expected a boolean', v);
      w.ensure(5);
      w.dv.setInt32(w.pos, 1);
      w.buf[w.pos + 4] = v ? 1 : 0;
      w.pos += 5;
      return;
    case 'int2':
    case 'int4': {
      const n = toBigInt(v);
      const bits = codec.wire === 'int2' ? 15n : 31n;
      if (n >= 1n << bits || n < -(1n << bits))
        fail(`value out of range for ${codec.wire === 'int2' ? 'smallint' : 'integer'}`, v);
      w.int32(codec.wire === 'int2' ? 2 : 4);
      if (codec.wire === 'int2') w.int16(Number(n));
      else w.int32(Number(n));
      return;
    }
    case 'int8':
    case 'money': {
      let n: bigint;
      if (codec.wire === 'money') {
        const d = typeof v === 'string' ? parseDecimal(v) : fail('expected decimal text for money', v);
        const scale = codec.moneyScale ?? 2;
        if (d.special || d.scale > scale) fail(`money holds ${scale} decimal places`, v);
        n = BigInt(d.digits || '0') * 10n ** BigInt(scale - d.scale) * (d.negative ? -1n : 1n);
      } else n = toBigInt(v);
      if (n >= 1n << 63n || n < -(1n << 63n))
        fail(`value out of range for ${codec.wire === 'money' ? 'money' : 'bigint'}`, v);
      w.int32(8);
      w.ensure(8);
      w.dv.setBigInt64(w.pos, n);
      w.pos += 8;
      return;
    }
    case 'oid': {
      const n = toBigInt(v);
      if (n < 0n || n > 0xffffffffn) fail('value out of range for oid', v);
      w.int32(4);
      w.ensure(4);
      w.dv.setUint32(w.pos, Number(n));
      w.pos += 4;
      return;
    }
    case 'float4':
    case 'float8': {
      if (typeof v !== 'number') fail('expected a floating-point number', v);
      w.ensure(12);
      if (codec.wire === 'float4') {
        if (!Number.isNaN(v) && Math.fround(v) !== v)
          fail('value cannot be held exactly by real (float4)', v);
        w.dv.setInt32(w.pos, 4);
        w.dv.setFloat32(w.pos + 4, v);
        w.pos += 8;
      } else {
        w.dv.setInt32(w.pos, 8);
        w.dv.setFloat64(w.pos + 4, v);
        w.pos += 12;
      }
      return;
    }
    case 'numeric':
      if (typeof v !== 'string' && typeof v !== 'bigint' && typeof v !== 'number')
        fail('expected decimal text', v);
      if (typeof v === 'number' && !Number.isInteger(v)) fail('a float is not an exact decimal', v);
      w.field(encodeNumeric(String(v), codec.precision, codec.scale, codec.numericInfinity ?? true));
      return;
    case 'text':
    case 'jsonb': {
      if (typeof v !== 'string') fail('expected text', v);
      const jsonb = codec.wire === 'jsonb' ? 1 : 0;
      w.ensure(4 + jsonb + v.length * 3);
      const { written } = encoder.encodeInto(v, w.buf.subarray(w.pos + 4 + jsonb));
      if (codec.maxLength !== undefined && written > codec.maxLength) {
        const chars = utf8Chars(w.buf, w.pos + 4, w.pos + 4 + written);
        if (chars > codec.maxLength) fail(`value of ${chars} characters does not fit ${codec.maxLength}`, v);
      }
      w.dv.setInt32(w.pos, written + jsonb);
      if (jsonb) w.buf[w.pos + 4] = 1;
      w.pos += 4 + jsonb + written;
      return;
    }
    case 'bytea':
      if (!(v instanceof Uint8Array)) fail('expected bytes', v);
      w.field(v);
      return;
    case 'uuid':
      if (typeof v !== 'string') fail('expected uuid text', v);
      w.field(uuidBytes(v));
      return;
    case 'date': {
      if (typeof v !== 'number') fail('expected a date (days since 1970-01-01)', v);
      w.int32(4);
      w.int32(dateToWire(v));
      return;
    }
    case 'time': {
      const n = toBigInt(v);
      if (n < 0n || n > MICROS_PER_DAY) fail('time of day out of range', v);
      checkMicrosPrecision(n, codec.timePrecision, 'time');
      w.int32(8);
      w.ensure(8);
      w.dv.setBigInt64(w.pos, n);
      w.pos += 8;
      return;
    }
    case 'timestamp':
    case 'timestamptz': {
      const n = toBigInt(v);
      let wire: bigint;
      if (n === TIMESTAMP_POS_INFINITY || n === TIMESTAMP_NEG_INFINITY) wire = n;
      else {
        wire = n - PG_EPOCH_MICROS;
        if (wire < MIN_TIMESTAMP || wire >= END_TIMESTAMP) fail('timestamp out of PostgreSQL range', v);
        checkMicrosPrecision(wire, codec.timePrecision, codec.wire);
      }
      w.int32(8);
      w.ensure(8);
      w.dv.setBigInt64(w.pos, wire);
      w.pos += 8;
      return;
    }
    case 'timetz': {
      if (typeof v !== 'string') fail('expected time with time zone text', v);
      const t = parseTimetz(v);
      checkMicrosPrecision(t.micros, codec.timePrecision, 'timetz');
      w.int32(12);
      w.ensure(12);
      w.dv.setBigInt64(w.pos, t.micros);
      w.dv.setInt32(w.pos + 8, t.zoneWest);
      w.pos += 12;
      return;
    }
    case 'interval': {
      if (typeof v !== 'string') fail('expected interval text', v);
      const iv = parseInterval(v);
      checkMicrosPrecision(iv.micros, codec.timePrecision, 'interval');
      w.int32(16);
      w.ensure(16);
      w.dv.setBigInt64(w.pos, iv.micros);
      w.dv.setInt32(w.pos + 8, iv.days);
      w.dv.setInt32(w.pos + 12, iv.months);
      w.pos += 16;
      return;
    }
    case 'inet':
    case 'cidr':
      if (typeof v !== 'string') fail(`expected ${codec.wire} text`, v);
      w.field(encodeInet(v, codec.wire === 'cidr'));
      return;
    case 'macaddr':
    case 'macaddr8':
      if (typeof v !== 'string') fail(`expected ${codec.wire} text`, v);
      w.field(encodeMac(v, codec.wire === 'macaddr' ? 6 : 8));
      return;
    case 'bit':
      if (typeof v !== 'string') fail('expected bit string text', v);
      w.field(encodeBits(v, codec.bitLength));
      return;
  }
}
