import { createHash } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, TablePlan, TableSpec } from '../../core/index.js';
import { type NatsTransport, RUNS_BUCKET } from '../../transport/index.js';
import { delay, newRunId, open } from './helpers.js';
import { NatsServer } from './nats-server.js';

let server: NatsServer;
const opened: NatsTransport[] = [];

async function transport(): Promise<NatsTransport> {
  const t = await open(server.url);
  opened.push(t);
  return t;
}

beforeAll(async () => {
  server = await NatsServer.start();
});

afterAll(async () => {
  await Promise.allSettled(opened.map((t) => t.close()));
  await server?.stop();
});

/** A plan of `tables` tables with `perTable` integer-range partitions each. */
function bigPlan(tables: number, perTable: number, salt = ''): Plan {
  const spec = (name: string): TableSpec => ({
    schema: 'public',
    name,
    columns: [
      {
        name: 'id',
        type: { kind: 'int', bits: 64 },
        nullable: false,
        nativeType: 'bigint',
      } as TableSpec['columns'][number],
    ],
    primaryKey: ['id'],
    estimatedRows: perTable * 1000,
    estimatedBytes: perTable * 64_000,
  });
  const tablePlans: TablePlan[] = Array.from({ length: tables }, (_, t) => {
    const name = `events_${t}`;
    return {
      source: spec(name),
      target: spec(name),
      columns: [{ source: 'id', target: 'id' }],
      keyColumns: ['id'],
      mode: 'create',
      partitioning: { strategy: 'range', reason: 'sampled quantiles' },
      partitions: Array.from({ length: perTable }, (_, i) => ({
        id: `public.${name}#${i}`,
        table: `public.${name}`,
        index: i,
        range: {
          columns: ['id'],
          ...(i > 0 ? { lo: [String(BigInt(i) * 9_007_199_254_740_993n)] } : {}),
          ...(i < perTable - 1 ? { hi: [String(BigInt(i + 1) * 9_007_199_254_740_993n)] } : {}),
        },
        estimatedRows: 1000,
      })),
    };
  });
  const body = {
    version: 1 as const,
    source: { connector: 'postgres', display: 'postgres://src/db' },
    target: { connector: 'postgres', display: 'postgres://dst/db' },
    mode: 'create' as const,
    options: { partitionRows: 1000, batchRows: 500 },
    tables: tablePlans,
  };
  const hash = createHash('sha256')
    .update(JSON.stringify(body) + salt)
    .digest('hex');
  return { hash, ...body };
}

describe('plans in KV', () => {
  it('stores and reads back a plan of 100 000 partitions (chunked past the 1 MiB value limit)', async () => {
    const runId = newRunId();
    const plan = bigPlan(4, 25_000);
    const size = JSON.stringify(plan).length;
    expect(size).toBeGreaterThan(1024 * 1024 * 10);
    const coordinator = await transport();
    const t0 = performance.now();
    await coordinator.putPlan(runId, plan);
    const putMs = performance.now() - t0;

    const worker = await transport();
    const t1 = performance.now();
    const read = await worker.getPlan(runId);
    const getMs = performance.now() - t1;
    expect(read).toEqual(plan);
    expect(read.tables.reduce((n, t) => n + t.partitions.length, 0)).toBe(100_000);
    expect(read.tables[3]!.partitions[24_999]!.range.lo).toEqual([String(24_999n * 9_007_199_254_740_993n)]);
    // Cached per plan hash: the next read only checks the manifest.
    const t2 = performance.now();
    expect(await worker.getPlan(runId)).toBe(read);
    expect(performance.now() - t2).toBeLessThan(getMs);
    console.info(
      `plan of 100k partitions: ${(size / 1e6).toFixed(1)} MB JSON, put ${putMs.toFixed(0)} ms, get ${getMs.toFixed(0)} ms`,
    );

    // Storing it again changes nothing; storing another plan replaces it and removes the old chunks.
    await coordinator.putPlan(runId, plan);
    const other = bigPlan(1, 10, 'v2');
    await coordinator.putPlan(runId, other);
    expect(await worker.getPlan(runId)).toEqual(other);
    const kv = await new Kvm(coordinator.connection).open(RUNS_BUCKET);
    const keys: string[] = [];
    for await (const k of await kv.keys(`${runId}.plan.>`)) keys.push(k);
    expect(keys.every((k) => k.includes(other.hash.slice(0, 32)))).toBe(true);
  });

  it('says which run has no plan', async () => {
    const t = await transport();
    const runId = newRunId();
    await expect(t.getPlan(runId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(runId),
    });
  });
});

describe('coordinator lease', () => {
  it('of two coordinators starting together exactly one proceeds; the other gets CONFIG', async () => {
    const runId = newRunId();
    const [a, b] = [await transport(), await transport()];
    const outcomes = await Promise.allSettled([
      a.acquireLease(runId, 'coordinator-a', { ttlMs: 900 }),
      b.acquireLease(runId, 'coordinator-b', { ttlMs: 900 }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/already being coordinated/),
    });
    const lease = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<NatsTransport['acquireLease']>>>)
      .value;
    expect(lease.epoch).toBe(1);
    // The lease is kept alive well past its TTL while held.
    await delay(2000);
    expect(lease.lost).toBe(false);
    await lease.release();
    // Released: the next coordinator takes it at once, with the next epoch.
    const t0 = Date.now();
    const next = await b.acquireLease(runId, 'coordinator-c', { ttlMs: 900 });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(next.epoch).toBe(2);
    await next.release();
  });

  it('a crashed holder is replaced after its TTL; the old holder learns it lost the lease', async () => {
    const runId = newRunId();
    const crashed = await open(server.url);
    const first = await crashed.acquireLease(runId, 'crashed', { ttlMs: 800 });
    expect(first.epoch).toBe(1);
    await crashed.connection.close(); // no release: the process is gone
    const t = await transport();
    const t0 = Date.now();
    const second = await t.acquireLease(runId, 'successor', { ttlMs: 800 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(second.epoch).toBe(2);
    // The old holder cannot renew: after its TTL it knows it is no longer the coordinator.
    await delay(1200);
    expect(first.lost).toBe(true);
    expect(() => first.assertHeld()).toThrow(/could not be renewed|taken over/);
    await second.release();
  });

  it('a paused holder that wakes up finds the lease taken over and cannot write state', async () => {
    const runId = newRunId();
    const a = await transport();
    const b = await transport();
    const lease = await a.acquireLease(runId, 'a', { ttlMs: 600 });
    await a.updateState(runId, 'progress', () => ({ done: 1 }), lease);
    // While `a` is paused (GC, SIGSTOP) its renewals stop and a successor takes the lease by compare-and-set
    // on the revision it read. In-process `a` cannot be paused, so the successor's write is made directly.
    const kv = await new Kvm(b.connection).open(RUNS_BUCKET);
    const entry = (await kv.get(`${runId}.lease`))!;
    await kv.update(
      `${runId}.lease`,
      JSON.stringify({ ...entry.json<object>(), owner: 'b', epoch: 2 }),
      entry.revision,
    );
    await delay(400);
    expect(lease.lost).toBe(true);
    expect(() => lease.assertHeld()).toThrow(/taken over by b \(epoch 2\)/);
    await expect(a.updateState(runId, 'progress', () => ({ done: 2 }), lease)).rejects.toMatchObject({
      code: 'CONFIG',
    });
    expect((await b.getState<{ done: number }>(runId, 'progress'))?.value).toEqual({ done: 1 });
  });
});

describe('run state', () => {
  it('compare-and-set updates from concurrent writers lose nothing', async () => {
    const runId = newRunId();
    const writers = await Promise.all([transport(), transport(), transport()]);
    await Promise.all(
      writers.flatMap((w) =>
        Array.from({ length: 10 }, () =>
          w.updateState<{ n: number }>(runId, 'counter', (c) => ({ n: (c?.n ?? 0) + 1 })),
        ),
      ),
    );
    expect((await writers[0]!.getState<{ n: number }>(runId, 'counter'))?.value).toEqual({ n: 30 });
  });
});
