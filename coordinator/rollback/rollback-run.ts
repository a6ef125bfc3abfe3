/**
 * Undoing a run, table by table (children before parents: the plan's order reversed):
 *
 *   rollback.json + plan.json + the target's ledger of the run
 *     ─► per table, one target transaction: drop | restore backup | delete loaded rows ─► remove its ledger rows
 *     ─► checksum of the table through the independent reader == the pre-run checksum?  (or: still absent?)
 *     ─► event table_rolled_back ─► verified: drop the side tables
 *   ─► event run_rolled_back ─► audit entry `rollback`
 *
 * Every step is idempotent: a table recorded as rolled back is skipped, a backup is kept until its table is
 * verified, and the ledger rows go in the same transaction as the rows they describe.
 */
import {
  type Checksum,
  FerryError,
  type Logger,
  type SerializedError,
  type TableSpec,
  type Target,
  type TargetRollback,
  type UndoStep,
  tableName,
  toFerryError,
} from '../../core/index.js';
import { checksumsEqual } from '../../checksums/index.js';
import { type AuditCounts, AuditLog, auditIdentity, newInvocationId } from '../audit/index.js';
import { RunDirectory } from '../run-state.js';
import {
  appendRollbackEvents,
  type ChecksumOf,
  type RollbackAction,
  type RollbackManifest,
  readManifest,
  rollbackState,
  type TableRollbackRecord,
} from './manifest.js';
import { loadedRanges } from './undo-ranges.js';

export interface RollbackRequest {
  runId: string;
  stateDir: string;
  /** The run's target, opened for writing. */
  target: Target;
  checksumOf: ChecksumOf;
  /** Keep backups and key snapshots after a verified rollback (default: dropped). */
  keepSideTables?: boolean;
  /** Where the `rollback` audit entry goes (default: FERRY_AUDIT_LOG or results/audit/audit.log); false: none. */
  audit?: AuditLog | false;
  /** The invocation id of the command doing the rollback, to pair the entry with its `started`/`finished`. */
  invocation?: string;
  logger?: Logger;
}

export interface TableRollbackOutcome {
  table: string;
  target: string;
  action: RollbackAction;
  status: 'rolled-back' | 'already-rolled-back' | 'failed';
  /** Rows the undo removed (net of NULL-key rows put back). */
  deletedRows?: string;
  /** The pre-run checksum, and what the table holds now. */
  expected?: Checksum;
  actual?: Checksum;
  error?: SerializedError;
}

export interface RollbackOutcome {
  runId: string;
  status: 'rolled-back' | 'already-rolled-back' | 'failed';
  /** One line for a person. */
  message: string;
  tables: TableRollbackOutcome[];
}

/** Undoes a run in its target and verifies every table against its pre-run checksum. See the module comment. */
export async function rollback(req: RollbackRequest): Promise<RollbackOutcome> {
  const { runId, target } = req;
  const dir = new RunDirectory(req.stateDir, runId);
  const manifest = readManifest(dir);
  if (!manifest) {
    const known = dir.exists();
    throw new FerryError(
      'NOT_FOUND',
      known
        ? `run ${runId} recorded nothing to roll back with (no rollback.json)`
        : `no run ${runId} in ${req.stateDir}`,
      {
        run: runId,
        hint: known
          ? 'the run was started by a ferry that did not prepare rollbacks; restore the target from your own backup'
          : 'check the run id and --state-dir',
      },
    );
  }
  if (manifest.unsupported) {
    throw new FerryError('CONFIG', `run ${runId} cannot be rolled back: ${manifest.unsupported}`, {
      run: runId,
    });
  }
  const before = rollbackState(dir);
  if (before.discardedAt && !before.completedAt) {
    throw new FerryError(
      'CONFIG',
      `run ${runId} cannot be rolled back: its rollback data was discarded at ${before.discardedAt}`,
      {
        run: runId,
        hint: 'restore the target from your own backup',
      },
    );
  }
  if (before.completedAt) {
    return {
      runId,
      status: 'already-rolled-back',
      message: `run ${runId} was already rolled back at ${before.completedAt}; nothing to do`,
      tables: manifest.tables.map((t) => ({
        table: t.table,
        target: tableName(t.target),
        action: t.action,
        status: 'already-rolled-back',
      })),
    };
  }
  const ops = target.rollbackSupport?.();
  if (!ops)
    throw new FerryError('CONFIG', `the target of run ${runId} does not support rollback`, { run: runId });
  dir.lock();
  try {
    const plan = dir.readPlan();
    if (plan.hash !== manifest.planHash) {
      throw new FerryError('DATA', `run ${runId}: rollback.json was made for another plan`, { run: runId });
    }
    const ledger = await target.readLedger(runId);
    const outcomes: TableRollbackOutcome[] = [];
    for (const record of [...manifest.tables].reverse()) {
      if (before.done.has(record.table)) {
        outcomes.unshift({
          table: record.table,
          target: tableName(record.target),
          action: record.action,
          status: 'already-rolled-back',
        });
        continue;
      }
      const table = plan.tables.find((t) => tableName(t.source) === record.table);
      const entries = ledger.filter((e) => e.table === record.table);
      const outcome = await undoTable(req, ops, dir, record, () => {
        if (!table)
          throw new FerryError('DATA', `table ${record.table} is not in the run's plan`, { run: runId });
        return loadedRanges(table, entries);
      });
      outcomes.unshift(outcome);
    }
    const ok = outcomes.every((o) => o.status !== 'failed');
    appendRollbackEvents(dir, { type: 'run_rolled_back', ok, tables: outcomes.length });
    const failed = outcomes.filter((o) => o.status === 'failed');
    const outcome: RollbackOutcome = {
      runId,
      status: ok ? 'rolled-back' : 'failed',
      message: ok
        ? `run ${runId} rolled back: ${outcomes.length} table(s) verified against their pre-run checksums`
        : `rollback of run ${runId} failed for ${failed.map((o) => o.target).join(', ')}; the other tables are rolled back`,
      tables: outcomes,
    };
    await recordAudit(req, manifest, outcome);
    return outcome;
  } finally {
    dir.close();
  }
}

/** Undoes one table, verifies it, records the outcome; never throws (the outcome carries the error). */
async function undoTable(
  req: RollbackRequest,
  ops: TargetRollback,
  dir: RunDirectory,
  record: TableRollbackRecord,
  ranges: () => ReturnType<typeof loadedRanges>,
): Promise<TableRollbackOutcome> {
  const { runId, target } = req;
  const display = tableName(record.target);
  const base = { table: record.table, target: display, action: record.action };
  const log = req.logger?.child({ run: runId, table: record.table });
  try {
    const current = await target.describe(record.target);
    const spec: TableSpec = current ?? {
      ...record.target,
      columns: [],
      primaryKey: [],
      estimatedRows: 0,
      estimatedBytes: 0,
    };
    const step = stepFor(record, current !== undefined, ranges);
    const { deletedRows } = await ops.undoTable({
      runId,
      table: spec,
      ledgerTable: record.table,
      step,
      ...(record.existed && record.checksum && step.kind !== 'delete-run-files'
        ? { expectRows: record.checksum.rows }
        : {}),
    });
    const now = await target.describe(record.target);
    let actual: Checksum | undefined;
    let ok: boolean;
    if (record.existed) {
      actual = now ? await req.checksumOf(now) : undefined;
      ok = actual !== undefined && record.checksum !== undefined && checksumsEqual(actual, record.checksum);
    } else {
      ok = now === undefined;
    }
    const error = ok
      ? undefined
      : new FerryError(
          'VERIFY',
          record.existed
            ? `${display} does not match its pre-run checksum after the undo: expected ${record.checksum?.rows} rows (${record.checksum?.sum}), ${actual ? `found ${actual.rows} (${actual.sum})` : 'the table is missing'}`
            : `${display} still exists after the undo`,
          {
            run: runId,
            table: record.table,
            hint: 'the table changed outside this run; the side tables are kept for inspection',
          },
        ).toJSON();
    appendRollbackEvents(dir, {
      type: 'table_rolled_back',
      ...base,
      ok,
      deletedRows,
      ...(record.checksum ? { expected: record.checksum } : {}),
      ...(actual ? { actual } : {}),
      ...(error ? { error } : {}),
    });
    if (ok && !req.keepSideTables) {
      for (const side of [record.backup, record.keySnapshot, record.nullRows]) {
        if (side) await ops.dropSideTable(record.target, side);
      }
    }
    log?.info({ action: record.action, ok, deletedRows }, 'table rolled back');
    return {
      ...base,
      status: ok ? 'rolled-back' : 'failed',
      deletedRows,
      ...(record.checksum ? { expected: record.checksum } : {}),
      ...(actual ? { actual } : {}),
      ...(error ? { error } : {}),
    };
  } catch (e) {
    const error = toFerryError(e, 'INTERNAL', { run: runId, table: record.table }).toJSON();
    delete error.stack;
    appendRollbackEvents(dir, { type: 'table_rolled_back', ...base, ok: false, error });
    log?.error({ err: error.message }, 'rolling back the table failed');
    return { ...base, status: 'failed', error };
  }
}

/** The undo step of a table from its manifest record. */
function stepFor(
  record: TableRollbackRecord,
  exists: boolean,
  ranges: () => ReturnType<typeof loadedRanges>,
): UndoStep {
  switch (record.action) {
    case 'drop':
      return { kind: 'drop' };
    case 'none':
      return { kind: 'ledger-only' };
    case 'restore':
      return {
        kind: 'restore',
        from: record.backup!,
        ...(record.definition ? { definition: record.definition } : {}),
      };
    case 'delete-run-files':
      return { kind: 'delete-run-files' };
    case 'delete-loaded': {
      if (!exists) {
        throw new FerryError(
          'NOT_FOUND',
          `${tableName(record.target)} no longer exists; its pre-run rows are gone`,
          {
            table: record.table,
            hint: 'restore it from your own backup',
          },
        );
      }
      const loaded = ranges();
      return {
        kind: 'delete-loaded',
        ranges: loaded.ranges,
        keys: record.keySnapshot!,
        ...(record.nullRows && loaded.nullRange
          ? { nullRows: record.nullRows, nullRange: loaded.nullRange }
          : {}),
      };
    }
  }
}

async function recordAudit(
  req: RollbackRequest,
  manifest: RollbackManifest,
  outcome: RollbackOutcome,
): Promise<void> {
  if (req.audit === false) return;
  const log = req.audit ?? new AuditLog();
  let deleted = 0n;
  for (const t of outcome.tables) deleted += BigInt(t.deletedRows ?? '0');
  const counts: AuditCounts = { rows: deleted.toString() };
  const details: Record<string, string> = {};
  for (const t of outcome.tables) details[t.target] = `${t.action}: ${t.status}`;
  await log.append({
    event: 'rollback',
    time: new Date().toISOString(),
    invocation: req.invocation ?? newInvocationId(),
    ...auditIdentity(),
    command: 'rollback',
    args: [req.runId],
    runId: req.runId,
    tables: manifest.tables.map((t) => t.table),
    counts,
    result: {
      status: outcome.status === 'failed' ? 'failed' : 'ok',
      exitCode: outcome.status === 'failed' ? 1 : 0,
      ...(outcome.status === 'failed'
        ? { errorCode: outcome.tables.find((t) => t.error)?.error?.code ?? 'VERIFY' }
        : {}),
    },
    details,
  });
}
