import { FerryError, type KeyValue, type LogicalType } from '../core/index.js';
import type { JsValue } from './batch-builder.js';

const DAY_MICROS = 86_400_000_000n;

/**
 * `YYYY-MM-DD` for days since 1970-01-01 (proleptic Gregorian). Years outside 1..9999 use ISO 8601 astronomical
 * numbering (`-0043-03-15` is 44 BC, `10000-01-01`), which DuckDB parses back; PostgreSQL needs its own `BC` form.
 */
export function formatDate(days: number): string {
  // Howard Hinnant's days-to-civil algorithm: exact for any day count.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** `HH:MM:SS.ffffff` for microseconds since midnight (always six fractional digits). */
export function formatTime(micros: bigint): string {
  const s = micros / 1_000_000n;
  const f = micros % 1_000_000n;
  const hh = String(s / 3600n).padStart(2, '0');
  const mm = String((s / 60n) % 60n).padStart(2, '0');
  const ss = String(s % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}.${String(f).padStart(6, '0')}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` for microseconds since 1970-01-01 (UTC for timestamptz; `infinity`/`-infinity` at the int64 ends). */
export function formatTimestamp(micros: bigint): string {
  if (micros >= 0x7fffffffffffffffn) return 'infinity';
  if (micros <= -0x7fffffffffffffffn) return '-infinity';
  let days = micros / DAY_MICROS;
  let rest = micros % DAY_MICROS;
  if (rest < 0n) {
    rest += DAY_MICROS;
    days -= 1n;
  }
  return `${formatDate(Number(days))} ${formatTime(rest)}`;
}

/**
 * The canonical text of a key value (core's `KeyValue`): integers and decimals as plain digits, floats as
 * JavaScript's shortest round-trip text, dates `YYYY-MM-DD`, times `HH:MM:SS.ffffff`, timestamps
 * `YYYY-MM-DD HH:MM:SS.ffffff` (UTC for timestamptz), uuids lower case, text as is, booleans `true`/`false`.
 * Every engine binds it as text with a cast to the key column's type. Bytes, json, interval and list keys are a
 * TYPE error: no engine orders them the same way.
 */
export function keyText(value: JsValue, type: LogicalType, column = '?'): KeyValue {
  switch (type.kind) {
    case 'bool':
    case 'int':
    case 'decimal':
    case 'text':
      return String(value);
    case 'float':
      return String(value);
    case 'uuid':
      return String(value).toLowerCase();
    case 'date': {
      const days = value as number;
      if (days >= 0x7fffffff) return 'infinity';
      if (days <= -0x7fffffff) return '-infinity';
      return formatDate(days);
    }
    case 'time':
      return formatTime(BigInt(value as bigint));
    case 'timestamp':
      return formatTimestamp(BigInt(value as bigint));
    default:
      throw new FerryError('TYPE', `a ${type.kind} column (${column}) cannot be a partitioning key`, {
        column,
        hint: 'choose another key column, or let the table load as one partition',
      });
  }
}
