import { afterAll, describe, expect, it } from 'vitest';
import type { Column } from '../../core/index.js';
import { BatchBuilder } from '../../formats/index.js';
import { profileBatch } from '../../profiling/index.js';
import { BatchPool } from '../../worker/index.js';

/** The pool's `profileBatch` (a piscina thread running dist/worker/batch-task.js) is the same function. */

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  {
    name: 'amount',
    type: { kind: 'decimal', precision: 12, scale: 2 },
    nullable: true,
    nativeType: 'DECIMAL(12,2)',
  },
  { name: 'at', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'TIMESTAMPTZ' },
];

describe('BatchPool.profileBatch', () => {
  const pool = new BatchPool(2);
  afterAll(() => pool.close());

  it('returns in a thread exactly what profileBatch returns here, and leaves the batch usable', async () => {
    const b = new BatchBuilder(columns, 3000);
    for (let i = 0; i < 3000; i++) {
      b.appendRow([
        BigInt(i),
        i % 9 === 0 ? null : i % 7 === 0 ? `u${i}.example.com` : `u${i % 300}@example.com`,
        i % 5 === 0 ? null : `${i}.${String(i % 100).padStart(2, '0')}`,
        1_700_000_000_000_000n + BigInt(i) * 1_000_001n,
      ]);
    }
    const batch = b.finish();
    const spec = { keys: [['id'], ['email', 'amount']] };
    const remote = await pool.profileBatch(batch, spec);
    expect(remote).toEqual(JSON.parse(JSON.stringify(profileBatch(batch, spec))));
    expect(remote.rows).toBe(3000);
    expect(remote.keys).toHaveLength(2);
    expect(Buffer.from(remote.keys[0]!, 'base64')).toHaveLength(3000 * 16);
    expect(batch.numRows).toBe(3000);
  });
});
