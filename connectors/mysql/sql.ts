import {
  type Column,
  FerryError,
  type KeyRange,
  type KeyValue,
  type TableRef,
  type TableSpec,
  quoteBacktick,
  tableName,
} from '../../core/index.js';
import { parseNativeType } from './native-type.js';

/** `db`.`t`, or `t` in the connection's database. */
export function qualifiedName(ref: TableRef): string {
  return ref.schema ? `${quoteBacktick(ref.schema)}.${quoteBacktick(ref.name)}` : quoteBacktick(ref.name);
}

/** The columns of a spec by name, in the order asked; SCHEMA_MISMATCH for a name the table does not have. */
export function columnsNamed(spec: TableSpec, names: string[]): Column[] {
  return names.map((n) => {
    const c = spec.columns.find((x) => x.name === n);
    if (!c) {
      throw new FerryError('SCHEMA_MISMATCH', `column ${n} is not a column of ${tableName(spec)}`, {
        table: tableName(spec),
        column: n,
      });
    }
    return c;
  });
}

/**
 * How a key column is compared and ordered, the same in sampling (`ORDER BY`) and in range predicates, so
 * that ranges cut at sampled keys cover every row once. ENUM is compared as its text (MySQL sorts ENUM by
 * member number but compares it with a string as text), in the connection's binary collation.
 */
export function keyExpression(column: Column): string {
  const q = quoteBacktick(column.name);
  return parseNativeType(column.nativeType).base === 'enum' ? `CAST(${q} AS CHAR)` : q;
}

/**
 * A key value bound as text (core `KeyValue`) with the cast that makes MySQL compare it as the column's type:
 * without it a BIGINT compared with a string is compared as a double and boundaries above 2^53 blur.
 * Text is converted to the column's character set and collation, so the comparison is the column's own.
 */
export function keyPlaceholder(column: Column): string {
  const nt = parseNativeType(column.nativeType);
  const t = column.type;
  switch (t.kind) {
    case 'bool':
      return "(? = 'true')";
    case 'int':
      return t.unsigned || nt.base === 'bit' ? 'CAST(? AS UNSIGNED)' : 'CAST(? AS SIGNED)';
    case 'decimal':
      return 'CAST(? AS DECIMAL(65,30))';
    case 'float':
      return 'CAST(? AS DOUBLE)';
    case 'date':
      return 'CAST(? AS DATE)';
    case 'timestamp':
      return 'CAST(? AS DATETIME(6))';
    case 'time':
      return 'CAST(? AS TIME(6))';
    default:
      if (nt.base === 'enum' || !nt.charset) return '?';
      return `CONVERT(? USING ${nt.charset})${nt.collation ? ` COLLATE ${nt.collation}` : ''}`;
  }
}

/** A WHERE predicate with its parameters (`?` placeholders, bound in order). */
export interface MysqlPredicate {
  sql: string;
  params: KeyValue[];
}

/**
 * Lexicographic `key >= bound` (or `<`) over key columns, written so MySQL's range optimiser can use the
 * leading column: `a >= x AND (a > x OR (b >= y))` rather than the row constructor `(a, b) >= (x, y)`, which
 * MariaDB does not turn into an index range.
 */
function tupleBound(exprs: string[], holders: string[], values: KeyValue[], lower: boolean): MysqlPredicate {
  const strict = lower ? '>' : '<';
  const last = lower ? '>=' : '<';
  const params: KeyValue[] = [];
  const build = (i: number): string => {
    if (i === exprs.length - 1) {
      params.push(values[i]!);
      return `${exprs[i]} ${last} ${holders[i]}`;
    }
    params.push(values[i]!, values[i]!);
    return `(${exprs[i]} ${strict} ${holders[i]} OR (${exprs[i]} = ${holders[i]} AND ${build(i + 1)}))`;
  };
  if (exprs.length === 1) return { sql: `${exprs[0]} ${last} ${holders[0]}`, params: [values[0]!] };
  const inner = build(0);
  return {
    sql: `${exprs[0]} ${lower ? '>=' : '<='} ${holders[0]} AND ${inner}`,
    params: [values[0]!, ...params],
  };
}

/**
 * A KeyRange as a MySQL WHERE predicate: the same rows as core `rangePredicate` (half-open `lo ≤ key < hi`
 * compared as tuples; rows with a NULL key column only in the `nullKey` range; `whole` = every row).
 */
export function mysqlRangePredicate(range: KeyRange, spec: TableSpec): MysqlPredicate {
  if (range.whole) return { sql: 'TRUE', params: [] };
  const columns = columnsNamed(spec, range.columns);
  const names = columns.map((c) => quoteBacktick(c.name));
  if (range.nullKey) return { sql: `(${names.map((c) => `${c} IS NULL`).join(' OR ')})`, params: [] };
  const exprs = columns.map(keyExpression);
  const holders = columns.map(keyPlaceholder);
  const parts: string[] = [];
  const params: KeyValue[] = [];
  for (const [bound, lower] of [
    [range.lo, true],
    [range.hi, false],
  ] as const) {
    if (!bound) continue;
    const p = tupleBound(exprs, holders, bound, lower);
    parts.push(p.sql);
    params.push(...p.params);
  }
  if (parts.length === 0 || names.length > 1) parts.push(names.map((c) => `${c} IS NOT NULL`).join(' AND '));
  return { sql: parts.join(' AND '), params };
}
