import type * as A from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../core/index.js';
import { BatchBuilder, type JsValue } from '../formats/index.js';
import { ChecksumAccumulator } from './checksum.js';
import { diffKeyedDigests, keyedRowDigests } from './keyed-digests.js';

const col = (name: string, type: LogicalType): Column => ({ name, type, nullable: true, nativeType: '' });

function batchOf(columns: Column[], rows: (JsValue | null)[][]): A.RecordBatch {
  const b = new BatchBuilder(columns, Math.max(1, rows.length));
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

async function* stream(
  columns: Column[],
  rows: (JsValue | null)[][],
  size = 2,
): AsyncGenerator<A.RecordBatch> {
  for (let at = 0; at < rows.length; at += size) yield batchOf(columns, rows.slice(at, at + size));
}

const keys = (batch: A.RecordBatch, keyColumns: string[]) =>
  [...keyedRowDigests(batch, keyColumns)].map((d) => d.key);

describe('keyedRowDigests', () => {
  it('prints one key as its canonical text and several as a tuple', () => {
    const columns = [col('id', { kind: 'int', bits: 64 }), col('name', { kind: 'text' })];
    const batch = batchOf(columns, [
      [42n, 'a'],
      [7n, 'a, b'],
      [null, ''],
      [8n, 'NULL'],
      [9n, 'say "hi"'],
      [10n, ' x'],
    ]);
    expect(keys(batch, ['id'])).toEqual(['42', '7', 'NULL', '8', '9', '10']);
    expect(keys(batch, ['name', 'id'])).toEqual([
      '(a, 42)',
      '("a, b", 7)',
      '("", NULL)',
      '("NULL", 8)',
      '("say ""hi""", 9)',
      '(" x", 10)',
    ]);
    // Key text reads through formats' ColumnReader, which must honour a sliced batch's offset.
    expect(keys(batch.slice(3, 5), ['name', 'id'])).toEqual(['("NULL", 8)', '("say ""hi""", 9)']);
  });

  it('prints every key type canonically, the same for equivalent types', () => {
    const columns = [
      col('dec', { kind: 'decimal' }),
      col('int', { kind: 'int', bits: 32 }),
      col('d', { kind: 'date' }),
      col('ts', { kind: 'timestamp', tz: true }),
      col('t', { kind: 'time' }),
      col('u', { kind: 'uuid' }),
      col('y', { kind: 'bytes' }),
      col('b', { kind: 'bool' }),
      col('f', { kind: 'float', bits: 64 }),
    ];
    const batch = batchOf(columns, [
      [
        '0042.50',
        42,
        19723,
        1_704_067_199_123_456n,
        45_296_000_001n,
        'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
        new Uint8Array([0xde, 0xad]),
        true,
        -0,
      ],
      ['-1e-3', -7, -1, -1n, 0n, 'a0eebc999c0b4ef8bb6d6bb9bd380a11', new Uint8Array(), false, 1.5],
    ]);
    expect(keys(batch, ['dec', 'int', 'd', 'ts', 't', 'u', 'y', 'b', 'f'])).toEqual([
      '(42.5, 42, 2024-01-01, 2023-12-31 23:59:59.123456, 12:34:56.000001, a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, \\xdead, true, -0)',
      '(-0.001, -7, 1969-12-31, 1969-12-31 23:59:59.999999, 00:00:00.000000, a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, \\x, false, 1.5)',
    ]);
  });

  it('hashes whole rows with the checksum’s hash', () => {
    const columns = [col('id', { kind: 'int', bits: 32 }), col('v', { kind: 'text' })];
    const batch = batchOf(columns, [
      [1, 'a'],
      [2, 'b'],
      [3, null],
    ]);
    const acc = new ChecksumAccumulator();
    acc.addBatch(batch);
    let sum = 0n;
    for (const d of keyedRowDigests(batch, ['id'])) {
      expect(d.hash).toMatch(/^[0-9a-f]{32}$/);
      sum += BigInt(`0x${d.hash}`);
    }
    expect((sum % (1n << 128n)).toString(16).padStart(32, '0')).toBe(acc.result().sum);
  });

  it('refuses a key column the batch does not have', () => {
    const batch = batchOf([col('id', { kind: 'int', bits: 32 })], [[1]]);
    expect(() => keys(batch, ['nope'])).toThrow(expect.objectContaining({ code: 'SCHEMA_MISMATCH' }));
  });
});

describe('diffKeyedDigests', () => {
  const columns = [col('id', { kind: 'int', bits: 64 }), col('v', { kind: 'text' })];
  const source: (JsValue | null)[][] = [
    [1n, 'a'],
    [2n, 'b'],
    [3n, 'c'],
    [4n, 'd'],
    [5n, 'e'],
  ];

  it('finds a changed, a missing and an extra key', async () => {
    const target: (JsValue | null)[][] = [
      [5n, 'e'],
      [2n, 'B'],
      [1n, 'a'],
      [9n, 'z'],
      [4n, 'd'],
    ];
    const diff = await diffKeyedDigests(stream(columns, source), stream(columns, target, 3), ['id']);
    expect(diff).toEqual({
      missing: ['3'],
      extra: ['9'],
      changed: ['2'],
      truncated: false,
      counts: { missing: 1, extra: 1, changed: 1 },
    });
  });

  it('reports nothing for equal ranges in any order', async () => {
    const diff = await diffKeyedDigests(
      stream(columns, source),
      stream(columns, source.slice().reverse(), 4),
      ['id'],
    );
    expect(diff).toEqual({
      missing: [],
      extra: [],
      changed: [],
      truncated: false,
      counts: { missing: 0, extra: 0, changed: 0 },
    });
  });

  it('matches keys across equivalent types (int64 source, decimal target)', async () => {
    const target = [col('id', { kind: 'decimal', precision: 20, scale: 0 }), col('v', { kind: 'text' })];
    const rows: (JsValue | null)[][] = source.map((r) => [`${r[0]}.0`, r[1]!]);
    rows[1] = ['2', 'x'];
    const diff = await diffKeyedDigests(stream(columns, source), stream(target, rows), ['id']);
    expect(diff.changed).toEqual(['2']);
    expect(diff.missing).toEqual([]);
    expect(diff.extra).toEqual([]);
  });

  it('is multiset-correct for duplicate keys and rows', async () => {
    const src: (JsValue | null)[][] = [
      [1n, 'x'],
      [1n, 'x'],
      [2n, 'y'],
      [3n, 'p'],
      [3n, 'q'],
    ];
    const tgt: (JsValue | null)[][] = [
      [1n, 'x'],
      [2n, 'y'],
      [2n, 'y'],
      [3n, 'q'],
      [3n, 'r'],
    ];
    const diff = await diffKeyedDigests(stream(columns, src), stream(columns, tgt), ['id']);
    expect(diff.missing).toEqual(['1']);
    expect(diff.extra).toEqual(['2']);
    expect(diff.changed).toEqual(['3']);
  });

  it('applies compare rules and composite keys', async () => {
    const cols = [
      col('a', { kind: 'text', fixed: true }),
      col('b', { kind: 'int', bits: 32 }),
      col('v', { kind: 'text' }),
    ];
    const src: (JsValue | null)[][] = [
      ['k  ', 1, 'same'],
      ['k  ', 2, 'old'],
    ];
    const tgt: (JsValue | null)[][] = [
      ['k', 1, 'same'],
      ['k', 2, 'new'],
    ];
    const diff = await diffKeyedDigests(stream(cols, src), stream(cols, tgt), ['a', 'b'], {
      rules: { a: { trimTrailingSpaces: true } },
    });
    expect(diff.changed).toEqual(['(k, 2)']);
    expect(diff.missing).toEqual([]);
    expect(diff.extra).toEqual([]);
  });

  it('caps each list at maxKeys and says so', async () => {
    const src = Array.from({ length: 10 }, (_, i) => [BigInt(i), 'v']);
    const diff = await diffKeyedDigests(stream(columns, src), stream(columns, []), ['id'], { maxKeys: 3 });
    expect(diff.missing).toEqual(['0', '1', '2']);
    expect(diff.truncated).toBe(true);
    expect(diff.counts.missing).toBe(10);
  });
});
