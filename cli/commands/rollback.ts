import type { Command } from 'commander';
import {
  discardRollback,
  readerChecksum,
  type RollbackOutcome,
  RunDirectory,
  rollback,
} from '../../coordinator/index.js';
import {
  createLogger,
  type Endpoint,
  FerryError,
  type PartialSettings,
  resolveSettings,
} from '../../core/index.js';
import { currentAudit } from '../audit-hook.js';
import { openTarget } from '../local-run.js';
import { type CommandOptions, typedFlags } from '../settings.js';

/**
 * The run's target: the URL recorded at its start (never with a password), overridden by `--to`, the password
 * from FERRY_TARGET_PASSWORD(_FILE) or the config file as for `ferry resume`.
 */
function targetOf(
  runId: string,
  cmd: Command,
): { stateDir: string; target: Endpoint; logLevel: PartialSettings['logLevel'] } {
  const flags = typedFlags(cmd);
  const base = resolveSettings({ flags, endpoints: 'optional' });
  const info = new RunDirectory(base.stateDir, runId).snapshot().info;
  if (!info) {
    throw new FerryError('NOT_FOUND', `run ${runId} has no start record in ${base.stateDir}`, {
      run: runId,
      hint: 'check the run id and --state-dir',
    });
  }
  const recorded = info.target.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):\*\*\*@/i, '$1@');
  const settings = resolveSettings({ flags: { ...flags, to: flags.to ?? recorded }, endpoints: 'optional' });
  if (!settings.target) throw new FerryError('CONFIG', `run ${runId} has no target`, { run: runId });
  if (/:\*\*\*@/.test(info.target) && !settings.target.password) {
    throw new FerryError(
      'CONFIG',
      `run ${runId} was started with a target password, which ferry never records`,
      {
        run: runId,
        hint: 'give it again: FERRY_TARGET_PASSWORD_FILE=FILE (or FERRY_TARGET_PASSWORD, --to URL, or the config file)',
      },
    );
  }
  return { stateDir: settings.stateDir, target: settings.target, logLevel: settings.logLevel };
}

function describeOutcome(o: RollbackOutcome): string {
  const lines = [o.message];
  for (const t of o.tables) {
    const rows = t.deletedRows !== undefined ? `, ${t.deletedRows} rows removed` : '';
    const sum = t.actual ? `, now ${t.actual.rows} rows, checksum ${t.actual.sum}` : '';
    const status = t.status.replaceAll('-', ' ');
    lines.push(
      `  ${t.target} (${t.action}): ${status}${rows}${sum}${t.error ? ` — ${t.error.message}` : ''}`,
    );
  }
  return lines.join('\n');
}

/** `ferry rollback RUN_ID [--discard] [--keep-side-tables] [--json]`. */
export async function rollbackCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const { stateDir, target: endpoint, logLevel } = targetOf(runId, cmd);
  const logger = createLogger({ level: logLevel });
  const target = await openTarget(endpoint, logger);
  try {
    const audit = currentAudit();
    audit?.note({ runId });
    if (opts.discard) {
      const dropped = await discardRollback({ runId, stateDir, target });
      const message = `run ${runId} kept: its rollback data was discarded (${dropped.length} side table(s) dropped); it can no longer be rolled back`;
      process.stdout.write(opts.json ? `${JSON.stringify({ runId, discarded: dropped })}\n` : `${message}\n`);
      return;
    }
    const outcome = await rollback({
      runId,
      stateDir,
      target,
      checksumOf: readerChecksum(target),
      keepSideTables: Boolean(opts.keepSideTables),
      ...(audit ? { audit: audit.log, invocation: audit.invocation } : {}),
      logger,
    });
    let deleted = 0n;
    for (const t of outcome.tables) deleted += BigInt(t.deletedRows ?? '0');
    audit?.note({ tables: outcome.tables.map((t) => t.table), counts: { rows: deleted.toString() } });
    if (outcome.status === 'failed') {
      const first = outcome.tables.find((t) => t.error)?.error;
      if (first) audit?.fail(new FerryError(first.code as 'VERIFY', first.message));
    }
    process.stdout.write(opts.json ? `${JSON.stringify(outcome)}\n` : `${describeOutcome(outcome)}\n`);
    process.exitCode = outcome.status === 'failed' ? 1 : 0;
  } finally {
    await target.close();
    logger.flush();
  }
}

/** Adds `ferry rollback RUN_ID` to the program. */
export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .argument('<run-id>', 'the run to undo')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option('--config <file>', 'YAML config file, for the target credentials (env FERRY_CONFIG)')
    .option('--to <url>', 'target URL, when the recorded one needs a credential')
    .option('--keep-side-tables', 'keep backups and key snapshots after a verified rollback')
    .option(
      '--discard',
      'keep the run instead: drop its backups and key snapshots; it can no longer be rolled back',
    )
    .option('--log-level <level>', 'terminal log level (default warn)')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .description(
      'undo a run in its target: restore backups or remove exactly the rows it loaded, then verify checksums',
    )
    .action(rollbackCommand);
}
