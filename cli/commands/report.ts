import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import {
  buildReport,
  buildRunDocuments,
  loadQuality,
  type QualityResult,
  REPORT_FORMATS,
  type ReportFormat,
  type RunDocumentFiles,
  RunDirectory,
  type RunReport,
  renderAll,
  writeRunDocuments,
  writeRunReports,
} from '../../coordinator/index.js';
import { createLogger, FerryError } from '../../core/index.js';
import { openSource, openTarget } from '../local-run.js';
import { type CommandOptions, resumeSettings } from '../settings.js';

function nonNegativeInt(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new FerryError('USAGE', `${flag} must be a whole number ≥ 0, got "${String(value)}"`);
  return n;
}

/** The run report written at the end of the run, for what the run log does not hold (its wall time). */
function previousReport(reportsDir: string, runId: string): RunReport | undefined {
  const path = join(reportsDir, `${runId}.json`);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunReport;
  } catch {
    return undefined;
  }
}

/**
 * `ferry report RUN_ID [--format md|json|html] [--open-file] [--sample-rows N] [--sample-seed N] [--no-checks]`:
 * rebuilds the run report from the run directory (plan and event log), runs the quality checks against the
 * run's source and target again (field-level sample, duplicates, orphans; `--no-checks` reuses those recorded),
 * writes the reconciliation report, certificate and executive summary in every format into the reports
 * directory, and prints them in one format (`--open-file`: prints the paths of that format's files instead).
 * Exit status 1 when the certificate fails.
 */
export async function reportCommand(runId: string, opts: CommandOptions, cmd: Command): Promise<void> {
  const settings = resumeSettings(runId, cmd);
  const format: ReportFormat = opts.json ? 'json' : ((opts.format as ReportFormat | undefined) ?? 'md');
  const dir = new RunDirectory(settings.stateDir, runId);
  if (!dir.exists())
    throw new FerryError('NOT_FOUND', `run ${runId} does not exist in ${settings.stateDir}`, {
      run: runId,
      hint: 'give the state directory of the run: --state-dir DIR or --config FILE',
    });
  try {
    const plan = dir.readPlan();
    const snapshot = dir.snapshot();
    if (!snapshot.info) throw new FerryError('NOT_FOUND', `run ${runId} has no start record`, { run: runId });
    const previous = previousReport(settings.reportsDir, runId);
    const maxRejectPercent = settings.maxRejectPercent ?? previous?.maxRejectPercent;
    const report = buildReport(
      plan,
      snapshot.info,
      snapshot,
      previous?.seconds ?? 0,
      maxRejectPercent !== undefined ? { maxRejectPercent } : {},
    );
    let files: RunDocumentFiles;
    let documents: ReturnType<typeof buildRunDocuments>;
    if (opts.checks === false) {
      const quality: QualityResult = loadQuality(dir.dir);
      documents = buildRunDocuments(report, quality, maxRejectPercent);
      files = writeRunDocuments(documents, settings.reportsDir);
    } else {
      const logger = createLogger({ level: settings.logLevel });
      const source = await openSource(settings.source, logger);
      try {
        const target = await openTarget(settings.target, logger, { readOnly: true });
        try {
          ({ documents, files } = await writeRunReports({
            report,
            plan,
            source,
            target,
            reportsDir: settings.reportsDir,
            runDir: dir.dir,
            ...(opts.sampleRows !== undefined
              ? { sampleRows: nonNegativeInt(opts.sampleRows, '--sample-rows') }
              : {}),
            ...(opts.sampleSeed !== undefined
              ? { seed: nonNegativeInt(opts.sampleSeed, '--sample-seed') }
              : {}),
            ...(maxRejectPercent !== undefined ? { maxRejectPercent } : {}),
            ...(settings.transformSalt ? { transformSalt: settings.transformSalt } : {}),
          }));
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    }
    process.exitCode = documents.certificate.passed ? 0 : 1;
    if (opts.openFile) {
      process.stdout.write(
        `${Object.values(files)
          .map((f) => f[format])
          .join('\n')}\n`,
      );
      return;
    }
    process.stdout.write(renderAll(documents, format));
  } finally {
    dir.close();
  }
}

/**
 * Registers `ferry report` on the program (cli/index.ts: `registerReportCommand(program);`); does nothing when
 * it is already there.
 */
export function registerReportCommand(program: Command): Command {
  if (program.commands.some((c) => c.name() === 'report')) return program;
  program
    .command('report')
    .argument('<run-id>', 'the run')
    .addOption(
      new Option('--format <format>', 'what is printed: md, json or html (default md)').choices([
        ...REPORT_FORMATS,
      ]),
    )
    .option('--open-file', 'print the paths of the written files in --format instead of their content')
    .option('--sample-rows <n>', 'rows per table in the field-level comparison (default 1000; 0 skips it)')
    .option('--sample-seed <n>', 'seed of the random sample (default 1): the same seed samples the same rows')
    .option('--no-checks', 'do not read source and target again: render the checks recorded for the run')
    .option('--state-dir <dir>', 'where run state lives (default results/runs; env FERRY_STATE_DIR)')
    .option(
      '--reports-dir <dir>',
      'where reports are written (default results/reports; env FERRY_REPORTS_DIR)',
    )
    .option('--config <file>', 'YAML config file, for credentials and directories (env FERRY_CONFIG)')
    .option('--from <url>', 'source URL, when the recorded one needs a credential')
    .option('--to <url>', 'target URL, when the recorded one needs a credential')
    .option('--log-level <level>', 'terminal log level (default warn)')
    .option('--json', 'same as --format json')
    .description(
      'write and print the reconciliation report, data-quality certificate and executive summary of a run',
    )
    .action(reportCommand);
  return program;
}
