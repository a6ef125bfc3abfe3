import { Progress } from '../progress.js';
import { type LocalRunOutcome, runLocal } from '../local-run.js';
import type { Command } from 'commander';
import { type CommandOptions, migrationSettings, resumeSettings } from '../settings.js';
import { printSummary } from '../summary.js';

function finish(outcome: LocalRunOutcome, json: boolean): void {
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
  const settings = resumeSettings(runId, cmd);
  let progress: Progress | undefined;
  const outcome = await runLocal(settings, {
    resumeRunId: runId,
    hooks: {
      onPlan: (plan) => {
        if (!opts.json) progress = new Progress(plan);
      },
      onResult: (r, t) => progress?.onResult(r, t),
    },
  });
  finish(outcome, Boolean(opts.json));
}
