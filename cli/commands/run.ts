import { Progress } from '../progress.js';
import { type LocalRunOutcome, runLocal } from '../local-run.js';
import type { Command } from 'commander';
import { RunDirectory } from '../../coordinator/index.js';
import { currentAudit } from '../audit-hook.js';
import { FerryError } from '../../core/index.js';
import { type CommandOptions, migrationSettings, resumeSettings } from '../settings.js';
import { printSummary } from '../summary.js';

function finish(outcome: LocalRunOutcome, json: boolean): void {
  const r = outcome.report;
  currentAudit()?.note({
    runId: r.runId,
    tables: r.tables.map((t) => t.table),
    counts: { rows: r.rows, partitions: r.tables.reduce((n, t) => n + t.partitions, 0) },
  });
  printSummary(outcome, json);
  process.exitCode = outcome.report.status === 'succeeded' && outcome.report.verified ? 0 : 1;
}

/** `ferry run`: plan and migrate. */
export async function runCommand(opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = migrationSettings(cmd);
  let progress: Progress | undefined;
  const outcome = await runLocal(settings, {
    hooks: {
      onPlan: (plan) => {
        if (!opts.json) progress = new Progress(plan);
      },
      onResult: (r, t) => progress?.onResult(r, t),
    },
  });
  finish(outcome, Boolean(opts.json));
}

/** `ferry resume RUN_ID`: continue a run; partitions in the target's ledger are not loaded again. */
export async function resumeCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  await continueRun(runId, opts, cmd);
}

/** `ferry retry RUN_ID [--partition P…]`: re-run the failed partitions (or the named ones) of a run. */
export async function retryCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const named = opts.partition as string[] | undefined;
  const settings = resumeSettings(runId, cmd);
  const snap = new RunDirectory(settings.stateDir, runId).snapshot();
  const failed = [...snap.partitions].filter(([, p]) => p.status === 'failed').map(([id]) => id);
  const only = new Set(named ?? failed);
  if (only.size === 0) {
    throw new FerryError('USAGE', `run ${runId} has no failed partitions to retry`, {
      run: runId,
      hint: `see \`ferry status ${runId}\``,
    });
  }
  await continueRun(runId, opts, cmd, only);
}

async function continueRun(
  runId: string,
  opts: CommandOptions,
  cmd: Command,
  onlyPartitions?: Set<string>,
): Promise<void> {
  const settings = resumeSettings(runId, cmd);
  let progress: Progress | undefined;
  const outcome = await runLocal(settings, {
    resumeRunId: runId,
    ...(onlyPartitions ? { onlyPartitions } : {}),
    hooks: {
      onPlan: (plan) => {
        if (!opts.json) progress = new Progress(plan);
      },
      onResult: (r, t) => progress?.onResult(r, t),
    },
  });
  finish(outcome, Boolean(opts.json));
}
