import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsTransport, PartitionTask } from '../../transport/index.js';
import { taskStream } from '../../transport/index.js';
import { collectResults, doneResult, newRunId, open, partitionIds, tasksFor, waitFor } from './helpers.js';
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

describe('reconcile', () => {
  it('finds nothing missing while every unfinished partition is queued or in flight', async () => {
    const runId = newRunId();
    const ids = partitionIds(30);
    const t = await transport();
    await t.publish(tasksFor(runId, ids));
    expect(await t.reconcile(runId, ids)).toEqual([]);
    // In flight (delivered, not acked) still counts as present.
    const worker = await transport();
    const stop = new AbortController();
    let started = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const consuming = worker.consume(
      async (task) => {
        started++;
        await gate;
        return doneResult(task);
      },
      { concurrency: 5, signal: stop.signal },
    );
    await waitFor('5 tasks in flight', () => started === 5);
    expect((await t.stats(runId)).inFlight).toBe(5);
    expect(await t.reconcile(runId, ids)).toEqual([]);
    release();
    await collectResults(t, runId, ids, 20_000);
    stop.abort();
    await consuming;
    // Done partitions are gone from the work queue: reported missing if the ledger did not have them.
    expect(await t.reconcile(runId, ids.slice(0, 3))).toEqual(ids.slice(0, 3));
  });

  it('finds the tasks lost from the stream (deleted messages, a deleted stream) and a new attempt restores them', async () => {
    const runId = newRunId();
    const ids = partitionIds(2500, 'public.lost');
    const t = await transport();
    await t.publish(tasksFor(runId, ids));

    // Lose three messages in the middle of the stream (as an OS crash with lazy fsync can).
    const jsm = await jetstreamManager(t.connection);
    const lost = [ids[4]!, ids[1234]!, ids[2400]!];
    for (const seq of [5, 1235, 2401])
      expect(await jsm.streams.deleteMessage(taskStream(runId), seq)).toBe(true);
    expect(await t.reconcile(runId, ids)).toEqual(lost);
    await t.publish(tasksFor(runId, lost, 2));
    expect(await t.reconcile(runId, ids)).toEqual([]);

    // The whole task stream is deleted mid-run: every unfinished partition is missing.
    await jsm.streams.delete(taskStream(runId));
    expect(await t.reconcile(runId, ids)).toEqual(ids);
    // Publishing re-creates the stream and its consumer; workers find it again and finish the run.
    const again: PartitionTask[] = tasksFor(runId, ids, 3);
    await t.publish(again);
    expect(await t.reconcile(runId, ids)).toEqual([]);
    const worker = await transport();
    const stop = new AbortController();
    const seen: string[] = [];
    const consuming = worker.consume(
      async (task) => {
        seen.push(`${task.partitionId}@${task.attempt}`);
        return doneResult(task);
      },
      { concurrency: 8, signal: stop.signal },
    );
    const { byPartition } = await collectResults(t, runId, ids, 60_000);
    stop.abort();
    await consuming;
    expect(byPartition.size).toBe(2500);
    expect(new Set(seen).size).toBe(2500);
    expect(seen.every((s) => s.endsWith('@3'))).toBe(true);
  });

  it('workers carry on when the task stream is deleted mid-run and the reconciler re-publishes', async () => {
    const runId = newRunId();
    const ids = partitionIds(200, 'public.midrun');
    const t = await transport();
    await t.publish(tasksFor(runId, ids));
    const done = new Set<string>();
    const stop = new AbortController();
    const workers = await Promise.all([transport(), transport()]);
    const consuming = workers.map((w) =>
      w.consume(
        async (task) => {
          await new Promise((r) => setTimeout(r, 15));
          done.add(task.partitionId);
          return doneResult(task);
        },
        { concurrency: 3, signal: stop.signal },
      ),
    );
    await waitFor('some partitions done', () => done.size >= 40);
    const jsm = await jetstreamManager(t.connection);
    await jsm.streams.delete(taskStream(runId));
    await new Promise((r) => setTimeout(r, 300));
    // The coordinator's reconciler: unfinished partitions without a task get the next attempt.
    const missing = await t.reconcile(
      runId,
      ids.filter((id) => !done.has(id)),
    );
    expect(missing.length).toBeGreaterThan(0);
    await t.publish(tasksFor(runId, missing, 2));
    await waitFor('every partition done', () => done.size === 200, 60_000);
    stop.abort();
    await Promise.all(consuming);
    expect(done.size).toBe(200);
  });

  it('reports a task the consumer gave up on (a dead letter nobody reported) as a failed result', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1, 'public.stuck');
    const opts = { ackWaitMs: 600, maxDeliver: 1 };
    const t = await transport(opts);
    await t.publish(tasksFor(runId, [id!]));
    // Two deliveries (the limit) taken by raw pulls that never ack, while no coordinator listens for advisories.
    const { jetstream } = await import('@nats-io/jetstream');
    const consumer = await jetstream(t.connection).consumers.get(taskStream(runId), 'workers');
    expect((await consumer.next({ expires: 2000 }))?.info.deliveryCount).toBe(1);
    expect((await consumer.next({ expires: 2000 }))?.info.deliveryCount).toBe(2);
    expect(await consumer.next({ expires: 1500 })).toBeNull();
    await waitFor('nothing in flight', async () => (await t.stats(runId)).inFlight === 0);

    expect(await t.reconcile(runId, [id!])).toEqual([]);
    const { byPartition } = await collectResults(t, runId, [id!], 10_000);
    expect(byPartition.get(id!)).toMatchObject({ status: 'failed', error: { code: 'PARTITION_FAILED' } });
    const jsm = await jetstreamManager(t.connection);
    expect((await jsm.streams.info(taskStream(runId))).state.messages).toBe(0);
  });
});
