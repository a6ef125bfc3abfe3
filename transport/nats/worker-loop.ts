/**
 * A worker's side of the NATS transport:
 *
 *   discovery (every 2 s): streams on ferry.*.tasks ──► bind the shared `workers` consumer of each run
 *   `concurrency` slots: pull 1 task (round-robin over runs) ─► handler (heartbeat = in-progress)
 *       ─► publish result (PubAck) ─► ack (confirmed)          …or hand back (NAK with delay)
 *
 * A slot pulls only when it is free, so no task waits in a buffer while its AckWait runs. The result is
 * stored before the task is acked: a crash in between redelivers the task, and the target's ledger makes the
 * second run a verification only. A delivery its fence refused (a newer delivery owns the partition) is acked
 * without a result. On stop: no new pulls; running tasks get `graceMs` to finish; then they are
 * aborted and NAKed with a delay so another worker takes them.
 */
import { setMaxListeners } from 'node:events';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import {
  FerryError,
  isFencedError,
  type Logger,
  type PartitionResult,
  toFerryError,
} from '../../core/index.js';
import type { PartitionTask, TaskHandler } from '../transport.js';
import type { NatsLink } from './connect.js';
import { deadLetterResult, parseTask, thrownResult } from './dead-letter.js';
import { isFatal, isMissingResource, natsError, reasonOf } from './nats-errors.js';
import { heartbeatSpacing, type NatsTransportOptions } from './options.js';
import type { Publisher } from './publisher.js';
import { backoffDelay, sleep } from './retry.js';
import { RunDiscovery } from './run-discovery.js';
import type { RunStore } from './run-store.js';
import { traceFromHeaders } from './trace-headers.js';

export interface WorkerLoopDeps {
  link: NatsLink;
  js: JetStreamClient;
  jsm: () => Promise<JetStreamManager>;
  o: NatsTransportOptions;
  log: Logger;
  publisher: Publisher;
  store: RunStore;
}

interface InFlight {
  msg: JsMsg;
  task: PartitionTask;
  controller: AbortController;
  handedBack: boolean;
}

/** Time running handlers get to settle after being aborted, before `consume` returns anyway. */
const SETTLE_MS = 5000;

export class WorkerLoop {
  readonly #runs: RunDiscovery;
  readonly #inflight = new Set<InFlight>();
  readonly #halt = new AbortController();

  constructor(
    private readonly deps: WorkerLoopDeps,
    private readonly handler: TaskHandler,
    private readonly concurrency: number,
  ) {
    this.#runs = new RunDiscovery(deps);
  }

  /** Stops at once: running tasks are aborted and handed back without a grace period (transport close). */
  abortNow(reason: string): void {
    this.#halt.abort(new FerryError('ABORTED', reason, { retryable: true }));
  }

  /** Runs until `signal` aborts (graceful) or a fatal NATS error (rejects with it). */
  async run(signal?: AbortSignal): Promise<void> {
    const { o, log } = this.deps;
    const stop = signal ? AbortSignal.any([signal, this.#halt.signal]) : this.#halt.signal;
    // Every slot waits on it (pulls, backoff sleeps): more than 10 slots is normal, not a listener leak.
    setMaxListeners(0, stop);
    let fatal: unknown;
    const fail = (e: unknown) => {
      fatal ??= e;
      this.#halt.abort(e);
    };
    const discovery = this.#runs.run(stop).catch(fail);
    const slots = Promise.all(
      Array.from({ length: Math.max(1, this.concurrency) }, (_, i) => this.#slot(i, stop).catch(fail)),
    );
    const watchdog = setInterval(() => this.#selfFence(), heartbeatSpacing(o));
    try {
      await new Promise<void>((resolve) => {
        if (stop.aborted) resolve();
        else stop.addEventListener('abort', () => resolve(), { once: true });
      });
      const immediate = this.#halt.signal.aborted;
      if (!immediate && this.#inflight.size > 0) {
        log.info(
          { running: this.#inflight.size, graceMs: o.graceMs },
          'NATS: stopping; letting running partitions finish',
        );
      }
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace'>((r) => {
        graceTimer = setTimeout(() => r('grace'), immediate ? 0 : o.graceMs);
      });
      const first = await Promise.race([slots.then(() => 'done' as const), graceOver]);
      clearTimeout(graceTimer);
      if (first === 'grace') {
        this.#handBackAll(
          immediate ? reasonOf(this.#halt.signal.reason) : `grace period of ${o.graceMs} ms is over`,
        );
        const settle = new AbortController();
        await Promise.race([slots, sleep(SETTLE_MS, settle.signal).catch(() => {})]);
        settle.abort();
      }
      await discovery;
    } finally {
      clearInterval(watchdog);
    }
    if (fatal !== undefined) throw fatal;
  }

  async #slot(slot: number, stop: AbortSignal): Promise<void> {
    const { o, log } = this.deps;
    let failures = 0;
    while (!stop.aborted) {
      const picked = this.#runs.pick();
      if (picked === undefined) {
        await this.#runs.waitForRuns(stop);
        continue;
      }
      const { run, consumer } = picked;
      let msg: JsMsg | null;
      try {
        msg = await consumer.next({ expires: o.pullExpiresMs });
        failures = 0;
        this.#runs.pulled(run, msg !== null);
      } catch (e) {
        if (isFatal(e)) throw natsError(`pulling tasks of run ${run}`, e);
        if (isMissingResource(e)) {
          this.#runs.drop(run);
          continue;
        }
        failures++;
        if (failures >= o.recoverRetry.attempts)
          throw natsError(`pulling tasks of run ${run} (${failures} attempts)`, e);
        const delayMs = backoffDelay(o.recoverRetry, failures);
        log.warn(
          { run, slot, attempt: failures, delayMs, reason: reasonOf(e) },
          'NATS: pulling a task failed; retrying',
        );
        await sleep(delayMs, stop).catch(() => {});
        continue;
      }
      if (!msg) continue;
      if (stop.aborted) {
        // Delivered while stopping: give it straight back.
        msg.nak();
        break;
      }
      await this.#process(msg);
    }
  }

  async #process(msg: JsMsg): Promise<void> {
    const { o, log, publisher } = this.deps;
    const parsed = parseTask(msg.data);
    if (parsed === undefined) {
      log.error(
        { stream: msg.info.stream, seq: msg.seq },
        'NATS: message on a task subject is not a task; terminating it',
      );
      msg.term();
      return;
    }
    if (parsed instanceof FerryError) {
      log.error({ err: parsed.describe() }, 'NATS: task of another message schema; handing it back');
      msg.nak(o.nakDelayMs);
      return;
    }
    // The body holds ids only; the coordinator's trace context travels in the headers.
    const trace = traceFromHeaders(msg.headers);
    const task: PartitionTask = trace ? { ...parsed, trace } : parsed;
    const deliveries = msg.info.deliveryCount;
    if (deliveries > o.maxDeliver) {
      await this.#deadLetter(msg, task, deliveries - 1);
      return;
    }
    const f: InFlight = { msg, task, controller: new AbortController(), handedBack: false };
    this.#inflight.add(f);
    const spacing = heartbeatSpacing(o);
    let lastBeat = performance.now();
    const heartbeat = () => {
      const now = performance.now();
      if (f.handedBack || now - lastBeat < spacing) return;
      lastBeat = now;
      try {
        msg.working();
      } catch (e) {
        log.debug({ partition: task.partitionId, reason: reasonOf(e) }, 'NATS: heartbeat not sent');
      }
    };
    let result: PartitionResult;
    try {
      result = await this.handler(task, { signal: f.controller.signal, heartbeat, deliveries });
    } catch (e) {
      // Handlers report failures as results; a throw is a bug, still reported so the run can end.
      result = thrownResult(
        task,
        toFerryError(e, 'INTERNAL', { run: task.runId, partition: task.partitionId }),
      );
    } finally {
      this.#inflight.delete(f);
    }
    if (f.handedBack) return;
    if (isFencedError(result.error)) {
      // A newer delivery (a redelivery of this message, or a newer attempt's task) started or committed the
      // partition: its result is the partition's, and this one would race it under the same result id. The
      // ack retires an obsolete task; should it also retire the message a newer delivery still holds
      // (nats-server #4786), that delivery still reports, and if it dies the coordinator's reconciler
      // publishes the partition again.
      log.warn(
        { run: task.runId, partition: task.partitionId, deliveries },
        'NATS: this delivery was fenced by a newer one; retiring it without a result',
      );
      await this.#ack(msg, task);
      return;
    }
    try {
      await publisher.publishResult(task.runId, result);
    } catch (e) {
      log.error(
        { run: task.runId, partition: task.partitionId, reason: reasonOf(e) },
        'NATS: could not store the result; handing the task back',
      );
      this.#nak(f, `its result could not be stored: ${reasonOf(e)}`);
      return;
    }
    await this.#ack(msg, task);
  }

  async #ack(msg: JsMsg, task: PartitionTask): Promise<void> {
    try {
      const confirmed = await msg.ackAck({ timeout: this.deps.o.requestTimeoutMs });
      if (!confirmed) throw new Error('acknowledgement not confirmed');
    } catch (e) {
      // The result is stored; a redelivery finds the partition in the target's ledger and only verifies it.
      this.deps.log.warn(
        { run: task.runId, partition: task.partitionId, reason: reasonOf(e) },
        'NATS: task ack not confirmed; it may be delivered again (harmless: the ledger has it)',
      );
    }
  }

  async #deadLetter(msg: JsMsg, task: PartitionTask, deliveries: number): Promise<void> {
    const { log, publisher, store } = this.deps;
    const note = await store.lastNote(task.runId, task.partitionId);
    const result = deadLetterResult(task, deliveries, note);
    log.error(
      { run: task.runId, partition: task.partitionId, deliveries },
      'NATS: partition reached MaxDeliver; reporting it failed',
    );
    try {
      await publisher.publishResult(task.runId, result);
    } catch (e) {
      // The coordinator's MAX_DELIVERIES advisory listener reports it instead.
      log.error(
        { run: task.runId, partition: task.partitionId, reason: reasonOf(e) },
        'NATS: could not store a dead letter',
      );
      return;
    }
    await this.#ack(msg, task);
  }

  /** NAKs a running task with a delay (it goes to another worker) and leaves a note for a later dead letter. */
  #nak(f: InFlight, why: string): void {
    const { o, log, store } = this.deps;
    f.handedBack = true;
    try {
      f.msg.nak(o.nakDelayMs);
    } catch (e) {
      log.debug(
        { partition: f.task.partitionId, reason: reasonOf(e) },
        'NATS: NAK not sent; AckWait will redeliver',
      );
    }
    void store.noteDelivery(f.task.runId, f.task.partitionId, {
      attempt: f.task.attempt,
      delivery: f.msg.info.deliveryCount,
      message: `handed back: ${why}`,
      at: new Date().toISOString(),
    });
  }

  #handBackAll(why: string): void {
    for (const f of this.#inflight) {
      if (f.handedBack) continue;
      this.deps.log.warn(
        { run: f.task.runId, partition: f.task.partitionId, reason: why },
        'NATS: handing a running partition back',
      );
      f.controller.abort(
        new FerryError('ABORTED', `worker stopping (${why}); partition ${f.task.partitionId} handed back`, {
          run: f.task.runId,
          partition: f.task.partitionId,
          retryable: true,
        }),
      );
      this.#nak(f, `worker stopped (${why})`);
    }
  }

  /**
   * A worker that cannot reach NATS cannot heartbeat: after half an AckWait its tasks will soon be delivered
   * to someone else, so it stops working on them (self-fencing; the ledger fence is the real guarantee).
   */
  #selfFence(): void {
    const since = this.deps.link.disconnectedSince();
    const limit = this.deps.o.ackWaitMs / 2;
    if (since === undefined || performance.now() - since < limit) return;
    for (const f of this.#inflight) {
      if (f.handedBack) continue;
      f.handedBack = true;
      this.deps.log.warn(
        { run: f.task.runId, partition: f.task.partitionId },
        'NATS: connection lost too long; giving the partition up',
      );
      f.controller.abort(
        new FerryError(
          'ABORTED',
          `lost the NATS connection for over ${limit} ms; partition ${f.task.partitionId} will be delivered again`,
          {
            run: f.task.runId,
            partition: f.task.partitionId,
            retryable: true,
          },
        ),
      );
    }
  }
}
