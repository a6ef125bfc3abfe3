/**
 * The coordinator's side of results:
 *
 *   FERRY_RESULTS_<run> ──ordered consumer from (checkpoint + 1)──► yield result ──(caller handled it)──►
 *       checkpoint = its sequence (KV `<run>.state.results-read`, written at most once a second and at the end)
 *   $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<task stream>.workers ──► dead-letter result (backstop)
 *
 * The result stream keeps every result (limits retention), so nothing depends on the coordinator being
 * attached: a coordinator that restarts continues after the last checkpoint. Results handled after that
 * checkpoint but before the crash come again (at-least-once, at most about a second's worth): callers keep the
 * latest result per partition and attempt. The ordered consumer re-creates itself after a NATS restart.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { FerryError, type Logger, type PartitionResult } from '../../core/index.js';
import { deadLetterResult, parseTask } from './dead-letter.js';
import { resultStream, taskStream, WORKERS_CONSUMER } from './names.js';
import { isFatal, isMissingResource, natsError, reasonOf } from './nats-errors.js';
import type { NatsTransportOptions } from './options.js';
import type { Publisher } from './publisher.js';
import { backoffDelay, sleep, withRetry } from './retry.js';
import type { RunStore } from './run-store.js';
import type { RunResources } from './streams.js';

export interface ResultsDeps {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: () => Promise<JetStreamManager>;
  o: NatsTransportOptions;
  log: Logger;
  resources: RunResources;
  publisher: Publisher;
  store: RunStore;
}

export interface ResultsOptions {
  /**
   * `checkpoint` (default): continue after the last result a previous reader handled, and record progress.
   * `start`: every result from the beginning, recording and creating nothing (observers such as `ferry status`,
   * whose credentials may only read).
   */
  from?: 'checkpoint' | 'start';
}

/** KV state name of the coordinator's read position in the result stream. */
export const RESULTS_CHECKPOINT = 'results-read';
const CHECKPOINT_EVERY_MS = 1000;

/** Iterates a run's results until `signal` aborts; throws a FerryError when NATS stays unreachable. */
export async function* readResults(
  deps: ResultsDeps,
  runId: string,
  signal: AbortSignal,
  options: ResultsOptions = {},
): AsyncGenerator<PartitionResult> {
  const { o, log, store } = deps;
  const keep = options.from !== 'start';
  // Only the run's reader (the coordinator) makes missing streams: an observer's credentials may not create
  // streams (docs/nats-server.example.conf), and an observer has nothing to read from a stream it made.
  if (keep)
    await withRetry(`creating the streams of run ${runId}`, o.recoverRetry, { log, signal }, () =>
      deps.resources.ensure(runId),
    );
  let handled = keep
    ? ((await store.getState<{ seq: number }>(runId, RESULTS_CHECKPOINT))?.value.seq ?? 0)
    : 0;
  let saved = handled;
  let savedAt = performance.now();
  // One write at a time, in the background: a slow or unreachable KV never holds results back.
  let writing: Promise<void> | undefined;
  const save = (force: boolean): Promise<void> | undefined => {
    if (!keep || writing || handled === saved) return writing;
    if (!force && performance.now() - savedAt < CHECKPOINT_EVERY_MS) return undefined;
    const seq = handled;
    savedAt = performance.now();
    writing = store
      .putState(runId, RESULTS_CHECKPOINT, { seq })
      .then(
        () => {
          saved = Math.max(saved, seq);
        },
        (e: unknown) => {
          log.warn(
            { run: runId, seq, reason: reasonOf(e) },
            'NATS: could not record the results read position',
          );
        },
      )
      .finally(() => {
        writing = undefined;
      });
    return writing;
  };
  const advisories = keep ? watchDeadLetters(deps, runId) : undefined;
  let failures = 0;
  try {
    while (!signal.aborted) {
      let stopMessages: (() => void) | undefined;
      try {
        const consumer = await deps.js.consumers.get(resultStream(runId), {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: handled + 1,
        });
        const messages = await consumer.consume({
          max_messages: 256,
          expires: Math.max(o.pullExpiresMs, 1000),
        });
        stopMessages = () => messages.stop();
        signal.addEventListener('abort', stopMessages, { once: true });
        for await (const m of messages) {
          failures = 0;
          let result: PartitionResult | undefined;
          try {
            result = m.json<PartitionResult>();
          } catch {
            log.error(
              { run: runId, seq: m.seq },
              'NATS: message on the result subject is not a result; skipping it',
            );
          }
          if (result) yield result;
          // The caller asked for the next result: it has handled this one.
          handled = m.seq;
          void save(false);
          if (signal.aborted) break;
        }
      } catch (e) {
        if (signal.aborted) break;
        if (isFatal(e)) throw natsError(`reading results of run ${runId}`, e);
        failures++;
        if (failures >= o.recoverRetry.attempts)
          throw natsError(`reading results of run ${runId} (${failures} attempts)`, e);
        const delayMs = backoffDelay(o.recoverRetry, failures);
        log.warn(
          { run: runId, attempt: failures, delayMs, reason: reasonOf(e) },
          'NATS: reading results failed; re-attaching',
        );
        await sleep(delayMs, signal).catch(() => {});
        if (keep && isMissingResource(e)) {
          deps.resources.forget(runId);
          await deps.resources.ensure(runId).catch(() => {});
        }
      } finally {
        if (stopMessages) {
          signal.removeEventListener('abort', stopMessages);
          stopMessages();
        }
      }
    }
  } finally {
    advisories?.unsubscribe();
    await save(true);
    // A write was already running: record the final position after it.
    await save(true);
  }
}

/**
 * Backstop for dead letters: when even the extra delivery that should report a task as failed went unacked,
 * the server gives up on the message and announces it; the coordinator then reports it and removes it.
 */
function watchDeadLetters(deps: ResultsDeps, runId: string): Subscription {
  const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${taskStream(runId)}.${WORKERS_CONSUMER}`;
  return deps.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      let advisory: { stream_seq: number; deliveries: number };
      try {
        advisory = msg.json<{ stream_seq: number; deliveries: number }>();
      } catch {
        return;
      }
      void reportDeadLetter(deps, runId, advisory.stream_seq, advisory.deliveries).catch((e) =>
        deps.log.error(
          { run: runId, seq: advisory.stream_seq, reason: reasonOf(e) },
          'NATS: could not report a dead letter',
        ),
      );
    },
  });
}

/** Publishes the failed result of the task at `seq` in the run's task stream, then deletes the message. */
export async function reportDeadLetter(
  deps: ResultsDeps,
  runId: string,
  seq: number,
  deliveries: number,
): Promise<void> {
  const stream = taskStream(runId);
  const jsm = await deps.jsm();
  const stored = await jsm.streams.getMessage(stream, { seq });
  if (!stored) return;
  const task = parseTask(stored.data);
  if (!task || task instanceof FerryError) return;
  const note = await deps.store.lastNote(runId, task.partitionId);
  deps.log.error(
    { run: runId, partition: task.partitionId, deliveries },
    'NATS: partition reached MaxDeliver; reporting it failed',
  );
  await deps.publisher.publishResult(runId, deadLetterResult(task, deliveries, note));
  await jsm.streams.deleteMessage(stream, seq, false).catch(() => false);
}
