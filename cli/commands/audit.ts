import type { Command } from 'commander';
import {
  type AuditEntry,
  AuditLog,
  type AuditVerification,
  auditLogPath,
  verifyAuditLog,
} from '../../coordinator/index.js';
import type { CommandOptions } from '../settings.js';

function logOf(opts: CommandOptions): AuditLog {
  return new AuditLog(typeof opts.file === 'string' ? opts.file : auditLogPath());
}

/** `ferry audit verify [--file F] [--anchor HASH] [--json]`: exit 1 naming the first bad entry. */
export async function auditVerifyCommand(opts: CommandOptions): Promise<void> {
  const result = verifyAuditLog(logOf(opts), typeof opts.anchor === 'string' ? { anchor: opts.anchor } : {});
  process.exitCode = result.ok ? 0 : 1;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(`${describeVerification(result)}\n`);
}

/** The verification for a person: verdict, first error, warnings, and the hash to record as an anchor. */
export function describeVerification(v: AuditVerification): string {
  const lines: string[] = [];
  const errors = v.problems.filter((p) => p.severity === 'error');
  if (v.ok) {
    lines.push(`audit log OK: ${v.entries} entries verified in ${v.file}`);
    if (v.lastHash) lines.push(`  last hash ${v.lastHash} (record it elsewhere; check later with --anchor)`);
  } else {
    lines.push(`audit log FAILED: ${errors[0]?.message ?? 'unknown problem'}`);
    lines.push(`  ${v.entries} entries verified before the problem, in ${v.file}`);
  }
  for (const p of errors.slice(1)) lines.push(`  also: ${p.message}`);
  for (const p of v.problems.filter((p) => p.severity === 'warning')) lines.push(`  warning: ${p.message}`);
  return lines.join('\n');
}

/** `ferry audit show [--run ID] [--file F] [--json]`: the entries, oldest first. */
export async function auditShowCommand(opts: CommandOptions): Promise<void> {
  const run = typeof opts.run === 'string' ? opts.run : undefined;
  const entries = logOf(opts)
    .readEntries()
    .filter((e) => run === undefined || e.runId === run);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(entries)}\n`);
    return;
  }
  if (entries.length === 0) {
    process.stdout.write(run ? `no audit entries for run ${run}\n` : 'the audit log is empty\n');
    return;
  }
  process.stdout.write(`${entries.map(formatEntry).join('\n')}\n`);
}

/** One entry on one line: `#12 2026-…Z alice@host finished run --from … run=R ok rows=…`. */
export function formatEntry(e: AuditEntry): string {
  const parts = [`#${e.seq}`, e.time, `${e.user}@${e.host}`, e.event, e.command, ...e.args];
  if (e.runId) parts.push(`run=${e.runId}`);
  if (e.tables?.length) parts.push(`tables=${e.tables.join(',')}`);
  if (e.counts?.rows !== undefined) parts.push(`rows=${e.counts.rows}`);
  if (e.counts?.partitions !== undefined) parts.push(`partitions=${e.counts.partitions}`);
  if (e.counts?.rejects !== undefined) parts.push(`rejects=${e.counts.rejects}`);
  if (e.result) {
    parts.push(
      e.result.status === 'ok'
        ? 'ok'
        : `failed(exit ${e.result.exitCode}${e.result.errorCode ? ` ${e.result.errorCode}` : ''})`,
    );
  }
  if (e.durationMs !== undefined) parts.push(`${e.durationMs}ms`);
  if (e.details) for (const [k, v] of Object.entries(e.details)) parts.push(`${k}: ${v}`);
  return parts.join(' ');
}

/** Adds `ferry audit show` and `ferry audit verify` to the program. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('the audit trail of every ferry command (FERRY_AUDIT_LOG, default results/audit/audit.log)');
  audit
    .command('show')
    .description('list audit entries, oldest first')
    .option('--run <id>', 'only the entries of this run')
    .option('--file <path>', 'the audit log (default FERRY_AUDIT_LOG or results/audit/audit.log)')
    .option('--json', 'print the entries as one JSON array')
    .action(auditShowCommand);
  audit
    .command('verify')
    .description(
      're-compute the hash chain; exit 1 naming the first edited, removed, inserted or reordered entry',
    )
    .option('--file <path>', 'the audit log (default FERRY_AUDIT_LOG or results/audit/audit.log)')
    .option(
      '--anchor <hash>',
      'a hash recorded earlier (from a previous verify): fail unless an entry has it',
    )
    .option('--json', 'print one machine-readable JSON result on stdout')
    .action(auditVerifyCommand);
}
