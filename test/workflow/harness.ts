import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { openSource, openTarget, planFor } from '../../cli/local-run.js';
import { prepareRollback, type RollbackManifest, readerChecksum } from '../../coordinator/index.js';
import {
  type Checksum,
  parseEndpoint,
  resolveSettings,
  type SettingsFlags,
  silentLogger,
  type TableRef,
} from '../../core/index.js';
import { reportSignal } from '../helpers/services.js';

/**
 * The workflow tests' harness. `ferry` runs as a subprocess through audited-cli.mjs (bin/ferry.js plus the audit
 * trail and the `audit`/`rollback` commands, until cli/index.ts registers them) on the compiled code: run
 * `npm run build` first.
 *
 * The run flow does not call `prepareRollback` yet, so `prepareRun` does what it will do: plan with the very
 * settings the CLI resolves (same plan, same hash) and prepare the rollback before `ferry run` starts.
 */
export const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'test', 'workflow', 'audited-cli.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ferry …args` with a clean FERRY_* environment plus `env`. */
export function ferry(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith('FERRY_')) childEnv[k] = v;
  Object.assign(childEnv, { CI: '1' }, env);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) stderr = reportSignal('harness', args, child.pid, signal, stderr);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Settings exactly as `ferry run` resolves these flags (no FERRY_* environment, no implicit config file). */
function settingsOf(flags: SettingsFlags) {
  return resolveSettings({ flags, env: {}, configFile: flags.config ?? false, cwd: ROOT });
}

/** What the run flow will do before preparing tables: plan, then `prepareRollback` into the run directory. */
export async function prepareRun(flags: SettingsFlags): Promise<RollbackManifest> {
  const settings = settingsOf(flags);
  const logger = silentLogger();
  const source = await openSource(settings.source, logger);
  try {
    const target = await openTarget(settings.target, logger);
    try {
      const plan = await planFor(settings, source, target);
      return await prepareRollback({
        plan,
        target,
        runId: settings.runId,
        stateDir: settings.stateDir,
        checksumOf: readerChecksum(target, settings.batchRows),
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** A table's whole checksum through the target's reader (undefined when the table does not exist). */
export async function targetChecksum(url: string, table: TableRef): Promise<Checksum | undefined> {
  const target = await openTarget(parseEndpoint(url), silentLogger());
  try {
    const spec = await target.describe(table);
    return spec ? await readerChecksum(target)(spec) : undefined;
  } finally {
    await target.close();
  }
}

/** `ferry run` arguments for a run into `to` with the state and reports under `dir`. */
export function runArgs(o: {
  from: string;
  to: string;
  dir: string;
  runId: string;
  mode: string;
  config?: string;
}): string[] {
  return [
    'run',
    '--from',
    o.from,
    '--to',
    o.to,
    '--mode',
    o.mode,
    '--run-id',
    o.runId,
    '--partition-rows',
    '40',
    '--workers',
    '2',
    '--state-dir',
    join(o.dir, 'runs'),
    '--reports-dir',
    join(o.dir, 'reports'),
    '--json',
    ...(o.config ? ['--config', o.config] : []),
  ];
}

/** The SettingsFlags of `runArgs` (for `prepareRun`). */
export function runFlags(o: {
  from: string;
  to: string;
  dir: string;
  runId: string;
  mode: string;
  config?: string;
}): SettingsFlags {
  return {
    from: o.from,
    to: o.to,
    mode: o.mode,
    runId: o.runId,
    partitionRows: '40',
    workers: '2',
    stateDir: join(o.dir, 'runs'),
    reportsDir: join(o.dir, 'reports'),
    ...(o.config ? { config: o.config } : {}),
  };
}
