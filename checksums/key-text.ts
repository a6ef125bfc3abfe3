import type * as A from 'apache-arrow';
import { FerryError, type LogicalType } from '../core/index.js';
import { dataReader, formatDate, formatTime, formatTimestamp, type JsValue } from '../formats/index.js';
import { canonicalDecimal } from './canonical-decimal.js';
import { canonicalJson } from './canonical-json.js';
import type { ResolvedRule } from './compare-rules.js';

/**
 * The text of a key value as a person reads it in a bisect report, canonical so that both sides print the
 * same key the same way: integers and decimals as canonical decimals, dates `YYYY-MM-DD`, times
 * `HH:MM:SS.ffffff`, timestamps `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), uuids lower case, bytes `\x…` hex,
 * text as is. NULL prints as `NULL`; a text that could be misread (empty, `NULL`, containing `,()[]"` or
 * surrounding spaces) is double-quoted with `"` doubled, so a key tuple `(a, 7)` splits unambiguously.
 */
export type KeyFormatter = (i: number) => string;

/** A formatter for one key column's Arrow data, applying the column's compare rule as the hash does. */
export function keyFormatter(
  data: A.Data,
  type: LogicalType,
  rule: ResolvedRule,
  column: string,
): KeyFormatter {
  const reader = dataReader(data, type);
  return (i) => {
    if (reader.isNull(i)) return 'NULL';
    try {
      return formatValue(reader.get(i)!, type, rule);
    } catch (e) {
      throw e instanceof FerryError ? e.withContext({ column }) : e;
    }
  };
}

const NEEDS_QUOTES = /^$|^null$|[,()[\]"]|^\s|\s$/i;

function quote(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function formatValue(v: JsValue, type: LogicalType, rule: ResolvedRule): string {
  switch (type.kind) {
    case 'bool':
      return v ? 'true' : 'false';
    case 'int':
      return String(v);
    case 'decimal':
      return canonicalDecimal(v as string);
    case 'float':
      return formatFloat(v as number, rule.floatDigits);
    case 'text': {
      let s = v as string;
      if (rule.trim) s = s.replace(/ +$/, '');
      return rule.emptyIsNull && s === '' ? 'NULL' : quote(s);
    }
    case 'uuid':
      return rule.emptyIsNull && v === '' ? 'NULL' : formatUuid(v as string);
    case 'interval':
      return rule.emptyIsNull && v === '' ? 'NULL' : quote(v as string);
    case 'json':
      return rule.emptyIsNull && v === '' ? 'NULL' : quote(canonicalJson(v as string));
    case 'bytes': {
      const b = v as Uint8Array;
      return rule.emptyIsNull && b.length === 0 ? 'NULL' : `\\x${Buffer.from(b).toString('hex')}`;
    }
    case 'date':
      return formatDate(v as number);
    case 'time':
      return formatTime(reduceMicros(v as bigint, rule));
    case 'timestamp':
      return formatTimestamp(reduceMicros(v as bigint, rule));
    case 'list':
      return `[${(v as (JsValue | null)[])
        .map((e) => (e === null ? 'NULL' : formatValue(e, type.element, rule)))
        .join(', ')}]`;
  }
}

function formatFloat(v: number, digits: number): string {
  if (Object.is(v, -0)) return '-0';
  if (digits > 0 && Number.isFinite(v) && v !== 0) v = Number(v.toPrecision(digits));
  return String(v);
}

function formatUuid(s: string): string {
  const hex = s.replace(/[-{}]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex))
    throw new FerryError('DATA', `invalid uuid ${JSON.stringify(s)}`, { value: s.slice(0, 100) });
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Applies `timestampPrecision`/`timestampRounding` exactly as the encoder does. */
function reduceMicros(v: bigint, rule: ResolvedRule): bigint {
  if (rule.timeUnit === 1) return v;
  const unit = BigInt(rule.timeUnit);
  const r = v % unit;
  let out = v - r;
  if (rule.roundTime && (r < 0n ? -r : r) * 2n >= unit) out += r < 0n ? -unit : unit;
  return out;
}
