import { FerryError } from '../../core/index.js';
import type { PartitionTask } from '../transport.js';

/**
 * Every JetStream and KV name the NATS transport uses, in one place:
 *
 *   stream FERRY_TASKS_<run>    subject ferry.<run>.tasks     work queue, durable pull consumer `workers`
 *   stream FERRY_RESULTS_<run>  subject ferry.<run>.results   limits retention, read by ordered consumers
 *   KV ferry-runs               <run>.plan, <run>.plan.<hash>.<n>, <run>.lease, <run>.state.<name>,
 *                               <run>.error.<partition hex>
 */

/** The KV bucket holding plans, leases and run state. */
export const RUNS_BUCKET = 'ferry-runs';
/** The durable pull consumer all workers share on a run's task stream. */
export const WORKERS_CONSUMER = 'workers';
/** Stream subjects of every run's task stream, for discovery by workers. */
export const ALL_TASK_SUBJECTS = 'ferry.*.tasks';

const RUN_ID = /^[A-Za-z0-9_-]{1,120}$/;

/** Throws CONFIG unless `runId` can be a NATS subject token, stream-name part and KV key part. */
export function checkRunId(runId: string): string {
  if (!RUN_ID.test(runId)) {
    throw new FerryError('CONFIG', `run id '${runId}' cannot be used with NATS`, {
      run: runId,
      hint: 'run ids for distributed runs may contain only letters, digits, `-` and `_` (at most 120)',
    });
  }
  return runId;
}

export function taskStream(runId: string): string {
  return `FERRY_TASKS_${checkRunId(runId)}`;
}

export function taskSubject(runId: string): string {
  return `ferry.${checkRunId(runId)}.tasks`;
}

export function resultStream(runId: string): string {
  return `FERRY_RESULTS_${checkRunId(runId)}`;
}

export function resultSubject(runId: string): string {
  return `ferry.${checkRunId(runId)}.results`;
}

/** The run id of a task stream name, or undefined for another stream. */
export function runOfTaskStream(stream: string): string | undefined {
  const m = /^FERRY_TASKS_([A-Za-z0-9_-]+)$/.exec(stream);
  return m?.[1];
}

/** `Nats-Msg-Id` of a task: the same (run, partition, attempt) published twice is stored once. */
export function taskMsgId(task: Pick<PartitionTask, 'runId' | 'partitionId' | 'attempt'>): string {
  return `${task.runId}/${task.partitionId}/${task.attempt}`;
}

/** `Nats-Msg-Id` of a result: one result per attempt reaches the coordinator, however often it is reported. */
export function resultMsgId(runId: string, partitionId: string, attempt: number): string {
  return `${runId}/${partitionId}/${attempt}/result`;
}

/**
 * Parses a task message id back into its parts (a partition id may itself contain `/`: the run id cannot,
 * and the attempt is the last segment).
 */
export function parseTaskMsgId(
  id: string,
): { runId: string; partitionId: string; attempt: number } | undefined {
  const first = id.indexOf('/');
  const last = id.lastIndexOf('/');
  if (first <= 0 || last <= first) return undefined;
  const attempt = Number(id.slice(last + 1));
  if (!Number.isInteger(attempt) || attempt < 1) return undefined;
  return { runId: id.slice(0, first), partitionId: id.slice(first + 1, last), attempt };
}

/** KV key holding a per-partition value: partition ids are table names and may hold any character. */
export function partitionKey(runId: string, kind: string, partitionId: string): string {
  return `${checkRunId(runId)}.${kind}.${Buffer.from(partitionId, 'utf8').toString('hex')}`;
}

export function planKey(runId: string): string {
  return `${checkRunId(runId)}.plan`;
}

export function planChunkKey(runId: string, hash: string, index: number): string {
  return `${checkRunId(runId)}.plan.${hash.replace(/[^A-Za-z0-9]/g, '').slice(0, 32)}.${index}`;
}

export function leaseKey(runId: string): string {
  return `${checkRunId(runId)}.lease`;
}

/** KV key of a named piece of run state (`name`: letters, digits, `-`, `_`). */
export function stateKey(runId: string, name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new FerryError('INTERNAL', `run state name '${name}' is not a valid KV key part`, { run: runId });
  }
  return `${checkRunId(runId)}.state.${name}`;
}
