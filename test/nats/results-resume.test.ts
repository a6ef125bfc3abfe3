import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionResult } from '../../core/index.js';
import type { NatsTransport } from '../../transport/index.js';
import { collectResults, doneResult, newRunId, open, partitionIds, tasksFor } from './helpers.js';
import { NatsServer } from './nats-server.js';

let server: NatsServer;
const opened: NatsTransport[] = [];

async function transport(extra = {}): Promise<NatsTransport> {
  const t = await open(server.url, extra);
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

describe('results across coordinator restarts', () => {
  it('a new coordinator re-attaches and gets every result the old one had not handled', async () => {
    const runId = newRunId();
    const ids = partitionIds(40);
    const first = await transport();
    await first.publish(tasksFor(runId, ids));

    const worker = await transport();
    const stop = new AbortController();
    const consuming = worker.consume(
      async (task) => doneResult(task, { bytes: Number(task.partitionId.split('#')[1]) }),
      {
        concurrency: 4,
        signal: stop.signal,
      },
    );

    // The first coordinator handles 10 results, then its process dies (connection dropped, no clean close).
    const handledByFirst: PartitionResult[] = [];
    for await (const r of first.results(runId)) {
      handledByFirst.push(r);
      if (handledByFirst.length === 10) break;
    }
    await first.connection.close();

    const second = await transport();
    const byPartition = new Map<string, PartitionResult>();
    const all = new Set(handledByFirst.map((r) => r.partitionId));
    for await (const r of second.results(runId, AbortSignal.timeout(30_000))) {
      byPartition.set(r.partitionId, r);
      all.add(r.partitionId);
      if (all.size === 40) break;
    }
    stop.abort();
    await consuming;

    expect(all.size).toBe(40);
    for (const id of ids) {
      const r = byPartition.get(id) ?? handledByFirst.find((x) => x.partitionId === id)!;
      expect(r.bytes).toBe(Number(id.split('#')[1]));
    }
    // At least once: the result the first coordinator was holding (not yet acknowledged) may come again,
    // but the nine it had finished with do not.
    const repeated = handledByFirst.filter((r) => byPartition.has(r.partitionId));
    expect(repeated.length).toBeLessThanOrEqual(1);
    expect(byPartition.size).toBeGreaterThanOrEqual(30);
  });

  it('results reported while no coordinator listens are waiting when one attaches', async () => {
    const runId = newRunId();
    const ids = partitionIds(15, 'public.late');
    const coordinator = await transport();
    await coordinator.publish(tasksFor(runId, ids));
    const worker = await transport();
    const stop = new AbortController();
    const consuming = worker.consume(async (task) => doneResult(task), {
      concurrency: 3,
      signal: stop.signal,
    });
    for (;;) {
      const s = await coordinator.stats(runId);
      if (s.results === 15) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    stop.abort();
    await consuming;
    const later = await transport();
    const { byPartition, read } = await collectResults(later, runId, ids, 10_000);
    expect(byPartition.size).toBe(15);
    expect(read).toBe(15);
  });

  it('ends the results iteration when its signal aborts or the transport closes', async () => {
    const runId = newRunId();
    const coordinator = await transport();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const t0 = Date.now();
    const got: PartitionResult[] = [];
    for await (const r of coordinator.results(runId, controller.signal)) got.push(r);
    expect(got).toEqual([]);
    expect(Date.now() - t0).toBeLessThan(2500);

    const closing = await open(server.url);
    const iterating = (async () => {
      for await (const r of closing.results(runId)) got.push(r);
    })();
    await new Promise((r) => setTimeout(r, 200));
    await closing.close();
    await iterating;
    expect(got).toEqual([]);
  });
});
