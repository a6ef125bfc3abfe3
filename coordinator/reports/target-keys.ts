/**
 * Duplicate and orphan checks on what the target holds, read through its reader:
 *
 *   target table ─► key hashes per batch ─► DuplicateCheck (primary key)
 *   parent table ─► KeyHashSet of referenced keys ─► child table ─► OrphanCheck (each foreign key)
 *
 * Memory bound: exact 128-bit key hashes in an open-addressing table (profiling/ `KeyHashSet`), about 30–60
 * bytes per distinct key, plus the distinct orphan keys. At most one table's distinct keys are held at a time:
 * a duplicate check holds the table's primary keys; an orphan check holds the parent's referenced keys (and
 * the distinct orphans) while the child streams past. Batches are bounded by the plan's `batchRows`.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Source, TableSpec } from '../../core/index.js';
import {
  DuplicateCheck,
  displayKey,
  KEY_HASH_BYTES,
  KeyHashSet,
  keyHashes,
  keyPartsAt,
  keyReaders,
  maskText,
  OrphanCheck,
} from '../../profiling/index.js';

/** Duplicates on a target table's primary key. */
export interface TargetDuplicates {
  keyColumns: string[];
  rows: number;
  /** Keys held more than once, and the rows beyond the first of each. */
  duplicateKeys: number;
  duplicateRows: number;
  /** Rows whose key has a NULL (not checked). */
  nullKeyRows: number;
  examples: string[];
}

/** Orphans of one foreign key between migrated tables, on the target. */
export interface TargetOrphans {
  /** The constraint's name, or its columns. */
  foreignKey: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
  rows: number;
  orphanRows: number;
  orphanKeys: number;
  examples: string[];
}

/** What the checks read: a target reader and the rows per batch. */
export interface TargetScan {
  reader: Source;
  batchRows: number;
  signal?: AbortSignal;
  /** Columns whose values are masked in examples (PII). */
  pii: ReadonlySet<string>;
}

function readColumns(scan: TargetScan, table: TableSpec, columns: string[]): AsyncIterable<RecordBatch> {
  return scan.reader.read(
    table,
    { columns: [], whole: true },
    { batchRows: scan.batchRows, columns, ...(scan.signal ? { signal: scan.signal } : {}) },
  );
}

function textAt(batch: RecordBatch, columns: string[], pii: ReadonlySet<string>): (row: number) => string {
  const readers = keyReaders(batch, columns);
  return (row) => {
    const parts = keyPartsAt(readers, row) ?? [];
    return displayKey(parts.map((p, i) => (pii.has(columns[i]!) ? maskText(p) : p)));
  };
}

/**
 * Duplicates on `keyColumns` of a target table's batches, exact: fed by its own scan (`targetDuplicates`) or
 * by a scan that reads the table anyway (the field-level sample's), which then need not be read again.
 */
export class TargetDuplicateCount {
  readonly #check = new DuplicateCheck();

  constructor(
    readonly keyColumns: string[],
    private readonly pii: ReadonlySet<string>,
  ) {}

  add(batch: RecordBatch): void {
    this.#check.add(keyHashes(batch, this.keyColumns), textAt(batch, this.keyColumns, this.pii));
  }

  result(): TargetDuplicates {
    const r = this.#check.result();
    return {
      keyColumns: this.keyColumns,
      rows: r.rows,
      duplicateKeys: r.duplicateKeys,
      duplicateRows: r.duplicateRows,
      nullKeyRows: r.nullRows,
      examples: r.examples,
    };
  }
}

/** Duplicates on `keyColumns` of a target table (its primary key), exact, reading just those columns. */
export async function targetDuplicates(
  scan: TargetScan,
  table: TableSpec,
  keyColumns: string[],
): Promise<TargetDuplicates> {
  const count = new TargetDuplicateCount(keyColumns, scan.pii);
  for await (const batch of readColumns(scan, table, keyColumns)) count.add(batch);
  return count.result();
}

/** Orphans of one foreign key: child rows whose non-NULL key the parent table does not hold. */
export async function targetOrphans(
  scan: TargetScan,
  child: TableSpec,
  columns: string[],
  parent: TableSpec,
  referencedColumns: string[],
  name: string,
  parentName: string,
): Promise<TargetOrphans> {
  const parentKeys = new KeyHashSet();
  for await (const batch of readColumns(scan, parent, referencedColumns)) {
    const hashes = keyHashes(batch, referencedColumns);
    const view = new DataView(hashes.buffer, hashes.byteOffset, hashes.byteLength);
    for (let off = 0; off < hashes.length; off += KEY_HASH_BYTES) {
      // An all-zero hash marks a NULL key: it is nobody's parent.
      if (hashes.subarray(off, off + KEY_HASH_BYTES).some((b) => b !== 0)) parentKeys.insert(view, off);
    }
  }
  // The parent was read completely first, so every child row can be checked as it arrives.
  const check = new OrphanCheck(parentKeys, 'immediate');
  for await (const batch of readColumns(scan, child, columns))
    check.add(keyHashes(batch, columns), textAt(batch, columns, scan.pii));
  const r = check.result();
  return {
    foreignKey: name,
    columns,
    references: parentName,
    referencedColumns,
    rows: r.rows,
    orphanRows: r.orphanRows,
    orphanKeys: r.orphanKeys,
    examples: r.examples,
  };
}
