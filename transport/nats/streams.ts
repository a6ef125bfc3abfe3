import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../../core/index.js';
import { resultStream, resultSubject, taskStream, taskSubject, WORKERS_CONSUMER } from './names.js';
import { API, apiCode } from './nats-errors.js';
import type { NatsTransportOptions } from './options.js';

/** The work queue of a run's tasks: kept until acknowledged, refused (not dropped) when full. */
export function taskStreamConfig(
  runId: string,
  o: NatsTransportOptions,
): Partial<StreamConfig> & { name: string } {
  return {
    name: taskStream(runId),
    description: `ferry tasks of run ${runId}`,
    subjects: [taskSubject(runId)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: o.taskStreamMaxBytes,
    duplicate_window: nanos(o.duplicateWindowMs),
    num_replicas: o.replicas,
  };
}

/**
 * The one durable pull consumer every worker shares. The server's `max_deliver` is one more than the
 * transport's MaxDeliver: the extra delivery goes to a worker that does not run the task but reports it as a
 * dead letter (a failed result, stored in the result stream even while no coordinator listens).
 */
export function workersConsumerConfig(o: NatsTransportOptions): Partial<ConsumerConfig> {
  return {
    durable_name: WORKERS_CONSUMER,
    description: 'ferry workers (shared pull consumer)',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(o.ackWaitMs),
    max_deliver: o.maxDeliver + 1,
    max_ack_pending: o.maxAckPending,
    max_waiting: o.maxWaiting,
  };
}

/** Results of a run: all kept (limits retention), so a coordinator can read them again after a restart. */
export function resultStreamConfig(
  runId: string,
  o: NatsTransportOptions,
): Partial<StreamConfig> & { name: string } {
  return {
    name: resultStream(runId),
    description: `ferry partition results of run ${runId}`,
    subjects: [resultSubject(runId)],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: o.resultStreamMaxBytes,
    duplicate_window: nanos(o.duplicateWindowMs),
    num_replicas: o.replicas,
  };
}

/**
 * Creates a run's streams and consumers when missing (idempotent, safe from several processes at once).
 * Existing resources keep their settings: a stream made by an earlier coordinator is used as it is.
 */
export class RunResources {
  readonly #ready = new Map<string, Promise<void>>();

  constructor(
    private readonly jsm: () => Promise<JetStreamManager>,
    private readonly o: NatsTransportOptions,
    private readonly log: Logger,
  ) {}

  /** Ensures the task and result streams and the workers' consumer exist (cached until `forget`). */
  ensure(runId: string): Promise<void> {
    let p = this.#ready.get(runId);
    if (!p) {
      p = this.#create(runId);
      this.#ready.set(runId, p);
      p.catch(() => this.#ready.delete(runId));
    }
    return p;
  }

  /** Forgets that a run's resources exist (after "stream not found"), so the next `ensure` re-creates them. */
  forget(runId: string): void {
    this.#ready.delete(runId);
  }

  async #create(runId: string): Promise<void> {
    const jsm = await this.jsm();
    await this.#stream(jsm, taskStreamConfig(runId, this.o));
    await this.#consumer(jsm, taskStream(runId), workersConsumerConfig(this.o));
    await this.#stream(jsm, resultStreamConfig(runId, this.o));
  }

  async #stream(jsm: JetStreamManager, cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      await jsm.streams.add(cfg);
    } catch (e) {
      if (apiCode(e) !== API.streamNameInUse) throw e;
      // Made earlier with other limits (e.g. by an older version): keep it rather than fail the run.
      this.log.info({ stream: cfg.name }, 'NATS: stream exists with other settings; using it as it is');
    }
  }

  async #consumer(jsm: JetStreamManager, stream: string, cfg: Partial<ConsumerConfig>): Promise<void> {
    try {
      await jsm.consumers.add(stream, cfg);
    } catch (e) {
      // Exists with other settings: fine if it is there at all.
      await jsm.consumers.info(stream, cfg.durable_name ?? '').catch(() => Promise.reject(e));
      this.log.info(
        { stream, consumer: cfg.durable_name },
        'NATS: consumer exists with other settings; using it',
      );
    }
  }
}
