/**
 * Which partitions have nothing in NATS that will ever finish them:
 *
 *   consumer info (num_ack_pending, delivered) ─► walk the task stream (next message by subject, 16 lanes)
 *     ─► expected − partitions with a stored task  = missing (re-publish them with a new attempt)
 *     ─► stored tasks already delivered while nothing is pending = dead letters (report, delete)
 *
 * A work-queue stream keeps a task until it is acknowledged, so a task waiting for a worker and a task a
 * worker is running are both still stored: "no stored task" means "not queued and not in flight".
 */
import type { JetStreamManager, MsgRequest } from '@nats-io/jetstream';
import type { Logger } from '../../core/index.js';
import { parseTask } from './dead-letter.js';
import { taskStream, taskSubject, WORKERS_CONSUMER } from './names.js';
import { isMissingResource } from './nats-errors.js';

const LANES = 16;

export interface StoredTasks {
  /** Partition id → stream sequences of its stored tasks. */
  partitions: Map<string, number[]>;
  /** Stream sequences delivered already while nothing was pending: tasks the consumer will never deliver again. */
  dead: number[];
}

/** Reads the partition ids of every task stored in a run's task stream; undefined when there is no stream. */
export async function storedTasks(
  jsm: JetStreamManager,
  runId: string,
  log: Logger,
): Promise<StoredTasks | undefined> {
  const stream = taskStream(runId);
  const subject = taskSubject(runId);
  let first: number;
  let last: number;
  let deliveredUpTo = 0;
  let idle = false;
  try {
    // Consumer first: a task delivered after this read is above `deliveredUpTo` and never taken for dead.
    const ci = await jsm.consumers.info(stream, WORKERS_CONSUMER).catch((e) => {
      if (isMissingResource(e)) return undefined;
      throw e;
    });
    if (ci) {
      deliveredUpTo = ci.delivered.stream_seq;
      idle = ci.num_ack_pending === 0;
    }
    const si = await jsm.streams.info(stream);
    if (si.state.messages === 0) return { partitions: new Map(), dead: [] };
    first = si.state.first_seq;
    last = si.state.last_seq;
  } catch (e) {
    if (isMissingResource(e)) return undefined;
    throw e;
  }
  const partitions = new Map<string, number[]>();
  const dead: number[] = [];
  const span = last - first + 1;
  const lanes = Math.max(1, Math.min(LANES, Math.ceil(span / 1000)));
  const width = Math.ceil(span / lanes);
  const walk = async (from: number, to: number) => {
    let seq = from;
    while (seq <= to) {
      // `next_by_subj` (nats-server ≥ 2.9): the first stored message at or after `seq`, skipping acked gaps.
      const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest);
      if (!m || m.seq > to) return;
      const task = parseTask(m.data);
      if (task && !(task instanceof Error)) {
        const seqs = partitions.get(task.partitionId);
        if (seqs) seqs.push(m.seq);
        else partitions.set(task.partitionId, [m.seq]);
        if (idle && m.seq <= deliveredUpTo) dead.push(m.seq);
      } else {
        log.warn({ run: runId, seq: m.seq }, 'NATS: unreadable message in the task stream');
      }
      seq = m.seq + 1;
    }
  };
  await Promise.all(
    Array.from({ length: lanes }, (_, i) =>
      walk(first + i * width, Math.min(last, first + (i + 1) * width - 1)),
    ),
  );
  return { partitions, dead };
}

/** `expected` minus the partitions that have a stored task (in `expected`'s order). */
export function missingPartitions(expected: readonly string[], stored: StoredTasks | undefined): string[] {
  if (!stored) return [...expected];
  return expected.filter((p) => !stored.partitions.has(p));
}
