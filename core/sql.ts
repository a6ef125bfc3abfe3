import type { KeyRange, KeyValue } from './types.js';

/** How one SQL dialect quotes identifiers and numbers its bind parameters. */
export interface SqlDialect {
  /** Quotes an identifier with the dialect's escaping (`"a""b"` or `` `a``b` ``). Identifiers are untrusted. */
  quoteIdent(name: string): string;
  /** The placeholder for the n-th (0-based) parameter: `$1` or `?`. */
  placeholder(index: number): string;
  /** Wraps a placeholder with a cast to the key column's type, e.g. `CAST($1 AS BIGINT)`; identity when not needed. */
  cast?(placeholder: string, column: string): string;
}

/** Double-quote quoting (PostgreSQL, DuckDB, standard SQL). */
export function quoteDouble(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Backtick quoting (MySQL, MariaDB). */
export function quoteBacktick(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A predicate with its parameters, ready to append after `WHERE`. */
export interface Predicate {
  sql: string;
  params: KeyValue[];
}

/**
 * Renders a KeyRange as a WHERE predicate using row-value comparison: `(a, b) >= (…) AND (a, b) < (…)`.
 * Rows with a NULL in any key column belong only to the `nullKey` range (`a IS NULL OR b IS NULL`); every
 * other range excludes them. `whole` selects every row; `paramOffset` numbers placeholders after earlier ones.
 */
export function rangePredicate(range: KeyRange, dialect: SqlDialect, paramOffset = 0): Predicate {
  if (range.whole) return { sql: 'TRUE', params: [] };
  const cols = range.columns.map((c) => dialect.quoteIdent(c));
  if (range.nullKey) return { sql: `(${cols.map((c) => `${c} IS NULL`).join(' OR ')})`, params: [] };
  const params: KeyValue[] = [];
  const tuple = (values: KeyValue[]) => {
    const ph = values.map((v, i) => {
      const p = dialect.placeholder(paramOffset + params.length);
      params.push(v);
      return dialect.cast ? dialect.cast(p, range.columns[i]!) : p;
    });
    return ph.length === 1 ? ph[0]! : `(${ph.join(', ')})`;
  };
  const lhs = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`;
  const parts: string[] = [];
  if (range.lo) parts.push(`${lhs} >= ${tuple(range.lo)}`);
  if (range.hi) parts.push(`${lhs} < ${tuple(range.hi)}`);
  // A row comparison decides on the first unequal pair, so `(5, NULL) >= (3, 'z')` is TRUE in PostgreSQL,
  // MySQL and DuckDB: a composite bound alone would let NULL-bearing rows into a range as well as into the
  // nullKey one. A single-column comparison already rejects NULL; an open range needs the guard too.
  if (parts.length === 0 || cols.length > 1) parts.push(cols.map((c) => `${c} IS NOT NULL`).join(' AND '));
  return { sql: parts.join(' AND '), params };
}

/** A short human form of a range for logs and errors: `[100, 200)`, `(-∞, 5)`, `NULL`, `all rows`. */
export function formatRange(range: KeyRange): string {
  if (range.whole) return 'all rows';
  if (range.nullKey) return `${range.columns.join(',')} IS NULL`;
  const t = (v?: KeyValue[]) => (v ? (v.length === 1 ? v[0]! : `(${v.join(', ')})`) : undefined);
  return `[${t(range.lo) ?? '-∞'}, ${t(range.hi) ?? '+∞'})`;
}
