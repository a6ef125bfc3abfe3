import type { Command } from 'commander';
import { RunDirectory } from '../../coordinator/index.js';
import { FerryError } from '../../core/index.js';
import { type RejectFileSummary, type RejectRecord, RejectStore } from '../../transform/index.js';
import { type CommandOptions, stateDirOf } from '../settings.js';

/** Rows shown when `--limit` is not given. */
const DEFAULT_LIMIT = 100;

/** A table filter matches `schema.table` exactly, or its bare name. */
function tableMatches(table: string, wanted: string | undefined): boolean {
  return wanted === undefined || table === wanted || table.endsWith(`.${wanted}`);
}

function limitOf(value: unknown): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new FerryError('USAGE', `--limit must be a whole number ≥ 0, got "${String(value)}"`, {
      hint: '--limit 0 shows every row',
    });
  return n;
}

/**
 * `ferry rejects RUN_ID [--table T] [--partition P] [--limit N] [--json]`: the rows a run's mapping and
 * business rules rejected, from the reject store (`<state_dir>/<run>/rejects/`), with the rule and the reason;
 * counts per table and rule first. `--limit` (default 100; 0 = all) bounds the rows listed, not the counts.
 */
export async function rejectsCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const stateDir = stateDirOf(cmd);
  if (!new RunDirectory(stateDir, runId).exists())
    throw new FerryError('NOT_FOUND', `run ${runId} does not exist in ${stateDir}`, {
      run: runId,
      hint: 'give the state directory of the run: --state-dir DIR or --config FILE',
    });
  const table = opts.table === undefined ? undefined : String(opts.table);
  const partition = opts.partition === undefined ? undefined : String(opts.partition);
  const limit = limitOf(opts.limit);
  const store = new RejectStore(stateDir);
  const files = (await store.list(runId)).filter(
    (f) => tableMatches(f.table, table) && (partition === undefined || f.partition === partition),
  );
  const total = files.reduce((n, f) => n + f.rows, 0);
  const rows: RejectRecord[] = [];
  for (const f of files) {
    if (limit !== 0 && rows.length >= limit) break;
    for await (const r of store.read(runId, { table: f.table, partition: f.partition })) {
      if (limit !== 0 && rows.length >= limit) break;
      rows.push(r);
    }
  }
  const tables = byTable(files);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ run: runId, total, tables, shown: rows.length, rejects: rows })}\n`,
    );
    return;
  }
  const lines = [
    `run ${runId}: ${total} rejected row${total === 1 ? '' : 's'}${table ? ` of ${table}` : ''}${partition ? ` in ${partition}` : ''}`,
  ];
  for (const t of tables) {
    const rules = Object.entries(t.byRule)
      .sort((a, b) => b[1] - a[1])
      .map(([rule, n]) => `${rule} ${n}`)
      .join(', ');
    lines.push(`  ${t.table}: ${t.rows} (${rules})`);
  }
  if (rows.length) lines.push('');
  for (const r of rows) lines.push(`${r.partition}  ${r.key}  [${r.rule}]  ${r.reason}`);
  if (rows.length < total)
    lines.push(
      '',
      `${total - rows.length} more not shown: --limit 0 lists every row, --json gives whole source rows`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Counts per table and rule over a run's reject files. */
function byTable(
  files: RejectFileSummary[],
): { table: string; rows: number; byRule: Record<string, number> }[] {
  const out = new Map<string, { table: string; rows: number; byRule: Record<string, number> }>();
  for (const f of files) {
    const t = out.get(f.table) ?? { table: f.table, rows: 0, byRule: {} };
    t.rows += f.rows;
    for (const [rule, n] of Object.entries(f.byRule)) t.byRule[rule] = (t.byRule[rule] ?? 0) + n;
    out.set(f.table, t);
  }
  return [...out.values()];
}

/**
 * Registers `ferry rejects` on the program (cli/index.ts); does nothing when it is already there, so a test
 * may call it on `buildProgram()` whether or not the command is registered.
 */
export function registerRejectsCommand(program: Command): Command {
  if (program.commands.some((c) => c.name() === 'rejects')) return program;
  program
    .command('rejects')
    .argument('<run-id>', 'the run')
    .option('--table <name>', 'only this table (`t` or `schema.t`)')
    .option('--partition <id>', 'only this partition, e.g. `public.users#3`')
    .option('--limit <n>', 'rows listed (default 100; 0: all); counts always cover every row')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option('--config <file>', 'YAML config file, for state_dir (env FERRY_CONFIG)')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .description('list the rows a run rejected (mapping and business rules), with the rule and the reason')
    .action(rejectsCommand);
  return program;
}
