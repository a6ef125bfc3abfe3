import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { BatchBuilder, batchFromIPC, batchRows, batchToIPC, columnsOf } from './index.js';

const columns: Column[] = [
  { name: 'b', type: { kind: 'bool' }, nullable: true, nativeType: 'BOOLEAN' },
  { name: 'i16', type: { kind: 'int', bits: 16 }, nullable: true, nativeType: 'SMALLINT' },
  { name: 'i64', type: { kind: 'int', bits: 64 }, nullable: true, nativeType: 'BIGINT' },
  { name: 'u64', type: { kind: 'int', bits: 64, unsigned: true }, nullable: true, nativeType: 'UBIGINT' },
  { name: 'f', type: { kind: 'float', bits: 64 }, nullable: true, nativeType: 'DOUBLE' },
  {
    name: 'd',
    type: { kind: 'decimal', precision: 38, scale: 10 },
    nullable: true,
    nativeType: 'DECIMAL(38,10)',
  },
  { name: 't', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  { name: 'y', type: { kind: 'bytes' }, nullable: true, nativeType: 'BLOB' },
  { name: 'dt', type: { kind: 'date' }, nullable: true, nativeType: 'DATE' },
  { name: 'ts', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'TIMESTAMPTZ' },
  { name: 'tm', type: { kind: 'time' }, nullable: true, nativeType: 'TIME' },
  {
    name: 'l',
    type: { kind: 'list', element: { kind: 'int', bits: 32 } },
    nullable: true,
    nativeType: 'INTEGER[]',
  },
];

describe('BatchBuilder', () => {
  it('round-trips every value domain exactly, including through IPC', () => {
    const b = new BatchBuilder(columns, 2);
    const rows = [
      [
        true,
        -32768,
        -(2n ** 63n),
        2n ** 64n - 1n,
        Number.NaN,
        '-1234567890123456789012345678.0123456789',
        'héllo 🦀',
        new Uint8Array([0, 255]),
        -719162,
        1700000000123456n,
        86399999999n,
        [1, null, 3],
      ],
      [null, null, null, null, null, null, null, null, null, null, null, null],
      [false, 32767, 2n ** 63n - 1n, 0n, -0, '0', '', new Uint8Array([]), 0, -1n, 0n, []],
    ];
    for (const r of rows) b.appendRow(r);
    const batch = b.finish();
    expect(batch.numRows).toBe(3);
    expect(b.length).toBe(0);
    const back = batchFromIPC(batchToIPC(batch));
    const got = batchRows(back);
    expect(got[0]!.slice(0, 4)).toEqual(rows[0]!.slice(0, 4));
    expect(Number.isNaN(got[0]![4])).toBe(true);
    expect(got[0]!.slice(5)).toEqual(rows[0]!.slice(5));
    expect(got[1]).toEqual(rows[1]);
    expect(Object.is(got[2]![4], -0)).toBe(true);
    expect(got[2]).toEqual(rows[2]);
    expect(columnsOf(back.schema)).toEqual(columns);
  });

  it('counts the bytes of its Arrow buffers (what bounds a batch by size), back to 0 after finish', () => {
    const b = new BatchBuilder(
      [columns[0]!, columns[2]!, columns[6]!, columns[11]!], // bool, int64, text, list<int32>
      4,
    );
    expect(b.bytes).toBe(4 + 4); // the offsets' leading zero of the text and the list column
    b.appendRow([true, 1n, 'héllo', [1, 2, 3]]);
    b.appendRow([null, null, null, null]);
    // bool 1 + int64 2×8 + text (6 bytes + 3 offsets×4) + list (3 offsets×4 + 3 int32×4)
    expect(b.bytes).toBe(1 + 16 + (6 + 12) + (12 + 12));
    b.finish();
    expect(b.bytes).toBe(8);
  });

  it('starts empty after finish and grows past its capacity hint', () => {
    const b = new BatchBuilder(columns.slice(6, 7), 1);
    for (let i = 0; i < 1000; i++) b.appendRow([`v${i}`]);
    const batch = b.finish();
    expect(batchRows(batch)[999]).toEqual(['v999']);
    b.appendRow(['x']);
    expect(batchRows(b.finish())).toEqual([['x']]);
  });
});
