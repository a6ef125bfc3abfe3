/**
 * A whole migration in this process, on the local transport:
 *
 *   open source/target ─► plan (or read it back on resume) ─► local workers consume ◄─ coordinator dispatches
 *                                                   └─► results ─► run log ─► report files
 *
 * The coordinator and the worker share one Target object, because an embedded target (DuckDB) allows a
 * single writing process per file.
 */
import { availableParallelism } from 'node:os';
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
  rangeChecksum,
  ATTR,
  SPANS,
  withSpan,
  type Settings,
} from '../core/index.js';
import {
  buildPlan,
  assertNotRolledBack,
  buildReport,
  prepareRollback,
  readerChecksum,
  preflightTable,
  executeRun,
  type RunInfo,
  RunDirectory,
  type RunReport,
  type TableSelection,
  writeReport,
  writeRunReportsAfterRun,
} from '../coordinator/index.js';
import { getConnector } from '../connectors/index.js';
import { RejectStore } from '../transform/index.js';
import { type Lease, LocalTransport, type NatsTransport, type Transport } from '../transport/index.js';
import { connectNats, leaseOptions } from './nats.js';
import { BatchPool, rawTableChecksum, runWorker } from '../worker/index.js';

/** Everything a local run needs, already resolved from flags, environment, config file and defaults. */
export type MigrationSettings = Pick<
  Settings,
  | 'source'
  | 'target'
  | 'tables'
  | 'mode'
  | 'workers'
  | 'partitionRows'
  | 'partitionBytes'
  | 'batchRows'
  | 'stateDir'
  | 'reportsDir'
  | 'runId'
  | 'verify'
  | 'logLevel'
  | 'targetSchema'
  | 'onError'
  | 'nats'
  | 'transformSalt'
  | 'maxRejectPercent'
>;

/** The plan's table selection from the settings' tables (empty: every source table). */
export function tableSelections(settings: MigrationSettings): TableSelection[] {
  return settings.tables.map((t) => ({
    name: t.name,
    mode: t.mode,
    partitionRows: t.partitionRows,
    ...(t.partitionBytes !== undefined ? { partitionBytes: t.partitionBytes } : {}),
    ...(t.targetName ? { targetName: t.targetName } : {}),
    ...(t.key ? { key: [...t.key] } : {}),
    ...(t.mapping ? { mapping: t.mapping, configPath: t.configPath } : {}),
  }));
}

/**
 * Builds the plan of a migration from its settings. `checkSalt`: refuse a `mask: hash` mapping when no salt is
 * set (a run); `ferry plan` and `ferry verify` of such a mapping without the salt fail only when they need it.
 */
export function planFor(
  settings: MigrationSettings,
  source: Source,
  target: Target,
  options: { checkSalt?: boolean } = {},
): Promise<Plan> {
  return buildPlan({
    source,
    target,
    sourceInfo: { connector: settings.source.connector, display: settings.source.display },
    targetInfo: { connector: settings.target.connector, display: settings.target.display },
    mode: settings.mode,
    options: {
      partitionRows: settings.partitionRows,
      ...(settings.partitionBytes !== undefined ? { partitionBytes: settings.partitionBytes } : {}),
      batchRows: settings.batchRows,
    },
    tables: tableSelections(settings),
    ...(settings.targetSchema ? { targetSchema: settings.targetSchema } : {}),
    ...(options.checkSalt ? { saltAvailable: settings.transformSalt !== undefined } : {}),
    rawCopy: process.env.FERRY_RAW_COPY !== 'off',
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
      const plan = await planFor(settings, source, target, { checkSalt: true });
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
  const distributed = settings.nats !== undefined;
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
  let nats: NatsTransport | undefined;
  let lease: Lease | undefined;
  try {
    if (distributed) {
      nats = await connectNats(settings, logger);
      // One coordinator per run: the lease (compare-and-set, with an epoch) says who; a second one stops here.
      lease = await nats.acquireLease(runId, undefined, leaseOptions());
    }
    source = await openSource(settings.source, logger);
    target = await openTarget(settings.target, logger);
    if (distributed && (await getConnector(settings.target.connector)).capabilities.singleWriter) {
      throw new FerryError(
        'CONFIG',
        `a ${settings.target.connector} target allows one writing process, so it cannot be loaded by NATS workers`,
        {
          hint: 'run without --nats (local workers share one writer), or migrate into a server database',
        },
      );
    }
    let info: RunInfo;
    if (!plan && distributed && !dir.exists()) {
      // A coordinator restarted elsewhere (a new pod): the plan and the run's record live in NATS.
      plan = await nats!.getPlan(runId);
      const recorded = await nats!.getState<RunInfo>(runId, 'info');
      if (!recorded) throw new FerryError('NOT_FOUND', `run ${runId} has no record in NATS`, { run: runId });
      info = recorded.value;
      dir.writePlan(plan);
      dir.append(
        { type: 'run_started', info, planHash: plan.hash },
        { type: 'run_resumed', pid: process.pid },
      );
    } else if (!plan) {
      plan = dir.readPlan();
      const snap = dir.snapshot();
      if (!snap.info) throw new FerryError('NOT_FOUND', `run ${runId} has no start record`, { run: runId });
      info = snap.info;
      assertNotRolledBack(dir, runId);
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
      // What rollback needs (backups, pre-run keys and checksums) is recorded before any table is touched.
      await prepareRollback({
        plan,
        target,
        runId,
        stateDir: settings.stateDir,
        checksumOf: readerChecksum(target, plan.options.batchRows),
        logger,
      });
      dir.writePlan(plan);
      dir.append({ type: 'run_started', info, planHash: plan.hash });
    }
    const runPlan = plan;
    if (nats) {
      // Workers elsewhere read the plan and the run's record by id (tasks carry ids only).
      await nats.putPlan(runId, runPlan);
      const runInfo = info;
      await nats.updateState<RunInfo>(runId, 'info', () => runInfo, lease);
    }
    options.hooks?.onPlan?.(plan);
    pool = new BatchPool(settings.workers);
    const local = new LocalTransport();
    const transport: Transport = nats ?? local;
    const verifier = await target.reader();
    // One read point for every partition of this invocation, held open until the run ends.
    const snapshot = source.beginSnapshot
      ? await source.beginSnapshot(runPlan.tables.map((t) => t.source))
      : undefined;
    if (snapshot) {
      dir.append({
        type: 'snapshot',
        id: snapshot.id,
        consistent: snapshot.consistent !== false,
        ...(snapshot.position ? { position: snapshot.position } : {}),
      });
      await nats?.updateState<string>(runId, 'snapshot', () => snapshot.id, lease);
    }
    // Aborted when the coordinator stops early (on_error: fail): running partitions roll back.
    const stop = new AbortController();
    const workerPool = pool;
    // Distributed: `ferry worker` processes do the work; locally, async workers in this process.
    const workers = nats
      ? Promise.resolve()
      : runWorker(
          local,
          {
            source,
            target,
            verifier,
            pool,
            logger,
            getPlan: async () => runPlan,
            verify: info.verify,
            ...(snapshot ? { snapshotId: snapshot.id } : {}),
            ...(settings.transformSalt ? { transformSalt: settings.transformSalt } : {}),
            // Rejected rows of the run go to <state_dir>/<run>/rejects/, beside its event log.
            rejects: new RejectStore(settings.stateDir),
          },
          { concurrency: settings.workers, signal: stop.signal },
        );
    const tableChecksum = async (t: TablePlan) => {
      const whole = { columns: [], whole: true };
      const options = { batchRows: runPlan.options.batchRows };
      if (t.rawCopy) return rawTableChecksum(verifier, t, options, Math.min(4, availableParallelism()));
      return rangeChecksum(
        verifier,
        t.target,
        whole,
        options,
        async (b) => (await workerPool.checksumStream(b)).checksum,
      );
    };
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
        // A coordinator that lost its lease (another one took over the run) stops dispatching at once.
        ...(lease ? { attemptFloor: (lease.epoch - 1) * 100, signal: lease.signal } : {}),
        ...(process.env.FERRY_RECONCILE_INTERVAL_MS
          ? { reconcileIntervalMs: Number(process.env.FERRY_RECONCILE_INTERVAL_MS) }
          : {}),
        ...(options.onlyPartitions ? { onlyPartitions: options.onlyPartitions } : {}),
        progress: { onResult: options.hooks?.onResult },
        ...(info.verify ? { tableChecksum } : {}),
        ...(settings.maxRejectPercent !== undefined ? { maxRejectPercent: settings.maxRejectPercent } : {}),
      });
      if (outcome.status === 'failed') stop.abort();
    } finally {
      local.endOfTasks();
      await workers;
      await local.close();
      await verifier.close();
      await snapshot?.release();
    }
    const report = buildReport(
      runPlan,
      info,
      dir.snapshot(),
      (performance.now() - started) / 1000,
      settings.maxRejectPercent !== undefined ? { maxRejectPercent: settings.maxRejectPercent } : {},
    );
    const files = writeReport(report, settings.reportsDir);
    // The reconciliation report, certificate and summary re-read source and target (sampled field comparison,
    // duplicate and orphan checks); FERRY_QUALITY_CHECKS=off leaves them to a later `ferry report RUN_ID`.
    if (process.env.FERRY_QUALITY_CHECKS !== 'off')
      await writeRunReportsAfterRun({
        report,
        plan: runPlan,
        source,
        target,
        logger,
        reportsDir: settings.reportsDir,
        runDir: dir.dir,
        ...(settings.transformSalt ? { transformSalt: settings.transformSalt } : {}),
      });
    logger.info({ run: runId, status: report.status, verified: report.verified }, 'run finished');
    return { report, files, dir: dir.dir };
  } finally {
    await lease?.release().catch(() => {});
    await nats?.close();
    await pool?.close();
    await source?.close();
    await target?.close();
    dir.close();
    logger.flush();
  }
}
