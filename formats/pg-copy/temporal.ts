import { FerryError } from '../../core/index.js';
import { formatDate } from '../key-text.js';

/**
 * PostgreSQL date/time wire forms and ferry's text forms of the types that travel as text.
 *
 * - date: int32 days since 2000-01-01 on the wire; Arrow date32 days since 1970-01-01. `infinity` and
 *   `-infinity` become int32 max and min ({@link DATE_POS_INFINITY}), which no real date reaches.
 * - timestamp/timestamptz: int64 µs since 2000-01-01 on the wire; Arrow int64 µs since 1970-01-01 (UTC for
 *   timestamptz). `±infinity` become int64 max/min ({@link TIMESTAMP_POS_INFINITY}).
 * - time: int64 µs since midnight, the same on both sides (24:00:00 is 86 400 000 000).
 * - timetz: text `HH:MM:SS[.ffffff]±HH[:MM[:SS]]`, PostgreSQL's own output (zone east of UTC is `+`).
 * - interval: formats/ canonical interval text (`1 year 2 mons 3 days 04:05:06.789`, interval-text.ts); the
 *   three wire parts (months, days, µs) are kept apart exactly.
 */

/** Days from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_DAYS = 10_957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
export const PG_EPOCH_MICROS = 946_684_800_000_000n;
/** Arrow date32 value standing for `infinity`. */
export const DATE_POS_INFINITY = 0x7fffffff;
/** Arrow date32 value standing for `-infinity`. */
export const DATE_NEG_INFINITY = -0x80000000;
/** Arrow timestamp value (µs) standing for `infinity`. */
export const TIMESTAMP_POS_INFINITY = 0x7fffffffffffffffn;
/** Arrow timestamp value (µs) standing for `-infinity`. */
export const TIMESTAMP_NEG_INFINITY = -0x8000000000000000n;

const EPOCH_LO = Number(PG_EPOCH_MICROS & 0xffffffffn);
const EPOCH_HI = Number(PG_EPOCH_MICROS >> 32n);
/** Wire timestamps at or above this (294247-01-10 04:00:54.775807) overflow int64 µs since 1970. */
const WIRE_TS_LIMIT = 0x7fffffffffffffffn - PG_EPOCH_MICROS;
const WIRE_TS_LIMIT_HI = Number(WIRE_TS_LIMIT >> 32n);

/**
 * The wire timestamp at `off` (int64 µs since 2000, big-endian) as int64 µs since 1970, written as two
 * 32-bit halves `out[i]` (low) and `out[i + 1]` (high), keeping ±infinity: no BigInt per value. Throws DATA
 * past what int64 µs since 1970 holds.
 */
export function timestampFromWire(dv: DataView, off: number, out: Int32Array, i: number): void {
  const hi = dv.getInt32(off);
  const lo = dv.getInt32(off + 4);
  if ((hi === 0x7fffffff && lo === -1) || (hi === -0x80000000 && lo === 0)) {
    out[i] = lo;
    out[i + 1] = hi;
    return;
  }
  if (hi >= WIRE_TS_LIMIT_HI && dv.getBigInt64(off) >= WIRE_TS_LIMIT)
    throw new FerryError(
      'DATA',
      'timestamp after 294247-01-10 04:00:54.775807 cannot be held as int64 microseconds since 1970',
      { hint: 'PostgreSQL reaches 294276 AD; map the column to text to move such values' },
    );
  // 64-bit addition of the 2000→1970 epoch shift in 32-bit halves, carrying from the low word.
  const sumLo = (lo >>> 0) + EPOCH_LO;
  out[i] = sumLo | 0;
  out[i + 1] = (hi + EPOCH_HI + (sumLo > 0xffffffff ? 1 : 0)) | 0;
}

/** Wire date (days since 2000) → Arrow date32 (days since 1970), keeping ±infinity. */
export function dateFromWire(pgDays: number): number {
  if (pgDays === DATE_POS_INFINITY || pgDays === DATE_NEG_INFINITY) return pgDays;
  return pgDays + PG_EPOCH_DAYS;
}

/** Arrow date32 → wire date. Throws DATA outside PostgreSQL's range (4713 BC … 5874897 AD). */
export function dateToWire(days: number): number {
  if (days === DATE_POS_INFINITY || days === DATE_NEG_INFINITY) return days;
  const pg = days - PG_EPOCH_DAYS;
  // Julian day 0 (4714-11-24 BC) … 5874898-01-01, as PostgreSQL's date_recv checks.
  if (pg < -2_451_545 || pg >= 2_145_031_949)
    throw new FerryError('DATA', `date ${formatDate(days)} is outside PostgreSQL's date range`, {
      value: formatDate(days),
    });
  return pg;
}

const MICROS_PER_DAY = 86_400_000_000n;

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** `HH:MM:SS[.ffffff]` of µs since midnight (fraction without trailing zeros), as PostgreSQL prints it. */
function timeText(micros: bigint): string {
  const us = Number(micros);
  const s = Math.floor(us / 1e6);
  const frac = us - s * 1e6;
  const base = `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
  return frac === 0 ? base : `${base}.${pad(frac, 6).replace(/0+$/, '')}`;
}

/** timetz wire (µs since midnight, zone in seconds WEST of UTC) → text. */
export function formatTimetz(micros: bigint, zoneWest: number): string {
  const east = -zoneWest;
  const a = Math.abs(east);
  let z = `${east < 0 ? '-' : '+'}${pad(Math.floor(a / 3600), 2)}`;
  if (a % 3600 !== 0) z += `:${pad(Math.floor(a / 60) % 60, 2)}`;
  if (a % 60 !== 0) z += `:${pad(a % 60, 2)}`;
  return timeText(micros) + z;
}

const TIMETZ =
  /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)$/;

/** Parses the timetz text form (`12:00:00.5+05:30`) into wire parts; throws DATA otherwise. */
export function parseTimetz(text: string): { micros: bigint; zoneWest: number } {
  const m = TIMETZ.exec(text.trim());
  if (!m)
    throw new FerryError('DATA', `"${text}" is not a time with time zone (HH:MM:SS±HH:MM)`, { value: text });
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3] ?? 0);
  const frac = Number((m[4] ?? '').padEnd(6, '0'));
  const micros = BigInt(((h * 60 + mi) * 60 + s) * 1e6 + frac);
  if (mi > 59 || s > 59 || micros > MICROS_PER_DAY)
    throw new FerryError('DATA', `"${text}" is not a valid time of day`, { value: text });
  const east = (m[5] === '-' ? -1 : 1) * (Number(m[6]) * 3600 + Number(m[7] ?? 0) * 60 + Number(m[8] ?? 0));
  if (Math.abs(east) > 15 * 3600 + 59 * 60 + 59)
    throw new FerryError('DATA', `time zone offset out of range in "${text}"`, { value: text });
  return { micros, zoneWest: -east };
}
