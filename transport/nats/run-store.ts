import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, type KvEntry, Kvm } from '@nats-io/kv';
import { FerryError, type Logger, type Plan, type SerializedError } from '../../core/index.js';
import { partitionKey, planChunkKey, planKey, RUNS_BUCKET, stateKey } from './names.js';
import { apiCode, isMissingResource, reasonOf } from './nats-errors.js';
import type { NatsTransportOptions } from './options.js';
import { decodePlan, encodePlan, isPlanManifest, type PlanManifest } from './plan-codec.js';
import { withRetry } from './retry.js';

/** KV `update`/`create` lost a compare-and-set (someone else wrote the key first). */
export function isCasConflict(e: unknown): boolean {
  const code = apiCode(e);
  return code === 10071 || code === 10164;
}

/** What a worker that gave a task back without a result leaves for the operator (see `lastError`). */
export interface DeliveryNote {
  attempt: number;
  delivery: number;
  message: string;
  error?: SerializedError;
  /** ISO time of the note, for a person reading it. */
  at: string;
}

const PLAN_CACHE = 4;

/**
 * A run's state in the `ferry-runs` KV bucket: the plan (chunked), named state values updated by
 * compare-and-set, and per-partition notes about deliveries that ended without a result.
 */
export class RunStore {
  #kv: Promise<KV> | undefined;
  readonly #plans = new Map<string, Promise<Plan>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly o: NatsTransportOptions,
    private readonly log: Logger,
    private readonly maxPayload: () => number,
  ) {}

  /** The bucket, created on first use (file storage, bounded size, 16 revisions of history per key). */
  kv(): Promise<KV> {
    if (!this.#kv) {
      const open = new Kvm(this.js).create(RUNS_BUCKET, {
        history: 16,
        max_bytes: this.o.kvMaxBytes,
        replicas: this.o.replicas,
        storage: 'file',
        timeout: this.o.requestTimeoutMs,
        description: 'ferry runs: plans, coordinator leases, run state',
      });
      this.#kv = open;
      open.catch(() => {
        if (this.#kv === open) this.#kv = undefined;
      });
    }
    return this.#kv;
  }

  /** Runs a KV operation with the transport's recovery retries (NATS restarts, timeouts). */
  retry<T>(what: string, op: (kv: KV) => Promise<T>, rethrow?: (e: unknown) => boolean): Promise<T> {
    return withRetry(
      what,
      this.o.recoverRetry,
      {
        log: this.log,
        ...(rethrow ? { rethrow } : {}),
        beforeRetry: (e) => {
          if (isMissingResource(e)) this.#kv = undefined;
        },
      },
      async () => op(await this.kv()),
    );
  }

  /**
   * Stores a run's plan so workers can read it by run id. Chunks first, manifest last: a reader sees either
   * the previous plan or the whole new one. Storing the same plan again does nothing.
   */
  async putPlan(runId: string, plan: Plan): Promise<void> {
    const current = await this.#manifest(runId);
    if (current?.hash === plan.hash) return;
    // KV values travel as one message: keep each chunk well under the server's max_payload.
    const chunkBytes = Math.max(1024, Math.min(512 * 1024, this.maxPayload() - 64 * 1024));
    const { manifest, chunks } = await encodePlan(plan, chunkBytes);
    let next = 0;
    const lane = async () => {
      while (next < chunks.length) {
        const i = next++;
        await this.retry(`storing plan chunk ${i + 1}/${chunks.length} of run ${runId}`, (kv) =>
          kv.put(planChunkKey(runId, manifest.hash, i), chunks[i]!),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, chunks.length) }, lane));
    await this.retry(`storing the plan manifest of run ${runId}`, (kv) =>
      kv.put(planKey(runId), JSON.stringify(manifest)),
    );
    this.log.info({ run: runId, chunks: manifest.chunks, bytes: manifest.bytes }, 'NATS: plan stored');
    if (current) await this.#dropChunks(runId, current);
  }

  /** The plan of a run (cached per plan hash). Throws NOT_FOUND when none was stored. */
  async getPlan(runId: string): Promise<Plan> {
    const manifest = await this.#manifest(runId);
    if (!manifest) {
      throw new FerryError('NOT_FOUND', `no plan is stored in NATS for run ${runId}`, {
        run: runId,
        hint: 'start the run with `ferry run … --nats URL` (the coordinator stores the plan), or check the run id',
      });
    }
    const key = `${runId}:${manifest.hash}`;
    let p = this.#plans.get(key);
    if (!p) {
      p = this.#loadPlan(runId, manifest);
      this.#plans.set(key, p);
      p.catch(() => this.#plans.delete(key));
      while (this.#plans.size > PLAN_CACHE) this.#plans.delete(this.#plans.keys().next().value!);
    }
    return p;
  }

  async #loadPlan(runId: string, manifest: PlanManifest): Promise<Plan> {
    const chunks: Uint8Array[] = new Array(manifest.chunks);
    let next = 0;
    const lane = async () => {
      while (next < manifest.chunks) {
        const i = next++;
        const entry = await this.retry(
          `reading plan chunk ${i + 1}/${manifest.chunks} of run ${runId}`,
          (kv) => kv.get(planChunkKey(runId, manifest.hash, i)),
        );
        chunks[i] = entry && entry.operation === 'PUT' ? entry.value : new Uint8Array();
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, manifest.chunks) }, lane));
    return decodePlan(runId, manifest, chunks);
  }

  async #manifest(runId: string): Promise<PlanManifest | undefined> {
    const entry = await this.retry(`reading the plan manifest of run ${runId}`, (kv) =>
      kv.get(planKey(runId)),
    );
    if (entry?.operation !== 'PUT') return undefined;
    const m = entry.json<unknown>();
    if (!isPlanManifest(m)) {
      throw new FerryError('INTERNAL', `the plan manifest of run ${runId} in NATS has an unknown format`, {
        run: runId,
        hint: 'was it written by a newer ferry? use the same version for coordinator and workers',
      });
    }
    return m;
  }

  async #dropChunks(runId: string, old: PlanManifest): Promise<void> {
    try {
      const kv = await this.kv();
      for (let i = 0; i < old.chunks; i++) await kv.purge(planChunkKey(runId, old.hash, i));
    } catch (e) {
      this.log.warn(
        { run: runId, reason: reasonOf(e) },
        'NATS: could not remove the chunks of a replaced plan',
      );
    }
  }

  /** A named state value of a run with its revision, or undefined. */
  async getState<T>(runId: string, name: string): Promise<{ value: T; revision: number } | undefined> {
    const entry = await this.retry(`reading state ${name} of run ${runId}`, (kv) =>
      kv.get(stateKey(runId, name)),
    );
    return entry && entry.operation === 'PUT'
      ? { value: entry.json<T>(), revision: entry.revision }
      : undefined;
  }

  /** Overwrites a state value (no compare-and-set: for values only one writer keeps, like a read position). */
  async putState<T>(runId: string, name: string, value: T): Promise<number> {
    return this.retry(`writing state ${name} of run ${runId}`, (kv) =>
      kv.put(stateKey(runId, name), JSON.stringify(value)),
    );
  }

  /**
   * Read-modify-write of a state value by compare-and-set: `update` sees the current value and returns the
   * next; a concurrent writer makes it run again on the newer value. `guard` runs before each write (e.g. a
   * lease check) and may throw to stop. Returns the value written and its revision.
   */
  async updateState<T>(
    runId: string,
    name: string,
    update: (current: T | undefined) => T,
    guard?: () => Promise<void> | void,
  ): Promise<{ value: T; revision: number }> {
    const key = stateKey(runId, name);
    for (let round = 1; round <= 50; round++) {
      const entry: KvEntry | null = await this.retry(`reading state ${name} of run ${runId}`, (kv) =>
        kv.get(key),
      );
      const live = entry && entry.operation === 'PUT' ? entry : undefined;
      const value = update(live ? live.json<T>() : undefined);
      await guard?.();
      try {
        const revision = await this.retry(
          `writing state ${name} of run ${runId}`,
          (kv) =>
            live
              ? kv.update(key, JSON.stringify(value), live.revision)
              : kv.create(key, JSON.stringify(value)),
          isCasConflict,
        );
        return { value, revision };
      } catch (e) {
        if (!isCasConflict(e)) throw e;
      }
    }
    throw new FerryError(
      'INTERNAL',
      `state ${name} of run ${runId} kept changing under 50 compare-and-set attempts`,
      {
        run: runId,
      },
    );
  }

  /** Leaves a note on why a delivery of a partition ended without a result (best effort, never throws). */
  async noteDelivery(runId: string, partitionId: string, note: DeliveryNote): Promise<void> {
    try {
      const kv = await this.kv();
      await kv.put(partitionKey(runId, 'error', partitionId), JSON.stringify(note));
    } catch (e) {
      this.log.debug(
        { run: runId, partition: partitionId, reason: reasonOf(e) },
        'NATS: could not store a delivery note',
      );
    }
  }

  /** The last note left for a partition, if any (best effort). */
  async lastNote(runId: string, partitionId: string): Promise<DeliveryNote | undefined> {
    try {
      const kv = await this.kv();
      const entry = await kv.get(partitionKey(runId, 'error', partitionId));
      return entry && entry.operation === 'PUT' ? entry.json<DeliveryNote>() : undefined;
    } catch {
      return undefined;
    }
  }

  /** Removes every key of a run (plan, lease, state, notes). */
  async deleteRun(runId: string): Promise<void> {
    const kv = await this.kv();
    const keys: string[] = [];
    for await (const k of await kv.keys(`${runId}.>`)) keys.push(k);
    for (const k of keys) await kv.purge(k);
    for (const k of [...this.#plans.keys()]) if (k.startsWith(`${runId}:`)) this.#plans.delete(k);
  }
}
