import type { Command } from 'commander';
import {
  foldEvents,
  type RunEvent,
  RunDirectory,
  type RunInfo,
  type RunSnapshot,
} from '../../coordinator/index.js';
import { describeError, type Plan, resolveSettings, silentLogger, tableName } from '../../core/index.js';
import type { RunQueueStats } from '../../transport/index.js';
import { connectNats } from '../nats.js';
import { type CommandOptions, stateDirOf, typedFlags } from '../settings.js';

/**
 * The run as this machine's run log records it, or — for a distributed run whose coordinator is elsewhere — as
 * NATS records it: the plan from the KV bucket and every result from the run's results stream.
 */
async function runState(
  runId: string,
  cmd: Command,
): Promise<{ plan: Plan; snap: RunSnapshot; queue?: RunQueueStats }> {
  const dir = new RunDirectory(stateDirOf(cmd), runId);
  const settings = resolveSettings({ flags: typedFlags(cmd), endpoints: 'optional' });
  if (!settings.nats) return { plan: dir.readPlan(), snap: dir.snapshot() };
  const nats = await connectNats(settings, silentLogger());
  try {
    const queue = await nats.stats(runId);
    if (dir.exists()) return { plan: dir.readPlan(), snap: dir.snapshot(), queue };
    const plan = await nats.getPlan(runId);
    const info = (await nats.getState<RunInfo>(runId, 'info'))?.value;
    const events: ({ ts: string } & RunEvent)[] = [];
    const ts = new Date().toISOString();
    if (info) events.push({ ts, type: 'run_started', info, planHash: plan.hash });
    // Read the results stored so far (the stream holds `queue.results` of them), then stop.
    const stop = new AbortController();
    let seen = 0;
    if (queue.results > 0) {
      for await (const result of nats.results(runId, stop.signal, { from: 'start' })) {
        events.push({ ts, type: 'partition_result', result });
        if (++seen >= queue.results) break;
      }
    }
    stop.abort();
    const snap = foldEvents(events);
    const all = plan.tables.flatMap((t) => t.partitions);
    if (all.every((p) => snap.partitions.get(p.id)?.status === 'done')) snap.status = 'succeeded';
    return { plan, snap, queue };
  } finally {
    await nats.close();
  }
}

/** `ferry status RUN_ID`: per-table partition counts, failures with their errors, and the live queue with --nats. */
export async function statusCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const { plan, snap, queue } = await runState(runId, cmd);
  const tables = plan.tables.map((t) => {
    const counts = { pending: 0, dispatched: 0, done: 0, failed: 0 };
    for (const p of t.partitions) counts[snap.partitions.get(p.id)?.status ?? 'pending']++;
    return { table: tableName(t.source), partitions: t.partitions.length, ...counts };
  });
  const failures = [...snap.partitions.entries()]
    .filter(([, p]) => p.status === 'failed' && p.result?.error)
    .map(([id, p]) => ({ partition: id, attempt: p.attempts, error: describeError(p.result!.error!) }));
  const status = {
    runId,
    status: snap.status,
    planHash: plan.hash,
    info: snap.info,
    tables,
    failures,
    ...(queue ? { queue } : {}),
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(status)}\n`);
    return;
  }
  const lines = [`run ${runId}: ${snap.status}  (${snap.info?.source} → ${snap.info?.target})`];
  for (const t of tables) {
    lines.push(
      `  ${t.table}: ${t.done}/${t.partitions} done, ${t.failed} failed, ${t.dispatched} in flight, ${t.pending} pending`,
    );
  }
  if (queue)
    lines.push(
      `  queue: ${queue.pending} waiting, ${queue.inFlight} running (${queue.redelivered} redelivered), ${queue.waiting} idle worker slots`,
    );
  for (const f of failures) lines.push(`  failed ${f.partition} (attempt ${f.attempt}): ${f.error}`);
  if (snap.status !== 'succeeded') lines.push(`  continue with: ferry resume ${runId}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
