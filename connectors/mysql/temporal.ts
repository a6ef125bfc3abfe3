/**
 * MySQL's temporal text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.ffffff]`, `[-]HHH:MM:SS[.ffffff]`) parsed from the
 * raw bytes of a result row, without a JS Date: days since 1970-01-01 and microseconds as bigint.
 */

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = year - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function digits(raw: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = raw[i]! - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Days of `YYYY-MM-DD` at the start of `raw`, or undefined for a zero or invalid date (`0000-00-00`,
 * `2024-00-10`, `2024-02-30`: MySQL stores these under permissive SQL modes; no calendar holds them).
 */
export function parseDate(raw: Uint8Array): number | undefined {
  if (raw.length < 10 || raw[4] !== 45 || raw[7] !== 45) return undefined;
  const y = digits(raw, 0, 4);
  const m = digits(raw, 5, 7);
  const d = digits(raw, 8, 10);
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return undefined;
  return daysFromCivil(y, m, d);
}

/** Microseconds since 1970-01-01 of `YYYY-MM-DD HH:MM:SS[.f…]`, or undefined for a zero or invalid value. */
export function parseDateTime(raw: Uint8Array): bigint | undefined {
  const days = parseDate(raw);
  if (days === undefined) return undefined;
  if (raw.length === 10) return BigInt(days) * 86_400_000_000n;
  if (raw.length < 19 || raw[13] !== 58 || raw[16] !== 58) return undefined;
  const h = digits(raw, 11, 13);
  const mi = digits(raw, 14, 16);
  const s = digits(raw, 17, 19);
  if (!(h <= 23 && mi <= 59 && s <= 59)) return undefined;
  const micros = fraction(raw, 19);
  if (micros === undefined) return undefined;
  return BigInt(days * 86400 + h * 3600 + mi * 60 + s) * 1_000_000n + BigInt(micros);
}

/** Microseconds of a `.ffffff` fraction at `at` (none: 0), or undefined when malformed. */
function fraction(raw: Uint8Array, at: number): number | undefined {
  if (raw.length === at) return 0;
  if (raw[at] !== 46 || raw.length - at - 1 > 6 || raw.length - at - 1 < 1) return undefined;
  const f = digits(raw, at + 1, raw.length);
  if (Number.isNaN(f)) return undefined;
  return f * 10 ** (6 - (raw.length - at - 1));
}

/** Signed microseconds of a MySQL TIME value `[-]H…H:MM:SS[.ffffff]` (a duration), or undefined. */
export function parseTime(raw: Uint8Array): bigint | undefined {
  const neg = raw[0] === 45;
  const start = neg ? 1 : 0;
  let colon = start;
  while (colon < raw.length && raw[colon] !== 58) colon++;
  if (colon === start || colon + 6 > raw.length || raw[colon + 3] !== 58) return undefined;
  const h = digits(raw, start, colon);
  const m = digits(raw, colon + 1, colon + 3);
  const s = digits(raw, colon + 4, colon + 6);
  const f = fraction(raw, colon + 6);
  if (!(m <= 59 && s <= 59) || Number.isNaN(h) || f === undefined) return undefined;
  const micros = BigInt(h * 3600 + m * 60 + s) * 1_000_000n + BigInt(f);
  return neg ? -micros : micros;
}
