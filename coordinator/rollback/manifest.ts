import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Checksum,
  FerryError,
  type SerializedError,
  type TableRef,
  type TableSpec,
  type WriteMode,
} from '../../core/index.js';
import type { RunDirectory, RunEvent } from '../run-state.js';

/** The checksum of a whole target table, read through the target's independent reader. */
export type ChecksumOf = (table: TableSpec) => Promise<Checksum>;

/**
 * How a table is undone:
 * - `drop`: it did not exist before the run;
 * - `restore`: put back the full pre-run copy (`backup`) — replace and truncate modes, and appends into a table
 *   without a usable key;
 * - `delete-loaded`: delete the rows of the run's ledger ranges whose key is not in the pre-run key snapshot,
 *   and put back the pre-run NULL-key rows (append mode);
 * - `delete-run-files`: remove the run's own files (file targets, append mode);
 * - `none`: the run does not change it (create mode on an existing table fails before loading).
 */
export type RollbackAction = 'drop' | 'restore' | 'delete-loaded' | 'delete-run-files' | 'none';

/** What `prepareRollback` recorded for one table of the plan. */
export interface TableRollbackRecord {
  /** The source table, as the plan and the ledger name it. */
  table: string;
  target: TableRef;
  mode: WriteMode;
  /** Whether the target table existed before the run. */
  existed: boolean;
  action: RollbackAction;
  /** Side table with the full pre-run copy (`restore`). */
  backup?: string;
  /** Statements that recreate the table exactly, when the engine gave them with the backup. */
  definition?: string[];
  /** Side table with the pre-run keys (`delete-loaded`), over these target key columns. */
  keySnapshot?: string;
  keyColumns?: string[];
  /** Side table with the pre-run rows whose key is NULL (`delete-loaded` of a nullable key). */
  nullRows?: string;
  /** The whole table's checksum before the run (when it existed). */
  checksum?: Checksum;
}

/** `rollback.json` in the run directory: written before the run changes any target table. */
export interface RollbackManifest {
  version: 1;
  runId: string;
  planHash: string;
  /** The target as displayed (no credentials). */
  target: string;
  createdAt: string;
  /** The checksum algorithm the pre-run checksums were taken with (checksums/ CHECKSUM_ALGORITHM). */
  checksumAlgorithm: string;
  /** Why the run cannot be rolled back (the target has no `rollbackSupport`), when it cannot. */
  unsupported?: string;
  tables: TableRollbackRecord[];
}

/** Events a rollback appends to the run's event log (beside `RunEvent`; `foldEvents` ignores them). */
export type RollbackEvent =
  | {
      type: 'table_rolled_back';
      table: string;
      target: string;
      action: RollbackAction;
      ok: boolean;
      deletedRows?: string;
      expected?: Checksum;
      actual?: Checksum;
      error?: SerializedError;
    }
  | { type: 'run_rolled_back'; ok: boolean; tables: number }
  /** The side tables were dropped on purpose: the run is kept and can no longer be rolled back. */
  | { type: 'rollback_discarded' };

/** Appends rollback events to the run's event log (fsynced, like every run event). */
export function appendRollbackEvents(dir: RunDirectory, ...events: RollbackEvent[]): void {
  // RunDirectory.append takes the run's own events; these ride along in the same log and fold to nothing there.
  dir.append(...(events as unknown as RunEvent[]));
}

/** What the run's event log says about earlier rollbacks. */
export interface RollbackState {
  /** Tables whose undo was verified. */
  done: Set<string>;
  /** When a rollback of the whole run was verified, its time. */
  completedAt?: string;
  /** When the rollback data was discarded (`discardRollback`), its time. */
  discardedAt?: string;
}

/** Folds the rollback events of a run's event log. */
export function rollbackState(dir: RunDirectory): RollbackState {
  const state: RollbackState = { done: new Set() };
  for (const e of dir.readEvents() as unknown as ({ ts: string } & RollbackEvent)[]) {
    if (e.type === 'table_rolled_back') {
      if (e.ok) state.done.add(e.table);
      else state.done.delete(e.table);
    } else if (e.type === 'run_rolled_back' && e.ok) {
      state.completedAt = e.ts;
    } else if (e.type === 'rollback_discarded') {
      state.discardedAt = e.ts;
    }
  }
  return state;
}

/** Throws CONFIG when a run was rolled back: resuming or retrying it would load it again behind the operator's back. */
export function assertNotRolledBack(dir: RunDirectory, runId: string): void {
  let state: RollbackState;
  try {
    state = rollbackState(dir);
  } catch {
    return;
  }
  if (state.completedAt || state.done.size > 0) {
    throw new FerryError(
      'CONFIG',
      `run ${runId} was rolled back${state.completedAt ? ` at ${state.completedAt}` : ''}`,
      {
        run: runId,
        hint: 'start a new run instead of resuming this one',
      },
    );
  }
}

/** The manifest's path in a run directory. */
export function manifestPath(dir: RunDirectory): string {
  return join(dir.dir, 'rollback.json');
}

/** Reads a run's manifest, or undefined when there is none. */
export function readManifest(dir: RunDirectory): RollbackManifest | undefined {
  let text: string;
  try {
    text = readFileSync(manifestPath(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const m = JSON.parse(text) as RollbackManifest;
  if (m.version !== 1 || !Array.isArray(m.tables)) {
    throw new FerryError('DATA', `${manifestPath(dir)} is not a ferry rollback manifest`);
  }
  return m;
}

/** Writes the manifest durably (temp file, fsync, rename), readable by its owner only. */
export function writeManifest(dir: RunDirectory, manifest: RollbackManifest): void {
  const path = manifestPath(dir);
  const tmp = `${path}.tmp-${process.pid}`;
  mkdirSync(dir.dir, { recursive: true });
  writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** PostgreSQL's identifier limit; the strictest of the engines with side tables. */
const MAX_NAME_BYTES = 63;

/**
 * The name of a side table: `_ferry_<kind>_<run>_<table>`, shortened to 63 bytes with a hash of the full name
 * when longer (deterministic, so a repeated prepare finds the same names).
 */
export function sideTableName(
  kind: 'backup' | 'prerun_keys' | 'prerun_nulls',
  runId: string,
  table: string,
): string {
  const full = `_ferry_${kind}_${runId}_${table}`;
  if (Buffer.byteLength(full, 'utf8') <= MAX_NAME_BYTES) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 10);
  let head = full;
  while (Buffer.byteLength(`${head}_${hash}`, 'utf8') > MAX_NAME_BYTES)
    head = [...head].slice(0, -1).join('');
  return `${head}_${hash}`;
}
