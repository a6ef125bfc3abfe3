import { AckPolicy, jetstreamManager, jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionResult } from '../../core/index.js';
import type { NatsTransport, PartitionTask, TaskContext } from '../../transport/index.js';
import { taskStream, WORKERS_CONSUMER } from '../../transport/index.js';
import {
  collectResults,
  delay,
  doneResult,
  newRunId,
  open,
  partitionIds,
  tasksFor,
  waitFor,
} from './helpers.js';
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

type Call = { worker: string; task: PartitionTask; deliveries: number; at: number; aborted?: unknown };

/** Waits until the task's signal aborts, then returns (what a real partition does when cancelled). */
function untilAborted(ctx: TaskContext): Promise<unknown> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) resolve(ctx.signal.reason);
    ctx.signal.addEventListener('abort', () => resolve(ctx.signal.reason), { once: true });
  });
}

describe('redelivery, heartbeats and MaxDeliver', () => {
  it('redelivers a task whose worker died without acking it (after AckWait)', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1);
    const opts = { ackWaitMs: 1500 };
    const coordinator = await transport(opts);
    await coordinator.publish(tasksFor(runId, [id!]));
    const calls: Call[] = [];
    const dying = await transport(opts);
    const stopDying = new AbortController();
    const dyingDone = dying
      .consume(
        async (task, ctx) => {
          calls.push({ worker: 'dying', task, deliveries: ctx.deliveries, at: Date.now() });
          await untilAborted(ctx);
          return doneResult(task);
        },
        { concurrency: 1, signal: stopDying.signal },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await waitFor('the first delivery', () => calls.length === 1);
    // The process "dies": its connection drops with the task unacknowledged.
    await dying.connection.close();

    const survivor = await transport(opts);
    const stop = new AbortController();
    const consuming = survivor.consume(
      async (task, ctx) => {
        calls.push({ worker: 'survivor', task, deliveries: ctx.deliveries, at: Date.now() });
        return doneResult(task, { bytes: 42 });
      },
      { concurrency: 1, signal: stop.signal },
    );
    const { byPartition } = await collectResults(coordinator, runId, [id!], 20_000);
    stop.abort();
    await consuming;
    expect(byPartition.get(id!)).toMatchObject({ status: 'done', bytes: 42 });
    expect(calls.map((c) => [c.worker, c.deliveries])).toEqual([
      ['dying', 1],
      ['survivor', 2],
    ]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1400);
    // The dead worker's consume ends with a CONNECTION error (its connection is closed for good).
    expect(await dyingDone).toMatchObject({ code: 'CONNECTION' });
  });

  it('heartbeats keep a long task with its worker; without them it is redelivered', async () => {
    const runId = newRunId();
    const [beating, silent] = partitionIds(2);
    const opts = { ackWaitMs: 1200 };
    const coordinator = await transport(opts);
    await coordinator.publish(tasksFor(runId, [beating!, silent!]));
    const calls: Call[] = [];
    const stop = new AbortController();
    const handler = (worker: string) => async (task: PartitionTask, ctx: TaskContext) => {
      calls.push({ worker, task, deliveries: ctx.deliveries, at: Date.now() });
      const until = Date.now() + 4000; // more than 3 × AckWait
      while (Date.now() < until) {
        if (task.partitionId === beating) ctx.heartbeat();
        await delay(50);
      }
      return doneResult(task);
    };
    const w1 = await transport(opts);
    const w2 = await transport(opts);
    const consuming = [
      w1.consume(handler('w1'), { concurrency: 2, signal: stop.signal }),
      w2.consume(handler('w2'), { concurrency: 2, signal: stop.signal }),
    ];
    const { byPartition } = await collectResults(coordinator, runId, [beating!, silent!], 30_000);
    stop.abort();
    await Promise.all(consuming);
    expect(byPartition.get(beating!)?.status).toBe('done');
    expect(calls.filter((c) => c.task.partitionId === beating).map((c) => c.deliveries)).toEqual([1]);
    // The silent task was taken again while its first delivery was still running.
    expect(calls.filter((c) => c.task.partitionId === silent).length).toBeGreaterThanOrEqual(2);
  });

  it('reports a task as a failed result (dead letter) after MaxDeliver deliveries, with the last note', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1, 'public.poison');
    const opts = { ackWaitMs: 1500, maxDeliver: 2, graceMs: 100, nakDelayMs: 100 };
    const coordinator = await transport(opts);
    await coordinator.publish(tasksFor(runId, [id!]));
    const calls: Call[] = [];
    const hang = (worker: string) => async (task: PartitionTask, ctx: TaskContext) => {
      calls.push({ worker, task, deliveries: ctx.deliveries, at: Date.now() });
      const reason = await untilAborted(ctx);
      calls.at(-1)!.aborted = reason;
      return doneResult(task);
    };
    // Delivery 1: the worker is stopped (SIGTERM) and hands the task back after its grace period.
    const first = await transport(opts);
    const stopFirst = new AbortController();
    const firstDone = first.consume(hang('first'), { concurrency: 1, signal: stopFirst.signal });
    await waitFor('delivery 1', () => calls.length === 1);
    stopFirst.abort();
    await firstDone;
    expect(String((calls[0]!.aborted as Error).message)).toMatch(/handed back/);
    // Delivery 2 hangs past AckWait; delivery 3 exceeds MaxDeliver and is reported, not run.
    const second = await transport(opts);
    const stop = new AbortController();
    const consuming = second.consume(hang('second'), { concurrency: 3, signal: stop.signal });
    const { byPartition } = await collectResults(coordinator, runId, [id!], 30_000);
    stop.abort();
    await consuming;
    const r = byPartition.get(id!) as PartitionResult;
    expect(r).toMatchObject({ status: 'failed', attempt: 1, table: 'public.poison' });
    expect(r.error).toMatchObject({
      code: 'PARTITION_FAILED',
      retryable: false,
      context: { run: runId, partition: id },
    });
    expect(r.error!.message).toMatch(/delivered 2 times/);
    expect(r.error!.message).toMatch(/handed back: worker stopped/);
    expect(calls.map((c) => c.deliveries)).toEqual([1, 2]);
    const stats = await coordinator.stats(runId);
    expect(stats).toMatchObject({ pending: 0, inFlight: 0 });
  });

  it("reports a dead letter from the server's MAX_DELIVERIES advisory when no worker could", async () => {
    const runId = newRunId();
    const [id] = partitionIds(1, 'public.crashy');
    const coordinator = await transport({ ackWaitMs: 800, maxDeliver: 1 });
    await coordinator.publish(tasksFor(runId, [id!]));
    const reading = collectResults(coordinator, runId, [id!], 30_000);
    // Two deliveries (MaxDeliver + the reporting one) taken by "workers" that die each time: nothing acks.
    const nc = coordinator.connection;
    const consumer = await jetstream(nc).consumers.get(taskStream(runId), WORKERS_CONSUMER);
    expect((await consumer.info()).config).toMatchObject({ max_deliver: 2, ack_policy: AckPolicy.Explicit });
    for (let i = 1; i <= 2; i++) {
      const m = await consumer.next({ expires: 5000 });
      expect(m?.info.deliveryCount).toBe(i);
    }
    // Workers keep pulling; the server then finds the delivery limit reached and announces it.
    expect(await consumer.next({ expires: 3000 })).toBeNull();
    const { byPartition } = await reading;
    expect(byPartition.get(id!)).toMatchObject({ status: 'failed', error: { code: 'PARTITION_FAILED' } });
    const jsm = await jetstreamManager(nc);
    await waitFor(
      'the dead letter to be removed',
      async () => (await jsm.streams.info(taskStream(runId))).state.messages === 0,
    );
  });

  it('on stop, lets a running task finish within the grace period and acks it', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1);
    const coordinator = await transport({ graceMs: 5000 });
    await coordinator.publish(tasksFor(runId, [id!]));
    const worker = await transport({ graceMs: 5000 });
    const stop = new AbortController();
    let started = false;
    let aborted = false;
    const consuming = worker.consume(
      async (task, ctx) => {
        started = true;
        await delay(1000);
        aborted = ctx.signal.aborted;
        return doneResult(task);
      },
      { concurrency: 1, signal: stop.signal },
    );
    await waitFor('the task to start', () => started);
    const t0 = Date.now();
    stop.abort();
    await consuming;
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(aborted).toBe(false);
    const { byPartition } = await collectResults(coordinator, runId, [id!], 10_000);
    expect(byPartition.get(id!)?.status).toBe('done');
    expect(await coordinator.stats(runId)).toMatchObject({ pending: 0, inFlight: 0, redelivered: 0 });
  });

  it('on stop, aborts a task still running after the grace period and NAKs it to another worker', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1);
    const opts = { graceMs: 300, nakDelayMs: 200, ackWaitMs: 30_000 };
    const coordinator = await transport(opts);
    await coordinator.publish(tasksFor(runId, [id!]));
    const calls: Call[] = [];
    const slow = await transport(opts);
    const stopSlow = new AbortController();
    const slowDone = slow.consume(
      async (task, ctx) => {
        calls.push({ worker: 'slow', task, deliveries: ctx.deliveries, at: Date.now() });
        calls.at(-1)!.aborted = await untilAborted(ctx);
        return { ...doneResult(task), status: 'failed' };
      },
      { concurrency: 1, signal: stopSlow.signal },
    );
    await waitFor('the task to start', () => calls.length === 1);
    const t0 = Date.now();
    stopSlow.abort();
    await slowDone;
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(calls[0]!.aborted).toMatchObject({ code: 'ABORTED', retryable: true });

    const next = await transport(opts);
    const stop = new AbortController();
    const consuming = next.consume(
      async (task, ctx) => {
        calls.push({ worker: 'next', task, deliveries: ctx.deliveries, at: Date.now() });
        return doneResult(task);
      },
      { concurrency: 1, signal: stop.signal },
    );
    const { byPartition } = await collectResults(coordinator, runId, [id!], 10_000);
    stop.abort();
    await consuming;
    // The handed-back attempt reported nothing; the NAK (not the 30 s AckWait) brought it back at once.
    expect(byPartition.get(id!)?.status).toBe('done');
    expect(calls.map((c) => [c.worker, c.deliveries])).toEqual([
      ['slow', 1],
      ['next', 2],
    ]);
    expect(calls[1]!.at - t0).toBeLessThan(5000);
  });
});
