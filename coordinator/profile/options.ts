import type { Logger, Source } from '../../core/index.js';
import type { CandidateKey, ConfiguredForeignKey, RequiredColumn } from './profile-tables.js';
import type { ProfileBatchFn } from './table-work.js';

/** What `profileSource` profiles and how (kept apart from profile-source.ts so the report assembly can name it without an import cycle). */
export interface ProfileSourceOptions {
  source: Source;
  /** The source URL without credentials (Endpoint `display`), for the report. Default `source`. */
  sourceDisplay?: string;
  /** Report name: `results/profiles/<name>.*`. Default `profile`. */
  name?: string;
  /** Tables to profile (`t` or `schema.t`); default all. Parents they reference are read for keys only. */
  tables?: string[];
  candidateKeys?: CandidateKey[];
  required?: RequiredColumn[];
  /** Relationships the source does not declare, checked for orphans like declared foreign keys. */
  foreignKeys?: ConfiguredForeignKey[];
  /** Target rows per partition. */
  partitionRows: number;
  /** Target bytes per partition instead of rows (partitioning/ `rowsPerPartition`). */
  partitionBytes?: number;
  /** Rows per Arrow batch. */
  batchRows: number;
  /** Partitions read at the same time. */
  concurrency: number;
  /** Profiles one batch, in the worker pool (`BatchPool.profileBatch`). */
  profileBatch: ProfileBatchFn;
  /** Show values of PII-flagged columns unmasked in the report. Default false. */
  showPii?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  /** Called as each table's last partition is done, with the number of tables done so far. */
  onTable?: (table: string, rows: number, done: number, total: number) => void;
}
