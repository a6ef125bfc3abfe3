import { describe, expect, it } from 'vitest';
import type { KeyStats, KeyTuple } from '../core/index.js';
import { type PlanPartitionsInput, planPartitions } from './index.js';

const ints = (from: number, to: number): KeyTuple[] => {
  const out: KeyTuple[] = [];
  for (let i = from; i < to; i++) out.push([String(i)]);
  return out;
};

function input(stats: Partial<KeyStats>, over: Partial<PlanPartitionsInput> = {}): PlanPartitionsInput {
  return {
    table: 'public.orders',
    keyColumns: ['id'],
    keyNullable: false,
    stats: { rows: 0, exact: true, nullKeyRows: 0, samples: [], ...stats },
    partitionRows: 10,
    ...over,
  };
}

describe('planPartitions', () => {
  it('splits uniform keys at evenly spaced samples into equal ranges', () => {
    const { partitions, info, spread } = planPartitions(input({ rows: 100, samples: ints(0, 100) }));
    expect(partitions.map((p) => p.range)).toEqual([
      { columns: ['id'], hi: ['10'] },
      ...[10, 20, 30, 40, 50, 60, 70, 80].map((lo) => ({
        columns: ['id'],
        lo: [String(lo)],
        hi: [String(lo + 10)],
      })),
      { columns: ['id'], lo: ['90'] },
    ]);
    expect(partitions.map((p) => p.id)).toEqual([...Array(10).keys()].map((i) => `public.orders#${i}`));
    expect(partitions.map((p) => p.index)).toEqual([...Array(10).keys()]);
    expect(partitions.every((p) => p.table === 'public.orders' && p.estimatedRows === 10)).toBe(true);
    expect(spread).toEqual({ min: 10, max: 10, median: 10 });
    expect(info).toEqual({
      strategy: 'range',
      reason: '10 key ranges on (id) from 100 sampled keys, ~10 rows each',
    });
  });

  it('scales estimates from the sample to the table rows', () => {
    // 1,000 rows, 50 samples: each sample stands for 20 rows, so ranges of 250 rows hold 12 or 13 samples.
    const { partitions } = planPartitions(
      input(
        { rows: 1000, exact: false, samples: ints(0, 50).map(([v]) => [String(Number(v) * 20)]) },
        {
          partitionRows: 250,
        },
      ),
    );
    expect(partitions.map((p) => p.range.lo?.[0])).toEqual([undefined, '240', '500', '740']);
    expect(partitions.map((p) => p.estimatedRows)).toEqual([240, 260, 240, 260]);
  });

  it('gives an empty table one open range (and the nullKey partition when nullable)', () => {
    const plain = planPartitions(input({}));
    expect(plain.partitions).toEqual([
      {
        id: 'public.orders#0',
        table: 'public.orders',
        index: 0,
        range: { columns: ['id'] },
        estimatedRows: 0,
      },
    ]);
    expect(plain.info).toEqual({ strategy: 'range', reason: 'no key sampled: one open key range on (id)' });
    expect(plain.spread).toEqual({ min: 0, max: 0, median: 0 });

    const nullable = planPartitions(input({}, { keyNullable: true }));
    expect(nullable.partitions.map((p) => [p.id, p.range])).toEqual([
      ['public.orders#0', { columns: ['id'] }],
      ['public.orders#1', { columns: ['id'], nullKey: true }],
    ]);
  });

  it('gives a table without a key one whole partition', () => {
    const plan = planPartitions(input({ rows: 1234, samples: [] }, { keyColumns: [], table: 'logs' }));
    expect(plan).toEqual({
      partitions: [
        { id: 'logs#0', table: 'logs', index: 0, range: { columns: [], whole: true }, estimatedRows: 1234 },
      ],
      info: { strategy: 'single', reason: 'no primary key: one partition' },
      spread: { min: 1234, max: 1234, median: 1234 },
    });
  });

  it('gives a single row one open range', () => {
    const { partitions } = planPartitions(input({ rows: 1, samples: [['42']] }, { partitionRows: 1 }));
    expect(partitions.map((p) => [p.range, p.estimatedRows])).toEqual([[{ columns: ['id'] }, 1]]);
  });

  it('puts all-NULL keys in the nullKey partition, after an empty open range', () => {
    const { partitions, info } = planPartitions(
      input({ rows: 500, nullKeyRows: 500, samples: [] }, { keyNullable: true }),
    );
    expect(partitions.map((p) => [p.range, p.estimatedRows])).toEqual([
      [{ columns: ['id'] }, 0],
      [{ columns: ['id'], nullKey: true }, 500],
    ]);
    expect(info.reason).toBe('no key sampled: one open key range on (id); NULL keys in their own partition');
  });

  it('adds the nullKey partition for a nullable key even when no NULL was counted', () => {
    const { partitions } = planPartitions(input({ rows: 20, samples: ints(0, 20) }, { keyNullable: true }));
    expect(partitions.map((p) => p.range)).toEqual([
      { columns: ['id'], hi: ['10'] },
      { columns: ['id'], lo: ['10'] },
      { columns: ['id'], nullKey: true },
    ]);
    expect(partitions.map((p) => p.estimatedRows)).toEqual([10, 10, 0]);
  });

  it('adds the nullKey partition when NULL keys were counted on a key declared NOT NULL', () => {
    const { partitions } = planPartitions(input({ rows: 12, nullKeyRows: 2, samples: ints(0, 10) }));
    expect(partitions.map((p) => [p.range, p.estimatedRows])).toEqual([
      [{ columns: ['id'] }, 10],
      [{ columns: ['id'], nullKey: true }, 2],
    ]);
  });

  it('makes one range when every key is the same value', () => {
    const samples = Array.from({ length: 200 }, () => ['7']);
    const { partitions, info } = planPartitions(input({ rows: 200, samples }));
    expect(partitions.map((p) => [p.range, p.estimatedRows])).toEqual([[{ columns: ['id'] }, 200]]);
    expect(info.reason).toBe(
      '1 key range on (id) from 200 sampled keys, ~10 rows each; 20 wanted, only 1 distinct sampled keys',
    );
  });

  it('isolates a hot value in fewer, unequal ranges with distinct boundaries', () => {
    // 50 keys below, 900 rows of key 500, 50 keys above; 10 ranges of 100 rows are wanted.
    const samples = [...ints(0, 50), ...Array.from({ length: 900 }, () => ['500']), ...ints(1000, 1050)];
    const { partitions, spread, info } = planPartitions(
      input({ rows: 1000, samples }, { partitionRows: 100 }),
    );
    expect(partitions.map((p) => [p.range.lo?.[0], p.range.hi?.[0], p.estimatedRows])).toEqual([
      [undefined, '500', 50],
      ['500', '1000', 900],
      ['1000', undefined, 50],
    ]);
    expect(spread).toEqual({ min: 50, max: 900, median: 50 });
    expect(info.reason).toBe(
      '3 key ranges on (id) from 1000 sampled keys, ~100 rows each; 10 wanted, skewed key: repeated values merge ranges',
    );
  });

  it('keeps the source order of samples, never re-sorting them', () => {
    // A case-insensitive source orders 'a' < 'B' < 'c'; JS `<` would put 'B' first.
    const samples = [['a'], ['a'], ['B'], ['B'], ['c'], ['c']];
    const { partitions } = planPartitions(input({ rows: 6, samples }, { partitionRows: 2 }));
    expect(partitions.map((p) => [p.range.lo?.[0], p.range.hi?.[0]])).toEqual([
      [undefined, 'B'],
      ['B', 'c'],
      ['c', undefined],
    ]);
  });

  it('splits composite keys on whole tuples', () => {
    const samples = [
      ['1', 'a'],
      ['1', 'b'],
      ['1', 'c'],
      ['2', ''],
    ];
    const { partitions } = planPartitions(
      input({ rows: 4, samples }, { keyColumns: ['tenant', 'name'], partitionRows: 2 }),
    );
    expect(partitions.map((p) => p.range)).toEqual([
      { columns: ['tenant', 'name'], hi: ['1', 'c'] },
      { columns: ['tenant', 'name'], lo: ['1', 'c'] },
    ]);
  });

  it('caps the number of ranges at maxPartitions', () => {
    const { partitions, info } = planPartitions(
      input({ rows: 1000, samples: ints(0, 1000) }, { partitionRows: 1, maxPartitions: 4 }),
    );
    expect(partitions.map((p) => p.range.lo?.[0])).toEqual([undefined, '250', '500', '750']);
    expect(info.reason).toContain('1000 wanted, capped at 4');
  });

  it('trusts the samples over a stale row estimate', () => {
    const { partitions } = planPartitions(input({ rows: 0, exact: false, samples: ints(0, 30) }));
    expect(partitions).toHaveLength(3);
    expect(partitions.map((p) => p.estimatedRows)).toEqual([10, 10, 10]);
  });

  it('treats a missing row estimate as 0 and still plans from the samples', () => {
    const { partitions } = planPartitions(input({ rows: Number.NaN, nullKeyRows: -3, samples: ints(0, 20) }));
    expect(partitions.map((p) => [p.range.lo?.[0], p.estimatedRows])).toEqual([
      [undefined, 10],
      ['10', 10],
    ]);
  });

  it('does not alias the sample arrays in the ranges', () => {
    const samples = ints(0, 20);
    const { partitions } = planPartitions(input({ rows: 20, samples }));
    samples[10]![0] = 'changed';
    expect(partitions[1]!.range.lo).toEqual(['10']);
  });

  it('refuses a bad partitionRows or maxPartitions, naming the table', () => {
    for (const partitionRows of [0, -5, 1.5, Number.NaN]) {
      expect(() => planPartitions(input({}, { partitionRows }))).toThrow(
        expect.objectContaining({
          code: 'CONFIG',
          context: expect.objectContaining({ table: 'public.orders' }),
        }),
      );
    }
    expect(() => planPartitions(input({}, { maxPartitions: 0 }))).toThrow(
      expect.objectContaining({ code: 'CONFIG' }),
    );
  });

  it('refuses malformed samples', () => {
    expect(() => planPartitions(input({ rows: 2, samples: [['1'], ['1', '2']] }))).toThrow(
      expect.objectContaining({ code: 'INTERNAL', context: expect.objectContaining({ value: '["1","2"]' }) }),
    );
    const withNull = [['1'], [null]] as unknown as KeyTuple[];
    expect(() => planPartitions(input({ rows: 2, samples: withNull }))).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });

  it('is deterministic', () => {
    const a = planPartitions(input({ rows: 77, samples: ints(0, 77) }, { keyNullable: true }));
    const b = planPartitions(input({ rows: 77, samples: ints(0, 77) }, { keyNullable: true }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});
