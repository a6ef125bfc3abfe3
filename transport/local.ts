import { type PartitionResult, toFerryError } from '../core/index.js';
import { AsyncQueue } from './async-queue.js';
import type { PartitionTask, TaskHandler, Transport } from './transport.js';

/**
 * The in-process transport: one task queue, one result queue, workers are async loops in this process
 * (their CPU-heavy batch work runs in the piscina pool). Tasks are taken in publish order.
 */
export class LocalTransport implements Transport {
  readonly #tasks = new AsyncQueue<PartitionTask>();
  readonly #results = new AsyncQueue<PartitionResult>();
  readonly #published = new Set<string>();

  async publish(tasks: PartitionTask[]): Promise<void> {
    for (const t of tasks) {
      const id = `${t.runId}/${t.partitionId}/${t.attempt}`;
      if (this.#published.has(id)) continue;
      this.#published.add(id);
      this.#tasks.push(t);
    }
  }

  /** No more tasks will be published: consumers finish what is queued, then return. */
  endOfTasks(): void {
    this.#tasks.close();
  }

  results(_runId: string): AsyncIterable<PartitionResult> {
    return this.#results;
  }

  async consume(handler: TaskHandler, options: { concurrency: number; signal?: AbortSignal }): Promise<void> {
    const loop = async () => {
      for (;;) {
        if (options.signal?.aborted) return;
        let task: PartitionTask | undefined;
        try {
          task = await this.#tasks.next(options.signal);
        } catch {
          return;
        }
        if (!task) return;
        const controller = new AbortController();
        const onAbort = () => controller.abort(options.signal?.reason);
        options.signal?.addEventListener('abort', onAbort, { once: true });
        try {
          const result = await handler(task, {
            signal: controller.signal,
            heartbeat: () => {},
            deliveries: 1,
          });
          if (!this.#results.closed) this.#results.push(result);
        } catch (e) {
          // A handler reports failures as results; a throw here is a bug, still reported so the run ends.
          const err = toFerryError(e, 'INTERNAL', { partition: task.partitionId });
          if (!this.#results.closed) {
            this.#results.push({
              partitionId: task.partitionId,
              table: '',
              attempt: task.attempt,
              status: 'failed',
              bytes: 0,
              durationMs: 0,
              error: err.toJSON(),
            });
          }
        } finally {
          options.signal?.removeEventListener('abort', onAbort);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, loop));
  }

  async close(): Promise<void> {
    this.#tasks.close();
    this.#results.close();
  }
}
