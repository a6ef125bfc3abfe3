import type { Checksum, KeyRange, ReadOptions, Source, TableSpec } from '../core/index.js';
import type { BatchPool } from './pool.js';

/**
 * The canonical checksum of what `verifier` (the target's independent reader) holds in a range: hashed from its
 * wire format where it can (`Source.checksum`, no Arrow batches built), else its Arrow batches hashed on the pool.
 * Both give the same value; the first costs about a third of the CPU (bench/mysql-to-pg.ts).
 */
export async function readBackChecksum(
  verifier: Source,
  pool: BatchPool,
  spec: TableSpec,
  range: KeyRange,
  options: ReadOptions,
  onProgress?: () => Promise<void>,
): Promise<Checksum> {
  const direct = await verifier.checksum?.(spec, range, onProgress ? { ...options, onProgress } : options);
  if (direct) return direct;
  const batches = verifier.read(spec, range, options);
  return (await pool.checksumStream(batches, onProgress ? { onBatch: onProgress } : {})).checksum;
}
