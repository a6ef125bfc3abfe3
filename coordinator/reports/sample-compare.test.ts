import type { RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../core/index.js';
import { BatchBuilder, type JsValue } from '../../formats/index.js';
import { compareSample } from './sample-compare.js';

const COLUMNS: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  {
    name: 'amount',
    type: { kind: 'decimal', precision: 12, scale: 2 },
    nullable: true,
    nativeType: 'DECIMAL(12,2)',
  },
];

function batches(rows: (JsValue | null)[][], size: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const b = new BatchBuilder(COLUMNS, size);
    for (const r of rows.slice(i, i + size)) b.appendRow(r);
    out.push(b.finish());
  }
  return out;
}

async function* stream(bs: RecordBatch[]): AsyncIterable<RecordBatch> {
  yield* bs;
}

const rows = Array.from({ length: 500 }, (_, i) => [BigInt(i), `user${i}@example.com`, `${i}.50`]);

function run(expected: RecordBatch[], actual: RecordBatch[], sampleRows: number, seed = 1) {
  return compareSample({
    keyColumns: ['id'],
    columns: ['id', 'email', 'amount'],
    expected: stream(expected),
    actual: stream(actual),
    sampleRows,
    seed,
    pii: new Set(['email']),
  });
}

describe('compareSample', () => {
  it('samples the same keys for the same seed, whatever the batch boundaries and row order', async () => {
    const a = await run(batches(rows, 7), batches(rows, 50), 40);
    const b = await run(batches([...rows].reverse(), 33), batches(rows, 11), 40);
    expect(a.sampled).toBe(40);
    expect(a.matchPercent).toBe(100);
    expect(b).toEqual(a);
    const other = await run(batches(rows, 7), batches(rows, 50), 40, 2);
    expect(other.sampled).toBe(40);
    // A different seed samples (almost surely) different keys: a changed row is caught by one and not the other.
    const changedKeys = rows.map((r, i) => (i % 5 === 0 ? [r[0]!, r[1]!, '0.00'] : r));
    const bySeed1 = await run(batches(rows, 64), batches(changedKeys, 64), 40, 1);
    const bySeed2 = await run(batches(rows, 64), batches(changedKeys, 64), 40, 2);
    expect(bySeed1.columns[2]!.matched).not.toBe(0);
    expect(bySeed1.differences).not.toEqual(bySeed2.differences);
  });

  it('reports match % per column, missing keys, and masks PII values in examples', async () => {
    const target = rows
      .filter((r) => r[0] !== 3n)
      .map((r) => (r[0] === 10n ? [r[0], 'bob@evil.test', r[2]!] : r[0] === 11n ? [r[0], r[1]!, '11.5'] : r));
    const r = await run(batches(rows, 64), batches(target, 64), 1000);
    expect(r.sampled).toBe(500);
    expect(r.missingInTarget).toBe(1);
    expect(r.missingExamples).toEqual(['3']);
    expect(r.columns).toEqual([
      { column: 'id', compared: 500, matched: 499, matchPercent: 99.8 },
      { column: 'email', compared: 500, matched: 498, matchPercent: 99.6, masked: true },
      // 11.50 and 11.5 are the same decimal: the canonical encoding compares values, not spellings.
      { column: 'amount', compared: 500, matched: 499, matchPercent: 99.8 },
    ]);
    expect(r.differences).toEqual([
      { key: '10', column: 'email', expected: 'u*****@e******.c**', actual: 'b**@e***.t***', masked: true },
    ]);
    expect(r.matchPercent).toBe(99.73);
  });
});
