/**
 * A whole migration in this process, on the local transport:
 *
 *   open source/target ─► plan (or read it back on resume) ─► local workers consume ◄─ coordinator dispatches
 *                                                   └─► results ─► run log ─► report files
 *
 * The coordinator and the worker share one Target object, because an embedded target (DuckDB) allows a
 * single writing process per file.
 */
import {
  type Endpoint,
  FerryError,
  type Logger,
  type PartitionResult,
  type Plan,
  type Source,
  type Target,
  type TablePlan,
  createLogger,
  ATTR,
  SPANS,
  withSpan,
  type Settings,
} from '../core/index.js';
import {
  buildPlan,
  buildReport,
  preflightTable,
  executeRun,
  type RunInfo,
  RunDirectory,
  type RunReport,
  type TableSelection,
  writeReport,
} from '../coordinator/index.js';
import { getConnector } from '../connectors/index.js';
import { LocalTransport } from '../transport/index.js';
import { BatchPool, runWorker } from '../worker/index.js';

/** Everything a local run needs, already resolved from flags, environment, config file and defaults. */
export type MigrationSettings = Pick<
  Settings,
  | 'source'
  | 'target'
  | 'tables'
  | 'mode'
  | 'workers'
  | 'partitionRows'
  | 'batchRows'
  | 'stateDir'
  | 'reportsDir'
  | 'runId'
  | 'verify'
  | 'logLevel'
  | 'targetSchema'
  | 'onError'
>;

/** The plan's table selection from the settings' tables (empty: every source table). */
export function tableSelections(settings: MigrationSettings): TableSelection[] {
  return settings.tables.map((t) => ({
    name: t.name,
    mode: t.mode,
    partitionRows: t.partitionRows,
    ...(t.targetName ? { targetName: t.targetName } : {}),
    ...(t.key ? { key: [...t.key] } : {}),
  }));
}

/** Builds the plan of a migration from its settings. */
export function planFor(settings: MigrationSettings, source: Source, target: Target): Promise<Plan> {
  return buildPlan({
    source,
    target,
    sourceInfo: { connector: settings.source.connector, display: settings.source.display },
    targetInfo: { connector: settings.target.connector, display: settings.target.display },
    mode: settings.mode,
    options: { partitionRows: settings.partitionRows, batchRows: settings.batchRows },
    tables: tableSelections(settings),
    ...(settings.targetSchema ? { targetSchema: settings.targetSchema } : {}),
  });
}

export interface LocalRunHooks {
  onPlan?(plan: Plan): void;
  onResult?(result: PartitionResult, table: TablePlan): void;
}

export interface LocalRunOutcome {
  report: RunReport;
  files: { markdown: string; json: string };
  dir: string;
}

/** Opens a source through the connector registry (the connector's driver is loaded only now). */
export async function openSource(endpoint: Endpoint, logger: Logger): Promise<Source> {
  return (await getConnector(endpoint.connector)).openSource(endpoint, { logger, readOnly: true });
}

/** Opens a target; `readOnly` for plan and verify, which must not create or change anything. */
export async function openTarget(
  endpoint: Endpoint,
  logger: Logger,
  options: { readOnly?: boolean } = {},
): Promise<Target> {
  return (await getConnector(endpoint.connector)).openTarget(endpoint, { logger, ...options });
}

/** Plans with a read-only view of the target and checks every target table can be written under its mode. */
async function planAndPreflight(settings: MigrationSettings): Promise<Plan> {
  const logger = createLogger({ level: settings.logLevel });
  const source = await openSource(settings.source, logger);
  try {
    const target = await openTarget(settings.target, logger, { readOnly: true });
    try {
      const plan = await planFor(settings, source, target);
      for (const t of plan.tables) await preflightTable(target, t, t.mode);
      return plan;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export interface LocalRunOptions {
  resumeRunId?: string;
  hooks?: LocalRunHooks;
  onlyPartitions?: Set<string>;
}

/** Runs (or, with `resumeRunId`, resumes) a migration locally and writes its report; traced as one `ferry.run` span. */
export function runLocal(
  settings: MigrationSettings,
  options: LocalRunOptions = {},
): Promise<LocalRunOutcome> {
  const runId = options.resumeRunId ?? settings.runId;
  return withSpan(
    SPANS.run,
    { [ATTR.run]: runId, 'ferry.resume': options.resumeRunId !== undefined },
    async (span) => {
      const outcome = await runLocalInSpan(settings, options, runId);
      span.setAttributes({
        [ATTR.status]: outcome.report.status,
        [ATTR.rows]: Number(outcome.report.rows),
        [ATTR.verified]: outcome.report.verified,
      });
      return outcome;
    },
  );
}

async function runLocalInSpan(
  settings: MigrationSettings,
  options: LocalRunOptions,
  runId: string,
): Promise<LocalRunOutcome> {
  const dir = new RunDirectory(settings.stateDir, runId);
  const resuming = options.resumeRunId !== undefined;
  if (!resuming && dir.exists()) {
    throw new FerryError('CONFIG', `run ${runId} already exists in ${settings.stateDir}`, {
      run: runId,
      hint: `continue it with \`ferry resume ${runId}\`, or choose another --run-id`,
    });
  }
  // Plan and preflight before anything is created (run directory, target file): bad input writes nothing.
  let plan: Plan | undefined;
  if (!resuming) plan = await withSpan(SPANS.plan, { [ATTR.run]: runId }, () => planAndPreflight(settings));
  dir.lock();
  const logger = createLogger({ file: dir.logFile, level: settings.logLevel });
  const started = performance.now();
  let source: Source | undefined;
  let target: Target | undefined;
  let pool: BatchPool | undefined;
  try {
    source = await openSource(settings.source, logger);
    target = await openTarget(settings.target, logger);
    let info: RunInfo;
    if (!plan) {
      plan = dir.readPlan();
      const snap = dir.snapshot();
      if (!snap.info) throw new FerryError('NOT_FOUND', `run ${runId} has no start record`, { run: runId });
      info = snap.info;
      dir.append({ type: 'run_resumed', pid: process.pid });
      logger.info({ run: runId }, 'resuming run');
    } else {
      info = {
        runId,
        source: settings.source.display,
        target: settings.target.display,
        mode: settings.mode,
        workers: settings.workers,
        verify: settings.verify,
        startedAt: new Date().toISOString(),
      };
      dir.writePlan(plan);
      dir.append({ type: 'run_started', info, planHash: plan.hash });
    }
    const runPlan = plan;
    options.hooks?.onPlan?.(plan);
    pool = new BatchPool(settings.workers);
    const transport = new LocalTransport();
    const verifier = await target.reader();
    // One read point for every partition of this invocation, held open until the run ends.
    const snapshot = source.beginSnapshot ? await source.beginSnapshot(runPlan.tables.map((t) => t.source)) : undefined;
    if (snapshot) {
      dir.append({ type: 'snapshot', id: snapshot.id, consistent: snapshot.consistent !== false, ...(snapshot.position ? { position: snapshot.position } : {}) });
    }
    // Aborted when the coordinator stops early (on_error: fail): running partitions roll back.
    const stop = new AbortController();
    const workerPool = pool;
    const workers = runWorker(
      transport,
      {
        source,
        target,
        verifier,
        pool,
        logger,
        getPlan: async () => runPlan,
        verify: info.verify,
        ...(snapshot ? { snapshotId: snapshot.id } : {}),
      },
      { concurrency: settings.workers, signal: stop.signal },
    );
    const tableChecksum = async (t: TablePlan) =>
      (await workerPool.checksumStream(verifier.read(t.target, { columns: [], whole: true }, { batchRows: runPlan.options.batchRows }))).checksum;
    try {
      const outcome = await executeRun({
        plan: runPlan,
        info,
        dir,
        target,
        transport,
        logger,
        resuming,
        onError: settings.onError,
        ...(options.onlyPartitions ? { onlyPartitions: options.onlyPartitions } : {}),
        progress: { onResult: options.hooks?.onResult },
        ...(info.verify ? { tableChecksum } : {}),
      });
      if (outcome.status === 'failed') stop.abort();
    } finally {
      transport.endOfTasks();
      await workers;
      await transport.close();
      await verifier.close();
      await snapshot?.release();
    }
    const report = buildReport(runPlan, info, dir.snapshot(), (performance.now() - started) / 1000);
    const files = writeReport(report, settings.reportsDir);
    logger.info({ run: runId, status: report.status, verified: report.verified }, 'run finished');
    return { report, files, dir: dir.dir };
  } finally {
    await pool?.close();
    await source?.close();
    await target?.close();
    dir.close();
    logger.flush();
  }
}
