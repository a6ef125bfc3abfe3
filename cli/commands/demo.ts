import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { generateRunId, parseEndpoint } from '../../core/index.js';
import { runLocal } from '../local-run.js';
import { Progress } from '../progress.js';
import { printSummary } from '../summary.js';
import { positiveInt } from '../settings.js';

interface DemoOptions {
  rows: string;
  dir: string;
  workers?: string;
  partitionRows: string;
  json?: boolean;
}

/**
 * `ferry demo`: the whole flow on embedded DuckDB — generate a deterministic source (reused when it already
 * has the requested size), migrate it into a fresh DuckDB target with verification, write the reports.
 */
export async function demoCommand(opts: DemoOptions): Promise<void> {
  const rows = positiveInt(opts.rows, '--rows');
  const dir = resolve(opts.dir);
  const sourcePath = join(dir, 'source.duckdb');
  const marker = join(dir, 'source.rows');
  const say = (s: string) => {
    if (!opts.json) process.stderr.write(`${s}\n`);
  };
  if (!existsSync(sourcePath) || !existsSync(marker) || readFileSync(marker, 'utf8') !== String(rows)) {
    say(`generating the demo source: ${rows.toLocaleString('en-US')} orders → ${sourcePath}`);
    // Imported here, not at the top: DuckDB's native library was ~17 MB of every other command's memory.
    const { generateDemoSource } = await import('../demo-data.js');
    const made = await generateDemoSource(sourcePath, rows);
    writeFileSync(marker, String(rows));
    say(
      `  customers ${made.customers.toLocaleString('en-US')}, orders ${made.orders.toLocaleString('en-US')}`,
    );
  }
  const targetPath = join(dir, 'target.duckdb');
  rmSync(targetPath, { force: true });
  rmSync(`${targetPath}.wal`, { force: true });
  let progress: Progress | undefined;
  const outcome = await runLocal(
    {
      source: parseEndpoint(`duckdb:${sourcePath}`),
      target: parseEndpoint(`duckdb:${targetPath}`),
      tables: [],
      runId: generateRunId(),
      mode: 'create',
      workers: opts.workers ? positiveInt(opts.workers, '--workers') : availableParallelism(),
      partitionRows: positiveInt(opts.partitionRows, '--partition-rows'),
      batchRows: 10_000,
      stateDir: join(dir, 'runs'),
      reportsDir: join(dir, 'reports'),
      verify: true,
      logLevel: 'warn',
      onError: 'continue',
    },
    {
      hooks: {
        onPlan: (plan) => {
          if (!opts.json) progress = new Progress(plan);
        },
        onResult: (r, t) => progress?.onResult(r, t),
      },
    },
  );
  printSummary(outcome, Boolean(opts.json));
  process.exitCode = outcome.report.status === 'succeeded' && outcome.report.verified ? 0 : 1;
}
