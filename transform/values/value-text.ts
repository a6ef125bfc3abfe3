import { FerryError, formatLogicalType, type LogicalType } from '../../core/index.js';
import {
  formatDate,
  formatInterval,
  formatTime,
  formatTimestamp,
  type JsValue,
  parseInterval,
} from '../../formats/index.js';
import { normalizeDecimal, parseDecimal, rescaleDecimal } from './decimal.js';
import { parseDateText, parseTimestampText, parseTimeText } from './datetime-text.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/**
 * The text of a value as a person reads it and as `concat` and reasons show it: decimals as stored,
 * dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS.ffffff` (`+00` appended for timestamptz), bytes `\x…`.
 */
export function valueText(v: JsValue, t: LogicalType): string {
  switch (t.kind) {
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(BigInt(v as bigint));
    case 'timestamp': {
      const s = formatTimestamp(BigInt(v as bigint));
      return t.tz && !s.endsWith('infinity') ? `${s}+00` : s;
    }
    case 'bytes':
      return `\\x${hex(v as Uint8Array)}`;
    case 'list':
      return JSON.stringify(jsonSafe(v, t));
    default:
      return String(v);
  }
}

/**
 * The text two equal values share, for comparisons, value maps, unique keys, parent keys and UUID names:
 * decimals normalised (`12.50` → `12.5`), uuids lower case, dates and timestamps as in `valueText` but
 * without an offset suffix (formats/ `keyText` form), everything else as `valueText`.
 */
export function canonicalKeyText(v: JsValue, t: LogicalType): string {
  switch (t.kind) {
    case 'int':
    case 'text':
      return typeof v === 'string' ? v : String(v);
    case 'decimal':
      return normalizeDecimal(v as string);
    case 'uuid':
      return (v as string).toLowerCase();
    case 'timestamp':
      return formatTimestamp(BigInt(v as bigint));
    default:
      return valueText(v, t);
  }
}

/** A value as JSON can hold it exactly (for reject rows): 64-bit integers as text, temporal values as text. */
export function jsonSafe(v: JsValue | null, t: LogicalType): unknown {
  if (v === null) return null;
  switch (t.kind) {
    case 'bool':
    case 'text':
    case 'decimal':
    case 'uuid':
    case 'json':
    case 'interval':
      return v;
    case 'int':
      return typeof v === 'bigint' ? v.toString() : v;
    case 'float': {
      const n = v as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case 'list':
      return (v as (JsValue | null)[]).map((e) => jsonSafe(e, t.element));
    default:
      return valueText(v, t);
  }
}

/** Parse outcome: the value, or why the text is not a value of the type. */
export type Parsed = { value: JsValue } | { error: string };

const TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:infinity|inf)$|^nan$/i;
const UUID = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
const encoder = new TextEncoder();
const HEX_BYTES = /^\\x(?:[0-9a-fA-F]{2})*$/;

/** The inclusive range of an integer type. */
export function intRange(t: Extract<LogicalType, { kind: 'int' }>): [bigint, bigint] {
  const bits = BigInt(t.bits);
  return t.unsigned ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
}

/** True when an int type's JsValue is a bigint (int64, uint32, uint64), else a number. */
export function intIsBig(t: Extract<LogicalType, { kind: 'int' }>): boolean {
  return t.bits === 64 || (t.unsigned === true && t.bits === 32);
}

/** An integer as the JsValue of an int type, or why it does not fit. */
export function intValue(n: bigint, t: Extract<LogicalType, { kind: 'int' }>): Parsed {
  const [lo, hi] = intRange(t);
  if (n < lo || n > hi) return { error: `is out of range for ${formatLogicalType(t)} (${lo} to ${hi})` };
  return { value: intIsBig(t) ? n : Number(n) };
}

/** Number of Unicode code points (what `maxLength` counts). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Parses text into a value of `t`, exactly (the `cast` from text, and how config literals are read).
 * Integers and decimals are never rounded; a timestamp without offset is wall time, read as UTC for
 * timestamptz; bytes are `\x` hex or else the text's UTF-8.
 */
export function parseValueText(text: string, t: LogicalType): Parsed {
  switch (t.kind) {
    case 'bool': {
      const s = text.toLowerCase();
      if (TRUE.has(s)) return { value: true };
      if (FALSE.has(s)) return { value: false };
      return { error: 'is not a boolean (true/false, t/f, yes/no, 1/0)' };
    }
    case 'int':
      if (!INTEGER.test(text)) return { error: 'is not an integer' };
      return intValue(BigInt(text), t);
    case 'float': {
      if (!FLOAT.test(text)) return { error: 'is not a number' };
      const s = text.toLowerCase().replace(/inf(inity)?$/, 'Infinity');
      const n = s === 'nan' ? Number.NaN : Number(s);
      return { value: t.bits === 32 ? Math.fround(n) : n };
    }
    case 'decimal': {
      const p = parseDecimal(text);
      if (!p) return { error: 'is not a decimal number' };
      const r = rescaleDecimal(p, t.precision, t.scale);
      return 'error' in r ? r : { value: r.text };
    }
    case 'text':
      if (t.maxLength !== undefined && codePointLength(text) > t.maxLength)
        return { error: `is longer than ${t.maxLength} characters` };
      return { value: text };
    case 'bytes':
      // PostgreSQL's `\x` hex form (what valueText prints) is read as hex; other text as its UTF-8.
      if (HEX_BYTES.test(text)) return { value: Uint8Array.from(Buffer.from(text.slice(2), 'hex')) };
      return { value: encoder.encode(text) };
    case 'date': {
      const d = parseDateText(text);
      return typeof d === 'string' ? { error: d } : { value: d };
    }
    case 'time': {
      const d = parseTimeText(text);
      return typeof d === 'string' ? { error: d } : { value: d };
    }
    case 'timestamp': {
      const p = parseTimestampText(text);
      if (typeof p === 'string') return { error: p };
      if (p.hasOffset && !t.tz)
        return { error: 'has a UTC offset, but a timestamp without time zone holds wall time' };
      return { value: p.micros };
    }
    case 'uuid': {
      const m = UUID.exec(text);
      if (!m || text.startsWith('{') !== text.endsWith('}')) return { error: 'is not a UUID' };
      return { value: `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() };
    }
    case 'json':
      try {
        JSON.parse(text);
        return { value: text };
      } catch {
        return { error: 'is not valid JSON' };
      }
    case 'interval':
      try {
        return { value: formatInterval(parseInterval(text)) };
      } catch {
        return { error: 'is not an interval' };
      }
    case 'list':
      return { error: 'cannot be read as a list' };
  }
}

/** A plan literal (canonical text, checked when the config was parsed) as the value of its type. */
export function literalValue(text: string, t: LogicalType): JsValue {
  const r = parseValueText(text, t);
  if ('error' in r)
    throw new FerryError('INTERNAL', `plan literal "${text}" ${r.error} (${formatLogicalType(t)})`);
  return r.value;
}
