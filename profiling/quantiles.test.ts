import { describe, expect, it } from 'vitest';
import { KLL_K, QuantileSketch } from './quantiles.js';

/** A deterministic shuffle of 0..n-1 (multiplicative hashing by a prime coprime to n). */
function shuffled(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * 7919) % n);
}

function sketchOf(values: number[]): QuantileSketch {
  const s = new QuantileSketch('number');
  for (const v of values) s.add(v);
  return s;
}

describe('QuantileSketch', () => {
  it('is exact for few values: nearest-rank quantiles are values of the data', () => {
    const values = [5, 1, 9, 3, 7, 2, 8];
    const s = sketchOf(values);
    expect(s.exact).toBe(true);
    expect(s.quantile(0.25)).toBe(2);
    expect(s.quantile(0.5)).toBe(5);
    expect(s.quantile(0.75)).toBe(8);
    expect(s.quantile(0)).toBe(1);
    expect(s.quantile(1)).toBe(9);
  });

  it('merging exact parts equals one pass', () => {
    const a = sketchOf([1, 2, 3, 4]);
    a.merge(sketchOf([10, 20, 30]).state());
    expect(a.exact).toBe(true);
    expect(a.weighted().map(([x]) => x)).toEqual([1, 2, 3, 4, 10, 20, 30]);
    expect(a.quantile(0.5)).toBe(4);
  });

  it('keeps every rank within 2% of n for 200,000 values, and the exact min and max', () => {
    const n = 200_000;
    const s = sketchOf(shuffled(n));
    expect(s.exact).toBe(false);
    expect(s.n).toBe(n);
    expect(s.weighted().reduce((sum, [, w]) => sum + w, 0)).toBe(n);
    expect(s.min).toBe(0);
    expect(s.max).toBe(n - 1);
    for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
      const v = Number(s.quantile(q));
      expect(Math.abs(v - q * n) / n).toBeLessThan(0.02);
    }
    // Memory stays O(k), not O(n).
    expect(s.weighted().length).toBeLessThan(KLL_K * 4);
  });

  it('merges partitions in order deterministically, within the same bound, through JSON', () => {
    const n = 100_000;
    const values = shuffled(n);
    const merge = () => {
      const m = new QuantileSketch('number');
      for (let p = 0; p < 10; p++) {
        const part = sketchOf(values.slice(p * 10_000, (p + 1) * 10_000));
        m.merge(JSON.parse(JSON.stringify(part.state())));
      }
      return m;
    };
    const m = merge();
    expect(merge().state()).toEqual(m.state());
    expect(m.n).toBe(n);
    for (const q of [0.25, 0.5, 0.75]) expect(Math.abs(Number(m.quantile(q)) - q * n) / n).toBeLessThan(0.02);
  });

  it('holds 64-bit values exactly as bigints', () => {
    const s = new QuantileSketch('bigint');
    const big = 2n ** 62n + 1n;
    for (const v of [big, big + 2n, -(2n ** 63n), 2n ** 63n - 1n]) s.add(v);
    const back = QuantileSketch.from(JSON.parse(JSON.stringify(s.state())));
    expect(back.min).toBe(-(2n ** 63n));
    expect(back.max).toBe(2n ** 63n - 1n);
    expect(back.quantile(0.5)).toBe(big);
    expect(back.quantile(0.75)).toBe(big + 2n);
  });
});
