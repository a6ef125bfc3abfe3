import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsTransport, PartitionTask } from '../../transport/index.js';
import { taskStream } from '../../transport/index.js';
import {
  captureLog,
  collectResults,
  delay,
  doneResult,
  newRunId,
  open,
  partitionIds,
  recordingHandler,
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

describe('NatsTransport round trip', () => {
  it('several workers with concurrency handle each task once and report every result', async () => {
    const runId = newRunId();
    const ids = partitionIds(200);
    const coordinator = await transport();
    // Trace context travels in message headers (the body stays ids only).
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await coordinator.publish(tasksFor(runId, ids).map((t) => ({ ...t, trace: { traceparent } })));

    const calls: { worker: string; task: PartitionTask; deliveries: number }[] = [];
    const stop = new AbortController();
    let running = 0;
    let maxRunning = 0;
    const workers = await Promise.all([transport(), transport(), transport()]);
    const consuming = workers.map((w, i) =>
      w.consume(
        recordingHandler(`w${i}`, calls, async (task, ctx) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await delay(2 + (Number(task.partitionId.split('#')[1]) % 7) * 3);
          ctx.heartbeat();
          running--;
          return doneResult(task, { bytes: 100 + Number(task.partitionId.split('#')[1]) });
        }),
        { concurrency: 4, signal: stop.signal },
      ),
    );

    const { byPartition } = await collectResults(coordinator, runId, ids);
    stop.abort();
    await Promise.all(consuming);

    expect(byPartition.size).toBe(200);
    for (const id of ids) {
      const r = byPartition.get(id)!;
      expect(r.status).toBe('done');
      expect(r.bytes).toBe(100 + Number(id.split('#')[1]));
    }
    // Each task handled exactly once (all acked), by more than one worker, never more than 12 at a time.
    expect(calls.length).toBe(200);
    expect(new Set(calls.map((c) => c.task.partitionId)).size).toBe(200);
    expect(calls.every((c) => c.deliveries === 1 && c.task.runId === runId && c.task.attempt === 1)).toBe(
      true,
    );
    expect(calls.every((c) => c.task.trace?.traceparent === traceparent)).toBe(true);
    expect(new Set(calls.map((c) => c.worker)).size).toBe(3);
    expect(maxRunning).toBeLessThanOrEqual(12);
    expect(maxRunning).toBeGreaterThan(1);

    const stats = await coordinator.stats(runId);
    expect(stats).toMatchObject({ pending: 0, inFlight: 0, redelivered: 0, results: 200 });
  });

  it('stores a re-published task once (Nats-Msg-Id = run/partition/attempt); a new attempt is a new task', async () => {
    const runId = newRunId();
    const ids = partitionIds(20, 'public.items');
    const coordinator = await transport();
    await coordinator.publish(tasksFor(runId, ids));
    await coordinator.publish(tasksFor(runId, ids));
    await coordinator.publish(tasksFor(runId, ids.slice(0, 5)));
    await coordinator.publish(tasksFor(runId, ids.slice(0, 2), 2));

    const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(coordinator.connection);
    expect((await jsm.streams.info(taskStream(runId))).state.messages).toBe(22);
    expect((await coordinator.stats(runId)).pending).toBe(22);

    const calls: { worker: string; task: PartitionTask; deliveries: number }[] = [];
    const stop = new AbortController();
    const worker = await transport();
    const consuming = worker.consume(recordingHandler('w', calls), { concurrency: 3, signal: stop.signal });
    const want = [...ids, ...ids.slice(0, 2)];
    const seen: string[] = [];
    for await (const r of coordinator.results(runId, AbortSignal.timeout(30_000))) {
      seen.push(`${r.partitionId}@${r.attempt}`);
      if (seen.length === want.length) break;
    }
    stop.abort();
    await consuming;
    expect(new Set(seen).size).toBe(22);
    expect(calls.map((c) => `${c.task.partitionId}@${c.task.attempt}`).sort()).toEqual(
      [...ids.map((p) => `${p}@1`), `${ids[0]}@2`, `${ids[1]}@2`].sort(),
    );
  });

  it('a full task stream refuses new tasks (discard: new) and publish waits for room: a bounded queue', async () => {
    const runId = newRunId();
    const ids = partitionIds(120, 'public.bounded');
    const log = captureLog();
    const coordinator = await open(server.url, { taskStreamMaxBytes: 4096 }, log.logger);
    opened.push(coordinator);
    const publishing = coordinator.publish(tasksFor(runId, ids));
    // Nothing drains yet: the stream fills up and publishing is held back, with its reason logged.
    await waitFor('a refused publish', () => log.find(/retrying/).length > 0, 20_000);
    const jsm = await (await import('@nats-io/jetstream')).jetstreamManager(coordinator.connection);
    const info = await jsm.streams.info(taskStream(runId));
    expect(info.state.bytes).toBeLessThanOrEqual(4096);
    expect(info.state.messages).toBeLessThan(120);
    expect(String(log.find(/retrying/)[0]!.reason)).toMatch(/maximum bytes|resource/i);

    const worker = await transport();
    const stop = new AbortController();
    const consuming = worker.consume(async (task) => doneResult(task), {
      concurrency: 4,
      signal: stop.signal,
    });
    await publishing;
    const { byPartition } = await collectResults(coordinator, runId, ids, 30_000);
    stop.abort();
    await consuming;
    expect(byPartition.size).toBe(120);
  });

  it('a worker restricted to runIds ignores other runs; tasks of several runs share one worker', async () => {
    const [runA, runB] = [newRunId(), newRunId()];
    const coordinator = await transport();
    await coordinator.publish(tasksFor(runA, partitionIds(6, 'a.t')));
    await coordinator.publish(tasksFor(runB, partitionIds(6, 'b.t')));
    const callsA: { worker: string; task: PartitionTask; deliveries: number }[] = [];
    const onlyA = await transport({ runIds: [runA] });
    const stopA = new AbortController();
    const consumingA = onlyA.consume(recordingHandler('a', callsA), { concurrency: 2, signal: stopA.signal });
    const resultsA = await collectResults(coordinator, runA, partitionIds(6, 'a.t'), 20_000);
    stopA.abort();
    await consumingA;
    expect(resultsA.byPartition.size).toBe(6);
    expect(callsA.every((c) => c.task.runId === runA)).toBe(true);
    expect((await coordinator.stats(runB)).pending).toBe(6);

    const callsAny: { worker: string; task: PartitionTask; deliveries: number }[] = [];
    const any = await transport();
    const stop = new AbortController();
    const consuming = any.consume(recordingHandler('any', callsAny), { concurrency: 2, signal: stop.signal });
    const resultsB = await collectResults(coordinator, runB, partitionIds(6, 'b.t'), 20_000);
    stop.abort();
    await consuming;
    expect(resultsB.byPartition.size).toBe(6);
    expect(callsAny.filter((c) => c.task.runId === runB)).toHaveLength(6);
  });
});
