import { describe, expect, it } from 'vitest';
import { DistinctCounter, EXACT_DISTINCT_LIMIT, HLL_RELATIVE_ERROR } from './distinct.js';
import { valueHash52 } from './hash.js';

const encoder = new TextEncoder();
const h = (i: number) => valueHash52(encoder.encode(`value-${i}`));

function counterOf(from: number, to: number): DistinctCounter {
  const c = new DistinctCounter();
  for (let i = from; i < to; i++) c.add(h(i));
  return c;
}

describe('DistinctCounter', () => {
  it('counts exactly up to the limit, repeats included', () => {
    const c = new DistinctCounter();
    for (let r = 0; r < 3; r++) for (let i = 0; i < EXACT_DISTINCT_LIMIT; i++) c.add(h(i));
    expect(c.exact).toBe(true);
    expect(c.count()).toBe(EXACT_DISTINCT_LIMIT);
    c.add(h(EXACT_DISTINCT_LIMIT));
    expect(c.exact).toBe(false);
  });

  it('merging exact parts gives the exact union', () => {
    const a = counterOf(0, 1000);
    a.merge(counterOf(500, 1500).state());
    expect(a.exact).toBe(true);
    expect(a.count()).toBe(1500);
  });

  it.each([10_000, 100_000, 1_000_000])('estimates %i distinct values within 3 standard errors', (n) => {
    const c = counterOf(0, n);
    const error = Math.abs(c.count() - n) / n;
    expect(error).toBeLessThan(3 * HLL_RELATIVE_ERROR);
  });

  it('merge of parts equals one pass, in any order, through JSON', () => {
    const whole = counterOf(0, 60_000).state();
    const parts = [counterOf(0, 20_000), counterOf(20_000, 30_000), counterOf(30_000, 60_000)];
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
    ]) {
      const m = new DistinctCounter();
      for (const i of order) m.merge(JSON.parse(JSON.stringify(parts[i]!.state())));
      expect(m.state()).toEqual(whole);
    }
  });

  it('an exact small part merges into an HLL part as if added', () => {
    const big = counterOf(0, 20_000);
    big.merge(counterOf(19_000, 19_500).state());
    expect(big.state()).toEqual(counterOf(0, 20_000).state());
  });
});
