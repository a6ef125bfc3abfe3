import { describe, expect, it } from 'vitest';
import type { Plan } from '../../core/index.js';
import { decodePlan, encodePlan, isPlanManifest } from './plan-codec.js';

function plan(partitions: number): Plan {
  return {
    version: 1,
    hash: 'f'.repeat(64),
    source: { connector: 'postgres', display: 'postgres://h/db' },
    target: { connector: 'duckdb', display: 'duckdb:/tmp/x' },
    mode: 'create',
    options: { partitionRows: 10, batchRows: 5 },
    tables: [
      {
        source: { name: 't', columns: [], primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 },
        target: { name: 't', columns: [], primaryKey: ['id'], estimatedRows: 0, estimatedBytes: 0 },
        columns: [],
        keyColumns: ['id'],
        mode: 'create',
        partitioning: { strategy: 'range', reason: 'test' },
        partitions: Array.from({ length: partitions }, (_, i) => ({
          id: `t#${i}`,
          table: 't',
          index: i,
          range: { columns: ['id'], lo: [String(i * 1000)], hi: [`${(i + 1) * 1000}.5`] },
          estimatedRows: 10,
        })),
      },
    ],
  };
}

describe('plan codec', () => {
  it('round-trips a plan through gzip chunks no larger than asked', async () => {
    const p = plan(20_000);
    const { manifest, chunks } = await encodePlan(p, 64 * 1024);
    expect(manifest.chunks).toBe(chunks.length);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 64 * 1024)).toBe(true);
    expect(isPlanManifest(JSON.parse(JSON.stringify(manifest)))).toBe(true);
    expect(await decodePlan('r', manifest, chunks)).toEqual(p);
  });

  it('refuses a missing, reordered or damaged chunk instead of parsing it', async () => {
    const { manifest, chunks } = await encodePlan(plan(20_000), 32 * 1024);
    await expect(decodePlan('r', manifest, chunks.slice(1))).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(
      decodePlan('r', manifest, [chunks[1]!, chunks[0]!, ...chunks.slice(2)]),
    ).rejects.toMatchObject({
      code: 'INTERNAL',
    });
    const bad = chunks.map((c) => new Uint8Array(c));
    bad[0]![100] = bad[0]![100]! ^ 1;
    await expect(decodePlan('r', manifest, bad)).rejects.toThrow(/incomplete or damaged/);
  });

  it('recognises only manifests of this version', () => {
    expect(
      isPlanManifest({ version: 2, encoding: 'gzip', hash: 'h', chunks: 1, bytes: 1, sha256: 's' }),
    ).toBe(false);
    expect(isPlanManifest(null)).toBe(false);
  });
});
