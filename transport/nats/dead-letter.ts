import { FerryError, type PartitionResult } from '../../core/index.js';
import { type PartitionTask, TASK_SCHEMA } from '../transport.js';
import type { DeliveryNote } from './run-store.js';

/** The table part of a partition id (`<table>#<index>`), for results built without reading the plan. */
export function tableOfPartition(partitionId: string): string {
  const hash = partitionId.lastIndexOf('#');
  return hash > 0 ? partitionId.slice(0, hash) : '';
}

/**
 * The failed result reported for a task JetStream delivered `deliveries` times without an acknowledgement
 * (workers crashed, were stopped, or held it past AckWait without a heartbeat). Not retryable: the operator
 * sees a dead letter and retries it deliberately.
 */
export function deadLetterResult(
  task: PartitionTask,
  deliveries: number,
  note?: DeliveryNote,
): PartitionResult {
  const last = note ? `; the last delivery ended with: ${note.message}` : '';
  const error = new FerryError(
    'PARTITION_FAILED',
    `partition ${task.partitionId} (attempt ${task.attempt}) was delivered ${deliveries} times and never finished${last}`,
    {
      run: task.runId,
      partition: task.partitionId,
      retryable: false,
      hint: `workers crashed, were stopped or exceeded AckWait on it each time; fix the cause, then \`ferry retry ${task.runId} --partition ${task.partitionId}\``,
    },
  );
  return {
    partitionId: task.partitionId,
    table: tableOfPartition(task.partitionId),
    attempt: task.attempt,
    status: 'failed',
    bytes: 0,
    durationMs: 0,
    error: error.toJSON(),
  };
}

/** A failed result for a task whose handler threw (handlers report failures as results; a throw is a bug). */
export function thrownResult(task: PartitionTask, error: FerryError): PartitionResult {
  return {
    partitionId: task.partitionId,
    table: tableOfPartition(task.partitionId),
    attempt: task.attempt,
    status: 'failed',
    bytes: 0,
    durationMs: 0,
    error: error.toJSON(),
  };
}

/** Parses a task message body; undefined when it is not a task at all, a CONFIG error for another schema. */
export function parseTask(data: Uint8Array): PartitionTask | FerryError | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  const t = raw as Partial<PartitionTask> | null;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.runId !== 'string' ||
    typeof t.partitionId !== 'string' ||
    !Number.isInteger(t.attempt)
  ) {
    return undefined;
  }
  if (t.schema !== TASK_SCHEMA) {
    return new FerryError(
      'CONFIG',
      `task of partition ${t.partitionId} has message schema ${String(t.schema)}; this worker reads schema ${TASK_SCHEMA}`,
      {
        run: t.runId,
        partition: t.partitionId,
        hint: 'run the same ferry version for the coordinator and the workers',
      },
    );
  }
  return { schema: TASK_SCHEMA, runId: t.runId, partitionId: t.partitionId, attempt: t.attempt! };
}
