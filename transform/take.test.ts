import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { BatchBuilder, batchFromIPC, batchRows, batchToIPC, type JsValue } from '../formats/index.js';
import { readValues } from './batch-values.js';
import { compileTransform, parseTableMapping } from './index.js';
import { makeBatch, takeData } from './take.js';

const COLUMNS: Column[] = [
  { name: 'b', type: { kind: 'bool' }, nullable: true, nativeType: 'BOOLEAN' },
  { name: 'i8', type: { kind: 'int', bits: 8 }, nullable: true, nativeType: 'TINYINT' },
  { name: 'u64', type: { kind: 'int', bits: 64, unsigned: true }, nullable: true, nativeType: 'UBIGINT' },
  { name: 'f', type: { kind: 'float', bits: 32 }, nullable: true, nativeType: 'REAL' },
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
  { name: 'l', type: { kind: 'list', element: { kind: 'text' } }, nullable: true, nativeType: 'VARCHAR[]' },
];

const ROWS: (JsValue | null)[][] = [
  [
    true,
    -128,
    2n ** 64n - 1n,
    1.5,
    '-1234567890123456789012345678.0123456789',
    'ascii',
    new Uint8Array([0, 255]),
    -719162,
    -(2n ** 62n),
    ['a', null],
  ],
  [null, null, null, null, null, null, null, null, null, null],
  [false, 127, 0n, -0, '0.0000000001', 'ünïcödé 😀', new Uint8Array([]), 2932896, 253402300799999999n, []],
  [true, 0, 1n, Number.POSITIVE_INFINITY, '1.0000000000', '', new Uint8Array([7]), 0, 0n, ['z']],
];

function batch() {
  const b = new BatchBuilder(COLUMNS, 4);
  for (const r of ROWS) b.appendRow(r);
  return b.finish();
}

describe('takeData', () => {
  it('copies chosen rows of every type exactly, NULLs included', () => {
    const src = batchFromIPC(batchToIPC(batch()));
    const rows = Int32Array.from([3, 1, 0]);
    const children = COLUMNS.map((c, i) => takeData(src.data.children[i]!, c.type, rows));
    expect(batchRows(makeBatch(COLUMNS, children, 3))).toEqual([ROWS[3], ROWS[1], ROWS[0]]);
  });

  it('respects sliced data (offsets into shared buffers)', () => {
    const sliced = batch().slice(1, 4);
    const children = COLUMNS.map((c, i) =>
      takeData(sliced.data.children[i]!, c.type, Int32Array.from([2, 1])),
    );
    expect(batchRows(makeBatch(COLUMNS, children, 2))).toEqual([ROWS[3], ROWS[2]]);
    expect(readValues(sliced.data.children[5]!, COLUMNS[5]!.type)).toEqual([null, 'ünïcödé 😀', '']);
  });
});

describe('apply', () => {
  it('passes columns through zero-copy, or filtered when rows are rejected', () => {
    const t = parseTableMapping({ rules: [{ not_null: 'b' }] }, 'tables[0]', COLUMNS);
    const compiled = compileTransform(t, COLUMNS, {});
    const src = batch();
    const res = compiled.apply(src, { table: 'x', partition: 'x#0', keyColumns: [] });
    expect(batchRows(res.batch)).toEqual([ROWS[0], ROWS[2], ROWS[3]]);
    expect(Array.from(res.sourceRows)).toEqual([0, 2, 3]);
    expect(res.rejects.map((r) => r.key)).toEqual(['row 1']);
    const part = src.slice(2, 4);
    const clean = compiled.apply(part, { table: 'x', partition: 'x#0', keyColumns: [] });
    expect(clean.batch.data.children[5]).toBe(part.data.children[5]);
    expect(batchRows(clean.batch)).toEqual([ROWS[2], ROWS[3]]);
  });

  it('handles an empty batch', () => {
    const t = parseTableMapping({ columns: { t: { trim: true } } }, 'tables[0]', COLUMNS);
    const empty = new BatchBuilder(COLUMNS, 1).finish();
    const res = compileTransform(t, COLUMNS, {}).apply(empty, {
      table: 'x',
      partition: 'x#0',
      keyColumns: [],
    });
    expect(res.batch.numRows).toBe(0);
    expect(res.batch.schema.fields.map((f) => f.name)).toEqual(['t']);
  });
});
