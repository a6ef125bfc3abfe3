import { describe, expect, it } from 'vitest';
import { rowsPerPartition } from './rows-per-partition.js';

describe('rows per partition', () => {
  it('is partition_rows without a byte target', () => {
    expect(rowsPerPartition({ estimatedRows: 1000, estimatedBytes: 100_000 }, 250)).toEqual({ rows: 250 });
  });

  it('fills the byte target at the average stored row, at least one row', () => {
    expect(rowsPerPartition({ estimatedRows: 1000, estimatedBytes: 100_000 }, 250, 10_000)).toEqual({
      rows: 100,
      note: 'partition_bytes 9.8 KiB at ~100 bytes per row',
    });
    expect(rowsPerPartition({ estimatedRows: 10, estimatedBytes: 10 * 1024 ** 2 }, 250, 1024).rows).toBe(1);
  });

  it('keeps partition_rows for a table without a size estimate, and says so', () => {
    expect(rowsPerPartition({ estimatedRows: 0, estimatedBytes: 0 }, 250, 1024)).toEqual({
      rows: 250,
      note: 'partition_bytes 1.0 KiB: no size estimate, so 250 rows each',
    });
  });
});
