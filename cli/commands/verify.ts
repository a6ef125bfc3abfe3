import type { Command } from 'commander';
import { verifyPlan } from '../../coordinator/index.js';
import { createLogger } from '../../core/index.js';
import { BatchPool } from '../../worker/index.js';
import { openSource, openTarget, planFor } from '../local-run.js';
import { type CommandOptions, migrationSettings } from '../settings.js';

/** `ferry verify`: per-partition checksums of source and target; on a mismatch, the differing keys. Exit 1 on any difference. */
export async function verifyCommand(opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = migrationSettings(cmd);
  const logger = createLogger({ level: settings.logLevel });
  const source = await openSource(settings.source, logger);
  const target = await openTarget(settings.target, logger, { readOnly: true });
  const pool = new BatchPool(settings.workers);
  try {
    const plan = await planFor(
      { ...settings, mode: 'append', tables: settings.tables.map((t) => ({ ...t, mode: 'append' })) },
      source,
      target,
    );
    const reader = await target.reader();
    try {
      const outcome = await verifyPlan({
        plan,
        source,
        target: reader,
        concurrency: settings.workers,
        ...(settings.transformSalt ? { transformSalt: settings.transformSalt } : {}),
        checksumOf: async (batches, rules) =>
          (await pool.checksumStream(batches, rules ? { rules } : {})).checksum,
      });
      process.exitCode = outcome.ok ? 0 : 1;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(outcome)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const t of outcome.tables) {
        lines.push(
          `${t.table} → ${t.target}: ${t.equal ? 'equal' : 'DIFFERENT'} — source ${t.source.rows} rows, target ${t.targetChecksum.rows} rows, ${t.partitions} partitions${t.mismatched ? `, ${t.mismatched} differ` : ''}${t.rejected ? `; ${t.rejected} source rows rejected by the mapping, not expected in the target` : ''}${t.comparedBy === 'table' ? ' (compared as a whole table)' : ''}`,
        );
        if (t.error) lines.push(`  ${t.target}: ${t.error.message}`);
      }
      for (const p of outcome.partitions.filter((v) => !v.equal)) {
        if (p.error) lines.push(`  partition ${p.partitionId}: ${p.error.message}`);
        if (p.changed?.length)
          lines.push(`  partition ${p.partitionId}: changed keys ${p.changed.join(', ')}`);
        if (p.missing?.length)
          lines.push(`  partition ${p.partitionId}: missing in target ${p.missing.join(', ')}`);
        if (p.extra?.length)
          lines.push(`  partition ${p.partitionId}: extra in target ${p.extra.join(', ')}`);
        if (p.truncated) lines.push(`  partition ${p.partitionId}: more differences not shown`);
      }
      lines.push(outcome.ok ? 'verified: source and target are equal' : 'verification FAILED');
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await reader.close();
    }
  } finally {
    await pool.close();
    await source.close();
    await target.close();
  }
}
