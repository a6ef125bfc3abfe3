import type * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Checksum, Column, LogicalType } from '../core/index.js';
import { BatchBuilder, type JsValue } from '../formats/index.js';
import {
  ChecksumAccumulator,
  checksumsEqual,
  combineChecksums,
  subtractChecksums,
  ZERO_CHECKSUM,
} from './checksum.js';
import { type CompareRules, compareRulesSchema } from './compare-rules.js';
import { keyedRowDigests } from './keyed-digests.js';

const col = (name: string, type: LogicalType): Column => ({ name, type, nullable: true, nativeType: '' });

const COLUMNS: Column[] = [
  col('id', { kind: 'int', bits: 64 }),
  col('qty', { kind: 'int', bits: 32 }),
  col('price', { kind: 'decimal', precision: 12, scale: 2 }),
  col('ratio', { kind: 'float', bits: 64 }),
  col('name', { kind: 'text' }),
  col('active', { kind: 'bool' }),
  col('created', { kind: 'timestamp', tz: true }),
  col('tags', { kind: 'list', element: { kind: 'text' } }),
];

function row(i: number): (JsValue | null)[] {
  return [
    BigInt(i),
    i % 7 === 0 ? null : (i * 37) % 1000,
    `${(i * 13) % 10000}.${String(i % 100).padStart(2, '0')}`,
    i / 3,
    i % 11 === 0 ? null : `name ${i}`,
    i % 2 === 0,
    1_700_000_000_000_000n + BigInt(i) * 1_000_003n,
    i % 5 === 0 ? [] : [`t${i % 3}`, `u${i % 4}`],
  ];
}

function batches(rows: (JsValue | null)[][], size: number, columns = COLUMNS): A.RecordBatch[] {
  const out: A.RecordBatch[] = [];
  for (let at = 0; at < rows.length; at += size) {
    const b = new BatchBuilder(columns, size);
    for (const r of rows.slice(at, at + size)) b.appendRow(r);
    out.push(b.finish());
  }
  return out;
}

function checksum(rows: (JsValue | null)[][], size = 100, rules?: CompareRules, columns = COLUMNS): Checksum {
  const acc = new ChecksumAccumulator(rules);
  for (const b of batches(rows, size, columns)) acc.addBatch(b);
  return acc.result();
}

/** A deterministic shuffle (xorshift), so a failure reproduces. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ROWS = Array.from({ length: 1000 }, (_, i) => row(i));

describe('ChecksumAccumulator', () => {
  it('is independent of row order and batch boundaries', () => {
    const expected = checksum(ROWS, 100);
    expect(expected.rows).toBe('1000');
    expect(expected.sum).toMatch(/^[0-9a-f]{32}$/);
    expect(checksum(ROWS, 1)).toEqual(expected);
    expect(checksum(ROWS, 333)).toEqual(expected);
    expect(checksum(ROWS, 1000)).toEqual(expected);
    expect(checksum(shuffled(ROWS, 42), 77)).toEqual(expected);
    expect(checksum(shuffled(ROWS, 7), 1000)).toEqual(expected);
  });

  it('changes when any value changes or a row goes missing', () => {
    const expected = checksum(ROWS);
    const changed = ROWS.slice();
    changed[500] = row(500).map((v, c) => (c === 2 ? '0.01' : v));
    expect(checksum(changed).sum).not.toBe(expected.sum);
    expect(checksum(ROWS.slice(1))).not.toEqual(expected);
  });

  it('counts duplicate rows (a XOR would cancel them)', () => {
    const a = row(1);
    const b = row(2);
    const justB = checksum([b]);
    const aaB = checksum([a, a, b]);
    expect(aaB.rows).toBe('3');
    expect(aaB.sum).not.toBe(justB.sum);
    expect(checksum([a, a]).sum).not.toBe(checksum([b, b]).sum);
    expect(checksum([a, a]).sum).not.toBe(ZERO_CHECKSUM.sum);
    expect(checksum([a, a, a]).sum).not.toBe(checksum([a]).sum);
  });

  it('sums exactly the row hashes mod 2^128 (carries included)', () => {
    let sum = 0n;
    for (const b of batches(ROWS, 250))
      for (const d of keyedRowDigests(b, ['id'])) sum += BigInt(`0x${d.hash}`);
    expect(checksum(ROWS).sum).toBe((sum % (1n << 128n)).toString(16).padStart(32, '0'));
  });

  it('carries correctly across a batch larger than one normalisation chunk', () => {
    const columns = [col('n', { kind: 'int', bits: 32 })];
    const n = (1 << 20) + 5000;
    const b = new BatchBuilder(columns, n);
    for (let i = 0; i < n; i++) b.appendRow([i & 1023]);
    const big = b.finish();
    const whole = new ChecksumAccumulator();
    whole.addBatch(big);
    const parts = new ChecksumAccumulator();
    parts.addBatch(big.slice(0, 600_000));
    parts.addBatch(big.slice(600_000, n));
    expect(whole.result()).toEqual(parts.result());
    expect(whole.rowCount).toBe(BigInt(n));
  });

  it('ignores empty batches and starts at ZERO_CHECKSUM', () => {
    const acc = new ChecksumAccumulator();
    expect(acc.result()).toEqual(ZERO_CHECKSUM);
    acc.addBatch(new BatchBuilder(COLUMNS, 1).finish());
    expect(acc.result()).toEqual(ZERO_CHECKSUM);
  });
});

describe('combining checksums', () => {
  const all = checksum(ROWS);
  const first = checksum(ROWS.slice(0, 400));
  const rest = checksum(ROWS.slice(400));

  it('combines partitions into the table checksum', () => {
    expect(combineChecksums(first, rest)).toEqual(all);
    expect(combineChecksums(rest, first)).toEqual(all);
    expect(combineChecksums(all, ZERO_CHECKSUM)).toEqual(all);
  });

  it('adds checksums and accumulators into an accumulator', () => {
    const acc = new ChecksumAccumulator();
    acc.add(first);
    const other = new ChecksumAccumulator();
    for (const b of batches(ROWS.slice(400), 64)) other.addBatch(b);
    acc.add(other);
    expect(acc.result()).toEqual(all);
  });

  it('subtracts: after − before = what was appended', () => {
    expect(subtractChecksums(all, first)).toEqual(rest);
    expect(subtractChecksums(all, all)).toEqual(ZERO_CHECKSUM);
    expect(subtractChecksums(first, all).rows).toBe('-600');
    expect(combineChecksums(subtractChecksums(first, all), all)).toEqual(first);
  });

  it('wraps the sum mod 2^128', () => {
    const max: Checksum = { rows: '1', sum: 'f'.repeat(32) };
    const one: Checksum = { rows: '1', sum: `${'0'.repeat(31)}1` };
    expect(combineChecksums(max, one)).toEqual({ rows: '2', sum: '0'.repeat(32) });
    expect(subtractChecksums(ZERO_CHECKSUM, one)).toEqual({ rows: '-1', sum: 'f'.repeat(32) });
    const acc = new ChecksumAccumulator();
    acc.add(max);
    acc.add(max);
    expect(acc.result()).toEqual({ rows: '2', sum: `${'f'.repeat(31)}e` });
  });

  it('compares checksums by value and refuses malformed ones', () => {
    expect(checksumsEqual(all, { ...all })).toBe(true);
    expect(checksumsEqual(all, first)).toBe(false);
    expect(checksumsEqual(all, { rows: '999', sum: all.sum })).toBe(false);
    expect(() => checksumsEqual(all, { rows: 'x', sum: all.sum })).toThrow(
      expect.objectContaining({ code: 'DATA' }),
    );
    expect(() => combineChecksums(all, { rows: '1', sum: 'ABC' })).toThrow(
      expect.objectContaining({ code: 'DATA' }),
    );
  });
});

describe('compare rules', () => {
  const one = (type: LogicalType, value: JsValue | null, rules?: CompareRules) =>
    checksum([[value]], 1, rules, [col('v', type)]).sum;
  const f64: LogicalType = { kind: 'float', bits: 64 };
  const f32: LogicalType = { kind: 'float', bits: 32 };
  const ts: LogicalType = { kind: 'timestamp', tz: false };
  const text: LogicalType = { kind: 'text', fixed: true, maxLength: 5 };

  it('floatDigits rounds floats to N significant digits on both sides', () => {
    const rules = { v: { floatDigits: 6 } };
    expect(one(f64, 0.1, rules)).toBe(one(f32, 0.1, rules));
    expect(one(f64, 0.1)).not.toBe(one(f32, 0.1));
    expect(one(f64, 123.4564, rules)).toBe(one(f64, 123.456, rules));
    expect(one(f64, 123.4566, rules)).not.toBe(one(f64, 123.456, rules));
    expect(one(f64, -0, rules)).not.toBe(one(f64, 0, rules));
    expect(one(f64, Number.NaN, rules)).toBe(one(f64, Number.NaN));
  });

  it('timestampPrecision truncates or rounds microseconds', () => {
    const ms = { v: { timestampPrecision: 'ms' as const } };
    const msRound = { v: { timestampPrecision: 'ms' as const, timestampRounding: 'round' as const } };
    expect(one(ts, 1_000_123_999n, ms)).toBe(one(ts, 1_000_123_000n));
    expect(one(ts, 1_000_123_999n, msRound)).toBe(one(ts, 1_000_124_000n));
    expect(one(ts, 1_000_123_499n, msRound)).toBe(one(ts, 1_000_123_000n));
    expect(one(ts, 1_000_123_500n, msRound)).toBe(one(ts, 1_000_124_000n));
    expect(one(ts, -1_000_123_500n, msRound)).toBe(one(ts, -1_000_124_000n));
    expect(one(ts, -1_000_123_999n, ms)).toBe(one(ts, -1_000_123_000n));
    expect(one(ts, 1_000_123_999n)).not.toBe(one(ts, 1_000_123_000n));
    const s = { v: { timestampPrecision: 's' as const } };
    expect(one({ kind: 'time' }, 3_999_999n, s)).toBe(one({ kind: 'time' }, 3_000_000n));
    // Beyond ±2^52 µs the exact bigint path gives the same answer.
    const far = 10n ** 18n;
    expect(one(ts, far + 123_456n, msRound)).toBe(one(ts, far + 123_000n));
    expect(one(ts, far + 123_500n, msRound)).toBe(one(ts, far + 124_000n));
    expect(one(ts, -far - 123_999n, ms)).toBe(one(ts, -far - 123_000n));
    expect(one(ts, -far - 123_500n, msRound)).toBe(one(ts, -far - 124_000n));
  });

  it('trimTrailingSpaces ignores CHAR padding; emptyIsNull equates empty and NULL', () => {
    expect(one(text, 'ab   ', { v: { trimTrailingSpaces: true } })).toBe(one(text, 'ab'));
    expect(one(text, 'ab   ')).not.toBe(one(text, 'ab'));
    expect(one(text, '  ab', { v: { trimTrailingSpaces: true } })).not.toBe(one(text, 'ab'));
    expect(one(text, '', { v: { emptyIsNull: true } })).toBe(one(text, null));
    expect(one(text, '   ', { v: { emptyIsNull: true, trimTrailingSpaces: true } })).toBe(one(text, null));
    expect(one({ kind: 'bytes' }, new Uint8Array(), { v: { emptyIsNull: true } })).toBe(one(text, null));
  });

  it('refuses a rule for a missing column or a type it cannot apply to', () => {
    expect(() => one(f64, 1, { other: { floatDigits: 3 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG', context: expect.objectContaining({ column: 'other' }) }),
    );
    expect(() => one(text, 'a', { v: { floatDigits: 3 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    expect(() => one(f64, 1, { v: { trimTrailingSpaces: true } })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
    expect(() => one(ts, 1n, { v: { timestampRounding: 'round' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('has a strict zod schema for the config', () => {
    const rules = { price: { floatDigits: 6 }, code: { trimTrailingSpaces: true, emptyIsNull: true } };
    expect(compareRulesSchema.parse(rules)).toEqual(rules);
    expect(compareRulesSchema.safeParse({ c: { floatDigit: 6 } }).success).toBe(false);
    expect(compareRulesSchema.safeParse({ c: { floatDigits: 0 } }).success).toBe(false);
    expect(compareRulesSchema.safeParse({ c: { timestampPrecision: 'ns' } }).success).toBe(false);
  });
});
