import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../core/index.js';
import { BatchBuilder, dataReader, type JsValue, logicalTypeOf } from '../formats/index.js';
import { ColumnAccumulator, type ColumnState } from './column-state.js';
import { summarizeColumn } from './column-summary.js';

function column(type: LogicalType, name = 'c'): Column {
  return { name, type, nullable: true, nativeType: 'X' };
}

/** One accumulator over `values` split into batches of `size` rows (merged in order), as JSON. */
function profile(type: LogicalType, values: (JsValue | null)[], size: number): ColumnState {
  const total = new ColumnAccumulator(type);
  for (let i = 0; i < values.length; i += size) {
    const b = new BatchBuilder([column(type)], size);
    for (const v of values.slice(i, i + size)) b.appendRow([v]);
    const batch = b.finish();
    const part = new ColumnAccumulator(logicalTypeOf(batch.schema.fields[0]!));
    part.addColumn(dataReader(batch.data.children[0]!, part.type));
    total.merge(JSON.parse(JSON.stringify(part.state())));
  }
  return total.state();
}

describe('ColumnAccumulator', () => {
  it('merging batches in order gives the same exact parts as one pass (sketches within their bounds)', () => {
    const type: LogicalType = { kind: 'text' };
    const values = Array.from({ length: 3000 }, (_, i) =>
      i % 11 === 0 ? null : i % 7 === 0 ? `user${i}.example.com` : `user${i % 500}@example.com`,
    );
    const { top, ...one } = profile(type, values, values.length);
    for (const size of [1, 97, 1000]) {
      const { top: mergedTop, ...merged } = profile(type, values, size);
      expect(merged).toEqual(one);
      // More distinct values than the top-k summary holds: counts are bounds around the truth.
      const truth = new Map<string, number>();
      for (const v of values) if (v !== null) truth.set(v, (truth.get(v) ?? 0) + 1);
      for (const [v, count, error] of mergedTop.entries) {
        expect(count).toBeLessThanOrEqual(truth.get(v)!);
        expect(truth.get(v)!).toBeLessThanOrEqual(count + error);
      }
    }
    expect(top.entries[0]![1]).toBe(6);
    expect(one.rows).toBe(3000);
    expect(one.nulls).toBe(273);
    const malformed = values.filter((v) => v?.includes('.example.com') && !v.includes('@')).length;
    expect(one.patterns!.checked - one.patterns!.patterns.email.matches).toBe(malformed);
    expect(one.distinct).toEqual({ exact: expect.any(Array) });
  });

  it('numbers: with few values every part, sketches included, equals one pass', () => {
    const type: LogicalType = { kind: 'int', bits: 32 };
    const values = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? null : (i * 37) % 97));
    const one = profile(type, values, 200);
    expect(one.quantiles!.compacted).toBe(false);
    expect(one.top.missing).toBe(0);
    const merged = profile(type, values, 7);
    // Sketch levels hold the same values; their order within a level is not part of the state's meaning.
    const sorted = (s: ColumnState) => ({
      ...s,
      quantiles: {
        ...s.quantiles!,
        levels: s.quantiles!.levels.map((l) => [...l].sort((a, b) => Number(a) - Number(b))),
      },
    });
    expect(sorted(merged)).toEqual(sorted(one));
    expect(one.min).toBe('0');
    expect(one.max).toBe('96');
  });

  it('keeps exact min and max of decimals beyond float precision', () => {
    const type: LogicalType = { kind: 'decimal', precision: 38, scale: 2 };
    const values = [
      '12345678901234567890.01',
      '12345678901234567890.00',
      '-99999999999999999999.99',
      '0.10',
      null,
    ];
    const s = profile(type, values, 2);
    expect(s.min).toBe('-99999999999999999999.99');
    expect(s.max).toBe('12345678901234567890.01');
    const p = summarizeColumn(column(type), s, false);
    expect(p.min).toBe('-99999999999999999999.99');
    expect(p.quantiles!.median).toBe('0.1');
  });

  it('keeps exact min and max of 64-bit integers and microsecond timestamps', () => {
    const big: LogicalType = { kind: 'int', bits: 64 };
    const s = profile(big, [2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, 9007199254740992n], 1);
    expect(s.min).toBe('-9223372036854775808');
    expect(s.max).toBe('9223372036854775807');
    const ts: LogicalType = { kind: 'timestamp', tz: true };
    const t = profile(ts, [1700000000000001n, 1700000000000000n, -1n], 2);
    const p = summarizeColumn(column(ts), t, false);
    expect(p.min).toBe('1969-12-31 23:59:59.999999 UTC');
    expect(p.max).toBe('2023-11-14 22:13:20.000001 UTC');
  });

  it('orders text by code point (UTF-8 byte order), not UTF-16 units', () => {
    // U+FF5E (fullwidth tilde) is below U+1F381 (gift) by code point, above it by UTF-16 unit.
    const s = profile({ kind: 'text' }, ['～', '🎁', 'a'], 3);
    expect(s.min).toBe('a');
    expect(s.max).toBe('🎁');
  });

  it('counts float NaN apart from min/max and quantiles', () => {
    const s = profile({ kind: 'float', bits: 64 }, [1.5, Number.NaN, -2, null, Number.NaN], 2);
    expect(s.nan).toBe(2);
    expect(s.min).toBe('-2');
    expect(s.max).toBe('1.5');
    expect(s.quantiles!.n).toBe(2);
  });

  it('summarises lengths, distinct counts and top values of text', () => {
    const s = profile({ kind: 'text' }, ['A', 'I', 'A', 'A', 'héllo', null], 4);
    const p = summarizeColumn(column({ kind: 'text' }, 'status'), s, false);
    expect(p.distinct).toEqual({ count: 3, exact: true });
    expect(p.topValues).toEqual([
      { value: 'A', count: 3 },
      { value: 'I', count: 1 },
      { value: 'héllo', count: 1 },
    ]);
    expect(p.lengths).toMatchObject({ unit: 'characters', min: 1, max: 5, mean: 1.8 });
    expect(p.nullPercent).toBe(16.67);
  });
});
