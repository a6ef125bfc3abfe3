import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PartitionResult } from '../../core/index.js';
import type { NatsTransport, PartitionTask } from '../../transport/index.js';
import { TASK_SCHEMA } from '../../transport/index.js';
import {
  type CapturedLog,
  captureLog,
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

async function transport(log?: CapturedLog): Promise<NatsTransport> {
  const t = await open(server.url, { ackWaitMs: 5000 }, log?.logger);
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

/**
 * What a coordinator does with the transport: collect results; when nothing arrives for a while, ask the
 * reconciler which unfinished partitions have no task in NATS (a crash can lose acknowledged messages with
 * default fsync) and publish them again with the next attempt.
 */
async function coordinate(
  t: NatsTransport,
  runId: string,
  ids: string[],
  timeoutMs: number,
): Promise<{ results: Map<string, PartitionResult>; republished: number }> {
  const results = new Map<string, PartitionResult>();
  const attempts = new Map(ids.map((id) => [id, 1]));
  let republished = 0;
  let lastProgress = Date.now();
  const stop = AbortSignal.timeout(timeoutMs);
  const reconciler = (async () => {
    while (!stop.aborted && results.size < ids.length) {
      await delay(500);
      if (Date.now() - lastProgress < 3000) continue;
      try {
        const missing = await t.reconcile(
          runId,
          ids.filter((id) => !results.has(id)),
        );
        const again: PartitionTask[] = missing.map((partitionId) => {
          const attempt = attempts.get(partitionId)! + 1;
          attempts.set(partitionId, attempt);
          return { schema: TASK_SCHEMA, runId, partitionId, attempt };
        });
        if (again.length > 0) {
          await t.publish(again);
          republished += again.length;
        }
        lastProgress = Date.now();
      } catch {
        // NATS still down: try again next round.
      }
    }
  })();
  for await (const r of t.results(runId, stop)) {
    if (!results.has(r.partitionId)) lastProgress = Date.now();
    results.set(r.partitionId, r);
    if (results.size === ids.length) break;
  }
  await reconciler;
  return { results, republished };
}

describe('nats-server kill -9 and restart', () => {
  it('workers and coordinator reconnect and every partition completes', async () => {
    const runId = newRunId();
    const ids = partitionIds(300);
    const coordLog = captureLog();
    const workerLog = captureLog();
    const coordinator = await transport(coordLog);
    await coordinator.publish(tasksFor(runId, ids));

    const handled: string[] = [];
    const stop = new AbortController();
    const workers = await Promise.all([transport(workerLog), transport(workerLog), transport(workerLog)]);
    const consuming = workers.map((w) =>
      w.consume(
        async (task, ctx) => {
          for (let i = 0; i < 4; i++) {
            ctx.heartbeat();
            await delay(10);
          }
          handled.push(task.partitionId);
          return doneResult(task);
        },
        { concurrency: 3, signal: stop.signal },
      ),
    );
    const coordinating = coordinate(coordinator, runId, ids, 120_000);

    await waitFor('a third of the partitions', () => handled.length >= 100);
    await server.kill('SIGKILL');
    const killedAt = handled.length;
    await delay(2000);
    await server.start();

    const { results } = await coordinating;
    stop.abort();
    await Promise.all(consuming);

    expect(killedAt).toBeLessThan(300);
    expect(results.size).toBe(300);
    for (const id of ids) expect(results.get(id)?.status).toBe('done');
    expect(new Set(handled).size).toBe(300);
    // Every reconnect and retry was logged with its reason.
    expect(workerLog.find(/connection lost/).length).toBeGreaterThan(0);
    expect(workerLog.find(/reconnected/).length).toBeGreaterThan(0);
    const retries = [...workerLog.find(/retrying|re-attaching/), ...coordLog.find(/retrying|re-attaching/)];
    expect(retries.length).toBeGreaterThan(0);
    for (const r of retries) expect(typeof r.reason).toBe('string');
  });

  it('a worker cut off from NATS for half an AckWait gives its running partitions up (self-fencing)', async () => {
    const runId = newRunId();
    const [id] = partitionIds(1, 'public.fenced');
    const opts = { ackWaitMs: 2000 };
    const coordinator = await open(server.url, opts);
    const worker = await open(server.url, opts);
    opened.push(coordinator, worker);
    await coordinator.publish(tasksFor(runId, [id!]));
    const aborted: { reason: unknown; afterMs: number }[] = [];
    let startedAt = 0;
    const stop = new AbortController();
    const consuming = worker.consume(
      async (task, ctx) => {
        if (aborted.length > 0) return doneResult(task);
        startedAt = Date.now();
        await new Promise<void>((resolve) =>
          ctx.signal.addEventListener('abort', () => {
            aborted.push({ reason: ctx.signal.reason, afterMs: Date.now() - startedAt });
            resolve();
          }),
        );
        return doneResult(task);
      },
      { concurrency: 1, signal: stop.signal },
    );
    await waitFor('the task to start', () => startedAt > 0);
    const downAt = Date.now();
    await server.kill('SIGKILL');
    await waitFor('the partition to be given up', () => aborted.length === 1, 10_000);
    expect(aborted[0]!.reason).toMatchObject({ code: 'ABORTED', retryable: true });
    expect(String((aborted[0]!.reason as Error).message)).toMatch(/lost the NATS connection/);
    expect(Date.now() - downAt).toBeGreaterThanOrEqual(1000);
    await server.start();
    // After the restart the task comes back (AckWait) and completes.
    const { results: byPartition } = await coordinate(coordinator, runId, [id!], 60_000);
    stop.abort();
    await consuming;
    expect(byPartition.get(id!)?.status).toBe('done');
  });

  it('publishing rides out a restart: every task is stored once PubAck arrives', async () => {
    const runId = newRunId();
    const ids = partitionIds(3000, 'public.big');
    const log = captureLog();
    const coordinator = await transport(log);
    const publishing = coordinator.publish(tasksFor(runId, ids));
    await delay(100);
    await server.kill('SIGKILL');
    await delay(1500);
    await server.start();
    await publishing;
    const retried = log.find(/retrying/).filter((r) => String(r.op).startsWith('publishing task'));
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((r) => typeof r.reason === 'string' && typeof r.attempt === 'number')).toBe(true);

    const stop = new AbortController();
    const worker = await transport();
    const consuming = worker.consume(async (task) => doneResult(task), {
      concurrency: 8,
      signal: stop.signal,
    });
    const { results, republished } = await coordinate(coordinator, runId, ids, 120_000);
    stop.abort();
    await consuming;
    expect(results.size).toBe(3000);
    // Tasks lost in the crash (PubAck sent before the server wrote them) are found by the reconciler.
    expect(republished).toBeGreaterThanOrEqual(0);
  });
});
