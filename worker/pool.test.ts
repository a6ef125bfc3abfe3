import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ChecksumAccumulator } from '../checksums/index.js';
import type { Column } from '../core/index.js';
import { BatchBuilder } from '../formats/index.js';
import { BatchPool, poolThreads } from './pool.js';

const columns: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'name', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
];

function batch(from: number, to: number) {
  const b = new BatchBuilder(columns, to - from);
  for (let i = from; i < to; i++) b.appendRow([BigInt(i), i % 3 ? `n${i}` : null]);
  return b.finish();
}

async function* batches(n: number, size: number) {
  for (let i = 0; i < n; i++) yield batch(i * size, (i + 1) * size);
}

describe('BatchPool (needs `npm run build`: threads run dist/worker/batch-task.js)', () => {
  const pool = new BatchPool(2);
  afterAll(() => pool.close());

  it('computes in a thread the same checksum as in this thread', async () => {
    const b = batch(0, 1000);
    const local = new ChecksumAccumulator();
    local.addBatch(b);
    const remote = await pool.checksum(b);
    expect(remote).toEqual(local.result());
    expect(remote.rows).toBe('1000');
    // The batch stays usable here: only the IPC copy was transferred.
    expect(b.numRows).toBe(1000);
  });

  it('checksums a stream independently of batch boundaries, calling onBatch for each batch', async () => {
    const seen: number[] = [];
    const a = await pool.checksumStream(batches(10, 500), {
      onBatch: async (b) => void seen.push(b.numRows),
    });
    const b = await pool.checksumStream(batches(5, 1000));
    expect(a.checksum).toEqual(b.checksum);
    expect(a.checksum.rows).toBe('5000');
    expect(seen).toEqual(Array(10).fill(500));
    expect(a.bytes).toBeGreaterThan(0);
  });

  it('propagates an onBatch failure without an unhandled rejection', async () => {
    await expect(
      pool.checksumStream(batches(3, 10), {
        onBatch: async () => {
          throw new Error('target refused');
        },
      }),
    ).rejects.toThrow('target refused');
  });
});

describe('BatchPool closed while its thread is still loading', () => {
  // Node 20's require(esm) aborts the process (SIGABRT, "IsGraphAsync must be used on an instantiated module")
  // when a thread is terminated while the module graph it requires is being instantiated; piscina require()s its
  // task file, so the task file is CommonJS (batch-task-entry.cts). Before that, this loop of pools closed
  // during the thread's start-up (the window measured first) aborted in ~4 of 10 runs on the 2-core machine.
  it('leaves the process alive', () => {
    const pool = fileURLToPath(new URL('../dist/worker/pool.js', import.meta.url));
    const formats = fileURLToPath(new URL('../dist/formats/index.js', import.meta.url));
    const script = `
      const { BatchPool } = await import(${JSON.stringify(pool)});
      const { BatchBuilder } = await import(${JSON.stringify(formats)});
      const b = new BatchBuilder([{ name: 'id', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: '' }], 1);
      b.appendRow([1]);
      const batch = b.finish();
      let ready = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const p = new BatchPool(2);
        await p.checksum(batch);
        ready = Math.max(ready, performance.now() - t0);
        await p.close();
      }
      for (let i = 0; i < 60; i++) {
        const p = new BatchPool(2);
        p.checksum(batch).catch(() => {});
        await new Promise((r) => setTimeout(r, ready * (0.3 + Math.random() * 0.9)));
        await p.close();
      }
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/FATAL ERROR/);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
  }, 120_000);
});

describe('poolThreads', () => {
  it('gives each concurrent partition a thread, within the cores beside the socket thread, at least one', () => {
    expect(poolThreads(2, 2)).toBe(1);
    expect(poolThreads(8, 2)).toBe(1);
    expect(poolThreads(8, 1)).toBe(1);
    expect(poolThreads(4, 8)).toBe(4);
    expect(poolThreads(16, 8)).toBe(7);
    expect(poolThreads(0, 8)).toBe(1);
  });
});
