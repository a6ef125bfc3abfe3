import { FerryError, type Target } from '../../core/index.js';
import { RunDirectory } from '../run-state.js';
import { appendRollbackEvents, readManifest, rollbackState } from './manifest.js';

export interface DiscardRollbackRequest {
  runId: string;
  stateDir: string;
  target: Target;
}

/**
 * Keeps a run for good: drops its side tables (backups, key snapshots), which otherwise stay in the target
 * until a rollback, and records that the run can no longer be rolled back. Returns the side tables dropped.
 */
export async function discardRollback(req: DiscardRollbackRequest): Promise<string[]> {
  const dir = new RunDirectory(req.stateDir, req.runId);
  const manifest = readManifest(dir);
  if (!manifest) {
    throw new FerryError('NOT_FOUND', `run ${req.runId} has no rollback data in ${req.stateDir}`, {
      run: req.runId,
      hint: 'check the run id and --state-dir',
    });
  }
  if (rollbackState(dir).completedAt) return [];
  const ops = req.target.rollbackSupport?.();
  dir.lock();
  try {
    const dropped: string[] = [];
    if (ops) {
      for (const t of manifest.tables) {
        for (const side of [t.backup, t.keySnapshot, t.nullRows]) {
          if (!side) continue;
          await ops.dropSideTable(t.target, side);
          dropped.push(side);
        }
      }
    }
    appendRollbackEvents(dir, { type: 'rollback_discarded' });
    return dropped;
  } finally {
    dir.close();
  }
}
