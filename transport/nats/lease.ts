import { FerryError, type Logger } from '../../core/index.js';
import { leaseKey } from './names.js';
import { reasonOf } from './nats-errors.js';
import { sleep } from './retry.js';
import { isCasConflict, type RunStore } from './run-store.js';

/**
 * The coordinator lease of a run, in KV key `<run>.lease`:
 *
 *   absent/released ──create or CAS(rev)──► held by A, epoch n ──CAS renew every ttl/3──► …
 *   held by A, not renewed for 1.5 × ttl (A is dead) ──CAS(rev) by B──► held by B, epoch n+1
 *
 * Every acquisition increments the epoch; every write is a compare-and-set on the key's revision, so of two
 * coordinators exactly one proceeds. Liveness is judged by watching the revision change, not by comparing
 * clocks: a holder that stops renewing is presumed dead after 1.5 × its TTL.
 */
export interface LeaseRecord {
  owner: string;
  epoch: number;
  ttlMs: number;
  /** Wall-clock time of the last renewal, for people reading the key; never used for decisions. */
  renewedAt: string;
  released: boolean;
}

export interface LeaseOptions {
  /** How long the lease lives without renewal, ms (default 15 000). A crashed holder blocks takeover this long. */
  ttlMs?: number;
  signal?: AbortSignal;
}

/** A held coordinator lease. Renews itself until released; `signal` aborts when it is lost. */
export class Lease {
  readonly #controller = new AbortController();
  #revision: number;
  #timer: NodeJS.Timeout | undefined;
  #renewing = false;
  #lastRenewal = performance.now();

  constructor(
    private readonly store: RunStore,
    private readonly log: Logger,
    readonly runId: string,
    readonly owner: string,
    /** Fencing epoch: grows with every acquisition of this run's lease. */
    readonly epoch: number,
    readonly ttlMs: number,
    revision: number,
  ) {
    this.#revision = revision;
    this.#timer = setInterval(() => void this.#renew(), Math.max(50, Math.floor(ttlMs / 3)));
    this.#timer.unref();
  }

  /** Aborted (with a CONFIG FerryError) when another coordinator took the lease or renewal failed too long. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get lost(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Throws why the lease was lost, if it was; a guard before state changes. */
  assertHeld(): void {
    if (this.lost) throw this.#controller.signal.reason;
  }

  async #renew(): Promise<void> {
    if (this.#renewing || this.lost) return;
    this.#renewing = true;
    try {
      const kv = await this.store.kv();
      this.#revision = await kv.update(
        leaseKey(this.runId),
        JSON.stringify(this.#record(false)),
        this.#revision,
      );
      this.#lastRenewal = performance.now();
    } catch (e) {
      if (isCasConflict(e)) {
        const holder = await this.store
          .kv()
          .then((kv) => kv.get(leaseKey(this.runId)))
          .catch(() => null);
        const rec = holder?.operation === 'PUT' ? holder.json<LeaseRecord>() : undefined;
        if (holder && rec && rec.owner === this.owner && rec.epoch === this.epoch && !rec.released) {
          // Still ours at an older revision: a server crash lost the last renewal (lazy fsync). Go on from it.
          this.log.warn(
            { run: this.runId, revision: holder.revision },
            'NATS: the server lost a lease renewal; renewing again',
          );
          this.#revision = holder.revision;
          return;
        }
        this.#lose(
          `the coordinator lease of run ${this.runId} was taken over${rec ? ` by ${rec.owner} (epoch ${rec.epoch})` : ''}`,
        );
      } else if (performance.now() - this.#lastRenewal > this.ttlMs) {
        this.#lose(
          `the coordinator lease of run ${this.runId} could not be renewed within ${this.ttlMs} ms: ${reasonOf(e)}`,
        );
      } else {
        this.log.warn({ run: this.runId, reason: reasonOf(e) }, 'NATS: lease renewal failed; retrying');
      }
    } finally {
      this.#renewing = false;
    }
  }

  #record(released: boolean): LeaseRecord {
    return {
      owner: this.owner,
      epoch: this.epoch,
      ttlMs: this.ttlMs,
      renewedAt: new Date().toISOString(),
      released,
    };
  }

  #lose(message: string): void {
    clearInterval(this.#timer);
    this.log.error({ run: this.runId, epoch: this.epoch }, `NATS: ${message}`);
    this.#controller.abort(
      new FerryError('CONFIG', message, {
        run: this.runId,
        hint: 'another coordinator is running this run; stop this one (only one coordinator may run a run)',
      }),
    );
  }

  /** Stops renewing and marks the lease released so the next coordinator need not wait for it to expire. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    if (this.lost) return;
    while (this.#renewing) await sleep(10);
    try {
      const kv = await this.store.kv();
      await kv.update(leaseKey(this.runId), JSON.stringify(this.#record(true)), this.#revision);
    } catch (e) {
      this.log.warn(
        { run: this.runId, reason: reasonOf(e) },
        'NATS: could not mark the lease released; it will expire',
      );
    }
    this.#controller.abort(
      new FerryError('ABORTED', `the coordinator lease of run ${this.runId} was released`, {
        run: this.runId,
      }),
    );
  }
}

/**
 * Takes the coordinator lease of a run for `owner` (unique per process, e.g. `host:pid:random`). Waits while
 * a previous holder might still be alive (at most 1.5 × its TTL) and throws CONFIG when another coordinator
 * holds the lease and keeps renewing it.
 */
export async function acquireLease(
  store: RunStore,
  log: Logger,
  runId: string,
  owner: string,
  options: LeaseOptions = {},
): Promise<Lease> {
  const ttlMs = options.ttlMs ?? 15_000;
  const key = leaseKey(runId);
  for (let round = 1; round <= 20; round++) {
    const entry = await store.retry(`reading the lease of run ${runId}`, (kv) => kv.get(key));
    const current = entry?.operation === 'PUT' ? entry.json<LeaseRecord>() : undefined;
    const next = (epoch: number): string =>
      JSON.stringify({
        owner,
        epoch,
        ttlMs,
        renewedAt: new Date().toISOString(),
        released: false,
      } satisfies LeaseRecord);
    try {
      if (!entry || !current) {
        // No lease yet (or deleted with the run's keys): `create` succeeds for exactly one writer.
        const revision = await store.retry(
          `creating the lease of run ${runId}`,
          (kv) => kv.create(key, next(1)),
          isCasConflict,
        );
        return granted(1, revision);
      }
      if (!current.released && current.owner !== owner) {
        await waitForSilence(store, key, entry.revision, current, options.signal);
        log.warn(
          { run: runId, previous: current.owner, epoch: current.epoch },
          'NATS: previous coordinator stopped renewing its lease; taking over',
        );
      }
      const revision = await store.retry(
        `taking the lease of run ${runId}`,
        (kv) => kv.update(key, next(current.epoch + 1), entry.revision),
        isCasConflict,
      );
      return granted(current.epoch + 1, revision);
    } catch (e) {
      if (!isCasConflict(e)) throw e;
      // Another coordinator wrote the key first: look again (it is most likely alive now).
    }
  }
  throw new FerryError(
    'CONFIG',
    `could not take the coordinator lease of run ${runId}: it keeps changing hands`,
    { run: runId },
  );

  function granted(epoch: number, revision: number): Lease {
    log.info({ run: runId, owner, epoch }, 'NATS: coordinator lease acquired');
    return new Lease(store, log, runId, owner, epoch, ttlMs, revision);
  }
}

/** Resolves when the lease key stays unchanged for 1.5 × the holder's TTL; throws CONFIG if the holder renews. */
async function waitForSilence(
  store: RunStore,
  key: string,
  revision: number,
  holder: LeaseRecord,
  signal: AbortSignal | undefined,
): Promise<void> {
  const runId = key.slice(0, key.lastIndexOf('.'));
  const until = performance.now() + holder.ttlMs * 1.5;
  const step = Math.max(25, Math.min(1000, Math.floor(holder.ttlMs / 6)));
  while (performance.now() < until) {
    await sleep(step, signal);
    const entry = await store.retry(`reading the lease of run ${runId}`, (kv) => kv.get(key));
    if (entry?.revision !== revision) {
      const rec = entry?.operation === 'PUT' ? entry.json<LeaseRecord>() : undefined;
      if (rec?.released || !rec) return;
      throw new FerryError(
        'CONFIG',
        `run ${runId} is already being coordinated by ${rec.owner} (lease epoch ${rec.epoch}, renewed ${rec.renewedAt})`,
        {
          run: runId,
          hint: `only one coordinator may run a run: stop the other one, or wait for it to finish, then \`ferry resume ${runId}\``,
        },
      );
    }
  }
}
