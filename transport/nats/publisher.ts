import { setMaxListeners } from 'node:events';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { FerryError, type Logger, type PartitionResult } from '../../core/index.js';
import type { PartitionTask } from '../transport.js';
import { resultMsgId, resultStream, resultSubject, taskMsgId, taskStream, taskSubject } from './names.js';
import { isMissingResource } from './nats-errors.js';
import type { NatsTransportOptions } from './options.js';
import { withRetry } from './retry.js';
import type { RunResources } from './streams.js';
import { traceHeaders } from './trace-headers.js';

/**
 * Publishes tasks and results, each until JetStream acknowledges storing it (PubAck), with bounded retries.
 * Message ids make every retry safe: a message stored before its PubAck was lost is not stored twice.
 */
export class Publisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly o: NatsTransportOptions,
    private readonly log: Logger,
    /** Present on the coordinator, which may (re-)create a run's streams; workers never create them. */
    private readonly resources?: RunResources,
  ) {}

  /**
   * Publishes tasks, `publishWindow` at a time. A full stream (`discard: new`) refuses the message and the
   * publish waits and retries: that is the back-pressure of a bounded queue.
   */
  async publishTasks(
    tasks: PartitionTask[],
    signal?: AbortSignal,
  ): Promise<{ stored: number; duplicates: number }> {
    let next = 0;
    let stored = 0;
    let duplicates = 0;
    const failed = new AbortController();
    const stop = signal ? AbortSignal.any([signal, failed.signal]) : failed.signal;
    // Each lane waiting out a backoff listens on it.
    setMaxListeners(0, stop);
    for (const runId of new Set(tasks.map((t) => t.runId))) {
      const resources = this.resources;
      if (resources) {
        await withRetry(
          `creating the streams of run ${runId}`,
          this.o.recoverRetry,
          { log: this.log, signal: stop },
          () => resources.ensure(runId),
        );
      }
    }
    const lane = async () => {
      while (next < tasks.length && !stop.aborted) {
        const task = tasks[next++]!;
        try {
          const ack = await this.#publishTask(task, stop);
          if (ack.duplicate) duplicates++;
          else stored++;
        } catch (e) {
          failed.abort(e);
          throw e;
        }
      }
    };
    const lanes = Array.from({ length: Math.min(this.o.publishWindow, tasks.length) }, lane);
    const settled = await Promise.allSettled(lanes);
    const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (rejected) throw failed.signal.aborted ? failed.signal.reason : rejected.reason;
    if (stored + duplicates < tasks.length) {
      throw new FerryError(
        'ABORTED',
        `publishing stopped after ${stored + duplicates} of ${tasks.length} tasks`,
        {
          retryable: true,
          cause: signal?.reason,
        },
      );
    }
    if (duplicates > 0) this.log.debug({ duplicates }, 'NATS: re-published tasks were already queued');
    return { stored, duplicates };
  }

  #publishTask(task: PartitionTask, signal: AbortSignal): Promise<PubAck> {
    const id = taskMsgId(task);
    const payload = JSON.stringify({
      schema: task.schema,
      runId: task.runId,
      partitionId: task.partitionId,
      attempt: task.attempt,
    });
    return withRetry(
      `publishing task ${id}`,
      this.o.publishRetry,
      {
        log: this.log,
        signal,
        beforeRetry: async (e) => {
          // The stream was deleted under us (or never made): make it again, then publish again.
          if (isMissingResource(e) && this.resources) {
            this.resources.forget(task.runId);
            await this.resources.ensure(task.runId);
          }
        },
      },
      () => {
        const trace = traceHeaders(task.trace);
        return this.js.publish(taskSubject(task.runId), payload, {
          msgID: id,
          expect: { streamName: taskStream(task.runId) },
          timeout: this.o.requestTimeoutMs,
          ...(trace ? { headers: trace } : {}),
        });
      },
    );
  }

  /** Stores one result in the run's result stream (one per attempt: the id drops repeats). */
  async publishResult(runId: string, result: PartitionResult, signal?: AbortSignal): Promise<PubAck> {
    const id = resultMsgId(runId, result.partitionId, result.attempt);
    return withRetry(
      `publishing the result of ${result.partitionId} (attempt ${result.attempt})`,
      this.o.publishRetry,
      {
        log: this.log,
        ...(signal ? { signal } : {}),
        beforeRetry: async (e) => {
          if (isMissingResource(e) && this.resources) {
            this.resources.forget(runId);
            await this.resources.ensure(runId);
          }
        },
      },
      () =>
        this.js.publish(resultSubject(runId), JSON.stringify(result), {
          msgID: id,
          expect: { streamName: resultStream(runId) },
          timeout: this.o.requestTimeoutMs,
        }),
    );
  }
}
