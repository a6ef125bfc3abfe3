import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { FerryError, type Logger, type PartitionResult, type Plan, silentLogger } from '../../core/index.js';
import type { PartitionTask, TaskHandler, Transport } from '../transport.js';
import { connectNats, type NatsLink } from './connect.js';
import { type Lease, type LeaseOptions, acquireLease } from './lease.js';
import { checkRunId, resultStream, taskStream, WORKERS_CONSUMER } from './names.js';
import { isMissingResource, reasonOf } from './nats-errors.js';
import { type NatsConnectOptions, type NatsTransportOptions, resolveTransportOptions } from './options.js';
import { Publisher } from './publisher.js';
import { missingPartitions, storedTasks } from './reconcile.js';
import { type ResultsDeps, type ResultsOptions, readResults, reportDeadLetter } from './results-reader.js';
import { withRetry } from './retry.js';
import { RunStore } from './run-store.js';
import { RunResources } from './streams.js';
import { WorkerLoop } from './worker-loop.js';

/** Queue figures of one run (KEDA scaling, `ferry status`, the queue-depth metric). */
export interface RunQueueStats {
  /** Tasks waiting for a worker. */
  pending: number;
  /** Tasks delivered and not yet acknowledged (running, or waiting for redelivery). */
  inFlight: number;
  /** Tasks in flight that were delivered more than once. */
  redelivered: number;
  /** Pull requests waiting (idle worker slots). */
  waiting: number;
  /** Results stored for the run. */
  results: number;
}

/** A process-unique lease owner: `host:pid:random`. */
export function leaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The distributed transport: JetStream work-queue streams of tasks, result streams and the `ferry-runs` KV
 * bucket (see names.ts for every name). A drop-in for LocalTransport: the coordinator publishes and reads
 * results, workers consume, and neither knows which transport it has.
 */
export class NatsTransport implements Transport {
  readonly #link: NatsLink;
  readonly #js: JetStreamClient;
  #jsm: Promise<JetStreamManager> | undefined;
  readonly #o: NatsTransportOptions;
  readonly #log: Logger;
  readonly #resources: RunResources;
  readonly #publisher: Publisher;
  readonly #store: RunStore;
  readonly #closing = new AbortController();
  readonly #loops = new Set<WorkerLoop>();
  readonly #running = new Set<Promise<unknown>>();

  private constructor(link: NatsLink, o: NatsTransportOptions, log: Logger) {
    this.#link = link;
    this.#o = o;
    this.#log = log;
    this.#js = jetstream(link.nc, { timeout: o.requestTimeoutMs });
    this.#resources = new RunResources(() => this.#manager(), o, log);
    this.#publisher = new Publisher(this.#js, o, log, this.#resources);
    this.#store = new RunStore(this.#js, o, log, () => link.nc.info?.max_payload ?? 1024 * 1024);
    // Every consume loop and result iterator listens for close.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Connects (bounded, see NatsConnectOptions) and returns a transport owning the connection. */
  static async connect(
    connect: NatsConnectOptions,
    options: Partial<NatsTransportOptions> & { logger?: Logger } = {},
  ): Promise<NatsTransport> {
    const { logger, ...rest } = options;
    const o = resolveTransportOptions(rest);
    for (const r of o.runIds ?? []) checkRunId(r);
    const log = (logger ?? silentLogger()).child({ transport: 'nats' });
    const link = await connectNats(connect, log);
    log.info({ servers: link.hosts, version: link.nc.info?.version }, 'NATS: connected');
    return new NatsTransport(link, o, log);
  }

  /** The underlying connection (tests, health checks). */
  get connection(): NatsConnection {
    return this.#link.nc;
  }

  get options(): Readonly<NatsTransportOptions> {
    return this.#o;
  }

  #manager(): Promise<JetStreamManager> {
    if (!this.#jsm) {
      const p = jetstreamManager(this.#link.nc, { timeout: this.#o.requestTimeoutMs });
      this.#jsm = p;
      p.catch(() => {
        if (this.#jsm === p) this.#jsm = undefined;
      });
    }
    return this.#jsm;
  }

  #resultsDeps(log: Logger): ResultsDeps {
    return {
      nc: this.#link.nc,
      js: this.#js,
      jsm: () => this.#manager(),
      o: this.#o,
      log,
      resources: this.#resources,
      publisher: this.#publisher,
      store: this.#store,
    };
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#running.add(p);
    void p.finally(() => this.#running.delete(p)).catch(() => {});
    return p;
  }

  /**
   * Creates the run's streams and consumers when missing and publishes the tasks, each until JetStream has
   * stored it. Idempotent per (run, partition, attempt) within the duplicate window (default 6 h); a task
   * that must run again after that window, or after `reconcile` found it missing, needs a new attempt number.
   */
  async publish(tasks: PartitionTask[]): Promise<void> {
    if (tasks.length === 0) return;
    for (const t of tasks) checkRunId(t.runId);
    const { stored, duplicates } = await this.#track(
      this.#publisher.publishTasks(tasks, this.#closing.signal),
    );
    this.#log.debug({ stored, duplicates }, 'NATS: tasks published');
  }

  /**
   * A run's results, from the stored read position on: re-attaching after a restart continues with the
   * results not yet handled (at-least-once; see results-reader.ts); `{ from: 'start' }` reads them all without
   * moving the position. One checkpointing reader per run at a time (the lease holder). Ends when `signal`
   * aborts or the transport closes; throws CONNECTION when NATS stays unreachable past the retry bounds.
   */
  results(runId: string, signal?: AbortSignal, options: ResultsOptions = {}): AsyncIterable<PartitionResult> {
    checkRunId(runId);
    const stop = signal ? AbortSignal.any([signal, this.#closing.signal]) : this.#closing.signal;
    return readResults(this.#resultsDeps(this.#log.child({ run: runId })), runId, stop, options);
  }

  /**
   * Takes tasks of every run whose task stream exists (or of `runIds`), `concurrency` at a time, until
   * `signal` aborts; then lets running tasks finish for `graceMs` and hands the rest back (see worker-loop.ts).
   */
  async consume(handler: TaskHandler, options: { concurrency: number; signal?: AbortSignal }): Promise<void> {
    const loop = new WorkerLoop(
      {
        link: this.#link,
        js: this.#js,
        jsm: () => this.#manager(),
        o: this.#o,
        log: this.#log,
        publisher: new Publisher(this.#js, this.#o, this.#log),
        store: this.#store,
      },
      handler,
      options.concurrency,
    );
    this.#loops.add(loop);
    if (this.#closing.signal.aborted) loop.abortNow('transport closed');
    try {
      await this.#track(loop.run(options.signal));
    } finally {
      this.#loops.delete(loop);
    }
  }

  /** Stores the plan of a run for workers (gzipped, chunked in KV: see plan-codec.ts). */
  putPlan(runId: string, plan: Plan): Promise<void> {
    return this.#store.putPlan(checkRunId(runId), plan);
  }

  /** The plan of a run, cached per plan hash. Throws NOT_FOUND when none is stored. */
  getPlan(runId: string): Promise<Plan> {
    return this.#store.getPlan(checkRunId(runId));
  }

  /** Takes the coordinator lease of a run (see lease.ts); throws CONFIG when another coordinator holds it. */
  acquireLease(runId: string, owner: string = leaseOwner(), options: LeaseOptions = {}): Promise<Lease> {
    return acquireLease(this.#store, this.#log, checkRunId(runId), owner, options);
  }

  /** A named piece of run state with its KV revision. */
  getState<T>(runId: string, name: string): Promise<{ value: T; revision: number } | undefined> {
    return this.#store.getState<T>(checkRunId(runId), name);
  }

  /**
   * Compare-and-set update of a named piece of run state. With a `lease`, refuses (CONFIG) once the lease
   * is lost, so a coordinator that was replaced cannot overwrite its successor's state.
   */
  updateState<T>(runId: string, name: string, update: (current: T | undefined) => T, lease?: Lease) {
    return this.#store.updateState<T>(
      checkRunId(runId),
      name,
      update,
      lease ? () => lease.assertHeld() : undefined,
    );
  }

  /**
   * Of `expected` (partitions not done according to the target's ledger), those with no task stored in the
   * run's task stream, i.e. neither queued nor in flight: lost messages, a deleted stream. Re-publish them
   * with a higher attempt (a re-publish under the same id would be dropped as a duplicate within the window).
   * Tasks the consumer gave up on while no report reached the coordinator are reported as failed results
   * here (dead letters).
   */
  async reconcile(runId: string, expected: string[]): Promise<string[]> {
    checkRunId(runId);
    const jsm = await this.#manager();
    const stored = await withRetry(
      `reading the task stream of run ${runId}`,
      this.#o.recoverRetry,
      { log: this.#log },
      () => storedTasks(jsm, runId, this.#log),
    );
    if (!stored) this.#log.warn({ run: runId }, 'NATS: the task stream of the run is gone');
    for (const seq of stored?.dead ?? []) {
      await reportDeadLetter(this.#resultsDeps(this.#log), runId, seq, this.#o.maxDeliver + 1).catch((e) =>
        this.#log.warn({ run: runId, seq, reason: reasonOf(e) }, 'NATS: could not report a dead letter'),
      );
    }
    const missing = missingPartitions(expected, stored);
    if (missing.length > 0)
      this.#log.warn(
        { run: runId, missing: missing.length },
        'NATS: partitions with no task queued or in flight',
      );
    return missing;
  }

  /** Queue figures of a run; zeros when its streams do not exist. */
  async stats(runId: string): Promise<RunQueueStats> {
    checkRunId(runId);
    const jsm = await this.#manager();
    const ci = await jsm.consumers.info(taskStream(runId), WORKERS_CONSUMER).catch((e) => {
      if (isMissingResource(e)) return undefined;
      throw e;
    });
    const ri = await jsm.streams.info(resultStream(runId)).catch((e) => {
      if (isMissingResource(e)) return undefined;
      throw e;
    });
    return {
      pending: ci?.num_pending ?? 0,
      inFlight: ci?.num_ack_pending ?? 0,
      redelivered: ci?.num_redelivered ?? 0,
      waiting: ci?.num_waiting ?? 0,
      results: ri?.state.messages ?? 0,
    };
  }

  /** Deletes a finished run's streams and KV keys. */
  async deleteRun(runId: string): Promise<void> {
    checkRunId(runId);
    const jsm = await this.#manager();
    for (const s of [taskStream(runId), resultStream(runId)]) {
      await jsm.streams.delete(s).catch((e) => {
        if (!isMissingResource(e)) throw e;
      });
    }
    this.#resources.forget(runId);
    await this.#store.deleteRun(runId);
  }

  /**
   * Stops consuming at once (running tasks are aborted and handed back), ends result iterators, then drains
   * the connection so acks and NAKs already sent reach the server.
   */
  async close(): Promise<void> {
    if (!this.#closing.signal.aborted)
      this.#closing.abort(new FerryError('ABORTED', 'the NATS transport was closed', { retryable: true }));
    for (const loop of this.#loops) loop.abortNow('transport closed');
    await Promise.allSettled([...this.#running]);
    if (this.#link.nc.isClosed()) return;
    try {
      await Promise.race([
        this.#link.nc.drain(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('drain timed out')), 5000).unref()),
      ]);
    } catch (e) {
      this.#log.debug({ reason: reasonOf(e) }, 'NATS: drain did not finish; closing');
      await this.#link.nc.close().catch(() => {});
    }
  }
}
