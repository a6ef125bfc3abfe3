import type { Consumer, ConsumerInfo, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from '../../core/index.js';
import { ALL_TASK_SUBJECTS, runOfTaskStream, taskStream, WORKERS_CONSUMER } from './names.js';
import { isFatal, natsError, reasonOf } from './nats-errors.js';
import type { NatsTransportOptions } from './options.js';
import { backoffDelay, sleep } from './retry.js';

export interface RunDiscoveryDeps {
  js: JetStreamClient;
  jsm: () => Promise<JetStreamManager>;
  o: NatsTransportOptions;
  log: Logger;
}

/**
 * How long a run whose pull came back empty is passed over while other runs exist. Discovery clears it as
 * soon as the run's consumer reports waiting tasks (every `discoveryIntervalMs`).
 */
const IDLE_MS = 30_000;

/** Tasks waiting, or delivered and unacknowledged (a NAKed or timed-out one comes back to some worker). */
function hasWork(info: ConsumerInfo): boolean {
  return info.num_pending > 0 || info.num_ack_pending > 0;
}

/**
 * The runs a worker takes tasks of: every `discoveryIntervalMs` it lists the task streams (`ferry.*.tasks`,
 * or only `runIds`) and binds the shared `workers` consumer of each new one; runs whose stream is gone are
 * dropped. Slots ask `pick` for the next run, round-robin, runs with waiting tasks first.
 */
export class RunDiscovery {
  /** `idleUntil`: a pull found nothing; other runs are preferred until then. */
  readonly #runs = new Map<string, { consumer: Consumer; idleUntil: number }>();
  #turn = 0;
  #waiters: (() => void)[] = [];

  constructor(private readonly deps: RunDiscoveryDeps) {}

  /** Looks for runs until `stop` aborts; rejects when NATS stays unreachable past the retry bound. */
  async run(stop: AbortSignal): Promise<void> {
    const { o, log } = this.deps;
    let failures = 0;
    while (!stop.aborted) {
      try {
        await this.#round();
        failures = 0;
      } catch (e) {
        if (isFatal(e)) throw natsError('looking for runs', e);
        failures++;
        if (failures >= o.recoverRetry.attempts)
          throw natsError(`looking for runs (${failures} attempts)`, e);
        log.warn({ attempt: failures, reason: reasonOf(e) }, 'NATS: looking for runs failed; retrying');
      }
      const wait = failures ? backoffDelay(o.recoverRetry, failures) : o.discoveryIntervalMs;
      await sleep(wait, stop).catch(() => {});
    }
  }

  async #round(): Promise<void> {
    const { o, log } = this.deps;
    const found = new Set<string>(o.runIds ?? []);
    if (!o.runIds) {
      const jsm = await this.deps.jsm();
      for await (const name of jsm.streams.names(ALL_TASK_SUBJECTS)) {
        const run = runOfTaskStream(name);
        if (run) found.add(run);
      }
    }
    for (const run of found) {
      if (this.#runs.has(run)) continue;
      try {
        const consumer = await this.deps.js.consumers.get(taskStream(run), WORKERS_CONSUMER);
        const busy = hasWork(await consumer.info(true));
        this.#runs.set(run, { consumer, idleUntil: busy ? 0 : performance.now() + IDLE_MS });
        for (const w of this.#waiters.splice(0)) w();
        log.info({ run }, 'NATS: taking tasks of run');
      } catch (e) {
        if (isFatal(e)) throw e;
        // The coordinator makes the consumer just after the stream: look again next round.
        log.debug({ run, reason: reasonOf(e) }, 'NATS: run has no task consumer yet');
      }
    }
    for (const run of [...this.#runs.keys()]) if (!found.has(run)) this.drop(run);
    if (this.#runs.size > 1) {
      // A run whose consumer has tasks waiting is not idle, whatever a pull saw before.
      for (const state of this.#runs.values()) {
        if (state.idleUntil === 0) continue;
        const info = await state.consumer.info().catch(() => undefined);
        if (info && hasWork(info)) state.idleUntil = 0;
      }
    }
  }

  /** Forgets a run (its stream or consumer is gone); discovery binds it again if it comes back. */
  drop(run: string): void {
    if (this.#runs.delete(run)) this.deps.log.info({ run }, 'NATS: run has no task stream any more');
  }

  /**
   * The next run in round-robin order, so several runs share a worker's slots; runs where a pull just found
   * nothing come last, so a slot does not wait on an empty run while another has tasks.
   */
  pick(): { run: string; consumer: Consumer } | undefined {
    const runs = [...this.#runs.keys()];
    if (runs.length === 0) return undefined;
    const now = performance.now();
    const start = this.#turn;
    let chosen = start;
    for (let i = 0; i < runs.length; i++) {
      if (this.#runs.get(runs[(start + i) % runs.length]!)!.idleUntil <= now) {
        chosen = start + i;
        break;
      }
    }
    // All idle: plain round-robin (a redelivery may be due on any of them).
    this.#turn = chosen + 1;
    const run = runs[chosen % runs.length]!;
    return { run, consumer: this.#runs.get(run)!.consumer };
  }

  /** Records what a pull on `run` got: nothing marks the run idle for a while. */
  pulled(run: string, got: boolean): void {
    const state = this.#runs.get(run);
    if (state) state.idleUntil = got ? 0 : performance.now() + IDLE_MS;
  }

  /** Resolves when a run is found, `stop` aborts, or one discovery interval passes. */
  waitForRuns(stop: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.deps.o.discoveryIntervalMs);
      stop.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
    });
  }
}
