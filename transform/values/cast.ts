import { formatLogicalType, type LogicalType } from '../../core/index.js';
import type { JsValue } from '../../formats/index.js';
import { decimalToBigInt, numberToDecimalText, parseDecimal, rescaleDecimal } from './decimal.js';
import { MICROS_PER_DAY, splitDay } from './datetime-text.js';
import { codePointLength, intValue, type Parsed, parseValueText, valueText } from './value-text.js';

/** Converts one non-NULL value; `{ error }` makes the row a reject with that reason. */
export type Caster = (v: JsValue) => Parsed;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function sameType(a: LogicalType, b: LogicalType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function toText(from: LogicalType, to: Extract<LogicalType, { kind: 'text' }>): Caster {
  const max = to.maxLength;
  const format =
    from.kind === 'bytes'
      ? (v: JsValue): Parsed => {
          try {
            return { value: utf8.decode(v as Uint8Array) };
          } catch {
            return { error: 'is not valid UTF-8' };
          }
        }
      : (v: JsValue): Parsed => ({ value: valueText(v, from) });
  if (max === undefined) return format;
  return (v) => {
    const r = format(v);
    if ('value' in r && codePointLength(r.value as string) > max)
      return { error: `is longer than ${max} characters` };
    return r;
  };
}

function fromInt(to: LogicalType): Caster | undefined {
  switch (to.kind) {
    case 'int':
      return (v) => intValue(BigInt(v as number | bigint), to);
    case 'decimal':
      return (v) => {
        const r = rescaleDecimal(parseDecimal(String(v))!, to.precision, to.scale);
        return 'error' in r ? r : { value: r.text };
      };
    case 'float':
      return (v) => {
        const big = BigInt(v as number | bigint);
        const n = to.bits === 32 ? Math.fround(Number(big)) : Number(big);
        if (BigInt(n) !== big) return { error: `cannot be held exactly by ${formatLogicalType(to)}` };
        return { value: n };
      };
    case 'bool':
      return (v) => {
        const big = BigInt(v as number | bigint);
        return big === 0n || big === 1n ? { value: big === 1n } : { error: 'is not 0 or 1' };
      };
    default:
      return undefined;
  }
}

function fromDecimal(to: LogicalType): Caster | undefined {
  switch (to.kind) {
    case 'decimal':
      return (v) => {
        const p = parseDecimal(v as string);
        if (!p) return { error: 'is not a finite decimal' };
        const r = rescaleDecimal(p, to.precision, to.scale);
        return 'error' in r ? r : { value: r.text };
      };
    case 'int':
      return (v) => {
        const p = parseDecimal(v as string);
        const n = p ? decimalToBigInt(p) : null;
        return n === null ? { error: 'has a fractional part (no rounding is done)' } : intValue(n, to);
      };
    case 'float':
      return (v) => {
        const n = Number(v as string);
        return { value: to.bits === 32 ? Math.fround(n) : n };
      };
    default:
      return undefined;
  }
}

function fromFloat(to: LogicalType): Caster | undefined {
  switch (to.kind) {
    case 'float':
      return (v) => ({ value: to.bits === 32 ? Math.fround(v as number) : (v as number) });
    case 'int':
      return (v) => {
        const n = v as number;
        if (!Number.isInteger(n)) return { error: 'is not a whole number (no rounding is done)' };
        return intValue(BigInt(n), to);
      };
    case 'decimal':
      return (v) => {
        const n = v as number;
        if (!Number.isFinite(n)) return { error: 'is not a finite number' };
        const r = rescaleDecimal(parseDecimal(numberToDecimalText(n))!, to.precision, to.scale);
        return 'error' in r ? r : { value: r.text };
      };
    default:
      return undefined;
  }
}

function fromTemporal(from: LogicalType, to: LogicalType): Caster | undefined {
  if (from.kind === 'date' && to.kind === 'timestamp')
    return (v) => ({ value: BigInt(v as number) * MICROS_PER_DAY });
  if (from.kind === 'timestamp' && to.kind === 'timestamp') return (v) => ({ value: v });
  if (from.kind === 'timestamp' && to.kind === 'date')
    return (v) => ({ value: Number(splitDay(v as bigint).days) });
  if (from.kind === 'timestamp' && to.kind === 'time') return (v) => ({ value: splitDay(v as bigint).rest });
  return undefined;
}

/**
 * The conversion of values of `from` into `to`, or a sentence why there is none (then the config is
 * refused before anything runs). Every conversion is exact or rejects the value; the only approximate
 * targets are floats, which are approximate by nature.
 */
export function makeCaster(from: LogicalType, to: LogicalType): Caster | string {
  if (sameType(from, to)) return (v) => ({ value: v });
  let caster: Caster | undefined;
  if (to.kind === 'text' && from.kind !== 'list') caster = toText(from, to);
  else if (from.kind === 'text' && to.kind !== 'list') caster = (v) => parseValueText(v as string, to);
  else if (from.kind === 'int') caster = fromInt(to);
  else if (from.kind === 'decimal') caster = fromDecimal(to);
  else if (from.kind === 'float') caster = fromFloat(to);
  else if (from.kind === 'bool' && to.kind === 'int') caster = (v) => intValue(v ? 1n : 0n, to);
  else if (from.kind === to.kind && from.kind !== 'list') caster = (v) => ({ value: v });
  else caster = fromTemporal(from, to);
  return caster ?? `cannot cast ${formatLogicalType(from)} to ${formatLogicalType(to)}`;
}
