import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBListValue,
  DuckDBTimeValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  DuckDBUUIDValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { FerryError } from '../../core/index.js';
import { type JsValue, parseInterval } from '../index.js';

/** Converts one non-null JsValue to the DuckDB value a vector of the target type stores; throws a bare reason. */
export type ToDuckDB = (value: JsValue) => DuckDBValue;

/** Why a value cannot be stored; the appender turns it into a DATA error naming table, column, key and value. */
export class ValueRefused extends Error {
  override readonly name = 'ValueRefused';
}

const refuse = (why: string): never => {
  throw new ValueRefused(why);
};

const INT_RANGES: Partial<Record<DuckDBTypeId, [bigint, bigint]>> = {
  [DuckDBTypeId.TINYINT]: [-128n, 127n],
  [DuckDBTypeId.SMALLINT]: [-32768n, 32767n],
  [DuckDBTypeId.INTEGER]: [-2147483648n, 2147483647n],
  [DuckDBTypeId.BIGINT]: [-(2n ** 63n), 2n ** 63n - 1n],
  [DuckDBTypeId.UTINYINT]: [0n, 255n],
  [DuckDBTypeId.USMALLINT]: [0n, 65535n],
  [DuckDBTypeId.UINTEGER]: [0n, 4294967295n],
  [DuckDBTypeId.UBIGINT]: [0n, 2n ** 64n - 1n],
  [DuckDBTypeId.HUGEINT]: [-(2n ** 127n), 2n ** 127n - 1n],
  [DuckDBTypeId.UHUGEINT]: [0n, 2n ** 128n - 1n],
};

/**
 * Parses exact decimal text into DuckDB's scaled integer for DECIMAL(width, scale). Refuses (never rounds) a
 * value with more fractional digits than `scale` (unless they are zeros) or more integer digits than
 * `width - scale`, and anything that is not plain decimal digits (NaN, exponents). Hot path: one pass, no regex.
 */
export function parseDecimal(text: string, width: number, scale: number): bigint {
  const n = text.length;
  let i = 0;
  const negative = text.charCodeAt(0) === 45; /* - */
  if (negative || text.charCodeAt(0) === 43 /* + */) i = 1;
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracEnd = i;
  if (i < n && text.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  const fracStart = intEnd + 1;
  const fracLength = Math.max(0, fracEnd - fracStart);
  if (i !== n || (intEnd === intStart && fracLength === 0))
    return refuse(`"${text}" is not a decimal number`);
  let keep = fracLength;
  if (fracLength > scale) {
    for (let k = fracStart + scale; k < fracEnd; k++) {
      if (text.charCodeAt(k) !== 48)
        return refuse(`it has more than ${scale} decimal places (would be rounded)`);
    }
    keep = scale;
  }
  let first = intStart;
  while (first < intEnd && text.charCodeAt(first) === 48) first++;
  if (intEnd - first > width - scale)
    return refuse(`it has more than ${width - scale} digits before the decimal point`);
  const digits =
    text.slice(first, intEnd) + text.slice(fracStart, fracStart + keep) + ZEROS.slice(0, scale - keep);
  const scaled = digits === '' ? 0n : BigInt(digits);
  return negative ? -scaled : scaled;
}

const ZEROS = '0'.repeat(40);
const isDigit = (c: number) => c >= 48 && c <= 57;

function integer(v: JsValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'string' && /^[+-]?\d+\.0*$/.test(v)) return BigInt(v.slice(0, v.indexOf('.')));
  return refuse('it is not an integer');
}

function intRange(id: DuckDBTypeId, name: string): [bigint, bigint] {
  const range = INT_RANGES[id];
  if (!range) throw new FerryError('INTERNAL', `no integer range for ${name}`);
  return range;
}

/** A UUID's 128 bits from `8-4-4-4-12` hex text (or 32 bare hex digits). Hot path: no regex. */
function hex128(t: string): bigint {
  let hex: string;
  if (t.length === 36 && t[8] === '-' && t[13] === '-' && t[18] === '-' && t[23] === '-') {
    hex = t.slice(0, 8) + t.slice(9, 13) + t.slice(14, 18) + t.slice(19, 23) + t.slice(24);
  } else if (t.length === 32) hex = t;
  else return refuse('it is not a UUID');
  // BigInt rejects any non-hex character (sign, space, dash) among the digits; only edges need a look.
  if (hex.charCodeAt(0) <= 32 || hex.charCodeAt(31) <= 32) return refuse('it is not a UUID');
  try {
    return BigInt(`0x${hex}`);
  } catch {
    return refuse('it is not a UUID');
  }
}

const TS_NEG_INF = -0x8000000000000000n;
const TS_NEG_INF_DUCKDB = -0x7fffffffffffffffn;

/** The writer of JsValues into a DuckDB column of the given type (the target table's type, which governs). */
export function writerFor(type: DuckDBType): ToDuckDB {
  const name = type.toString();
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => (typeof v === 'boolean' ? v : refuse('it is not a boolean'));
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER: {
      const [lo, hi] = intRange(type.typeId, name);
      const min = Number(lo);
      const max = Number(hi);
      return (v) => {
        const n = typeof v === 'number' ? v : Number(integer(v));
        if (!Number.isInteger(n) || n < min || n > max) return refuse(`it is outside the range of ${name}`);
        return n;
      };
    }
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT: {
      const [lo, hi] = intRange(type.typeId, name);
      return (v) => {
        const n = integer(v);
        if (n < lo || n > hi) return refuse(`it is outside the range of ${name}`);
        return n;
      };
    }
    case DuckDBTypeId.BIGNUM:
      return integer;
    case DuckDBTypeId.FLOAT:
      return (v) => {
        if (typeof v !== 'number') return refuse('it is not a floating-point number');
        if (!Number.isNaN(v) && Math.fround(v) !== v) return refuse('FLOAT cannot hold it exactly');
        return v;
      };
    case DuckDBTypeId.DOUBLE:
      return (v) => (typeof v === 'number' ? v : refuse('it is not a floating-point number'));
    case DuckDBTypeId.DECIMAL: {
      const { width, scale } = type;
      return (v) =>
        new DuckDBDecimalValue(
          typeof v === 'string'
            ? parseDecimal(v, width, scale)
            : parseDecimal(String(integer(v)), width, scale),
          width,
          scale,
        );
    }
    case DuckDBTypeId.VARCHAR:
      return (v) => (typeof v === 'string' ? v : refuse('it is not text'));
    case DuckDBTypeId.ENUM: {
      const members = new Set(type.values);
      return (v) => (typeof v === 'string' && members.has(v) ? v : refuse(`it is not a member of ${name}`));
    }
    case DuckDBTypeId.BLOB:
      return (v) => (v instanceof Uint8Array ? new DuckDBBlobValue(v) : refuse('it is not bytes'));
    case DuckDBTypeId.DATE:
      return (v) => {
        if (typeof v !== 'number') return refuse('it is not a date');
        return new DuckDBDateValue(v === -0x80000000 ? -0x7fffffff : v);
      };
    case DuckDBTypeId.TIME:
      return (v) => {
        const us = typeof v === 'bigint' ? v : refuse('it is not a time');
        if (us < 0n || us > 86_400_000_000n) return refuse('it is not a time of day');
        return new DuckDBTimeValue(us);
      };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: {
      const Value = type.typeId === DuckDBTypeId.TIMESTAMP ? DuckDBTimestampValue : DuckDBTimestampTZValue;
      return (v) => {
        const us = typeof v === 'bigint' ? v : refuse('it is not a timestamp');
        return new Value(us === TS_NEG_INF ? TS_NEG_INF_DUCKDB : us);
      };
    }
    case DuckDBTypeId.INTERVAL:
      return (v) => {
        if (typeof v !== 'string') return refuse('it is not an interval');
        const p = parseInterval(v);
        return new DuckDBIntervalValue(p.months, p.days, p.micros);
      };
    case DuckDBTypeId.UUID:
      return (v) =>
        typeof v === 'string' ? DuckDBUUIDValue.fromUint128(hex128(v)) : refuse('it is not a UUID');
    case DuckDBTypeId.LIST: {
      const element = writerFor(type.valueType);
      return (v) => {
        if (!Array.isArray(v)) return refuse('it is not a list');
        return new DuckDBListValue(v.map((e) => (e === null ? null : element(e))));
      };
    }
    default:
      throw new FerryError('TYPE', `ferry cannot write DuckDB columns of type ${name}`);
  }
}
