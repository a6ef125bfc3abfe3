import type { LogicalType } from '../core/index.js';
import { type JsValue, formatDate, formatTime, formatTimestamp } from '../formats/index.js';
import { compareDecimal, decimalToScaled, scaledToDecimal } from './decimal.js';
import type { SketchDomain, SketchItem } from './quantiles.js';

/**
 * How each logical type is profiled: how its values order (for min/max), whether it gets quantiles (and in
 * which exact domain), lengths and pattern checks, and how a value prints.
 *
 * Min/max travel as "raw" text chosen so that comparison is exact: integers, times and timestamps as digits
 * (compared as bigint), dates as day numbers, floats as JS's round-trip text, decimals as their text
 * (compared as decimals), text and uuids as themselves (compared by code point, as UTF-8 bytes order),
 * bytes as hex.
 */

/** How raw min/max texts compare. */
export type OrderKind = 'number' | 'bigint' | 'decimal' | 'text' | 'none';

export interface DomainInfo {
  order: OrderKind;
  /** Quantiles, histogram and IQR outliers, in this sketch domain; `scale` for decimals (units of 10^-scale). */
  sketch?: { domain: SketchDomain; scale: number };
  /** Length distribution in characters (text) or bytes. */
  lengths?: 'chars' | 'bytes';
  /** Pattern checks (e-mail, phone, …) apply. */
  patterns: boolean;
}

/** Fraction digits kept for quantiles of a decimal without a declared scale (rounded toward −∞). */
export const DEFAULT_DECIMAL_SCALE = 10;

/** Whether a logical type's JS values are bigints (see formats/ `JsValue`). */
export function isBigintType(t: LogicalType): boolean {
  if (t.kind === 'int') return t.bits === 64 || (t.unsigned === true && t.bits === 32);
  return t.kind === 'time' || t.kind === 'timestamp';
}

export function domainInfo(t: LogicalType): DomainInfo {
  switch (t.kind) {
    case 'int':
      return isBigintType(t)
        ? { order: 'bigint', sketch: { domain: 'bigint', scale: 0 }, patterns: false }
        : { order: 'number', sketch: { domain: 'number', scale: 0 }, patterns: false };
    case 'float':
    case 'date':
      return { order: 'number', sketch: { domain: 'number', scale: 0 }, patterns: false };
    case 'time':
    case 'timestamp':
      return { order: 'bigint', sketch: { domain: 'bigint', scale: 0 }, patterns: false };
    case 'decimal':
      return {
        order: 'decimal',
        sketch: { domain: 'bigint', scale: t.scale ?? DEFAULT_DECIMAL_SCALE },
        patterns: false,
      };
    case 'text':
      return { order: 'text', lengths: 'chars', patterns: true };
    case 'bool':
    case 'uuid':
      return { order: 'text', patterns: false };
    case 'bytes':
      return { order: 'text', lengths: 'bytes', patterns: false };
    default:
      return { order: 'none', patterns: false };
  }
}

/** Compares strings by Unicode code point (the order of their UTF-8 bytes), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (code points above U+FFFF) must sort after U+E000..U+FFFF.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Compares two raw min/max texts of one order kind. */
export function compareRaw(order: OrderKind, a: string, b: string): number {
  switch (order) {
    case 'number':
      return Number(a) - Number(b);
    case 'bigint': {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'decimal':
      return compareDecimal(a, b);
    default:
      return compareCodePoints(a, b);
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The raw text of a non-NULL value (see the module comment); top values are counted under it too. */
export function rawText(t: LogicalType, v: JsValue): string {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  if (t.kind === 'uuid') return String(v).toLowerCase();
  return String(v);
}

/** How a raw text prints: dates `YYYY-MM-DD`, times and timestamps with microseconds (`… UTC` for timestamptz). */
export function displayRaw(t: LogicalType, raw: string): string {
  switch (t.kind) {
    case 'date':
      return formatDate(Number(raw));
    case 'time':
      return formatTime(BigInt(raw));
    case 'timestamp':
      return `${formatTimestamp(BigInt(raw))}${t.tz ? ' UTC' : ''}`;
    case 'bytes':
      return `\\x${raw}`;
    default:
      return raw;
  }
}

/** The sketch item of a non-NULL value, or undefined when it has none (NaN, ±Infinity). */
export function sketchItem(t: LogicalType, v: JsValue, scale: number): SketchItem | undefined {
  if (t.kind === 'decimal') return decimalToScaled(v as string, scale);
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return v;
  return undefined;
}

/** How a sketch item (or a fence between items) prints, in the column's own terms. */
export function displaySketchItem(t: LogicalType, item: SketchItem, scale: number): string {
  if (t.kind === 'decimal') return scaledToDecimal(BigInt(item), scale);
  if (t.kind === 'date') return formatDate(Math.floor(Number(item)));
  if (t.kind === 'time') return formatTime(BigInt(item));
  if (t.kind === 'timestamp') return `${formatTimestamp(BigInt(item))}${t.tz ? ' UTC' : ''}`;
  return String(item);
}
