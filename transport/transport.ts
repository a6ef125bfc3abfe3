import type { PartitionResult } from '../core/index.js';

/** Message schema version carried by every task, so a newer worker can refuse an older coordinator's task. */
export const TASK_SCHEMA = 1;

/**
 * A unit of dispatched work: ids only (the worker reads the plan), as pgcopydb's queue messages do.
 * `attempt` is the fencing number the target's ledger checks at commit.
 */
export interface PartitionTask {
  schema: typeof TASK_SCHEMA;
  runId: string;
  partitionId: string;
  attempt: number;
  /** W3C trace headers (`traceparent`) of the table span, so a worker's spans join the coordinator's trace. */
  trace?: Record<string, string>;
}

/** Given to a task handler while it runs. */
export interface TaskContext {
  /** Aborted when the transport takes the task back (shutdown, lost lease). */
  signal: AbortSignal;
  /** Tells the transport the task is still alive (JetStream in-progress); cheap to call per batch. */
  heartbeat(): void;
  /** How many times this task was delivered (1 the first time). */
  deliveries: number;
}

export type TaskHandler = (task: PartitionTask, context: TaskContext) => Promise<PartitionResult>;

/**
 * The seam between coordinator and workers:
 *
 *   coordinator ── publish(tasks) ──► [queue] ──► worker.consume(handler) ── result ──► coordinator.results()
 *
 * Local: an in-process queue. Distributed: JetStream work-queue stream + results stream.
 */
export interface Transport {
  /** Enqueues tasks; idempotent per (run, partition, attempt). Awaits queue capacity. */
  publish(tasks: PartitionTask[]): Promise<void>;
  /** Results of one run as workers report them. Ends when `close` is called or `signal` aborts. */
  results(runId: string, signal?: AbortSignal): AsyncIterable<PartitionResult>;
  /**
   * Runs `handler` on tasks with at most `concurrency` in flight until `signal` aborts (or, locally, until
   * the queue is closed and drained). The handler's result is reported to `results`.
   */
  consume(handler: TaskHandler, options: { concurrency: number; signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
