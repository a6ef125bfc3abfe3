/**
 * The code that runs inside the piscina threads: CPU-heavy work on one Arrow batch, received as IPC bytes
 * (transferred, not copied). Kept free of I/O so a thread never blocks on a socket.
 */
import { ChecksumAccumulator, type CompareRules } from '../checksums/index.js';
import type { Checksum } from '../core/index.js';
import { batchFromIPC } from '../formats/index.js';

export interface ChecksumTask {
  ipc: Uint8Array;
  rules?: CompareRules;
}

/** Checksum of one batch (an order-independent partial the caller adds up). */
export default function checksumBatch(task: ChecksumTask): Checksum {
  const acc = new ChecksumAccumulator(task.rules);
  acc.addBatch(batchFromIPC(task.ipc));
  return acc.result();
}
