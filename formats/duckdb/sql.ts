import {
  type Column,
  FerryError,
  type KeyRange,
  type Predicate,
  type SqlDialect,
  type TableRef,
  quoteDouble,
  rangePredicate,
} from '../../core/index.js';

/** `"schema"."name"` or `"name"`, quoted for DuckDB. */
export function qualifiedName(ref: TableRef): string {
  return ref.schema ? `${quoteDouble(ref.schema)}.${quoteDouble(ref.name)}` : quoteDouble(ref.name);
}

/** A SQL string literal (single quotes doubled). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The type a key parameter is cast to for a column: its native DuckDB spelling, except ENUM columns, which
 * ferry reads (and so orders and compares) as VARCHAR.
 */
export function castTypeOf(column: Column): string {
  return column.nativeType.startsWith('ENUM(') ? 'VARCHAR' : column.nativeType;
}

/**
 * DuckDB's dialect for `rangePredicate`: double-quoted identifiers, `$n` placeholders, and each key parameter
 * (canonical key text, bound as VARCHAR) cast to its key column's type so comparisons are typed, not textual.
 */
export function duckdbDialect(columns: Column[]): SqlDialect {
  const types = new Map(columns.map((c) => [c.name, castTypeOf(c)]));
  return {
    quoteIdent: quoteDouble,
    placeholder: (i) => `$${i + 1}`,
    cast: (p, column) => {
      const type = types.get(column);
      if (!type)
        throw new FerryError('SCHEMA_MISMATCH', `key column ${column} is not a column of the table`, {
          column,
        });
      return `CAST(${p} AS ${type})`;
    },
  };
}

/**
 * The WHERE predicate (and its VARCHAR parameters) selecting one key range of a table with these columns:
 * core's `rangePredicate` for single-column keys, whole and NULL-key ranges. A composite bound is spelled out
 * lexicographically, `a >= $1 AND (a > $1 OR (a = $1 AND b >= $2))`, rather than as a row-value comparison:
 * DuckDB rewrites `(a, b) >= … AND (a, b) < …` into a BETWEEN on STRUCT values that it then rejects, and a
 * plain `a >= $1` conjunct lets it prune row groups by the first key column.
 */
export function duckdbRangePredicate(range: KeyRange, columns: Column[], paramOffset = 0): Predicate {
  const dialect = duckdbDialect(columns);
  if (range.whole || range.nullKey || range.columns.length < 2)
    return rangePredicate(range, dialect, paramOffset);
  const cols = range.columns.map((c) => dialect.quoteIdent(c));
  const params: string[] = [];
  const bind = (values: string[]) =>
    values.map((v, i) => {
      params.push(v);
      return dialect.cast!(dialect.placeholder(paramOffset + params.length - 1), range.columns[i]!);
    });
  const bound = (ps: string[], last: '>=' | '<', strict: '>' | '<', i = 0): string => {
    if (i === ps.length - 1) return `${cols[i]} ${last} ${ps[i]}`;
    return `(${cols[i]} ${strict} ${ps[i]} OR (${cols[i]} = ${ps[i]} AND ${bound(ps, last, strict, i + 1)}))`;
  };
  const parts = [cols.map((c) => `${c} IS NOT NULL`).join(' AND ')];
  if (range.lo) {
    const ps = bind(range.lo);
    parts.push(`${cols[0]} >= ${ps[0]}`, bound(ps, '>=', '>'));
  }
  if (range.hi) {
    const ps = bind(range.hi);
    parts.push(`${cols[0]} <= ${ps[0]}`, bound(ps, '<', '<'));
  }
  return { sql: parts.join(' AND '), params };
}
