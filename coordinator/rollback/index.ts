/**
 * coordinator/rollback: undoing a run (see docs/rollback_plan.md).
 *
 *   before the run: prepareRollback ─► side tables in the target + <run dir>/rollback.json
 *   ferry rollback RUN: rollback ─► per table: undo (one transaction, ledger rows included) ─► checksum check
 */
export * from './discard-rollback.js';
export * from './manifest.js';
export * from './prepare-rollback.js';
export * from './reader-checksum.js';
export * from './rollback-run.js';
export * from './undo-ranges.js';
