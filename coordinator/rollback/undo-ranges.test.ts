import { describe, expect, it } from 'vitest';
import type { LedgerEntry, Partition, TablePlan, TableSpec } from '../../core/index.js';
import { sideTableName } from './manifest.js';
import { loadedRanges, targetKeyColumns } from './undo-ranges.js';

const spec = (name: string, cols: string[]): TableSpec => ({
  name,
  columns: cols.map((c) => ({
    name: c,
    type: { kind: 'int', bits: 64 },
    nullable: true,
    nativeType: 'BIGINT',
  })),
  primaryKey: [],
  estimatedRows: 0,
  estimatedBytes: 0,
});

const partition = (index: number, range: Partition['range']): Partition => ({
  id: `t#${index}`,
  table: 't',
  index,
  range,
  estimatedRows: 10,
});

const plan: TablePlan = {
  source: spec('t', ['id', 'v']),
  target: spec('t2', ['key', 'v']),
  columns: [
    { source: 'id', target: 'key' },
    { source: 'v', target: 'v' },
  ],
  keyColumns: ['id'],
  mode: 'append',
  partitioning: { strategy: 'range', reason: 'test' },
  partitions: [
    partition(0, { columns: ['id'], hi: ['10'] }),
    partition(1, { columns: ['id'], lo: ['10'], hi: ['20'] }),
    partition(2, { columns: ['id'], lo: ['20'], hi: ['30'] }),
    partition(3, { columns: ['id'], lo: ['30'] }),
    partition(4, { columns: ['id'], nullKey: true }),
  ],
};

const entry = (partitionId: string): LedgerEntry => ({
  runId: 'r',
  partitionId,
  table: 't',
  planHash: 'h',
  attempt: 1,
  rows: '1',
  checksum: '0'.repeat(32),
  committedAt: '',
});

describe('loadedRanges', () => {
  it('merges adjacent loaded partitions and renames key columns to the target', () => {
    expect(targetKeyColumns(plan)).toEqual(['key']);
    expect(loadedRanges(plan, ['t#0', 't#1', 't#3'].map(entry))).toEqual({
      ranges: [
        { columns: ['key'], hi: ['20'] },
        { columns: ['key'], lo: ['30'] },
      ],
    });
    expect(loadedRanges(plan, ['t#3', 't#2', 't#1', 't#0', 't#4'].map(entry))).toEqual({
      ranges: [{ columns: ['key'] }],
      nullRange: { columns: ['key'], nullKey: true },
    });
    expect(loadedRanges(plan, [])).toEqual({ ranges: [] });
  });

  it('refuses a ledger entry the plan does not know', () => {
    expect(() => loadedRanges(plan, [entry('t#9')])).toThrow(/partition t#9/);
  });
});

describe('sideTableName', () => {
  it('keeps short names readable and shortens long ones to 63 bytes, deterministically', () => {
    expect(sideTableName('backup', 'r1', 'orders')).toBe('_ferry_backup_r1_orders');
    const long = sideTableName(
      'prerun_keys',
      '20261124T080541Z-fca1c6',
      'a_very_long_table_name_ünïcödé_here',
    );
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^_ferry_prerun_keys_20261124T080541Z-fca1c6_a_very.*_[0-9a-f]{10}$/);
    expect(
      sideTableName('prerun_keys', '20261124T080541Z-fca1c6', 'a_very_long_table_name_ünïcödé_here'),
    ).toBe(long);
  });
});
