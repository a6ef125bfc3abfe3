import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type CandidateKey,
  type ConfiguredForeignKey,
  plural,
  profileSource,
  type RequiredColumn,
  writeProfile,
} from '../../coordinator/index.js';
import { createLogger, type Endpoint, FerryError } from '../../core/index.js';
import type { ProfileReport } from '../../profiling/index.js';
import { BatchPool } from '../../worker/index.js';
import { openSource } from '../local-run.js';
import { type CommandOptions, positiveInt, sourceSettings } from '../settings.js';

/** Collects a repeatable flag's values (each may also hold several, comma-separated). */
function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/** The options of `ferry profile`, added to `cmd` (the CLI registers the command with them). */
export function profileOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'YAML config file (env FERRY_CONFIG)')
    .option(
      '--from <url>',
      'source URL: duckdb:PATH, parquet:DIR, csv:PATH, postgres://…, mysql://… (env FERRY_FROM)',
    )
    .option('--tables <list>', 'comma-separated tables, `t` or `schema.t`; default all (env FERRY_TABLES)')
    .option('--out <dir>', 'where the report files go (default: results/profiles, beside reports_dir)')
    .option(
      '--name <name>',
      'report file name without extension (default: from the source, e.g. the database name)',
    )
    .option(
      '--candidate-key <table:col+col>',
      'a key expected to be unique, checked for duplicates (repeatable), e.g. customers:email+full_name',
      collect,
    )
    .option(
      '--required <table.col>',
      'a column the business rules require, checked for NULLs (repeatable)',
      collect,
    )
    .option(
      '--foreign-key <table.col=parent.col>',
      'a relationship the source does not declare, checked for orphans (repeatable), e.g. orders.customer_id=customers.id',
      collect,
    )
    .option('--show-pii', 'show values of columns flagged as personal data unmasked in the report')
    .option('--partition-rows <n>', 'rows per partition (default 250000; env FERRY_PARTITION_ROWS)')
    .option(
      '--partition-bytes <size>',
      'bytes per partition instead of rows, e.g. 256MB, from the source\'s size estimate (env FERRY_PARTITION_BYTES)',
    )
    .option('--batch-rows <n>', 'rows per Arrow batch (default 10000; env FERRY_BATCH_ROWS)')
    .option('--workers <n>', 'partitions in parallel and pool threads (default: cores; env FERRY_WORKERS)')
    .option(
      '--log-level <level>',
      'terminal log level: debug|info|warn|error|silent (default warn; env FERRY_LOG_LEVEL)',
    )
    .option('--json', 'print one machine-readable JSON result on stdout')
    .option(
      '--print-config',
      'print the resolved settings (passwords as ***) and where each came from, then exit',
    );
}

function splitLast(text: string, sep: string, flag: string, form: string): [string, string] {
  const i = text.lastIndexOf(sep);
  if (i <= 0 || i === text.length - 1) {
    throw new FerryError('USAGE', `${flag} "${text}" is not of the form ${form}`);
  }
  return [text.slice(0, i), text.slice(i + 1)];
}

const columnsOf = (list: string) =>
  list
    .split('+')
    .map((c) => c.trim())
    .filter(Boolean);

/** `customers:email+full_name` → a candidate key. */
export function parseCandidateKey(text: string): CandidateKey {
  const [table, cols] = splitLast(text, ':', '--candidate-key', 'table:column+column');
  return { table, columns: columnsOf(cols) };
}

/** `customers.country` (or `schema.table.column`) → a required column. */
export function parseRequired(text: string): RequiredColumn {
  const [table, column] = splitLast(text, '.', '--required', 'table.column');
  return { table, column };
}

/** `orders.customer_id=customers.customer_id` (`+` between columns of a composite key) → a relationship. */
export function parseForeignKey(text: string): ConfiguredForeignKey {
  const [child, parent] = text.split('=');
  if (!child || !parent || text.split('=').length !== 2) {
    throw new FerryError('USAGE', `--foreign-key "${text}" is not of the form table.column=parent.column`);
  }
  const [table, cols] = splitLast(child, '.', '--foreign-key', 'table.column=parent.column');
  const [references, refCols] = splitLast(parent, '.', '--foreign-key', 'table.column=parent.column');
  return { table, columns: columnsOf(cols), references, referencedColumns: columnsOf(refCols) };
}

/** The default report name: the file's base name, or the database name, as a safe file name. */
export function profileName(source: Endpoint): string {
  const raw = source.path
    ? basename(source.path, extname(source.path))
    : (source.database ?? source.connector);
  const safe = raw.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '');
  return safe || 'profile';
}

function summary(report: ProfileReport, files: { markdown: string; json: string; html: string }): string {
  const rows = report.tables.reduce((sum, t) => sum + t.rows, 0);
  const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
  const lines = [
    `profile ${report.name}: ${plural(report.tables.length, 'table')}, ${plural(rows, 'row')} in ${report.durationSeconds} s — ${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(count('info'), 'note')}`,
  ];
  const serious = report.findings.filter((f) => f.severity !== 'info');
  for (const f of serious.slice(0, 20)) lines.push(`  ${f.severity.padEnd(8)} ${f.message}`);
  if (serious.length > 20) lines.push(`  … ${serious.length - 20} more in the report`);
  if (report.pii.length) {
    lines.push(
      `  personal data: ${report.pii.map((p) => `${p.table}.${p.column} (${p.category.replace('_', ' ')})`).join(', ')}`,
    );
  }
  lines.push(`reports: ${files.markdown}`, `         ${files.json}`, `         ${files.html}`);
  return `${lines.join('\n')}\n`;
}

/** `ferry profile`: read the source in parallel partitions and write a Markdown, JSON and HTML profile. */
export async function profileCommand(opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = sourceSettings(cmd);
  const list = (key: string) => (opts[key] as string[] | undefined) ?? [];
  const candidateKeys = list('candidateKey').map(parseCandidateKey);
  const required = list('required').map(parseRequired);
  const foreignKeys = list('foreignKey').map(parseForeignKey);
  const out = opts.out ? resolve(String(opts.out)) : join(dirname(settings.reportsDir), 'profiles');
  const name = opts.name ? String(opts.name) : profileName(settings.source);
  const workers = opts.workers ? positiveInt(opts.workers, '--workers') : settings.workers;
  const logger = createLogger({ level: settings.logLevel });
  const say = (s: string) => {
    if (!opts.json) process.stderr.write(`${s}\n`);
  };
  const source = await openSource(settings.source, logger);
  const pool = new BatchPool(workers);
  try {
    const report = await profileSource({
      source,
      sourceDisplay: settings.source.display,
      name,
      tables: settings.tables.map((t) => t.name),
      candidateKeys,
      required,
      foreignKeys,
      partitionRows: settings.partitionRows,
      ...(settings.partitionBytes !== undefined ? { partitionBytes: settings.partitionBytes } : {}),
      batchRows: settings.batchRows,
      concurrency: workers,
      profileBatch: (batch, spec) => pool.profileBatch(batch, spec),
      showPii: opts.showPii === true,
      logger,
      onTable: (table, rows, done, total) =>
        say(`  ${table}: ${rows.toLocaleString('en-US')} rows (${done}/${total} tables)`),
    });
    const files = writeProfile(report, out);
    if (opts.json) {
      const severity = (s: string) => report.findings.filter((f) => f.severity === s).length;
      process.stdout.write(
        `${JSON.stringify({
          ok: true,
          name: report.name,
          files,
          tables: report.tables.length,
          rows: report.tables.reduce((sum, t) => sum + t.rows, 0),
          errors: severity('error'),
          warnings: severity('warning'),
          notes: severity('info'),
          findings: report.findings,
          pii: report.pii,
        })}\n`,
      );
    } else process.stdout.write(summary(report, files));
  } finally {
    await pool.close();
    await source.close();
    logger.flush();
  }
}
