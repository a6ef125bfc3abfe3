import { FerryError } from '../core/index.js';

/** An interval's three parts, kept apart as PostgreSQL and DuckDB store them. */
export interface IntervalParts {
  months: number;
  days: number;
  /** Microseconds, may exceed a day and may be negative. */
  micros: bigint;
}

const HOUR = 3_600_000_000n;
const MINUTE = 60_000_000n;
const SECOND = 1_000_000n;

function part(value: number, unit: string, first: boolean, afterNegative: boolean): string {
  const sign = afterNegative && value > 0 ? '+' : '';
  return `${first ? '' : ' '}${sign}${value} ${unit}${value === 1 ? '' : 's'}`;
}

/**
 * The canonical text of an interval, the one form every connector emits for the `interval` logical type:
 * PostgreSQL's `IntervalStyle = postgres` output, e.g. `1 year 2 mons 3 days 04:05:06.789`, `-1 days +02:00:00`,
 * `00:00:00`. Years are whole twelves of months; hours may exceed 24 (micros are never folded into days).
 * PostgreSQL and DuckDB both parse it back to the same three parts.
 */
export function formatInterval({ months, days, micros }: IntervalParts): string {
  let out = '';
  let zero = true;
  let negative = false;
  const years = Math.trunc(months / 12);
  const mons = months - years * 12;
  for (const [v, unit] of [
    [years, 'year'],
    [mons, 'mon'],
    [days, 'day'],
  ] as const) {
    if (v === 0) continue;
    out += part(v, unit, zero, negative);
    negative = v < 0;
    zero = false;
  }
  if (zero || micros !== 0n) {
    const minus = micros < 0n;
    const abs = minus ? -micros : micros;
    const h = abs / HOUR;
    const m = (abs % HOUR) / MINUTE;
    const s = (abs % MINUTE) / SECOND;
    const f = abs % SECOND;
    let time = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
    if (f !== 0n) time += `.${String(f).padStart(6, '0').replace(/0+$/, '')}`;
    out += `${zero ? '' : ' '}${minus ? '-' : negative ? '+' : ''}${time}`;
  }
  return out;
}

const UNIT_MONTHS: Record<string, number> = { year: 12, years: 12, mon: 1, mons: 1, month: 1, months: 1 };
const TOKEN =
  /\s*([+-]?\d+)\s+(years?|mons?|months?|days?)\b|\s*([+-])?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/y;

/**
 * Parses interval text in the canonical form of {@link formatInterval} (also DuckDB's `months` spelling).
 * Throws DATA naming the text for anything else, rather than guessing at a unit.
 */
export function parseInterval(text: string): IntervalParts {
  let months = 0;
  let days = 0;
  let micros = 0n;
  let time = false;
  TOKEN.lastIndex = 0;
  let pos = 0;
  const trimmed = text.trim();
  while (pos < trimmed.length) {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(trimmed);
    if (!m || m[0].length === 0) break;
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) {
      const n = Number(m[1]);
      const unit = m[2]!;
      if (unit.startsWith('day')) days += n;
      else months += n * UNIT_MONTHS[unit]!;
    } else {
      if (time) break;
      time = true;
      const frac = BigInt((m[7] ?? '').padEnd(6, '0'));
      const abs = BigInt(m[4]!) * HOUR + BigInt(m[5]!) * MINUTE + BigInt(m[6]!) * SECOND + frac;
      micros = m[3] === '-' ? -abs : abs;
    }
  }
  const ok =
    pos === trimmed.length &&
    trimmed.length > 0 &&
    Math.abs(months) <= 0x7fffffff &&
    Math.abs(days) <= 0x7fffffff &&
    BigInt.asIntN(64, micros) === micros;
  if (!ok) {
    throw new FerryError('DATA', `"${text}" is not an interval in ferry's canonical form`, {
      value: text,
      hint: 'intervals travel as text like "1 year 2 mons 3 days 04:05:06.789"',
    });
  }
  return { months, days, micros };
}
