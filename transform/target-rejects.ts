import type * as A from 'apache-arrow';
import type { Column, RefusedRow } from '../core/index.js';
import { rowKey, sourceRow } from './row-failures.js';
import { BatchSource } from './source-access.js';
import { makeBatch, takeData } from './take.js';
import type { RejectedRow, TransformContext } from './transform-types.js';

/**
 * Rows the target itself refused during a bulk load (a constraint, an encoding), as rejects: the row as it was
 * sent (target columns), named by its key, with the database's error as the reason, under the rule `target`.
 * `context.keyColumns` are target column names here.
 */
export function targetRejects(
  batch: A.RecordBatch,
  columns: Column[],
  refused: readonly RefusedRow[],
  context: TransformContext,
): RejectedRow[] {
  const rows = new BatchSource(batch, columns);
  return refused.map((r) => {
    const key = rowKey(rows, r.row, context);
    const where = r.column === undefined ? context.table : `${context.table}.${r.column}`;
    const out: RejectedRow = {
      key,
      rule: 'target',
      reason: `${where}, key ${key}: the target refused the row: ${r.message} [rule target]`,
      row: sourceRow(rows, r.row),
    };
    if (r.column !== undefined) out.column = r.column;
    return out;
  });
}

/** The refused rows of a batch as a batch of their own (to take their checksum out of the partition's). */
export function refusedRows(batch: A.RecordBatch, columns: Column[], refused: readonly RefusedRow[]): A.RecordBatch {
  const rows = Int32Array.from(refused, (r) => r.row);
  const children = columns.map((c, i) => takeData(batch.data.children[i]!, c.type, rows));
  return makeBatch(columns, children, rows.length, batch.schema);
}
