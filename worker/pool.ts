import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordBatch } from 'apache-arrow';
import { Piscina } from 'piscina';
import { type CompareRules, combineChecksums, ZERO_CHECKSUM } from '../checksums/index.js';
import { type Checksum, type Column, FerryError } from '../core/index.js';
import { batchFromIPC, batchToIPC } from '../formats/index.js';
import type { BatchProfile, BatchProfileSpec, ProfileTask } from '../profiling/index.js';
import type { RejectedRow, TableTransform, TransformContext } from '../transform/index.js';
import type { ChecksumTask, TransformTask, TransformTaskResult } from './batch-task.js';

/** What a pool thread needs to transform a table's batches (see `BatchPool.transform`). */
export interface PoolTransformSpec {
  /** Same key, same transform: threads cache the compiled transform under it (e.g. plan hash + table). */
  key: string;
  transform: TableTransform;
  /** The source columns the transform was planned against (the batch's columns). */
  source: Column[];
  salt?: string;
}

/**
 * The compiled task file the threads load (batch-task-entry.cts says why it is CommonJS); under vitest (TS
 * sources) the build in dist/ is used.
 */
function taskFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? resolve(dirname(here), '../dist/worker/batch-task-entry.cjs')
    : resolve(dirname(here), 'batch-task-entry.cjs');
  if (!existsSync(file)) {
    throw new FerryError('INTERNAL', `worker thread module ${file} is missing`, {
      hint: 'run `npm run build`',
    });
  }
  return file;
}

/**
 * Threads for `wanted` concurrent partitions: one per partition, but no more than the cores left beside the
 * thread that reads and writes the sockets. On bench/mysql-to-pg.ts (2 cores) a second pool thread did not
 * make the run measurably faster (17.8–18.1 s with one, 17.7–18.7 s with two; runs here vary by ±10 %) and cost
 * 50–75 MB of peak RSS.
 */
export function poolThreads(wanted: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(wanted, cores - 1));
}

/**
 * Each thread's young generation, in MB (V8's default is up to 48): per-batch work leaves short-lived garbage
 * only, so a small nursery costs little and saved 30–50 MB of peak RSS per thread in the same benchmark.
 */
const THREAD_YOUNG_GENERATION_MB = 8;

/**
 * The thread pool for per-batch CPU work (checksums, transforms, profiles). One per process, sized to the
 * cores (`poolThreads`); its queue is bounded so producers wait (`run` awaits) instead of piling batches up in
 * memory.
 */
export class BatchPool {
  readonly #pool: Piscina;

  constructor(concurrency: number) {
    const threads = poolThreads(concurrency);
    this.#pool = new Piscina({
      filename: taskFile(),
      minThreads: 1,
      maxThreads: threads,
      maxQueue: Math.max(4, threads * 4),
      idleTimeout: 30_000,
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
  }

  /** The checksum of one batch, computed in a pool thread. */
  async checksum(batch: RecordBatch, rules?: CompareRules): Promise<Checksum> {
    const ipc = batchToIPC(batch);
    // Wait for queue space rather than fail with "queue full": the pool is the back-pressure point.
    while (this.#pool.queueSize >= this.#pool.options.maxQueue)
      await new Promise((r) => this.#pool.once('drain', r));
    const task: ChecksumTask = { ipc };
    if (rules) task.rules = rules;
    // Transfer the IPC buffer to the thread instead of copying it (it is ours alone: tableToIPC made it).
    return (await this.#pool.run(task, { transferList: [ipc.buffer as ArrayBuffer] })) as Checksum;
  }

  /**
   * The checksum of a stream of batches. `onBatch` (e.g. the target write) runs on each batch while the
   * previous batch is still being checksummed in a thread; at most one checksum is in flight per stream, so
   * memory stays at about two batches.
   */
  async checksumStream(
    batches: AsyncIterable<RecordBatch>,
    options: { rules?: CompareRules; onBatch?: (batch: RecordBatch) => Promise<void> } = {},
  ): Promise<{ checksum: Checksum; bytes: number }> {
    let total = ZERO_CHECKSUM;
    let bytes = 0;
    const pending: Promise<Checksum>[] = [];
    try {
      for await (const batch of batches) {
        pending.push(this.checksum(batch, options.rules));
        await options.onBatch?.(batch);
        bytes += batch.data.byteLength;
        if (pending.length > 1) total = combineChecksums(total, await pending.shift()!);
      }
      for (const p of pending.splice(0)) total = combineChecksums(total, await p);
      return { checksum: total, bytes };
    } finally {
      // On failure, let abandoned thread work settle before the caller may close the pool.
      await Promise.allSettled(pending);
    }
  }

  /**
   * The profile of one batch (column statistics and key hashes, profiling/ `profileBatch`), computed in a pool
   * thread. Waits for queue space like `checksum`.
   */
  async profileBatch(batch: RecordBatch, spec: BatchProfileSpec): Promise<BatchProfile> {
    const ipc = batchToIPC(batch);
    while (this.#pool.queueSize >= this.#pool.options.maxQueue)
      await new Promise((r) => this.#pool.once('drain', r));
    const task: ProfileTask = { ipc, spec };
    return (await this.#pool.run(task, {
      name: 'profileBatch',
      transferList: [ipc.buffer as ArrayBuffer],
    })) as BatchProfile;
  }

  /**
   * Transforms one source batch in a pool thread (a table without unique, dedupe or references rules):
   * the rows that passed as a batch, the rejected rows, and the checksum of the rows that passed. Waits for
   * queue space like `checksum`.
   */
  async transform(
    batch: RecordBatch,
    spec: PoolTransformSpec,
    context: TransformContext,
  ): Promise<{ batch: RecordBatch; rejects: RejectedRow[]; checksum: Checksum }> {
    const ipc = batchToIPC(batch);
    while (this.#pool.queueSize >= this.#pool.options.maxQueue)
      await new Promise((r) => this.#pool.once('drain', r));
    const task: TransformTask = {
      ipc,
      key: spec.key,
      transform: spec.transform,
      source: spec.source,
      context,
      ...(spec.salt === undefined ? {} : { salt: spec.salt }),
    };
    const r = (await this.#pool.run(task, {
      name: 'transformBatch',
      transferList: [ipc.buffer as ArrayBuffer],
    })) as TransformTaskResult;
    return { batch: batchFromIPC(r.ipc), rejects: r.rejects, checksum: r.checksum };
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
