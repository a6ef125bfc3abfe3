import { FerryError, type KeyRange, type KeyTuple, type KeyValue } from '../core/index.js';

/** Orders two non-NULL key tuples of one key: negative, zero or positive, like `Array.prototype.sort`. */
export type KeyCompare = (a: KeyTuple, b: KeyTuple) => number;

/**
 * How one key column's canonical text is ordered.
 * - `integer`: signed decimal integers of any size (compared exactly, through bigint beyond 2^53).
 * - `binary`: Unicode code point order, which is UTF-8 byte order: what a binary collation
 *   (PostgreSQL `C`, MySQL `utf8mb4_bin`, DuckDB's default) does. Note it differs from JS `<`
 *   (UTF-16 code units) for characters above U+FFFF against U+E000–U+FFFF.
 */
export type KeyOrder = 'integer' | 'binary';

const INTEGER_TEXT = /^-?\d+$/;

function integerText(v: KeyValue): KeyValue {
  if (!INTEGER_TEXT.test(v)) {
    throw new FerryError('DATA', `key value ${JSON.stringify(v)} is not an integer`, {
      value: v,
      hint: 'integer keys must be canonical decimal text',
    });
  }
  return v;
}

/** Orders two integers given as decimal text, exactly at any magnitude. Throws DATA on non-integer text. */
export function compareIntegerText(a: KeyValue, b: KeyValue): number {
  integerText(a);
  integerText(b);
  // Up to 15 digits (with sign) a JS number is exact, and this path is the common one.
  if (a.length < 16 && b.length < 16) return Math.sign(Number(a) - Number(b));
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Orders two strings by Unicode code point (= UTF-8 byte order). Lone surrogates, which no UTF-8
 * database can store, sort as if they were code points above U+FFFF.
 */
export function compareBinaryText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Code-unit order equals code point order except that surrogates (D800–DFFF, encoding code points
    // above FFFF) must sort after E000–FFFF: shift both ranges so that they do.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Compares two key tuples column by column, each column in its {@link KeyOrder}. */
export function compareKeyTuples(a: KeyTuple, b: KeyTuple, orders: readonly KeyOrder[]): number {
  if (a.length !== orders.length || b.length !== orders.length) {
    throw new FerryError(
      'INTERNAL',
      `key tuples of ${a.length} and ${b.length} values compared as a ${orders.length}-column key`,
    );
  }
  for (let i = 0; i < orders.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const c = orders[i] === 'integer' ? compareIntegerText(x, y) : compareBinaryText(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/** A {@link KeyCompare} for a key whose columns are ordered as `orders` says. */
export function keyComparator(orders: readonly KeyOrder[]): KeyCompare {
  const fixed = [...orders];
  return (a, b) => compareKeyTuples(a, b, fixed);
}

/**
 * Whether a key tuple belongs to a range, with exactly the meaning `rangePredicate` (core/sql.ts) renders:
 * `whole` holds every row; `nullKey` holds exactly the tuples with a NULL in any column; any other range
 * holds the NULL-free tuples with `lo ≤ key < hi`, a missing end being open. `compare` must order tuples as
 * the source does (its collation), since that is the order the boundaries were sampled in.
 */
export function keyInRange(range: KeyRange, key: readonly (KeyValue | null)[], compare: KeyCompare): boolean {
  if (range.whole) return true;
  if (key.length !== range.columns.length) {
    throw new FerryError(
      'INTERNAL',
      `a key of ${key.length} values tested against a range over (${range.columns.join(', ')})`,
    );
  }
  const hasNull = key.some((v) => v === null);
  if (range.nullKey) return hasNull;
  if (hasNull) return false;
  const tuple = key as KeyTuple;
  if (range.lo && compare(tuple, range.lo) < 0) return false;
  if (range.hi && compare(tuple, range.hi) >= 0) return false;
  return true;
}
