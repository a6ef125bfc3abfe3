/**
 * Scale of the control plane: a synthetic plan of N partitions that load nothing, dispatched through NATS
 * JetStream by the real coordinator (executeRun, with its event log, reconciler and results reader) to worker
 * processes whose handler reports each partition done at once. What is left to measure is ferry's own
 * machinery: the coordinator's memory (peak RSS and heap, and heap per partition across sizes), the dispatch
 * rate (tasks stored per second), and the time until every result is in.
 *
 *   main ── per size N: private nats-server ─┬─ P worker processes (--worker URL CONCURRENCY)
 *                                           └─ one coordinator process (--coordinator URL N) ──► JSON line
 *
 *   npm run build && node dist/bench/control-plane.js [N …] [--processes P] [--concurrency C]
 *   (default: 25000 50000 100000 partitions, 2 worker processes × 32 slots)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunInfo, RunDirectory, executeRun } from '../coordinator/index.js';
import {
  type Partition,
  type PartitionResult,
  type Plan,
  type TablePlan,
  type Target,
  type TableSpec,
  FerryError,
  silentLogger,
} from '../core/index.js';
import { NatsTransport, type PartitionTask, type Transport } from '../transport/index.js';

const TABLES = 10;
const ZERO = '0'.repeat(32);

interface Figures {
  partitions: number;
  workerSlots: number;
  planMs: number;
  storePlanMs: number;
  dispatchMs: number;
  dispatchPerSecond: number;
  finishMs: number;
  resultsPerSecond: number;
  baselineHeapMb: number;
  planHeapMb: number;
  peakHeapMb: number;
  peakRssMb: number;
  /** Live heap (after a full GC) when half the results are in, and at the end with the outcome still held. */
  midLiveHeapMb: number;
  endLiveHeapMb: number;
  /** (end live heap − baseline) / partitions: what the coordinator keeps per partition. */
  liveBytesPerPartition: number;
}

/** A plan of `n` partitions over TABLES tables, as the planner would shape it (ids `public.tK#i`). */
function syntheticPlan(n: number): Plan {
  const per = Math.ceil(n / TABLES);
  const tables: TablePlan[] = [];
  for (let t = 0; t < TABLES && t * per < n; t++) {
    const spec: TableSpec = {
      schema: 'public',
      name: `t${t}`,
      columns: [{ name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint' }],
      primaryKey: ['id'],
      estimatedRows: per * 1000,
      estimatedBytes: per * 8000,
    };
    const count = Math.min(per, n - t * per);
    const partitions: Partition[] = Array.from({ length: count }, (_, i) => ({
      id: `public.t${t}#${i}`,
      table: `public.t${t}`,
      index: i,
      range: {
        columns: ['id'],
        ...(i > 0 ? { lo: [String(i * 1000)] } : {}),
        ...(i < count - 1 ? { hi: [String((i + 1) * 1000)] } : {}),
      },
      estimatedRows: 1000,
    }));
    tables.push({
      source: spec,
      target: spec,
      columns: [{ source: 'id', target: 'id' }],
      keyColumns: ['id'],
      mode: 'create',
      partitioning: { strategy: 'range', reason: 'synthetic' },
      partitions,
    });
  }
  return {
    version: 1,
    hash: `synthetic-${n}`,
    source: { connector: 'synthetic', display: 'synthetic:' },
    target: { connector: 'synthetic', display: 'synthetic:' },
    mode: 'create',
    options: { partitionRows: 1000, batchRows: 1000 },
    tables,
  };
}

/** A target that holds nothing and loads nothing: the coordinator only prepares, reads the ledger and finishes. */
function nullTarget(): Target {
  const never = (): never => {
    throw new FerryError('INTERNAL', 'the control-plane bench loads no data');
  };
  return {
    describe: async () => undefined,
    mapTable: (source) => source,
    nativeType: () => 'bigint',
    prepareTable: async () => {},
    readLedger: async () => [],
    openPartition: async () => never(),
    finishTable: async () => {},
    reader: async () => never(),
    close: async () => {},
  };
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** The coordinator process: plan, store it, run it through NATS, print the figures as one JSON line. */
async function coordinator(url: string, n: number, slots: number): Promise<void> {
  global.gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peakHeap = baseline;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 50);
  const t0 = performance.now();
  const plan = syntheticPlan(n);
  const planMs = performance.now() - t0;
  global.gc?.();
  const planHeap = process.memoryUsage().heapUsed;
  const nats = await NatsTransport.connect({ servers: url }, { logger: silentLogger() });
  const runId = `cp-${n}`;
  const t1 = performance.now();
  await nats.putPlan(runId, plan);
  const storePlanMs = performance.now() - t1;
  const lease = await nats.acquireLease(runId);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cp-'));
  const info: RunInfo = {
    runId,
    source: plan.source.display,
    target: plan.target.display,
    mode: 'create',
    workers: slots,
    verify: true,
    startedAt: new Date().toISOString(),
  };
  const runDir = new RunDirectory(dir, runId);
  runDir.append({ type: 'run_started', info, planHash: plan.hash });
  let dispatchMs = 0;
  let midLive = 0;
  async function* counted(results: AsyncIterable<PartitionResult>): AsyncIterable<PartitionResult> {
    let seen = 0;
    for await (const r of results) {
      if (++seen === Math.floor(n / 2)) {
        global.gc?.();
        midLive = process.memoryUsage().heapUsed;
      }
      yield r;
    }
  }
  // The coordinator's own transport, timing publish (executeRun publishes the whole plan in one call).
  const timed: Transport & { reconcile(runId: string, ids: string[]): Promise<string[]> } = {
    publish: async (tasks: PartitionTask[]) => {
      const s = performance.now();
      await nats.publish(tasks);
      if (tasks.length > 1) dispatchMs += performance.now() - s;
    },
    results: (id, signal) => counted(nats.results(id, signal)),
    consume: (handler, options) => nats.consume(handler, options),
    close: () => nats.close(),
    reconcile: (id, ids) => nats.reconcile(id, ids),
  };
  const t2 = performance.now();
  const outcome = await executeRun({
    plan,
    info,
    dir: runDir,
    target: nullTarget(),
    transport: timed,
    logger: silentLogger(),
    resuming: false,
    attemptFloor: (lease.epoch - 1) * 100,
  });
  const finishMs = performance.now() - t2;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  global.gc?.();
  const endLive = process.memoryUsage().heapUsed;
  if (outcome.status !== 'succeeded' || outcome.results.size !== n)
    throw new Error(`run ended ${outcome.status} with ${outcome.results.size} of ${n} results`);
  await lease.release();
  await nats.deleteRun(runId);
  await nats.close();
  runDir.close();
  rmSync(dir, { recursive: true, force: true });
  const figures: Figures = {
    partitions: n,
    workerSlots: slots,
    planMs: Math.round(planMs),
    storePlanMs: Math.round(storePlanMs),
    dispatchMs: Math.round(dispatchMs),
    dispatchPerSecond: Math.round(n / (dispatchMs / 1000)),
    finishMs: Math.round(finishMs),
    resultsPerSecond: Math.round(n / (finishMs / 1000)),
    baselineHeapMb: mb(baseline),
    planHeapMb: mb(planHeap - baseline),
    peakHeapMb: mb(peakHeap),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    midLiveHeapMb: mb(midLive),
    endLiveHeapMb: mb(endLive),
    liveBytesPerPartition: Math.round((endLive - baseline) / n),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** A worker process: `concurrency` slots taking tasks of any run and reporting each done, loading nothing. */
async function worker(url: string, concurrency: number): Promise<void> {
  const nats = await NatsTransport.connect(
    { servers: url },
    { logger: silentLogger(), discoveryIntervalMs: 200 },
  );
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  await nats.consume(
    async (task): Promise<PartitionResult> => ({
      partitionId: task.partitionId,
      table: task.partitionId.slice(0, task.partitionId.lastIndexOf('#')),
      attempt: task.attempt,
      status: 'done',
      written: { rows: '0', sum: ZERO },
      readBack: { rows: '0', sum: ZERO },
      verified: true,
      bytes: 0,
      durationMs: 0,
    }),
    { concurrency, signal: stop.signal },
  );
  await nats.close();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function natsServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = execFileSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server'], {
    encoding: 'utf8',
  }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cp-nats-'));
  const port = await freePort();
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const probe = await NatsTransport.connect({ servers: url, timeoutMs: 500, maxReconnectAttempts: 0 });
      await probe.close();
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function self(args: string[], stdout: 'pipe' | 'ignore'): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', import.meta.filename, ...args], {
    stdio: ['ignore', stdout, 'inherit'],
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = Number(args[i + 1]);
    args.splice(i, 2);
    return v;
  };
  const processes = opt('--processes', 2);
  const concurrency = opt('--concurrency', 32);
  const sizes = args.map(Number);
  if (sizes.length === 0) sizes.push(25_000, 50_000, 100_000);
  const rows: Figures[] = [];
  for (const n of sizes) {
    const server = await natsServer();
    const workers = Array.from({ length: processes }, () =>
      self(['--worker', server.url, String(concurrency)], 'ignore'),
    );
    try {
      const c = self(['--coordinator', server.url, String(n), String(processes * concurrency)], 'pipe');
      let out = '';
      c.stdout!.on('data', (d) => {
        out += d;
      });
      const code = await new Promise<number | null>((r) => c.once('exit', r));
      if (code !== 0) throw new Error(`coordinator for ${n} partitions exited ${code}`);
      const figures = JSON.parse(out) as Figures;
      rows.push(figures);
      process.stderr.write(`${JSON.stringify(figures)}\n`);
    } finally {
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(
        workers.map((w) => new Promise((r) => (w.exitCode === null ? w.once('exit', r) : r(0)))),
      );
      await server.stop();
    }
  }
  const header =
    '| partitions | worker slots | dispatch (tasks/s) | finish (s) | results/s | plan (MB) | live heap mid / end (MB) | peak heap (MB) | peak RSS (MB) | live B/partition |';
  const lines = [header, `|${'---|'.repeat(10)}`];
  for (const r of rows)
    lines.push(
      `| ${r.partitions} | ${r.workerSlots} | ${r.dispatchPerSecond} | ${(r.finishMs / 1000).toFixed(1)} | ${r.resultsPerSecond} | ${r.planHeapMb} | ${r.midLiveHeapMb} / ${r.endLiveHeapMb} | ${r.peakHeapMb} | ${r.peakRssMb} | ${r.liveBytesPerPartition} |`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

const [mode, url, a, b] = process.argv.slice(2);
if (mode === '--worker') await worker(url!, Number(a));
else if (mode === '--coordinator') await coordinator(url!, Number(a), Number(b));
else await main();
