/**
 * Every `ferry` command is recorded in the audit log (coordinator/audit):
 *
 *   withAudit(argv, run) ─► entry `started` (command, redacted arguments, run id when given) ─► run()
 *     ─► entry `finished` (exit status, error code, run id, tables and counts the command noted, duration)
 *
 * Commands add what they learn through `currentAudit()?.note({ runId, tables, counts })` (an AsyncLocalStorage
 * context, so no parameter threads through the command code), and the CLI's error handler reports the error
 * it turned into an exit status with `currentAudit()?.fail(err)`. If the log cannot be written, the command
 * does not run (exit 2): an unrecorded command is worse than a refused one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AuditCounts,
  AuditLog,
  type AuditRecord,
  auditIdentity,
  auditLogPath,
  newInvocationId,
  redactArgs,
} from '../coordinator/index.js';
import { exitCodeFor, scrub, toFerryError } from '../core/index.js';

/** What a command tells the audit trail about itself; later notes add to and override earlier ones. */
export interface AuditNote {
  runId?: string;
  tables?: string[];
  counts?: AuditCounts;
}

/** The audit context of the command being run. */
export interface AuditContext {
  /** Pairs this command's entries (and a `rollback` entry it causes). */
  readonly invocation: string;
  readonly log: AuditLog;
  note(fields: AuditNote): void;
  /** Records the error that ended the command: its code goes into the `finished` entry. */
  fail(error: unknown): void;
}

const storage = new AsyncLocalStorage<AuditContext>();

/** The audit context of the command running in this async context, if any. */
export function currentAudit(): AuditContext | undefined {
  return storage.getStore();
}

/** Commands whose first argument is a run id. */
const RUN_ID_FIRST = new Set(['resume', 'retry', 'status', 'rollback', 'rejects', 'report']);

/** The run id an argument list names: `--run-id X`, `--run-id=X`, or the run-id argument. */
function runIdOf(command: string, rest: string[]): string | undefined {
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--run-id' && rest[i + 1]) return rest[i + 1];
    if (a.startsWith('--run-id=')) return a.slice('--run-id='.length);
  }
  if (RUN_ID_FIRST.has(command) && rest[0] && !rest[0].startsWith('-')) return rest[0];
  return undefined;
}

export interface WithAuditOptions {
  /** Default: `FERRY_AUDIT_LOG`, else `results/audit/audit.log` of the working directory. */
  log?: AuditLog;
  /** Where warnings and refusals are written (default stderr). */
  stderr?: (text: string) => void;
}

/**
 * Runs one CLI invocation between a `started` and a `finished` audit entry and returns its exit status.
 * `argv` is `process.argv` (node, script, command, …). Bare `ferry`, `--help` and `--version` are not recorded.
 */
export async function withAudit(
  argv: readonly string[],
  run: () => Promise<number>,
  options: WithAuditOptions = {},
): Promise<number> {
  const args = argv.slice(2);
  const command = args[0];
  const stderr = options.stderr ?? ((t: string) => void process.stderr.write(t));
  if (!command || command.startsWith('-') || command === 'help') return run();
  const rest = args.slice(1);
  const log = options.log ?? new AuditLog(auditLogPath());
  const invocation = newInvocationId();
  const noted: AuditNote = {};
  const givenRunId = runIdOf(command, rest);
  if (givenRunId) noted.runId = givenRunId;
  let errorCode: string | undefined;
  const context: AuditContext = {
    invocation,
    log,
    note(fields) {
      if (fields.runId) noted.runId = fields.runId;
      if (fields.tables) noted.tables = [...fields.tables];
      if (fields.counts) noted.counts = { ...noted.counts, ...fields.counts };
    },
    fail(error) {
      errorCode = toFerryError(error).code;
    },
  };
  const base = (): Omit<AuditRecord, 'event'> => ({
    time: new Date().toISOString(),
    invocation,
    ...auditIdentity(),
    command,
    args: redactArgs(rest),
    ...(noted.runId ? { runId: scrub(noted.runId) } : {}),
    ...(noted.tables ? { tables: noted.tables.map(scrub) } : {}),
    ...(noted.counts ? { counts: noted.counts } : {}),
  });
  try {
    const { headUpdated } = await log.append({ event: 'started', ...base() });
    if (!headUpdated) {
      stderr(
        `ferry: warning: the audit log ${log.path} no longer matches its head file; run \`ferry audit verify\`\n`,
      );
    }
  } catch (e) {
    const err = toFerryError(e, 'CONFIG');
    stderr(`ferry: ${scrub(err.describe())}\n`);
    return exitCodeFor(err.code);
  }
  const started = performance.now();
  let code = 1;
  let thrown: unknown;
  try {
    code = await storage.run(context, run);
  } catch (e) {
    thrown = e;
    context.fail(e);
  }
  try {
    await log.append({
      event: 'finished',
      ...base(),
      result: {
        status: thrown === undefined && code === 0 ? 'ok' : 'failed',
        exitCode: thrown === undefined ? code : 1,
        ...(errorCode ? { errorCode } : {}),
      },
      durationMs: Math.round(performance.now() - started),
    });
  } catch (e) {
    stderr(`ferry: the end of this command could not be recorded: ${scrub(toFerryError(e).describe())}\n`);
    if (thrown === undefined && code === 0) code = 1;
  }
  if (thrown !== undefined) throw thrown;
  return code;
}
