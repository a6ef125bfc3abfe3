import type { Target } from '../../core/index.js';
import { ChecksumAccumulator } from '../../checksums/index.js';
import type { ChecksumOf } from './manifest.js';

/**
 * Whole-table checksums through the target's independent reader, hashed on this thread: for commands without
 * a worker pool (`ferry rollback`). Gives the same checksum as the pool (one canonical encoding).
 */
export function readerChecksum(target: Target, batchRows = 10_000): ChecksumOf {
  return async (table) => {
    const reader = await target.reader();
    try {
      const acc = new ChecksumAccumulator();
      for await (const batch of reader.read(table, { columns: [], whole: true }, { batchRows }))
        acc.addBatch(batch);
      return acc.result();
    } finally {
      await reader.close();
    }
  };
}
