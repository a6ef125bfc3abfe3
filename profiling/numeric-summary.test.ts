import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../core/index.js';
import { numericSummary } from './numeric-summary.js';
import { QuantileSketch, type SketchItem } from './quantiles.js';

function summary(t: LogicalType, domain: 'number' | 'bigint', items: SketchItem[], scale = 0) {
  const s = new QuantileSketch(domain);
  for (const x of items) s.add(x);
  return numericSummary(t, s.state(), scale);
}

describe('numericSummary', () => {
  it('IQR fences of integers are exact to the half unit, outliers counted exactly', () => {
    // 1..20 and one far value: Q1 = 5, Q3 = 16, IQR = 11, fences -11.5 and 32.5.
    const items = [...Array.from({ length: 20 }, (_, i) => i + 1), 1000];
    const s = summary({ kind: 'int', bits: 32 }, 'number', items);
    expect(s.quantiles).toEqual({ q1: '6', median: '11', q3: '16', exact: true });
    expect(s.outliers).toEqual({
      low: '-9',
      high: '31',
      below: 0,
      above: 1,
      exact: true,
      examples: ['1000'],
    });
  });

  it('decimal fences are computed in scaled integers, not floats', () => {
    // Values 0.10 … 0.40 (scale 2) and 9.99: Q1 0.10, Q3 0.30, IQR 0.20 → fences -0.2 and 0.6.
    const items = [10n, 10n, 20n, 20n, 30n, 30n, 40n, 999n];
    const s = summary({ kind: 'decimal', precision: 12, scale: 2 }, 'bigint', items, 2);
    expect(s.quantiles?.q1).toBe('0.1');
    expect(s.outliers).toMatchObject({ low: '-0.2', high: '0.6', above: 1, examples: ['9.99'] });
  });

  it('histogram bins cover min..max and their counts add up to n (exact and compacted sketches)', () => {
    const exact = summary(
      { kind: 'timestamp', tz: false },
      'bigint',
      Array.from({ length: 200 }, (_, i) => BigInt(i) * 1_000_000n),
    );
    const bins = exact.histogram!.bins;
    expect(exact.histogram!.exact).toBe(true);
    expect(bins).toHaveLength(20);
    expect(bins[0]!.lo).toBe('1970-01-01 00:00:00.000000');
    expect(bins[19]!.hi).toBe('1970-01-01 00:03:19.000000');
    expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(200);
    expect(bins.every((b) => b.count >= 9 && b.count <= 11)).toBe(true);
    const big = summary(
      { kind: 'int', bits: 64 },
      'bigint',
      Array.from({ length: 100_000 }, (_, i) => BigInt(i)),
    );
    expect(big.histogram!.exact).toBe(false);
    expect(big.histogram!.bins.reduce((sum, b) => sum + b.count, 0)).toBe(100_000);
    for (const b of big.histogram!.bins) expect(Math.abs(b.count - 5000)).toBeLessThan(1000);
  });

  it('small integer ranges get one bin per value; dates print as dates', () => {
    const s = summary({ kind: 'date' }, 'number', [19723, 19723, 19724, 19726]);
    expect(s.histogram!.bins.map((b) => [b.lo, b.count])).toEqual([
      ['2024-01-01', 2],
      ['2024-01-02', 1],
      ['2024-01-03', 0],
      ['2024-01-04', 1],
    ]);
  });

  it('floats use float fences and equal-width bins', () => {
    const s = summary({ kind: 'float', bits: 64 }, 'number', [0, 0.5, 1, 1.5, 2, 100]);
    expect(s.outliers?.above).toBe(1);
    expect(s.histogram!.bins[0]!.lo).toBe('0');
    expect(s.histogram!.bins.reduce((sum, b) => sum + b.count, 0)).toBe(6);
  });
});
