/**
 * Exact parsing of date, time and timestamp text into ferry's value domain (days since 1970-01-01,
 * microseconds since midnight, microseconds since 1970-01-01) with proleptic Gregorian arithmetic.
 * No Date object and no float: every step is integer arithmetic.
 */

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;
/** The int64 ends that formats/ prints as `infinity` / `-infinity`. */
export const TIMESTAMP_INFINITY = 0x7fffffffffffffffn;
export const TIMESTAMP_MINUS_INFINITY = -0x7fffffffffffffffn;
export const DATE_INFINITY = 0x7fffffff;
export const DATE_MINUS_INFINITY = -0x7fffffff;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DATE = /^([+-]?\d{4,6})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TIMESTAMP =
  /^([+-]?\d{4,6}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/** Days of `YYYY-MM-DD` (also `infinity`), or a reason it is not a valid date. */
export function parseDateText(text: string): number | string {
  if (text === 'infinity') return DATE_INFINITY;
  if (text === '-infinity') return DATE_MINUS_INFINITY;
  const m = DATE.exec(text);
  if (!m) return 'is not a date (YYYY-MM-DD)';
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return `has no month ${month}`;
  if (day < 1 || day > daysInMonth(year, month)) return `has no day ${day} in month ${month} of ${year}`;
  return daysFromCivil(year, month, day);
}

function fractionMicros(frac: string | undefined): bigint | string {
  if (!frac) return 0n;
  if (frac.length > 6 && !/^0+$/.test(frac.slice(6)))
    return 'has more than 6 fractional second digits (no rounding is done)';
  return BigInt(frac.slice(0, 6).padEnd(6, '0'));
}

/** Microseconds since midnight of `HH:MM[:SS[.ffffff]]` (24:00:00 allowed), or a reason. */
export function parseTimeText(text: string): bigint | string {
  const m = TIME.exec(text);
  if (!m) return 'is not a time (HH:MM:SS)';
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  const f = fractionMicros(m[4]);
  if (typeof f === 'string') return f;
  if (h === 24 && min === 0 && s === 0 && f === 0n) return MICROS_PER_DAY;
  if (h > 23 || min > 59 || s > 59) return 'is not a valid time of day';
  return BigInt(h * 3600 + min * 60 + s) * MICROS_PER_SECOND + f;
}

/** The UTC offset in seconds of `Z`, `+02`, `-0530`, `+05:30:15`. */
function offsetSeconds(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(/:/g, '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length >= 4 ? Number(digits.slice(2, 4)) : 0;
  const s = digits.length >= 6 ? Number(digits.slice(4, 6)) : 0;
  return sign * (h * 3600 + m * 60 + s);
}

export interface ParsedTimestamp {
  /** Microseconds since 1970-01-01 of the wall time written, or of the instant when `offset` was given. */
  micros: bigint;
  /** True when the text carried a UTC offset (`Z`, `+02:00`) and `micros` is the UTC instant. */
  hasOffset: boolean;
}

/**
 * `YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|±HH[:MM]]` (a date alone is midnight; `infinity` too). With an offset
 * the result is the UTC instant; without, the wall time as written. Returns a reason when invalid.
 */
export function parseTimestampText(text: string): ParsedTimestamp | string {
  if (text === 'infinity') return { micros: TIMESTAMP_INFINITY, hasOffset: false };
  if (text === '-infinity') return { micros: TIMESTAMP_MINUS_INFINITY, hasOffset: false };
  const m = TIMESTAMP.exec(text);
  if (!m) return 'is not a timestamp (YYYY-MM-DD HH:MM:SS.ffffff)';
  const days = parseDateText(m[1]!);
  if (typeof days === 'string') return days;
  let time = 0n;
  if (m[2] !== undefined) {
    const t = parseTimeText(m[2]);
    if (typeof t === 'string') return t;
    time = t;
  }
  let micros = BigInt(days) * MICROS_PER_DAY + time;
  if (m[3] !== undefined) {
    const off = offsetSeconds(m[3]);
    if (Math.abs(off) >= 86_400) return 'has a UTC offset of a day or more';
    micros -= BigInt(off) * MICROS_PER_SECOND;
  }
  return { micros, hasOffset: m[3] !== undefined };
}

/** Floor division of microseconds by a day, as days and the rest (0 ≤ rest < a day). */
export function splitDay(micros: bigint): { days: bigint; rest: bigint } {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days, rest };
}
