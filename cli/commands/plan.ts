import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { planTotals } from '../../coordinator/index.js';
import { createLogger, formatLogicalType, formatRange, tableName } from '../../core/index.js';
import { openSource, openTarget, planFor } from '../local-run.js';
import { type CommandOptions, migrationSettings } from '../settings.js';

/** `ferry plan`: introspect, map and split, without moving data. */
export async function planCommand(opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = migrationSettings(cmd);
  const logger = createLogger({ level: settings.logLevel });
  const source = await openSource(settings.source, logger);
  try {
    const target = await openTarget(settings.target, logger, { readOnly: true });
    try {
      const plan = await planFor(settings, source, target);
      if (opts.out) writeFileSync(String(opts.out), JSON.stringify(plan, null, 2));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(plan)}\n`);
        return;
      }
      const totals = planTotals(plan);
      const lines = [
        `plan ${plan.hash.slice(0, 16)}: ${totals.tables} tables, ${totals.partitions} partitions, ~${totals.estimatedRows.toLocaleString('en-US')} rows (${plan.source.display} → ${plan.target.display}, mode ${plan.mode})`,
      ];
      for (const t of plan.tables) {
        lines.push(
          '',
          `${tableName(t.source)} → ${tableName(t.target)}: ${t.partitions.length} partitions (${t.partitioning.strategy}: ${t.partitioning.reason})`,
        );
        for (const [i, c] of t.source.columns.entries()) {
          const tc = t.target.columns[i]!;
          lines.push(
            `  ${c.name.padEnd(24)} ${c.nativeType.padEnd(20)} → ${tc.name} ${tc.nativeType} (${formatLogicalType(tc.type)})`,
          );
        }
        for (const p of t.partitions.slice(0, 8))
          lines.push(`  partition ${p.index}: ${formatRange(p.range)} ~${p.estimatedRows} rows`);
        if (t.partitions.length > 8) lines.push(`  … ${t.partitions.length - 8} more`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
