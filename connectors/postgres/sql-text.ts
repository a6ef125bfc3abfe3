import {
  FerryError,
  type KeyRange,
  type KeyValue,
  type LogicalType,
  quoteDouble,
  rangePredicate,
  type TableRef,
} from '../../core/index.js';

/**
 * SQL text for statements that take no bind parameters (COPY): identifiers quoted, key values rendered as
 * quoted literals. Identifiers longer than PostgreSQL's 63 bytes are refused, never truncated.
 */

/** The ledger table's name (in the ledger schema). */
export const LEDGER_NAME = '_ferry_ledger';

/** The table of fences started per partition (in the ledger schema), see ledger.ts. */
export const ATTEMPTS_NAME = '_ferry_attempts';

/** PostgreSQL's identifier limit in bytes (NAMEDATALEN − 1). */
export const MAX_IDENTIFIER_BYTES = 63;

/** Quotes an identifier; throws CONFIG when it is longer than 63 bytes or holds a NUL. */
export function ident(name: string): string {
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES)
    throw new FerryError('CONFIG', `identifier "${name}" is longer than PostgreSQL's 63 bytes`, {
      hint: 'PostgreSQL would truncate it silently; rename it in the column/table mapping',
    });
  if (name.includes('\0')) throw new FerryError('CONFIG', 'an identifier cannot contain a NUL character');
  return quoteDouble(name);
}

/** `"schema"."table"` (or just the table when no schema). */
export function qualified(ref: TableRef, defaultSchema?: string): string {
  const schema = ref.schema ?? defaultSchema;
  return schema ? `${ident(schema)}.${ident(ref.name)}` : ident(ref.name);
}

/** A string literal (standard_conforming_strings is on in every ferry session). */
export function literal(text: string): string {
  if (text.includes('\0'))
    throw new FerryError('DATA', 'a NUL character cannot appear in a PostgreSQL value');
  return `'${text.replaceAll("'", "''")}'`;
}

/** Canonical `-0043-03-15…` (astronomical year) → PostgreSQL's `0044-03-15… BC`. */
function bcForm(text: string): string {
  const m = /^-(\d+)(-.*)$/.exec(text);
  if (!m) return text;
  const year = 1 - -Number(m[1]);
  return `${String(year).padStart(4, '0')}${m[2]} BC`;
}

/** The SQL literal for a canonical key value (formats/ keyText) of a column of logical type `type`. */
export function keyLiteral(value: KeyValue, type: LogicalType | undefined): string {
  switch (type?.kind) {
    case 'int':
      if (!/^-?\d+$/.test(value))
        throw new FerryError('DATA', `key value "${value}" is not an integer`, { value });
      return literal(value);
    case 'date':
    case 'time':
      return literal(bcForm(value));
    case 'timestamp':
      if (value === 'infinity' || value === '-infinity') return literal(value);
      return literal(
        type.tz
          ? `${bcForm(value).replace(/ BC$/, '')}+00${value.startsWith('-') ? ' BC' : ''}`
          : bcForm(value),
      );
    default:
      return literal(value);
  }
}

/**
 * A WHERE predicate for a key range with literals inline (COPY cannot bind parameters). `types` gives each key
 * column's logical type; the pseudo column `ctid` compares tuple ids (TID range scans on PostgreSQL ≥ 14).
 */
export function rangeSql(range: KeyRange, types: Map<string, LogicalType>): string {
  // Placeholders are NUL-delimited: `ident` refuses NUL, so no quoted identifier can contain one.
  const token = (i: number) => `\u0000${i}\u0000`;
  const pred = rangePredicate(range, { quoteIdent: ident, placeholder: token });
  // Split on NUL: odd parts are placeholder numbers, even parts SQL text.
  return pred.sql
    .split('\u0000')
    .map((part, k) => {
      if (k % 2 === 0) return part;
      const n = Number(part);
      const column = range.columns[n % range.columns.length]!;
      const value = pred.params[n]!;
      return column === 'ctid' ? `${literal(value)}::tid` : keyLiteral(value, types.get(column));
    })
    .join('');
}
