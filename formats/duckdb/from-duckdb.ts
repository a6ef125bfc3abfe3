import {
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  type DuckDBIntervalValue,
  type DuckDBListValue,
  type DuckDBTimeValue,
  type DuckDBTimestampMillisecondsValue,
  type DuckDBTimestampNanosecondsValue,
  type DuckDBTimestampSecondsValue,
  type DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import { FerryError } from '../../core/index.js';
import { type JsValue, formatInterval } from '../index.js';
import type { TypeContext } from './types.js';

/** Converts one non-null DuckDB value to ferry's JsValue; `null` from {@link converterFor} means identity. */
export type FromDuckDB = (value: DuckDBValue) => JsValue;

/** DuckDB's ±infinity timestamps are ±(2^63-1); ferry's are int64 max and min. */
const TS_POS_INF = 0x7fffffffffffffffn;
const TS_NEG_INF_DUCKDB = -0x7fffffffffffffffn;
const TS_NEG_INF = -0x8000000000000000n;
/** DuckDB's ±infinity dates are ±(2^31-1); ferry's are int32 max and min. */
const DATE_NEG_INF_DUCKDB = -0x7fffffff;
const DATE_NEG_INF = -0x80000000;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 40; i++, p *= 10n) POW10.push(p);

/** Exact text of a scaled decimal: `150n, 2` → `1.50`, `-5n, 2` → `-0.05` (DuckDB's own spelling). */
export function decimalText(scaled: bigint, scale: number): string {
  if (scale === 0) return String(scaled);
  const neg = scaled < 0n;
  const digits = String(neg ? -scaled : scaled).padStart(scale + 1, '0');
  const cut = digits.length - scale;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

const micros = (v: bigint): bigint => (v === TS_NEG_INF_DUCKDB ? TS_NEG_INF : v);

function widen(v: bigint, factor: bigint): bigint {
  if (v === TS_POS_INF) return TS_POS_INF;
  if (v === TS_NEG_INF_DUCKDB) return TS_NEG_INF;
  return v * factor;
}

/**
 * The converter for a DuckDB column type into the JsValue domain of its logical type (see
 * `logicalTypeFromDuckDB`), or null when DuckDB's JS value already is that JsValue.
 */
export function converterFor(type: DuckDBType, where: TypeContext): FromDuckDB | null {
  switch (type.typeId) {
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.BIGNUM:
      return (v) => String(v as bigint);
    case DuckDBTypeId.DECIMAL: {
      const scale = type.scale;
      return (v) => decimalText((v as DuckDBDecimalValue).value, scale);
    }
    case DuckDBTypeId.BLOB:
      return (v) => (v as DuckDBBlobValue).bytes;
    case DuckDBTypeId.DATE:
      return (v) => {
        const d = (v as DuckDBDateValue).days;
        return d === DATE_NEG_INF_DUCKDB ? DATE_NEG_INF : d;
      };
    case DuckDBTypeId.TIME:
      return (v) => (v as DuckDBTimeValue).micros;
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => micros((v as DuckDBTimestampValue).micros);
    case DuckDBTypeId.TIMESTAMP_S:
      return (v) => widen((v as DuckDBTimestampSecondsValue).seconds, 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v) => widen((v as DuckDBTimestampMillisecondsValue).millis, 1_000n);
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => {
        const ns = (v as DuckDBTimestampNanosecondsValue).nanos;
        if (ns === TS_POS_INF) return TS_POS_INF;
        if (ns === TS_NEG_INF_DUCKDB) return TS_NEG_INF;
        if (ns % 1000n !== 0n) {
          throw new FerryError(
            'TYPE',
            `TIMESTAMP_NS value ${String(v)} in column ${where.column} of ${where.table} has sub-microsecond digits that ferry's microsecond timestamps cannot hold`,
            {
              table: where.table,
              column: where.column,
              value: String(v),
              hint: 'truncate the column to microseconds in a view (CAST(col AS TIMESTAMP)) if that loss is acceptable',
            },
          );
        }
        return ns / 1000n;
      };
    case DuckDBTypeId.INTERVAL:
      return (v) => formatInterval(v as DuckDBIntervalValue);
    case DuckDBTypeId.UUID:
      return (v) => String(v);
    case DuckDBTypeId.LIST: {
      const element = converterFor(type.valueType, where);
      return (v) => {
        const items = (v as DuckDBListValue).items;
        const out: (JsValue | null)[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          const item = items[i];
          out[i] = item === null || item === undefined ? null : element ? element(item) : (item as JsValue);
        }
        return out;
      };
    }
    default:
      return null;
  }
}
