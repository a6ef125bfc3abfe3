import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger, PartitionResult } from '../../core/index.js';
import {
  NatsTransport,
  type NatsTransportOptions,
  type PartitionTask,
  TASK_SCHEMA,
  type TaskContext,
} from '../../transport/index.js';

/** A fresh run id (valid for NATS: letters, digits, `-`). */
export function newRunId(): string {
  return `t${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Partition ids shaped like the planner's (`schema.table#index`). */
export function partitionIds(n: number, table = 'public.orders'): string[] {
  return Array.from({ length: n }, (_, i) => `${table}#${i}`);
}

export function tasksFor(runId: string, ids: string[], attempt = 1): PartitionTask[] {
  return ids.map((partitionId) => ({ schema: TASK_SCHEMA, runId, partitionId, attempt }));
}

export function doneResult(task: PartitionTask, extra: Partial<PartitionResult> = {}): PartitionResult {
  return {
    partitionId: task.partitionId,
    table: 'public.orders',
    attempt: task.attempt,
    status: 'done',
    written: { rows: '1', sum: '0'.repeat(32) },
    bytes: 10,
    durationMs: 1,
    ...extra,
  };
}

/** Log records captured in memory, for asserting that retries were logged with a reason. */
export interface CapturedLog {
  logger: Logger;
  records: Record<string, unknown>[];
  find(re: RegExp): Record<string, unknown>[];
}

export function captureLog(level: pino.Level = 'debug'): CapturedLog {
  const records: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) records.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level }, stream);
  return { logger, records, find: (re) => records.filter((r) => re.test(String(r.msg))) };
}

/** Transport options for tests: short timers so redeliveries and shutdowns take seconds, not minutes. */
export function quick(extra: Partial<NatsTransportOptions> = {}): Partial<NatsTransportOptions> {
  return {
    ackWaitMs: 4000,
    pullExpiresMs: 1000,
    discoveryIntervalMs: 200,
    nakDelayMs: 200,
    graceMs: 2000,
    requestTimeoutMs: 3000,
    publishRetry: { attempts: 40, baseDelayMs: 50, maxDelayMs: 1000 },
    recoverRetry: { attempts: 60, baseDelayMs: 50, maxDelayMs: 1000 },
    ...extra,
  };
}

export function open(
  url: string,
  extra: Partial<NatsTransportOptions> = {},
  logger?: Logger,
): Promise<NatsTransport> {
  return NatsTransport.connect(
    { servers: url, reconnectWaitMs: 250, timeoutMs: 5000 },
    { ...quick(extra), ...(logger ? { logger } : {}) },
  );
}

/**
 * Reads results until every partition in `ids` has one (keeping the first per partition) or `timeoutMs`
 * passes. Returns them with the total count read (repeats included).
 */
export async function collectResults(
  transport: NatsTransport,
  runId: string,
  ids: string[],
  timeoutMs = 60_000,
): Promise<{ byPartition: Map<string, PartitionResult>; read: number }> {
  const want = new Set(ids);
  const byPartition = new Map<string, PartitionResult>();
  let read = 0;
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const r of transport.results(runId, signal)) {
    read++;
    if (!byPartition.has(r.partitionId)) byPartition.set(r.partitionId, r);
    if ([...want].every((p) => byPartition.has(p))) break;
  }
  return { byPartition, read };
}

/** A handler recording each call; `work` decides what the task does (default: return done). */
export function recordingHandler(
  worker: string,
  calls: { worker: string; task: PartitionTask; deliveries: number }[],
  work?: (task: PartitionTask, ctx: TaskContext) => Promise<PartitionResult>,
) {
  return async (task: PartitionTask, ctx: TaskContext): Promise<PartitionResult> => {
    calls.push({ worker, task, deliveries: ctx.deliveries });
    return work ? work(task, ctx) : doneResult(task);
  };
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it is true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}
