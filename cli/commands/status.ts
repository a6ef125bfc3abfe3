import type { Command } from 'commander';
import { RunDirectory } from '../../coordinator/index.js';
import { describeError, tableName } from '../../core/index.js';
import { type CommandOptions, stateDirOf } from '../settings.js';

/** `ferry status RUN_ID`: per-table partition counts from the run's event log. */
export async function statusCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const dir = new RunDirectory(stateDirOf(cmd), runId);
  const plan = dir.readPlan();
  const snap = dir.snapshot();
  const tables = plan.tables.map((t) => {
    const counts = { pending: 0, dispatched: 0, done: 0, failed: 0 };
    for (const p of t.partitions) counts[snap.partitions.get(p.id)?.status ?? 'pending']++;
    return { table: tableName(t.source), partitions: t.partitions.length, ...counts };
  });
  const failures = [...snap.partitions.entries()]
    .filter(([, p]) => p.status === 'failed' && p.result?.error)
    .map(([id, p]) => ({ partition: id, attempt: p.attempts, error: describeError(p.result!.error!) }));
  const status = { runId, status: snap.status, planHash: plan.hash, info: snap.info, tables, failures };
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
  for (const f of failures) lines.push(`  failed ${f.partition} (attempt ${f.attempt}): ${f.error}`);
  if (snap.status !== 'succeeded') lines.push(`  continue with: ferry resume ${runId}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
