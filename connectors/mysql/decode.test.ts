import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../core/index.js';
import { charsetDecoder } from './charsets.js';
import { DecodeProblem, decoderFor, geometryToWkb } from './decode.js';
import { parseNativeType } from './native-type.js';
import { daysFromCivil, parseDate, parseDateTime } from './temporal.js';
import { DEFAULT_READ_TYPES } from './types.js';

const b = (s: string) => Buffer.from(s, 'latin1');
function decode(type: LogicalType, native: string, raw: Buffer, options = DEFAULT_READ_TYPES) {
  const d = decoderFor(type, parseNativeType(native), options);
  if (!d) throw new Error(`no decoder for ${native}`);
  return d(raw);
}

describe('value decoders (raw text-protocol bytes → JsValue)', () => {
  it('integers: small ones as numbers, 64-bit and uint32 exactly as bigint', () => {
    expect(decode({ kind: 'int', bits: 8 }, 'tinyint(4)', b('-128'))).toBe(-128);
    expect(
      decode({ kind: 'int', bits: 32, unsigned: true }, 'int(10) unsigned zerofill', b('0000000042')),
    ).toBe(42n);
    expect(decode({ kind: 'int', bits: 64 }, 'bigint(20)', b('-9223372036854775808'))).toBe(
      -9223372036854775808n,
    );
    expect(
      decode({ kind: 'int', bits: 64, unsigned: true }, 'bigint(20) unsigned', b('18446744073709551615')),
    ).toBe(18446744073709551615n);
    expect(decode({ kind: 'int', bits: 64 }, 'bigint(20)', b('9007199254740993'))).toBe(9007199254740993n);
  });

  it('TINYINT(1) as bool: 0 and 1 only, anything else is a problem naming the value', () => {
    expect(decode({ kind: 'bool' }, 'tinyint(1)', b('1'))).toBe(true);
    expect(decode({ kind: 'bool' }, 'tinyint(1)', b('0'))).toBe(false);
    expect(() => decode({ kind: 'bool' }, 'tinyint(1)', b('2'))).toThrow(DecodeProblem);
    expect(() => decode({ kind: 'bool' }, 'tinyint(1)', b('-1'))).toThrow(/not a boolean/);
  });

  it('decimals as their exact text; floats from their exact DOUBLE widening', () => {
    const d = decode(
      { kind: 'decimal', precision: 65, scale: 30 },
      'decimal(65,30)',
      b('-1.000000000000000000000000000001'),
    );
    expect(Buffer.from(d as Uint8Array).toString()).toBe('-1.000000000000000000000000000001');
    expect(
      decode(
        { kind: 'decimal', precision: 10, scale: 2 },
        'decimal(10,2) unsigned zerofill',
        b('00000001.50'),
      ),
    ).toBe('1.50');
    expect(decode({ kind: 'float', bits: 32 }, 'float', b('0.10000000149011612'))).toBe(Math.fround(0.1));
    expect(decode({ kind: 'float', bits: 64 }, 'double', b('5e-324'))).toBe(5e-324);
  });

  it('BIT(n) as a big-endian unsigned integer; BIT(1) as bool', () => {
    expect(decode({ kind: 'int', bits: 64 }, 'bit(10)', Buffer.from([0x02, 0xaa]))).toBe(682n);
    expect(decode({ kind: 'int', bits: 64, unsigned: true }, 'bit(64)', Buffer.alloc(8, 0xff))).toBe(
      2n ** 64n - 1n,
    );
    expect(decode({ kind: 'bool' }, 'bit(1)', Buffer.from([1]))).toBe(true);
  });

  it('dates and datetimes without a JS Date, microseconds kept', () => {
    expect(decode({ kind: 'date' }, 'date', b('1969-12-31'))).toBe(-1);
    expect(decode({ kind: 'timestamp', tz: false }, 'datetime(6)', b('9999-12-31 23:59:59.999999'))).toBe(
      253402300799999999n,
    );
    expect(decode({ kind: 'timestamp', tz: true }, 'timestamp(3)', b('1970-01-01 00:00:00.5'))).toBe(500000n);
  });

  it('zero and invalid dates: a problem under zero_dates=error, NULL under zero_dates=null', () => {
    for (const v of ['0000-00-00', '2024-00-10', '2024-02-30', '2023-02-29']) {
      expect(() => decode({ kind: 'date' }, 'date', b(v))).toThrow(/zero or invalid date/);
      expect(decode({ kind: 'date' }, 'date', b(v), { ...DEFAULT_READ_TYPES, zeroDates: 'null' })).toBeNull();
    }
    expect(() => decode({ kind: 'timestamp', tz: false }, 'datetime', b('0000-00-00 00:00:00'))).toThrow(
      /zero or invalid/,
    );
  });

  it('TIME as an interval, across its whole range; as a time of day only within a day', () => {
    expect(decode({ kind: 'interval' }, 'time', b('-838:59:59'))).toBe('-838:59:59');
    expect(decode({ kind: 'interval' }, 'time(6)', b('-00:00:00.000001'))).toBe('-00:00:00.000001');
    expect(decode({ kind: 'interval' }, 'time(6)', b('25:00:00.500000'))).toBe('25:00:00.5');
    expect(decode({ kind: 'time' }, 'time(6)', b('23:59:59.999999'))).toBe(86_399_999_999n);
    expect(() => decode({ kind: 'time' }, 'time(6)', b('25:00:00.000000'))).toThrow(/not a time of day/);
  });

  it('text: UTF-8 validated, latin1 converted, invalid bytes a problem with their hex', () => {
    const u = decode({ kind: 'text' }, 'varchar(10) CHARACTER SET utf8mb4', Buffer.from('🎉é'));
    expect(Buffer.from(u as Uint8Array).toString()).toBe('🎉é');
    expect(() =>
      decode({ kind: 'text' }, 'varchar(10) CHARACTER SET utf8mb4', Buffer.from([0x61, 0xff])),
    ).toThrow(/invalid utf8mb4 bytes 0x61ff/);
    const l = decode({ kind: 'text' }, 'varchar(10) CHARACTER SET latin1', Buffer.from([0x63, 0xe9, 0x80]));
    expect(Buffer.from(l as Uint8Array).toString()).toBe('cé€');
    expect(() => decode({ kind: 'text' }, 'varchar(10) CHARACTER SET ascii', Buffer.from([0xe9]))).toThrow(
      /invalid ascii/,
    );
  });

  it('latin1 is cp1252 with C1 controls for its five undefined bytes (test/mysql checks all 256 against the server)', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const cps = [...Buffer.from(charsetDecoder('latin1')(all) as Uint8Array).toString('utf8')].map((c) =>
      c.codePointAt(0),
    );
    expect(cps).toHaveLength(256);
    expect(cps.slice(0, 128)).toEqual(Array.from({ length: 128 }, (_, i) => i));
    expect(cps.slice(0xa0)).toEqual(Array.from({ length: 96 }, (_, i) => 0xa0 + i));
    expect([0x80, 0x81, 0x8d, 0x8f, 0x90, 0x92, 0x9d, 0x9f].map((i) => cps[i])).toEqual([
      0x20ac, 0x81, 0x8d, 0x8f, 0x90, 0x2019, 0x9d, 0x178,
    ]);
  });

  it('SET as a list of members; JSON arrays as typed lists', () => {
    expect(decode({ kind: 'list', element: { kind: 'text' } }, "set('a','b')", b('a,b'))).toEqual(['a', 'b']);
    expect(decode({ kind: 'list', element: { kind: 'text' } }, "set('a','b')", b(''))).toEqual([]);
    expect(
      decode(
        { kind: 'list', element: { kind: 'int', bits: 64 } },
        'json',
        b('[9223372036854775807,null,-1]'),
      ),
    ).toEqual([9223372036854775807n, null, -1n]);
  });

  it('geometry: WKB when the SRID is 0, PostGIS EWKB with the SRID otherwise', () => {
    const wkb = Buffer.from('0101000000000000000000F03F0000000000000040', 'hex');
    expect(Buffer.from(geometryToWkb(Buffer.concat([Buffer.alloc(4), wkb]))).toString('hex')).toBe(
      wkb.toString('hex'),
    );
    const srid = Buffer.alloc(4);
    srid.writeUInt32LE(4326);
    expect(
      Buffer.from(geometryToWkb(Buffer.concat([srid, wkb])))
        .toString('hex')
        .toUpperCase(),
    ).toBe('0101000020E6100000000000000000F03F0000000000000040');
  });

  it('parses every date and datetime the same as the proleptic Gregorian calendar', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -62135596800000, max: 253402300799000 }),
        fc.integer({ min: 0, max: 999999 }),
        (ms, us) => {
          const d = new Date(ms - (ms % 1000));
          const iso = d.toISOString();
          const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(us).padStart(6, '0')}`;
          const days = Math.floor(d.getTime() / 86_400_000);
          expect(parseDate(b(text))).toBe(days);
          expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(days);
          expect(parseDateTime(b(text))).toBe(BigInt(d.getTime()) * 1000n + BigInt(us));
        },
      ),
    );
  });
});
