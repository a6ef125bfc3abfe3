import type * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../core/index.js';
import { BatchBuilder, type JsValue } from '../formats/index.js';
import { ChecksumAccumulator } from './checksum.js';
import type { ColumnCompareRule } from './compare-rules.js';
import { RowHasher } from './row-hasher.js';

const col = (name: string, type: LogicalType): Column => ({ name, type, nullable: true, nativeType: '' });

function batchOf(columns: Column[], rows: (JsValue | null)[][]): A.RecordBatch {
  const b = new BatchBuilder(columns, Math.max(1, rows.length));
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

/** The canonical bytes of one value, as hex. */
function encoded(type: LogicalType, value: JsValue | null, rule?: ColumnCompareRule): string {
  const h = new RowHasher(rule ? { v: rule } : undefined);
  h.bind(batchOf([col('v', type)], [[value]]));
  h.encodeRow(0);
  return Buffer.from(h.sink.buf.subarray(0, h.sink.pos)).toString('hex');
}

function checksumOfBatch(batch: A.RecordBatch): string {
  const acc = new ChecksumAccumulator();
  acc.addBatch(batch);
  return acc.result().sum;
}

const sumOf = (type: LogicalType, value: JsValue | null, rule?: ColumnCompareRule) => {
  const acc = new ChecksumAccumulator(rule ? { v: rule } : undefined);
  acc.addBatch(batchOf([col('v', type)], [[value]]));
  return acc.result().sum;
};

const int = (bits: 8 | 16 | 32 | 64, unsigned = false): LogicalType => ({ kind: 'int', bits, unsigned });
const dec = (precision?: number, scale?: number): LogicalType => ({ kind: 'decimal', precision, scale });
const f64: LogicalType = { kind: 'float', bits: 64 };
const f32: LogicalType = { kind: 'float', bits: 32 };
const text: LogicalType = { kind: 'text' };
const bytes: LogicalType = { kind: 'bytes' };
const uuid: LogicalType = { kind: 'uuid' };
const json: LogicalType = { kind: 'json' };
const ts: LogicalType = { kind: 'timestamp', tz: false };
const tstz: LogicalType = { kind: 'timestamp', tz: true };
const ascii = (s: string) => Buffer.from(s).toString('hex');
const u32 = (n: number) => Buffer.from(new Uint32Array([n]).buffer).toString('hex');

describe('canonical encoding', () => {
  it('writes the documented bytes for each tag', () => {
    expect(encoded(int(32), null)).toBe('00');
    expect(encoded({ kind: 'bool' }, true)).toBe('0101');
    expect(encoded({ kind: 'bool' }, false)).toBe('0100');
    expect(encoded(int(32), -42)).toBe(`02${u32(3)}${ascii('-42')}`);
    expect(encoded(dec(12, 2), '001.50')).toBe(`02${u32(3)}${ascii('1.5')}`);
    expect(encoded(f64, 1)).toBe('03000000000000f03f');
    expect(encoded(text, 'é')).toBe(`04${u32(2)}c3a9`);
    expect(encoded(bytes, new Uint8Array([0, 255]))).toBe(`05${u32(2)}00ff`);
    expect(encoded({ kind: 'date' }, -1)).toBe('06ffffffff');
    expect(encoded({ kind: 'time' }, 1n)).toBe('070100000000000000');
    expect(encoded(ts, -2n)).toBe('08feffffffffffffff');
    expect(encoded({ kind: 'interval' }, '1 day')).toBe(`09${u32(5)}${ascii('1 day')}`);
    expect(encoded(json, '{ "b":1, "a":2 }')).toBe(`0a${u32(13)}${ascii('{"a":2,"b":1}')}`);
    expect(encoded({ kind: 'list', element: int(32) }, [7, null])).toBe(`0b${u32(2)}02${u32(1)}3700`);
  });

  it('gives integers of every width and decimals of the same value one form', () => {
    const forms = [
      encoded(int(8), 100),
      encoded(int(16), 100),
      encoded(int(32), 100),
      encoded(int(64), 100n),
      encoded(int(8, true), 100),
      encoded(int(16, true), 100),
      encoded(int(32, true), 100n),
      encoded(int(64, true), 100n),
      encoded(dec(20, 0), '100'),
      encoded(dec(), '100.000'),
      encoded(dec(), '1e2'),
    ];
    expect(new Set(forms).size).toBe(1);
    expect(encoded(int(64), -(2n ** 63n))).toBe(encoded(dec(20, 0), '-9223372036854775808'));
    expect(encoded(int(64), 2n ** 53n + 1n)).toBe(encoded(dec(), '9007199254740993'));
    expect(encoded(int(64), -(2n ** 53n))).toBe(encoded(dec(), '-9007199254740992'));
    expect(encoded(int(64, true), 2n ** 64n - 1n)).toBe(encoded(dec(20, 0), '18446744073709551615'));
    expect(encoded(int(64, true), 2n ** 63n)).toBe(encoded(dec(), '9223372036854775808'));
    expect(encoded(int(64), 0n)).toBe(encoded(dec(), '-0.00'));
  });

  it('treats 1.50 and 1.5 as equal decimals, and 1.5 and 1.51 as different', () => {
    expect(sumOf(dec(12, 2), '1.50')).toBe(sumOf(dec(), '1.5'));
    expect(sumOf(dec(), '1.5')).not.toBe(sumOf(dec(), '1.51'));
  });

  it('encodes floats by bits: -0.0 ≠ 0.0, one NaN, ±Infinity, float32 widened exactly', () => {
    expect(sumOf(f64, -0)).not.toBe(sumOf(f64, 0));
    expect(sumOf(f64, Number.POSITIVE_INFINITY)).not.toBe(sumOf(f64, Number.NEGATIVE_INFINITY));
    expect(sumOf(f32, 1.5)).toBe(sumOf(f64, 1.5));
    expect(sumOf(f32, 0.1)).toBe(sumOf(f64, Math.fround(0.1)));
    expect(sumOf(f32, 0.1)).not.toBe(sumOf(f64, 0.1));
    expect(encoded(f32, Number.NaN)).toBe('03000000000000f87f');
    // Floats are not numbers: 1.0 as a float and 1 as an integer differ.
    expect(sumOf(f64, 1)).not.toBe(sumOf(int(32), 1));
  });

  it('gives every NaN payload, in float64 and float32, the same hash', () => {
    const build = (type: LogicalType, patch: (raw: DataView) => void) => {
      const batch = batchOf([col('v', type)], [[Number.NaN]]);
      const values = batch.data.children[0]!.values as Float64Array | Float32Array;
      patch(new DataView(values.buffer, values.byteOffset, values.byteLength));
      expect(Number.isNaN(values[0])).toBe(true);
      return checksumOfBatch(batch);
    };
    const canonical = sumOf(f64, Number.NaN);
    expect(build(f64, (d) => d.setBigUint64(0, 0x7ff0000000000001n, true))).toBe(canonical);
    expect(build(f64, (d) => d.setBigUint64(0, 0xfff8000000000000n, true))).toBe(canonical);
    expect(build(f64, (d) => d.setBigUint64(0, 0x7fffffffffffffffn, true))).toBe(canonical);
    expect(build(f32, (d) => d.setUint32(0, 0x7f800001, true))).toBe(canonical);
    expect(build(f32, (d) => d.setUint32(0, 0xffc00000, true))).toBe(canonical);
  });

  it('gives timestamp and timestamptz of the same microseconds one form, distinct from time and date', () => {
    expect(sumOf(ts, 1700000000123456n)).toBe(sumOf(tstz, 1700000000123456n));
    expect(sumOf(ts, 1700000000123457n)).not.toBe(sumOf(tstz, 1700000000123456n));
    expect(sumOf(ts, 5n)).not.toBe(sumOf({ kind: 'time' }, 5n));
    expect(sumOf({ kind: 'date' }, 5)).not.toBe(sumOf(int(32), 5));
  });

  it('canonicalises json: key order, whitespace, duplicates, number forms', () => {
    const a = sumOf(json, '{"a": 1, "b": [1.50, 2]}');
    expect(sumOf(json, '{ "b":[1.5,2e0],\n "a":1 }')).toBe(a);
    expect(sumOf(json, '{"a": 0, "b": [1.5, 2], "a": 1}')).toBe(a);
    expect(sumOf(json, '{"a": 1, "b": [2, 1.5]}')).not.toBe(a);
    expect(sumOf(json, '"x"')).not.toBe(sumOf(text, '"x"'));
  });

  it('refuses invalid json and decimals with a DATA error naming the column', () => {
    expect(() => sumOf(json, '{"a":')).toThrow(
      expect.objectContaining({ code: 'DATA', context: expect.objectContaining({ column: 'v' }) }),
    );
    expect(() => sumOf(dec(), '12a')).toThrow(
      expect.objectContaining({
        code: 'DATA',
        context: expect.objectContaining({ column: 'v', value: '12a' }),
      }),
    );
  });

  it('gives uuids one lower-case hyphenated form, the same as text', () => {
    const lower = sumOf(uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(sumOf(uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).toBe(lower);
    expect(sumOf(uuid, '{a0eebc999c0b4ef8bb6d6bb9bd380a11}')).toBe(lower);
    expect(sumOf(text, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toBe(lower);
    expect(() => sumOf(uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1')).toThrow(
      expect.objectContaining({ code: 'DATA' }),
    );
    expect(() => sumOf(uuid, 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')).toThrow(
      expect.objectContaining({ code: 'DATA' }),
    );
  });

  it('keeps text and bytes apart, and NULL apart from empty and zero', () => {
    expect(sumOf(text, 'abc')).not.toBe(sumOf(bytes, new Uint8Array([97, 98, 99])));
    expect(sumOf(text, '')).not.toBe(sumOf(text, null));
    expect(sumOf(bytes, new Uint8Array())).not.toBe(sumOf(bytes, null));
    expect(sumOf(int(32), 0)).not.toBe(sumOf(int(32), null));
    expect(sumOf(text, null)).toBe(sumOf(int(64), null));
    expect(sumOf(dec(), '1')).not.toBe(sumOf(text, '1'));
    expect(sumOf({ kind: 'bool' }, true)).not.toBe(sumOf(int(8), 1));
  });

  it('keeps column boundaries: ("ab", "c") ≠ ("a", "bc")', () => {
    const columns = [col('x', text), col('y', text)];
    expect(checksumOfBatch(batchOf(columns, [['ab', 'c']]))).not.toBe(
      checksumOfBatch(batchOf(columns, [['a', 'bc']])),
    );
  });

  it('encodes lists element by element', () => {
    const l32: LogicalType = { kind: 'list', element: int(32) };
    const l64: LogicalType = { kind: 'list', element: int(64) };
    expect(sumOf(l32, [1, 2])).toBe(sumOf(l64, [1n, 2n]));
    expect(sumOf(l32, [1, 2])).not.toBe(sumOf(l32, [2, 1]));
    expect(sumOf(l32, [1, null])).not.toBe(sumOf(l32, [1]));
    expect(sumOf(l32, [])).not.toBe(sumOf(l32, null));
  });

  it('reads sliced batches at their offset (every type)', () => {
    const columns = [
      col('b', { kind: 'bool' }),
      col('i', int(32)),
      col('l', int(64)),
      col('f', f64),
      col('d', dec()),
      col('t', text),
      col('y', bytes),
      col('u', uuid),
      col('j', json),
      col('dt', { kind: 'date' }),
      col('ts', tstz),
      col('ls', { kind: 'list', element: text }),
    ];
    const rows: (JsValue | null)[][] = [];
    for (let r = 0; r < 20; r++) {
      rows.push([
        r % 3 === 0,
        r % 4 === 0 ? null : r,
        BigInt(r) * 1_000_000_000_000n,
        r / 7,
        `${r}.${r}0`,
        r % 5 === 0 ? null : `t${r}`,
        new Uint8Array([r, r + 1]),
        `00000000-0000-0000-0000-0000000000${String(r).padStart(2, '0')}`,
        `{"k":${r}}`,
        r * 100,
        BigInt(r) * 86_400_000_000n,
        r % 2 ? [`a${r}`, null] : [],
      ]);
    }
    const whole = batchOf(columns, rows);
    const slice = whole.slice(7, 13);
    expect(slice.data.children[1]!.offset).toBe(7);
    expect(checksumOfBatch(slice)).toBe(checksumOfBatch(batchOf(columns, rows.slice(7, 13))));
  });
});

describe('representation check', () => {
  it('refuses Arrow data in another layout than formats/ builds (e.g. millisecond timestamps)', async () => {
    const arrow = await import('apache-arrow');
    const field = new arrow.Field('v', new arrow.TimestampMillisecond(), true);
    const data = arrow.makeData({
      type: new arrow.TimestampMillisecond(),
      length: 1,
      data: new BigInt64Array([1n]),
    });
    const schema = new arrow.Schema([field]);
    const batch = new arrow.RecordBatch(
      schema,
      arrow.makeData({ type: new arrow.Struct(schema.fields), length: 1, nullCount: 0, children: [data] }),
    );
    const acc = new ChecksumAccumulator();
    expect(() => acc.addBatch(batch)).toThrow(
      expect.objectContaining({ code: 'TYPE', context: expect.objectContaining({ column: 'v' }) }),
    );
  });
});
