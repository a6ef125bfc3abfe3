/**
 * The checks behind the reconciliation report and the certificate, on what the target holds now:
 *
 *   per table: field-level sample (expected rows vs target) ─► duplicates on the target's primary key
 *   per foreign key between migrated tables: orphans on the target
 *
 * Runs on the coordinator, one table at a time, reading through the source and a target reader (never the
 * writer). A check that fails to run is recorded as an error on its table (and fails the certificate), so a
 * report is always written.
 */
import type { RecordBatch } from 'apache-arrow';
import {
  type ForeignKey,
  type Plan,
  type Secret,
  type Source,
  type TablePlan,
  type TableRef,
  tableName,
  toFerryError,
} from '../../core/index.js';
import { piiByName } from '../../profiling/index.js';
import { expectedTargetRows } from '../verify.js';
import {
  compareSample,
  DEFAULT_SAMPLE_ROWS,
  DEFAULT_SAMPLE_SEED,
  type SampleComparison,
} from './sample-compare.js';
import {
  TargetDuplicateCount,
  type TargetDuplicates,
  type TargetOrphans,
  targetDuplicates,
  targetOrphans,
} from './target-keys.js';

/** The checks of one table. */
export interface TableQuality {
  table: string;
  target: string;
  /** Absent when the table has no key to match rows by (see `notes`) or the comparison failed (`errors`). */
  sample?: SampleComparison;
  /** Absent when the target table has no primary key (see `notes`). */
  duplicates?: TargetDuplicates;
  /** One per foreign key of the target table to a migrated table. */
  orphans: TargetOrphans[];
  /** Why a check was not applicable. */
  notes: string[];
  /** Checks that could not run, with the reason. */
  errors: string[];
}

/** The checks of a run's tables. */
export interface QualityResult {
  checkedAt: string;
  sampleRows: number;
  seed: number;
  tables: TableQuality[];
}

/** Inputs of {@link checkQuality}. */
export interface QualityRequest {
  plan: Plan;
  source: Source;
  /** A reader of the target (`Target.reader()`). */
  target: Source;
  /** Rows sampled per table for the field-level comparison (default 1000; 0 skips it). */
  sampleRows?: number;
  /** Seed of the sample (default 1): the same seed samples the same keys. */
  seed?: number;
  /** The salt of `mask: hash`, for tables whose transform masks by hashing. */
  transformSalt?: Secret;
  signal?: AbortSignal;
}

/** PII-flagged columns of a table: by the column's name on either side (profiling/ `piiByName`). */
export function piiColumns(t: TablePlan): Set<string> {
  const out = new Set<string>();
  for (const c of t.target.columns) if (piiByName(c.name)) out.add(c.name);
  for (const m of t.columns) if (piiByName(m.source)) out.add(m.target);
  return out;
}

/** The target columns rows are matched by: the target's primary key, else the planned key renamed. */
function matchKey(t: TablePlan): string[] {
  const names = new Set(t.target.columns.map((c) => c.name));
  if (t.target.primaryKey.length && t.target.primaryKey.every((c) => names.has(c)))
    return t.target.primaryKey;
  const rename = new Map(t.columns.map((c) => [c.source, c.target]));
  const renamed = t.keyColumns.map((c) => rename.get(c));
  return renamed.every((c): c is string => c !== undefined && names.has(c)) ? renamed : [];
}

/**
 * The foreign keys of a table to migrated tables, in target names: the target's own (when the target keeps
 * them), else the source's whose columns reach the target unchanged on both sides (a target that creates no
 * foreign keys still should hold no orphans).
 */
export function migratedForeignKeys(plan: Plan, t: TablePlan): { fk: ForeignKey; parent: TablePlan }[] {
  const out: { fk: ForeignKey; parent: TablePlan }[] = [];
  if (t.target.foreignKeys) {
    for (const fk of t.target.foreignKeys) {
      const parent = plan.tables.find((p) => tableName(p.target) === tableName(fk.references));
      if (parent) out.push({ fk, parent });
    }
    return out;
  }
  const childNames = new Map(t.columns.map((c) => [c.source, c.target]));
  for (const fk of t.source.foreignKeys ?? []) {
    const parent =
      plan.tables.find((p) => tableName(p.source) === tableName(fk.references)) ??
      (fk.references.schema ? undefined : plan.tables.find((p) => p.source.name === fk.references.name));
    if (!parent) continue;
    const parentNames = new Map(parent.columns.map((c) => [c.source, c.target]));
    const columns = fk.columns.map((c) => childNames.get(c));
    const referencedColumns = fk.referencedColumns.map((c) => parentNames.get(c));
    if (columns.some((c) => c === undefined) || referencedColumns.some((c) => c === undefined)) continue;
    const references: TableRef = { name: parent.target.name };
    if (parent.target.schema) references.schema = parent.target.schema;
    out.push({
      fk: {
        ...fk,
        columns: columns as string[],
        references,
        referencedColumns: referencedColumns as string[],
      },
      parent,
    });
  }
  return out;
}

/** The batches of `source`, each shown to `see` on its way. */
async function* tap(
  source: AsyncIterable<RecordBatch>,
  see: (batch: RecordBatch) => void,
): AsyncIterable<RecordBatch> {
  for await (const batch of source) {
    see(batch);
    yield batch;
  }
}

function message(e: unknown, table: string): string {
  return toFerryError(e, 'INTERNAL', { table }).message;
}

/** Runs the field-level sample, duplicate and orphan checks of every table of the plan. */
export async function checkQuality(req: QualityRequest): Promise<QualityResult> {
  const sampleRows = req.sampleRows ?? DEFAULT_SAMPLE_ROWS;
  const seed = req.seed ?? DEFAULT_SAMPLE_SEED;
  const batchRows = req.plan.options.batchRows;
  const expected = expectedTargetRows(req);
  const tables: TableQuality[] = [];
  for (const t of req.plan.tables) {
    const name = tableName(t.source);
    const pii = piiColumns(t);
    const scan = { reader: req.target, batchRows, pii, ...(req.signal ? { signal: req.signal } : {}) };
    const q: TableQuality = { table: name, target: tableName(t.target), orphans: [], notes: [], errors: [] };
    const key = matchKey(t);
    const columns = t.target.columns.map((c) => c.name);
    // The sample reads every target row and column: duplicates are counted on that scan, not a second one.
    const pk = t.target.primaryKey;
    const duplicates =
      pk.length && pk.every((c) => columns.includes(c)) ? new TargetDuplicateCount(pk, pii) : undefined;
    if (sampleRows === 0) q.notes.push('field-level comparison skipped (--sample-rows 0)');
    else if (key.length === 0)
      q.notes.push('no key on the target to match rows by: field-level comparison not possible');
    else {
      try {
        async function* all(): AsyncIterable<RecordBatch> {
          for (const p of t.partitions) yield* await expected(t, p);
        }
        q.sample = await compareSample({
          keyColumns: key,
          columns,
          expected: all(),
          actual: tap(
            req.target.read(
              t.target,
              { columns: [], whole: true },
              { batchRows, columns, ...(req.signal ? { signal: req.signal } : {}) },
            ),
            (batch) => duplicates?.add(batch),
          ),
          sampleRows,
          seed,
          pii,
        });
        if (duplicates) q.duplicates = duplicates.result();
      } catch (e) {
        q.errors.push(`field-level comparison failed: ${message(e, name)}`);
      }
    }
    if (t.target.primaryKey.length === 0)
      q.notes.push('the target table has no primary key: duplicates not checked');
    else if (!q.duplicates) {
      try {
        q.duplicates = await targetDuplicates(scan, t.target, t.target.primaryKey);
      } catch (e) {
        q.errors.push(`duplicate check failed: ${message(e, name)}`);
      }
    }
    for (const { fk, parent } of migratedForeignKeys(req.plan, t)) {
      const fkName = fk.name ?? `(${fk.columns.join(', ')})`;
      try {
        q.orphans.push(
          await targetOrphans(
            scan,
            t.target,
            fk.columns,
            parent.target,
            fk.referencedColumns,
            fkName,
            tableName(parent.target),
          ),
        );
      } catch (e) {
        q.errors.push(`orphan check of foreign key ${fkName} failed: ${message(e, name)}`);
      }
    }
    tables.push(q);
  }
  return { checkedAt: new Date().toISOString(), sampleRows, seed, tables };
}
