import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Checksum, FerryError, type PartitionResult, type Plan, type SerializedError } from '../core/index.js';

/** What a run was started with (no secrets: endpoints are display URLs). */
export interface RunInfo {
  runId: string;
  source: string;
  target: string;
  mode: string;
  workers: number;
  verify: boolean;
  startedAt: string;
}

/** One line of the append-only run log. */
export type RunEvent =
  | { type: 'run_started'; info: RunInfo; planHash: string }
  | { type: 'run_resumed'; pid: number }
  | { type: 'partition_dispatched'; partitionId: string; attempt: number }
  | { type: 'partition_result'; result: PartitionResult }
  | { type: 'table_finished'; table: string }
  /** The source read point this invocation reads from (one per start or resume). */
  | { type: 'snapshot'; id: string; consistent: boolean; position?: string }
  /** Checksum of an append-mode target table before loading, for whole-table verification. */
  | { type: 'table_baseline'; table: string; checksum: Checksum }
  /** Whole-table verification (tables split by a source-only row id): target minus baseline vs the ledger. */
  | { type: 'table_verified'; table: string; ok: boolean; expected: Checksum; actual: Checksum }
  | { type: 'run_finished'; status: RunStatus; error?: SerializedError };

export type RunStatus = 'running' | 'succeeded' | 'failed';

export type PartitionStatus = 'pending' | 'dispatched' | 'done' | 'failed';

/** State folded from the events. */
export interface RunSnapshot {
  info?: RunInfo;
  planHash?: string;
  status: RunStatus;
  partitions: Map<string, { status: PartitionStatus; attempts: number; result?: PartitionResult }>;
  tablesFinished: Set<string>;
  baselines: Map<string, Checksum>;
  /** Source read points, in order; more than one means the run did not read one point in time. */
  snapshots: { id: string; consistent: boolean; position?: string }[];
  tablesVerified: Map<string, { ok: boolean; expected: Checksum; actual: Checksum }>;
  events: number;
}

/** Folds events into the current state (pure; used by status, resume and reports). */
export function foldEvents(events: Iterable<{ ts: string } & RunEvent>): RunSnapshot {
  const s: RunSnapshot = {
    status: 'running',
    partitions: new Map(),
    tablesFinished: new Set(),
    baselines: new Map(),
    snapshots: [],
    tablesVerified: new Map(),
    events: 0,
  };
  for (const e of events) {
    s.events++;
    switch (e.type) {
      case 'run_started':
        s.info = e.info;
        s.planHash = e.planHash;
        s.status = 'running';
        break;
      case 'run_resumed':
        s.status = 'running';
        break;
      case 'partition_dispatched': {
        const p = s.partitions.get(e.partitionId) ?? { status: 'pending', attempts: 0 };
        p.status = 'dispatched';
        p.attempts = Math.max(p.attempts, e.attempt);
        s.partitions.set(e.partitionId, p);
        break;
      }
      case 'partition_result': {
        const p = s.partitions.get(e.result.partitionId) ?? { status: 'pending', attempts: e.result.attempt };
        const ok = e.result.status !== 'failed' && e.result.verified !== false;
        p.status = ok ? 'done' : 'failed';
        p.result = e.result;
        s.partitions.set(e.result.partitionId, p);
        break;
      }
      case 'table_finished':
        s.tablesFinished.add(e.table);
        break;
      case 'snapshot':
        s.snapshots.push({ id: e.id, consistent: e.consistent, ...(e.position ? { position: e.position } : {}) });
        break;
      case 'table_baseline':
        s.baselines.set(e.table, e.checksum);
        break;
      case 'table_verified':
        s.tablesVerified.set(e.table, { ok: e.ok, expected: e.expected, actual: e.actual });
        break;
      case 'run_finished':
        s.status = e.status;
        break;
    }
  }
  return s;
}

/**
 * The run directory: `plan.json`, `events.ndjson` (append-only, each line fsynced before the step it records
 * is acted on), `ferry.log`, and a `lock` file naming the coordinator's pid.
 */
export class RunDirectory {
  readonly dir: string;
  #fd: number | undefined;

  constructor(stateDir: string, runId: string) {
    this.dir = join(stateDir, runId);
  }

  get eventsFile(): string {
    return join(this.dir, 'events.ndjson');
  }

  get planFile(): string {
    return join(this.dir, 'plan.json');
  }

  get logFile(): string {
    return join(this.dir, 'ferry.log');
  }

  exists(): boolean {
    try {
      readFileSync(this.eventsFile);
      return true;
    } catch {
      return false;
    }
  }

  /** Takes the run's lock: refuses while another live process holds it (a dead holder's lock is taken over). */
  lock(): void {
    mkdirSync(this.dir, { recursive: true });
    const lockFile = join(this.dir, 'lock');
    for (let i = 0; i < 2; i++) {
      try {
        const fd = openSync(lockFile, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(readFileSync(lockFile, 'utf8'));
        if (pid && pid !== process.pid && isAlive(pid)) {
          throw new FerryError('CONFIG', `run ${this.dir} is in use by process ${pid}`, {
            hint: 'wait for it to finish, or stop it before resuming',
          });
        }
        unlinkSync(lockFile);
      }
    }
  }

  unlock(): void {
    try {
      const lockFile = join(this.dir, 'lock');
      if (Number(readFileSync(lockFile, 'utf8')) === process.pid) unlinkSync(lockFile);
    } catch {
      // Already gone: nothing to release.
    }
  }

  /** Appends events and fsyncs them: once this returns, a crash cannot lose them. */
  append(...events: RunEvent[]): void {
    if (events.length === 0) return;
    if (this.#fd === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.#fd = openSync(this.eventsFile, 'a', 0o600);
    }
    const ts = new Date().toISOString();
    writeSync(this.#fd, events.map((e) => JSON.stringify({ ts, ...e })).join('\n') + '\n');
    fsyncSync(this.#fd);
  }

  /** Every event recorded; a torn last line (crash mid-write) is ignored. */
  readEvents(): ({ ts: string } & RunEvent)[] {
    let text: string;
    try {
      text = readFileSync(this.eventsFile, 'utf8');
    } catch {
      throw new FerryError('NOT_FOUND', `no run in ${this.dir}`, {
        hint: 'check the run id and --state-dir',
      });
    }
    const out: ({ ts: string } & RunEvent)[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // Only the last line can be torn; anything after it was never fsynced.
        break;
      }
    }
    return out;
  }

  snapshot(): RunSnapshot {
    return foldEvents(this.readEvents());
  }

  writePlan(plan: Plan): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.planFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(plan, null, 2), { mode: 0o600 });
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.planFile);
  }

  readPlan(): Plan {
    try {
      return JSON.parse(readFileSync(this.planFile, 'utf8')) as Plan;
    } catch (e) {
      throw new FerryError('NOT_FOUND', `no plan in ${this.dir}`, {
        cause: e,
        hint: 'check the run id and --state-dir',
      });
    }
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    this.unlock();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
