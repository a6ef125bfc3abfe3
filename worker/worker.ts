import type { Transport } from '../transport/index.js';
import { type PartitionRunnerDeps, runPartition } from './partition-runner.js';

/**
 * A worker: takes partition tasks from the transport, `concurrency` at a time, and reports each result.
 * Returns when the transport has no more tasks (local) or `signal` aborts (distributed, on SIGTERM).
 */
export async function runWorker(
  transport: Transport,
  deps: PartitionRunnerDeps,
  options: { concurrency: number; signal?: AbortSignal },
): Promise<void> {
  await transport.consume((task, context) => runPartition(deps, task, context), options);
}
