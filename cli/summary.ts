import type { LocalRunOutcome } from './local-run.js';

/** Prints the end-of-run summary: a few lines for a person, or one JSON object with `json`. */
export function printSummary(outcome: LocalRunOutcome, json: boolean): void {
  const r = outcome.report;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ok: r.status === 'succeeded' && r.verified, report: r, files: outcome.files, runDir: outcome.dir })}\n`,
    );
    return;
  }
  const partitions = r.tables.reduce((n, t) => n + t.partitions, 0);
  const lines = [
    '',
    `run ${r.runId}: ${r.status}`,
    `  tables      ${r.tables.length} (${r.tables.map((t) => `${t.table} ${Number(t.sourceRows).toLocaleString('en-US')}`).join(', ')})`,
    `  rows        ${Number(r.rows).toLocaleString('en-US')} in ${partitions} partitions`,
    `  time        ${r.seconds} s — ${r.rowsPerSecond.toLocaleString('en-US')} rows/s, ${r.mbPerSecond} MB/s`,
    `  checksums   ${r.verified ? 'verified: every row read back from the target matches the source' : 'NOT verified: see the report'}`,
    `  reports     ${outcome.files.markdown}, ${outcome.files.json}`,
  ];
  for (const f of r.failures.slice(0, 10)) lines.push(`  failed      ${f.message}`);
  if (r.failures.length) lines.push(`  next        fix the cause, then: ferry resume ${r.runId}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
