import { describe, expect, it } from 'vitest';
import { TOP_VALUES_K, TopValues, type TopValuesState } from './top-values.js';

function topOf(values: string[]): TopValues {
  const t = new TopValues();
  for (const v of values) t.add(v);
  return t;
}

describe('TopValues', () => {
  it('counts exactly while few values, sorted by count then value', () => {
    const s = topOf(['b', 'a', 'b', 'c', 'b', 'a']).state();
    expect(s).toEqual({
      entries: [
        ['b', 3, 0],
        ['a', 2, 0],
        ['c', 1, 0],
      ],
      missing: 0,
    });
  });

  it('merge of exact parts equals one pass', () => {
    const values = Array.from({ length: 500 }, (_, i) => `v${i % 37}`);
    const merged = topOf(values.slice(0, 200));
    merged.merge(topOf(values.slice(200)).state());
    expect(merged.state()).toEqual(topOf(values).state());
    expect(merged.exact).toBe(true);
  });

  it('beyond k values keeps the heavy hitters with counts bounded by [count, count + error]', () => {
    // 5 heavy values (1,000 each) among 5,000 singletons, spread over 10 parts.
    const values: string[] = [];
    for (let i = 0; i < 10_000; i++) values.push(i % 2 === 0 ? `heavy${i % 10}` : `single${i}`);
    const truth = new Map<string, number>();
    for (const v of values) truth.set(v, (truth.get(v) ?? 0) + 1);
    const merged = new TopValues();
    for (let p = 0; p < 10; p++) merged.merge(topOf(values.slice(p * 1000, (p + 1) * 1000)).state());
    const s: TopValuesState = merged.state();
    expect(merged.exact).toBe(false);
    expect(s.entries.length).toBe(TOP_VALUES_K);
    expect(
      s.entries
        .slice(0, 5)
        .map(([v]) => v)
        .sort(),
    ).toEqual(['heavy0', 'heavy2', 'heavy4', 'heavy6', 'heavy8']);
    for (const [v, count, error] of s.entries) {
      const t = truth.get(v)!;
      expect(count).toBeLessThanOrEqual(t);
      expect(t).toBeLessThanOrEqual(count + error);
    }
    // Any value left out occurs at most `missing` times.
    const listed = new Set(s.entries.map(([v]) => v));
    for (const [v, t] of truth) if (!listed.has(v)) expect(t).toBeLessThanOrEqual(s.missing);
  });
});
