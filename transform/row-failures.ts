import type { LogicalType } from '../core/index.js';
import type { JsValue } from '../formats/index.js';
import type { Values } from './batch-values.js';
import type { RejectedRow, TransformContext } from './transform-types.js';
import { canonicalKeyText, jsonSafe, valueText } from './values/value-text.js';

/** Why one row of a batch failed: the first failure only (later steps skip a failed row). */
export interface Failure {
  row: number;
  rule: string;
  column?: string;
  /** The value as a reason shows it (already quoted, or `(masked)`). */
  value: string;
  problem: string;
}

const MAX_SHOWN = 120;

/** How a value appears in a reason: text quoted and cut at 120 characters, NULL as NULL. */
export function showValue(v: JsValue | null, type: LogicalType, masked = false): string {
  if (v === null) return 'NULL';
  if (masked) return '(masked)';
  const text = valueText(v, type);
  if (type.kind === 'text' || type.kind === 'json' || type.kind === 'uuid') {
    const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
    return JSON.stringify(cut);
  }
  return text;
}

/** The failures of one batch: a mask of failed rows and the first reason of each. */
export class RowFailures {
  readonly failed: Uint8Array;
  readonly entries: Failure[] = [];

  constructor(readonly length: number) {
    this.failed = new Uint8Array(length);
  }

  get count(): number {
    return this.entries.length;
  }

  fail(row: number, rule: string, column: string | undefined, value: string, problem: string): void {
    if (this.failed[row]) return;
    this.failed[row] = 1;
    const f: Failure = { row, rule, value, problem };
    if (column !== undefined) f.column = column;
    this.entries.push(f);
  }
}

/** The source side of a batch, for naming rows and copying them into rejects. */
export interface SourceRowAccess {
  names: string[];
  types: LogicalType[];
  /** All values of source column `i` (read once per batch). */
  values(i: number): Values;
  index(name: string): number;
}

/** The key text of a row: `user_id=17, region="eu"` from the partition's key columns, else `row N`. */
export function rowKey(src: SourceRowAccess, row: number, context: TransformContext): string {
  // Without a key, or with a key the rows do not carry (PostgreSQL's ctid), the position names the row.
  if (context.keyColumns.length === 0 || context.keyColumns.some((k) => src.index(k) < 0))
    return `row ${(context.rowOffset ?? 0) + row}`;
  return context.keyColumns
    .map((name) => {
      const i = src.index(name);
      const v = src.values(i)[row] ?? null;
      const type = src.types[i]!;
      return `${name}=${v === null ? 'NULL' : type.kind === 'text' ? JSON.stringify(v) : canonicalKeyText(v, type)}`;
    })
    .join(', ');
}

/** The full source row, JSON-safe (see `RejectedRow.row`). */
export function sourceRow(src: SourceRowAccess, row: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < src.names.length; i++)
    out[src.names[i]!] = jsonSafe(src.values(i)[row] ?? null, src.types[i]!);
  return out;
}

/** A failure as a reject: `users.email, key user_id=17: value "x@" does not match … [rule regex(email)]`. */
export function toRejected(f: Failure, src: SourceRowAccess, context: TransformContext): RejectedRow {
  const key = rowKey(src, f.row, context);
  const where = f.column === undefined ? context.table : `${context.table}.${f.column}`;
  const out: RejectedRow = {
    key,
    rule: f.rule,
    reason: `${where}, key ${key}: value ${f.value} ${f.problem} [rule ${f.rule}]`,
    row: sourceRow(src, f.row),
  };
  if (f.column !== undefined) out.column = f.column;
  return out;
}
