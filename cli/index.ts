/**
 * The `ferry` command. Each subcommand resolves its settings (flag > FERRY_… environment > config file >
 * default), runs, prints a human summary (or one JSON object with --json) and returns the exit status:
 * 0 success; 1 a partition failed or verification found differences; 2 usage or configuration error.
 */
import { Command, CommanderError, Option } from 'commander';
import { describeError, exitCodeFor, scrub, toFerryError } from '../core/index.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';
import { planCommand } from './commands/plan.js';
import { resumeCommand, retryCommand, runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import { workerCommand } from './commands/worker.js';
import { registerRejectsCommand } from './commands/rejects.js';
import { registerRollbackCommand } from './commands/rollback.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerReportCommand } from './commands/report.js';
import { currentAudit, withAudit } from './audit-hook.js';
import { profileCommand, profileOptions } from './commands/profile.js';
import { PrintedConfig } from './settings.js';
import { startTelemetry } from './telemetry.js';

/** Options shared by the commands that move or compare data. */
function migrationOptions(cmd: Command, { target = true } = {}): Command {
  cmd
    .option('--config <file>', 'YAML config file (env FERRY_CONFIG)')
    .option(
      '--from <url>',
      'source URL: duckdb:PATH, parquet:DIR, csv:PATH, postgres://…, mysql://… (env FERRY_FROM)',
    );
  if (target) cmd.option('--to <url>', 'target URL (env FERRY_TO)');
  return cmd
    .option('--tables <list>', 'comma-separated tables, `t` or `schema.t`; default all (env FERRY_TABLES)')
    .option('--target-schema <name>', 'schema for target tables (env FERRY_TARGET_SCHEMA)')
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

function runOptions(cmd: Command): Command {
  return migrationOptions(cmd)
    .addOption(
      new Option(
        '--mode <mode>',
        'what to do with existing target tables (default create; env FERRY_MODE)',
      ).choices(['create', 'truncate', 'append', 'replace']),
    )
    .option('--run-id <id>', 'run id (default: generated; env FERRY_RUN_ID)')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option(
      '--reports-dir <dir>',
      'where reports are written (default results/reports; env FERRY_REPORTS_DIR)',
    )
    .option('--no-verify', 'skip reading each partition back from the target (env FERRY_VERIFY=false)')
    .option(
      '--nats <url>',
      'coordinate `ferry worker` processes over NATS JetStream instead of working locally (env FERRY_NATS_URL)',
    );
}

export function buildProgram(): Command {
  const program = new Command('ferry')
    .description('Parallel, resumable, verified table migrations between databases and file formats')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run `ferry --help` for usage)');

  program
    .command('demo')
    .description(
      'generate a sample DuckDB source and migrate it into a DuckDB target, verified (no servers needed)',
    )
    .option('--rows <n>', 'orders rows to generate (customers are a tenth)', '1000000')
    .option('--dir <dir>', 'where the demo source, target, run state and reports go', 'results/demo')
    .option('--workers <n>', 'partitions in parallel (default: cores)')
    .option('--partition-rows <n>', 'rows per partition', '100000')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .action(demoCommand);

  program
    .command('init')
    .argument('<dir>', 'directory for the new migration project')
    .option('--force', 'overwrite existing files')
    .description('scaffold a migration project: config/, docs/, results/, .env.example')
    .action(initCommand);

  migrationOptions(program.command('plan').description('inspect the source and print the migration plan'))
    .addOption(
      new Option('--mode <mode>', 'write mode recorded in the plan').choices([
        'create',
        'truncate',
        'append',
        'replace',
      ]),
    )
    .option('--out <file>', 'also write the plan JSON to this file')
    .option(
      '--mapping-doc <file>',
      'where ferry plan writes the data-mapping document (default: docs/data_mapping.md beside the config folder when a config file is used)',
    )
    .action(planCommand);

  runOptions(program.command('run').description('plan and run a migration')).action(runCommand);

  program
    .command('resume')
    .argument('<run-id>', 'the run to continue')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option('--reports-dir <dir>', 'where reports are written (default results/reports)')
    .option('--config <file>', 'YAML config file, for credentials (env FERRY_CONFIG)')
    .option('--from <url>', 'source URL, when the recorded one needs a credential')
    .option('--to <url>', 'target URL, when the recorded one needs a credential')
    .option('--workers <n>', 'partitions in parallel (default: cores)')
    .option('--log-level <level>', 'terminal log level (default warn)')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .option('--nats <url>', 'the run is distributed over this NATS (env FERRY_NATS_URL)')
    .description('continue a run: finished partitions are not loaded again')
    .action(resumeCommand);

  program
    .command('retry')
    .argument('<run-id>', 'the run')
    .option('--partition <id...>', 'partition ids to re-run (default: every failed partition)')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option('--reports-dir <dir>', 'where reports are written (default results/reports)')
    .option('--config <file>', 'YAML config file, for credentials (env FERRY_CONFIG)')
    .option('--from <url>', 'source URL, when the recorded one needs a credential')
    .option('--to <url>', 'target URL, when the recorded one needs a credential')
    .option('--workers <n>', 'partitions in parallel (default: cores)')
    .option('--log-level <level>', 'terminal log level (default warn)')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .option('--nats <url>', 'the run is distributed over this NATS (env FERRY_NATS_URL)')
    .description('re-run failed partitions of a run (after fixing their cause)')
    .action(retryCommand);

  migrationOptions(
    program
      .command('verify')
      .description('compare source and target by per-partition checksums; list differing keys'),
  ).action(verifyCommand);

  program
    .command('status')
    .argument('<run-id>', 'the run')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option('--json', 'print one machine-readable JSON result on stdout')
    .option('--nats <url>', 'also show the live queue of a distributed run (env FERRY_NATS_URL)')
    .description('show the state of a run')
    .action(statusCommand);

  registerRejectsCommand(program);
  registerRollbackCommand(program);
  registerAuditCommands(program);
  registerReportCommand(program);

  profileOptions(
    program
      .command('profile')
      .description('profile a source: inventory, column statistics, keys, orphans, PII'),
  ).action(profileCommand);

  program
    .command('worker')
    .description('take partitions of any run from NATS JetStream and migrate them (one per pod)')
    .option('--nats <url>', 'NATS server URL(s), comma-separated (env FERRY_NATS_URL)')
    .option('--concurrency <n>', 'partitions at a time (default: cores)')
    .option(
      '--grace-period <seconds>',
      'on SIGTERM, time to finish running partitions before handing them back',
      '60',
    )
    .option(
      '--health-addr <host:port>',
      'serve /healthz and /readyz here (loopback by default; 0.0.0.0:8080 in a pod)',
    )
    .option('--config <file>', 'YAML config file, for credentials (env FERRY_CONFIG)')
    .option('--log-level <level>', 'terminal log level (default warn)')
    .action(workerCommand);

  return program;
}

/** Runs the CLI; returns the exit status instead of exiting, so tests can call it in-process. */
export function main(argv: string[]): Promise<number> {
  // Every command leaves a started and a finished entry in the hash-chained audit log.
  return withAudit(argv, () => runMain(argv));
}

async function runMain(argv: string[]): Promise<number> {
  const program = buildProgram();
  const stopTelemetry = await startTelemetry(argv[2] ?? 'ferry');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof PrintedConfig) return 0;
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    const err = toFerryError(e);
    currentAudit()?.fail(err);
    const json = argv.includes('--json');
    if (json)
      process.stdout.write(
        `${JSON.stringify({ ok: false, error: err.toJSON() }, (_k, v) => (typeof v === 'string' ? scrub(v) : v))}\n`,
      );
    process.stderr.write(`ferry: ${scrub(describeError({ ...err.toJSON(), stack: undefined }))}\n`);
    if (err.code === 'INTERNAL' && err.stack && process.env.FERRY_DEBUG)
      process.stderr.write(`${scrub(err.stack)}\n`);
    return exitCodeFor(err.code);
  } finally {
    await stopTelemetry();
  }
}
