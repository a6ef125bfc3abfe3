import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyTuple, Partition } from '../core/index.js';
import { type KeyCompare, type KeyOrder, keyComparator, keyInRange, planPartitions } from './index.js';

type Key = (string | null)[];

/** One kind of key: its column orders and a generator of one non-NULL value per column. */
interface KeyKind {
  name: string;
  orders: KeyOrder[];
  value: fc.Arbitrary<string[]>;
}

const smallInt = fc.integer({ min: -50, max: 50 }).map(String);
const hugeInt = fc
  .oneof(
    fc.bigInt({ min: -(2n ** 63n), max: -(2n ** 63n) + 1000n }),
    fc.bigInt({ min: 2n ** 63n - 1000n, max: 2n ** 63n - 1n }),
    fc.bigInt({ min: 2n ** 64n - 1000n, max: 2n ** 64n - 1n }),
    fc.bigInt({ min: 2n ** 53n - 20n, max: 2n ** 53n + 20n }),
  )
  .map(String);
// Snowflake-style ids: 41-bit milliseconds, 10-bit worker, 12-bit sequence; sparse over 64 bits.
const snowflake = fc
  .tuple(fc.bigInt({ min: 1n << 40n, max: (1n << 41n) - 1n }), fc.nat(1023), fc.nat(4095))
  .map(([ms, worker, seq]) => String((ms << 22n) | (BigInt(worker) << 12n) | BigInt(seq)));
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 3 }),
  fc.constantFrom('', 'a', 'A', 'é', 'e\u0301', '\u{1F600}', '\uFFFF', '\uE000', 'a\u0000b'),
);

const KINDS: KeyKind[] = [
  { name: 'small ints', orders: ['integer'], value: fc.tuple(smallInt) },
  { name: 'ints near ±2^63, 2^64, 2^53', orders: ['integer'], value: fc.tuple(hugeInt) },
  { name: 'snowflake ids', orders: ['integer'], value: fc.tuple(snowflake) },
  { name: 'unicode strings', orders: ['binary'], value: fc.tuple(text) },
  { name: 'composite (int, string)', orders: ['integer', 'binary'], value: fc.tuple(smallInt, text) },
];

/** A table's keys, the source's sample of them, its statistics and the planner's knobs. */
interface Scenario {
  keys: Key[];
  /** Keys not necessarily in the table (rows inserted later, values outside the sample). */
  probes: Key[];
  nullable: boolean;
  samples: KeyTuple[];
  rows: number;
  nullKeyRows: number;
  partitionRows: number;
  maxPartitions: number | undefined;
}

/** A key that is NULL in some column(s) with probability ~1/5 per column when `nulls` is on. */
function keyArb(kind: KeyKind, nulls: boolean): fc.Arbitrary<Key> {
  if (!nulls) return kind.value;
  return kind.value.chain((v) =>
    fc.tuple(...v.map((x) => fc.option(fc.constant(x), { nil: null, freq: 4 }))).map((t) => [...t]),
  );
}

function scenarioArb(kind: KeyKind, compare: KeyCompare): fc.Arbitrary<Scenario> {
  return fc
    .record({ nulls: fc.boolean(), nullableAnyway: fc.boolean(), skew: fc.boolean() })
    .chain(({ nulls, nullableAnyway, skew }) => {
      const one = keyArb(kind, nulls);
      // Heavy skew: ~90% of rows share one key value.
      const keys = skew
        ? one.chain((hot) =>
            fc.array(fc.oneof({ weight: 9, arbitrary: fc.constant(hot) }, { weight: 1, arbitrary: one }), {
              maxLength: 300,
              size: 'max',
            }),
          )
        : fc.array(one, { maxLength: 300, size: 'max' });
      return fc.record({
        keys,
        probes: fc.array(one, { maxLength: 30 }),
        nullable: fc.constant(nulls || nullableAnyway),
        exactStats: fc.boolean(),
        rowsGuess: fc.nat(700),
        partitionRows: fc.integer({ min: 1, max: 60 }),
        maxPartitions: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
        sampleAll: fc.boolean(),
      });
    })
    .chain((s) => {
      const nonNull = s.keys.filter((k): k is KeyTuple => k.every((v) => v !== null));
      const nullCount = s.keys.length - nonNull.length;
      const sample = s.sampleAll ? fc.constant(nonNull) : fc.subarray(nonNull);
      return sample.map(
        (picked): Scenario => ({
          keys: s.keys,
          probes: s.probes,
          nullable: s.nullable,
          // The source hands samples over sorted in its own order; here that order is `compare`.
          samples: [...picked].sort(compare),
          rows: s.exactStats ? s.keys.length : s.rowsGuess,
          nullKeyRows: s.exactStats ? nullCount : Math.floor(s.rowsGuess / 7),
          partitionRows: s.partitionRows,
          maxPartitions: s.maxPartitions,
        }),
      );
    });
}

function plan(kind: KeyKind, s: Scenario) {
  return planPartitions({
    table: 'db.t',
    keyColumns: kind.orders.map((_, i) => `k${i}`),
    keyNullable: s.nullable,
    stats: { rows: s.rows, exact: true, nullKeyRows: s.nullKeyRows, samples: s.samples },
    partitionRows: s.partitionRows,
    maxPartitions: s.maxPartitions,
  });
}

function holders(partitions: Partition[], key: Key, compare: KeyCompare): string[] {
  return partitions.filter((p) => keyInRange(p.range, key, compare)).map((p) => p.id);
}

describe.each(KINDS)('planPartitions over $name', (kind) => {
  const compare = keyComparator(kind.orders);

  it('puts every key, sampled or not, NULL-bearing or not, in exactly one partition', () => {
    fc.assert(
      fc.property(scenarioArb(kind, compare), (s) => {
        const { partitions } = plan(kind, s);
        const boundaries = partitions.flatMap((p) => [p.range.lo, p.range.hi]).filter((b) => b !== undefined);
        const candidates = [...s.keys, ...s.probes, ...boundaries];
        for (const key of candidates) {
          if (!s.nullable && key.some((v) => v === null)) continue;
          expect(holders(partitions, key, compare), JSON.stringify(key)).toHaveLength(1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps boundaries strictly increasing and contiguous, ids unique, nullKey last', () => {
    fc.assert(
      fc.property(scenarioArb(kind, compare), (s) => {
        const { partitions, spread } = plan(kind, s);
        expect(partitions.map((p) => p.id)).toEqual(partitions.map((_, i) => `db.t#${i}`));
        expect(partitions.map((p) => p.index)).toEqual(partitions.map((_, i) => i));
        expect(new Set(partitions.map((p) => p.id)).size).toBe(partitions.length);

        const ranges = partitions.filter((p) => !p.range.nullKey);
        const nullKeys = partitions.filter((p) => p.range.nullKey);
        const withNullKey = s.nullable || s.nullKeyRows > 0;
        expect(nullKeys.map((p) => p.index)).toEqual(withNullKey ? [partitions.length - 1] : []);
        expect(ranges[0]!.range.lo).toBeUndefined();
        expect(ranges.at(-1)!.range.hi).toBeUndefined();
        for (let i = 1; i < ranges.length; i++) {
          const lo = ranges[i]!.range.lo!;
          expect(lo).toEqual(ranges[i - 1]!.range.hi);
          const hi = ranges[i]!.range.hi;
          if (hi) expect(compare(lo, hi)).toBeLessThan(0);
        }

        const keyRows = Math.max(s.rows - s.nullKeyRows, s.samples.length);
        const distinct = new Set(s.samples.map((k) => JSON.stringify(k))).size;
        const cap = Math.max(
          1,
          Math.min(Math.ceil(keyRows / s.partitionRows), s.maxPartitions ?? 10_000, distinct),
        );
        expect(ranges.length).toBeLessThanOrEqual(cap);
        expect(ranges.reduce((n, p) => n + p.estimatedRows, 0)).toBe(keyRows);
        if (withNullKey) expect(nullKeys[0]!.estimatedRows).toBe(s.nullKeyRows);
        const estimates = ranges.map((p) => p.estimatedRows);
        expect(spread.min).toBe(Math.min(...estimates));
        expect(spread.max).toBe(Math.max(...estimates));
      }),
      { numRuns: 150 },
    );
  });
});

describe('planPartitions over uniform keys', () => {
  const compare = keyComparator(['integer']);

  /**
   * Distinct keys, sampled systematically (every k-th from a random offset), the way TABLESAMPLE-like
   * samplers spread over a table. A range then holds its boundary samples' k-row strides exactly, and
   * sample counts per range differ by at most one (ranks are floor(i·m/n)). So sizes lie in
   * [⌊m/n⌋·k, ⌈m/n⌉·k + k − 1] (the last range also holds up to k − 1 rows after the final sample, the
   * first the offset rows before the first one): max − min ≤ 2k − 1, and each estimate is within k of
   * the actual count.
   */
  it('makes ranges of equal size within two sampling strides', () => {
    const arb = fc.record({
      keys: fc.uniqueArray(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), {
        minLength: 1,
        maxLength: 400,
        size: 'max',
      }),
      stride: fc.integer({ min: 1, max: 5 }),
      offset: fc.nat(4),
      partitionRows: fc.integer({ min: 1, max: 80 }),
    });
    fc.assert(
      fc.property(arb, ({ keys, stride, offset, partitionRows }) => {
        const sorted = keys.map((k) => [String(k)]).sort(compare);
        const start = Math.min(offset % stride, sorted.length - 1);
        const samples = sorted.filter((_, i) => i >= start && (i - start) % stride === 0);
        const { partitions } = planPartitions({
          table: 't',
          keyColumns: ['id'],
          keyNullable: false,
          stats: { rows: sorted.length, exact: true, nullKeyRows: 0, samples },
          partitionRows,
        });
        const wanted = Math.min(Math.ceil(sorted.length / partitionRows), samples.length);
        expect(partitions).toHaveLength(wanted);
        const sizes = partitions.map((p) => sorted.filter((k) => keyInRange(p.range, k, compare)).length);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(sorted.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(2 * stride - 1);
        partitions.forEach((p, i) => {
          expect(Math.abs(p.estimatedRows - sizes[i]!)).toBeLessThanOrEqual(stride);
        });
      }),
      { numRuns: 200 },
    );
  });
});
