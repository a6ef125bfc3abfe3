/**
 * Before a run changes any target table, record what undoing it needs:
 *
 *   per table of the plan: describe ─► absent: action drop
 *                                  └► present: checksum (full read) ─► replace/truncate: full copy (backup)
 *                                                                  ├► append, keyed: key snapshot (+ NULL-key rows)
 *                                                                  ├► append, file target: nothing (run files)
 *                                                                  └► append, keyless: full copy (backup)
 *   ─► rollback.json in the run directory (fsynced, atomic)
 */
import {
  FerryError,
  type Logger,
  type Plan,
  type TablePlan,
  type Target,
  type TargetRollback,
  tableName,
} from '../../core/index.js';
import { CHECKSUM_ALGORITHM } from '../../checksums/index.js';
import { RunDirectory } from '../run-state.js';
import {
  type ChecksumOf,
  type RollbackManifest,
  readManifest,
  sideTableName,
  type TableRollbackRecord,
  writeManifest,
} from './manifest.js';
import { targetKeyColumns } from './undo-ranges.js';

export interface PrepareRollbackRequest {
  plan: Plan;
  /** The run's target, opened for writing. */
  target: Target;
  runId: string;
  /** Where run directories live (`Settings.stateDir`): the manifest goes into `<stateDir>/<runId>/`. */
  stateDir: string;
  /** Whole-table checksum through the target's independent reader (the same function `ferry rollback` uses). */
  checksumOf: ChecksumOf;
  logger?: Logger;
}

/**
 * Records, before the run prepares its tables, what `rollback` needs to undo it: side tables in the target
 * (backups, pre-run key snapshots) and `rollback.json` with every table's mode, action, side-table names and
 * pre-run checksum. Idempotent for one run: when the manifest exists (same plan) it is returned unchanged; one
 * left by a start that stopped before its `run_started` record, for another plan, is replaced.
 * A target without `rollbackSupport` gets a manifest saying so (the run goes on; it cannot be rolled back).
 */
export async function prepareRollback(req: PrepareRollbackRequest): Promise<RollbackManifest> {
  const { plan, target, runId } = req;
  const dir = new RunDirectory(req.stateDir, runId);
  const existing = readManifest(dir);
  const ops = target.rollbackSupport?.();
  if (existing) {
    if (existing.planHash === plan.hash) return existing;
    if (dir.exists()) {
      throw new FerryError('CONFIG', `run ${runId} already has a rollback manifest for another plan`, {
        run: runId,
        hint: 'choose another --run-id',
      });
    }
    // Prepared for a run that never started (it stopped before its start record): that preparation is void.
    for (const t of existing.tables) {
      for (const side of [t.backup, t.keySnapshot, t.nullRows])
        if (side && ops) await ops.dropSideTable(t.target, side);
    }
  }
  const manifest: RollbackManifest = {
    version: 1,
    runId,
    planHash: plan.hash,
    target: plan.target.display,
    createdAt: new Date().toISOString(),
    checksumAlgorithm: CHECKSUM_ALGORITHM,
    tables: [],
  };
  if (!ops) {
    manifest.unsupported = `the ${plan.target.connector} target does not support rollback`;
    req.logger?.warn({ run: runId }, `${manifest.unsupported}: this run cannot be rolled back`);
  } else {
    for (const t of plan.tables) manifest.tables.push(await prepareTable(req, ops, t));
  }
  writeManifest(dir, manifest);
  return manifest;
}

async function prepareTable(
  req: PrepareRollbackRequest,
  ops: TargetRollback,
  t: TablePlan,
): Promise<TableRollbackRecord> {
  const name = tableName(t.source);
  const record: TableRollbackRecord = {
    table: name,
    target: { ...(t.target.schema ? { schema: t.target.schema } : {}), name: t.target.name },
    mode: t.mode,
    existed: false,
    action: 'drop',
  };
  const current = await req.target.describe(t.target);
  if (!current) return record;
  record.existed = true;
  record.checksum = await req.checksumOf(current);
  const side = (kind: Parameters<typeof sideTableName>[0]) => sideTableName(kind, req.runId, t.target.name);
  // A side table left by a crashed earlier prepare of this run is replaced: the names belong to this run.
  const save = async (
    kind: Parameters<typeof sideTableName>[0],
    options?: Parameters<TargetRollback['saveRows']>[2],
  ) => {
    const sideName = side(kind);
    await ops.dropSideTable(current, sideName);
    return { name: sideName, ...(await ops.saveRows(current, sideName, options)) };
  };
  if (t.mode === 'create') {
    // prepareTable refuses an existing table in create mode: the run cannot change it.
    record.action = 'none';
    return record;
  }
  if (t.mode === 'append') {
    if (ops.appendUndo === 'run-files') {
      record.action = 'delete-run-files';
      return record;
    }
    const keys = targetKeyColumns(t);
    const usable =
      t.partitioning.strategy === 'range' &&
      keys.length > 0 &&
      keys.every((k) => current.columns.some((c) => c.name === k));
    if (usable) {
      record.action = 'delete-loaded';
      record.keyColumns = keys;
      record.keySnapshot = (await save('prerun_keys', { columns: keys, range: { columns: keys } })).name;
      if (t.partitions.some((p) => p.range.nullKey)) {
        record.nullRows = (await save('prerun_nulls', { range: { columns: keys, nullKey: true } })).name;
      }
      return record;
    }
  }
  const backup = await save('backup');
  record.action = 'restore';
  record.backup = backup.name;
  if (backup.definition) record.definition = backup.definition;
  return record;
}
