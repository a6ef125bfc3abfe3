/**
 * `ferry worker`: a process (a Kubernetes pod in production) that takes partitions of any run from NATS.
 *
 *   NATS task ─► plan of its run (KV, cached) ─► source/target of that run (opened once, cached)
 *             ─► runPartition (read → load with ledger → verify) ─► result ─► ack
 *
 * Endpoints come from the plan (display URLs, no credentials); passwords from this worker's own environment or
 * config (FERRY_SOURCE_PASSWORD_FILE, FERRY_TARGET_PASSWORD_FILE). SIGTERM stops taking tasks, lets running
 * partitions finish within --grace-period, then hands the rest back.
 */
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import {
  FerryError,
  type Logger,
  type Plan,
  type Source,
  type Target,
  createLogger,
  resolveSettings,
} from '../../core/index.js';
import type { RunInfo } from '../../coordinator/index.js';
import { RejectStore } from '../../transform/index.js';
import type { NatsTransport } from '../../transport/index.js';
import { BatchPool, type PartitionRunnerDeps, runPartition } from '../../worker/index.js';
import { openSource, openTarget } from '../local-run.js';
import { connectNats } from '../nats.js';
import { positiveInt, typedFlags, withoutMaskedPassword } from '../settings.js';

interface RunResources {
  deps: PartitionRunnerDeps;
  close(): Promise<void>;
}

/** Serves /healthz (alive) and /readyz (connected to NATS) for probes; loopback unless told otherwise. */
function healthServer(addr: string, ready: () => boolean, logger: Logger): Promise<Server> {
  const i = addr.lastIndexOf(':');
  const host = addr.slice(0, i) || '127.0.0.1';
  const port = Number(addr.slice(i + 1));
  const server = createServer((req, res) => {
    const ok = req.url === '/healthz' || (req.url === '/readyz' && ready());
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      logger.info({ addr: `${host}:${port}` }, 'health endpoint listening');
      resolve(server);
    });
  });
}

export async function workerCommand(opts: Record<string, unknown>, cmd: Command): Promise<void> {
  const settings = resolveSettings({ flags: typedFlags(cmd), endpoints: 'optional' });
  const logger = createLogger({ level: settings.logLevel });
  const concurrency = opts.concurrency
    ? positiveInt(opts.concurrency, '--concurrency')
    : availableParallelism();
  const graceMs = positiveInt(opts.gracePeriod ?? '60', '--grace-period') * 1000;
  const nats: NatsTransport = await connectNats(settings, logger, { graceMs });
  const pool = new BatchPool(concurrency);
  const stop = new AbortController();
  const health =
    opts.healthAddr === undefined
      ? undefined
      : await healthServer(String(opts.healthAddr), () => !nats.connection.isClosed(), logger);
  const runs = new Map<string, Promise<RunResources>>();

  const open = async (runId: string): Promise<RunResources> => {
    const plan: Plan = await nats.getPlan(runId);
    const snapshotId = (await nats.getState<string>(runId, 'snapshot'))?.value;
    const info = (await nats.getState<RunInfo>(runId, 'info'))?.value;
    const run = resolveSettings({
      flags: {
        ...typedFlags(cmd),
        from: withoutMaskedPassword(plan.source.display),
        to: withoutMaskedPassword(plan.target.display),
      },
    });
    for (const [side, display, env] of [
      ['source', plan.source.display, 'FERRY_SOURCE_PASSWORD'],
      ['target', plan.target.display, 'FERRY_TARGET_PASSWORD'],
    ] as const) {
      if (/:\*\*\*@/.test(display) && !run[side].password) {
        throw new FerryError('CONFIG', `run ${runId} needs the ${side} password, and this worker has none`, {
          run: runId,
          hint: `give the worker ${env}_FILE=FILE (a 0600 file; a mounted Secret in Kubernetes)`,
        });
      }
    }
    const source: Source = await openSource(run.source, logger);
    const target: Target = await openTarget(run.target, logger);
    const verifier = await target.reader();
    return {
      deps: {
        source,
        target,
        verifier,
        pool,
        logger,
        getPlan: async () => plan,
        verify: info?.verify ?? true,
        ...(snapshotId ? { snapshotId } : {}),
        ...(run.transformSalt ? { transformSalt: run.transformSalt } : {}),
        rejects: new RejectStore(run.stateDir),
      },
      async close() {
        await verifier.close();
        await source.close();
        await target.close();
      },
    };
  };
  const resources = (runId: string) => {
    let r = runs.get(runId);
    if (!r) {
      r = open(runId);
      // A run whose endpoints cannot be opened now may be openable later (e.g. a secret mounted late).
      r.catch(() => runs.delete(runId));
      runs.set(runId, r);
    }
    return r;
  };

  const onSignal = (signal: string) => {
    logger.warn(
      { signal, graceSeconds: graceMs / 1000 },
      'stopping: finishing running partitions, taking no new ones',
    );
    stop.abort(new Error(`received ${signal}`));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  logger.info({ concurrency }, 'worker started');
  try {
    await nats.consume(
      async (task, context) => {
        const { deps } = await resources(task.runId);
        // The run's read point as the coordinator recorded it now: a resumed coordinator (whose predecessor
        // died, and its snapshot with it) records a new one, which reads of this run must join from then on.
        const snapshotId = (await nats.getState<string>(task.runId, 'snapshot'))?.value;
        const current = snapshotId && snapshotId !== deps.snapshotId ? { ...deps, snapshotId } : deps;
        return runPartition(current, task, context);
      },
      {
        concurrency,
        signal: stop.signal,
      },
    );
  } finally {
    for (const r of runs.values()) await r.then((x) => x.close()).catch(() => {});
    await pool.close();
    await nats.close();
    health?.close();
    logger.info('worker stopped');
    logger.flush();
  }
}
