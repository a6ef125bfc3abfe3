import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../core/index.js';
import { makeCaster } from './values/cast.js';
import { compareDecimals, normalizeDecimal, parseDecimal, rescaleDecimal } from './values/decimal.js';
import { daysFromCivil, parseDateText, parseTimestampText, parseTimeText } from './values/datetime-text.js';
import { parseTypeName } from './values/type-name.js';
import { canonicalKeyText, jsonSafe, parseValueText, valueText } from './values/value-text.js';

const cast = (from: LogicalType, to: LogicalType, v: unknown) => {
  const c = makeCaster(from, to);
  if (typeof c === 'string') throw new Error(c);
  return c(v as never);
};

describe('exact decimals', () => {
  it('parses, normalises and rescales without rounding', () => {
    expect(normalizeDecimal('-0012.5000')).toBe('-12.5');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('1.5e3')).toBe('1500');
    expect(normalizeDecimal('12345678901234567890.000000000000000001')).toBe(
      '12345678901234567890.000000000000000001',
    );
    expect(rescaleDecimal(parseDecimal('12.5')!, 12, 2)).toEqual({ text: '12.50' });
    expect(rescaleDecimal(parseDecimal('12.500')!, 12, 2)).toEqual({ text: '12.50' });
    expect(rescaleDecimal(parseDecimal('12.501')!, 12, 2)).toEqual({
      error: 'has more than 2 decimal places (no rounding is done)',
    });
    expect(rescaleDecimal(parseDecimal('1234')!, 5, 2)).toEqual({
      error: 'has more than 3 integer digits (precision 5)',
    });
    expect(rescaleDecimal(parseDecimal('-0.00')!, 5, 2)).toEqual({ text: '0.00' });
    expect(parseDecimal('1.2.3')).toBeNull();
    expect(parseDecimal('NaN')).toBeNull();
  });

  it('compares exactly beyond float precision', () => {
    const c = (a: string, b: string) => compareDecimals(parseDecimal(a)!, parseDecimal(b)!);
    expect(c('9007199254740993', '9007199254740992')).toBe(1);
    expect(c('0.1000000000000000000001', '0.1')).toBe(1);
    expect(c('-2', '-10')).toBe(1);
    expect(c('1.50', '1.5')).toBe(0);
    expect(c('-0', '0')).toBe(0);
  });
});

describe('date and time text', () => {
  it('parses dates and rejects impossible ones', () => {
    expect(parseDateText('1970-01-01')).toBe(0);
    expect(parseDateText('2024-02-29')).toBe(19782);
    expect(parseDateText('2023-02-29')).toBe('has no day 29 in month 2 of 2023');
    expect(parseDateText('2024-13-01')).toBe('has no month 13');
    expect(parseDateText('0001-01-01')).toBe(daysFromCivil(1, 1, 1));
    expect(parseDateText('01/02/2024')).toBe('is not a date (YYYY-MM-DD)');
  });

  it('parses timestamps to exact microseconds, with and without offsets', () => {
    expect(parseTimestampText('2024-03-31 02:30:00.123456')).toEqual({
      micros: 1711852200123456n,
      hasOffset: false,
    });
    expect(parseTimestampText('2024-03-31T02:30:00+02:00')).toEqual({
      micros: 1711845000000000n,
      hasOffset: true,
    });
    expect(parseTimestampText('2024-03-31T00:30:00Z')).toEqual({
      micros: 1711845000000000n,
      hasOffset: true,
    });
    expect(parseTimestampText('1969-12-31 23:59:59.999999')).toEqual({ micros: -1n, hasOffset: false });
    expect(parseTimestampText('2024-01-01 00:00:00.1234567')).toBe(
      'has more than 6 fractional second digits (no rounding is done)',
    );
    expect(parseTimestampText('2024-01-01 00:00:00.1234560')).toEqual({
      micros: 1704067200123456n,
      hasOffset: false,
    });
    expect(parseTimeText('24:00:00')).toBe(86_400_000_000n);
    expect(parseTimeText('23:60:00')).toBe('is not a valid time of day');
  });
});

describe('value text', () => {
  it('reads every logical type from text exactly or says why not', () => {
    expect(parseValueText('-128', { kind: 'int', bits: 8 })).toEqual({ value: -128 });
    expect(parseValueText('128', { kind: 'int', bits: 8 })).toEqual({
      error: 'is out of range for int8 (-128 to 127)',
    });
    expect(parseValueText('18446744073709551615', { kind: 'int', bits: 64, unsigned: true })).toEqual({
      value: 18446744073709551615n,
    });
    expect(parseValueText('12a', { kind: 'int', bits: 32 })).toEqual({ error: 'is not an integer' });
    expect(parseValueText('YES', { kind: 'bool' })).toEqual({ value: true });
    expect(parseValueText('{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}', { kind: 'uuid' })).toEqual({
      value: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    });
    expect(parseValueText('{6BA7B810-9DAD-11D1-80B4-00C04FD430C8', { kind: 'uuid' })).toEqual({
      error: 'is not a UUID',
    });
    expect(parseValueText('{"a":', { kind: 'json' })).toEqual({ error: 'is not valid JSON' });
    expect(parseValueText('ßßß', { kind: 'text', maxLength: 2 })).toEqual({
      error: 'is longer than 2 characters',
    });
    expect(parseValueText('😀😀', { kind: 'text', maxLength: 2 })).toEqual({ value: '😀😀' });
    expect(parseValueText('2024-01-01 10:00+01', { kind: 'timestamp', tz: false })).toEqual({
      error: 'has a UTC offset, but a timestamp without time zone holds wall time',
    });
    expect(parseValueText('\\x00ff', { kind: 'bytes' })).toEqual({ value: new Uint8Array([0, 255]) });
  });

  it('prints values canonically and JSON-safely', () => {
    expect(valueText(1711852200123456n, { kind: 'timestamp', tz: true })).toBe(
      '2024-03-31 02:30:00.123456+00',
    );
    expect(canonicalKeyText('12.50', { kind: 'decimal', precision: 12, scale: 2 })).toBe('12.5');
    expect(canonicalKeyText('ABC-DEF', { kind: 'uuid' })).toBe('abc-def');
    expect(jsonSafe(2n ** 63n - 1n, { kind: 'int', bits: 64 })).toBe('9223372036854775807');
    expect(jsonSafe(19782, { kind: 'date' })).toBe('2024-02-29');
    expect(jsonSafe(new Uint8Array([1, 171]), { kind: 'bytes' })).toBe('\\x01ab');
    expect(jsonSafe(Number.NaN, { kind: 'float', bits: 64 })).toBe('NaN');
  });
});

describe('cast', () => {
  const i32: LogicalType = { kind: 'int', bits: 32 };
  const i64: LogicalType = { kind: 'int', bits: 64 };
  const dec: LogicalType = { kind: 'decimal', precision: 10, scale: 2 };
  const f64: LogicalType = { kind: 'float', bits: 64 };
  const text: LogicalType = { kind: 'text' };

  it('converts exactly or rejects, never rounds', () => {
    expect(cast(text, dec, '12.5')).toEqual({ value: '12.50' });
    expect(cast(text, dec, '12.555')).toEqual({
      error: 'has more than 2 decimal places (no rounding is done)',
    });
    expect(cast(dec, i32, '12.00')).toEqual({ value: 12 });
    expect(cast(dec, i32, '12.01')).toEqual({ error: 'has a fractional part (no rounding is done)' });
    expect(cast(i64, i32, 2n ** 31n)).toEqual({
      error: 'is out of range for int32 (-2147483648 to 2147483647)',
    });
    expect(cast(i32, i64, 5)).toEqual({ value: 5n });
    expect(cast(i64, f64, 2n ** 53n + 1n)).toEqual({ error: 'cannot be held exactly by float64' });
    expect(cast(i64, f64, 2n ** 53n)).toEqual({ value: 2 ** 53 });
    expect(cast(f64, dec, 0.1)).toEqual({ value: '0.10' });
    expect(cast(f64, i32, 1.5)).toEqual({ error: 'is not a whole number (no rounding is done)' });
    expect(cast(i64, text, -(2n ** 63n))).toEqual({ value: '-9223372036854775808' });
    expect(cast({ kind: 'date' }, { kind: 'timestamp', tz: false }, 1)).toEqual({ value: 86_400_000_000n });
    expect(cast({ kind: 'timestamp', tz: false }, { kind: 'date' }, -1n)).toEqual({ value: -1 });
    expect(cast({ kind: 'bytes' }, text, new Uint8Array([0xff]))).toEqual({ error: 'is not valid UTF-8' });
    expect(cast(text, { kind: 'text', maxLength: 3 }, 'abcd')).toEqual({
      error: 'is longer than 3 characters',
    });
  });

  it('refuses casts that have no meaning', () => {
    expect(makeCaster({ kind: 'date' }, i32)).toBe('cannot cast date to int32');
    expect(makeCaster({ kind: 'list', element: i32 }, text)).toBe('cannot cast list<int32> to text');
  });

  it('reads type names', () => {
    expect(parseTypeName('DECIMAL(12, 2)')).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(parseTypeName('varchar(100)')).toEqual({ kind: 'text', maxLength: 100 });
    expect(parseTypeName('timestamptz')).toEqual({ kind: 'timestamp', tz: true });
    expect(parseTypeName('bigint')).toEqual({ kind: 'int', bits: 64 });
    expect(parseTypeName('decimal(2,3)')).toBeUndefined();
    expect(parseTypeName('money')).toBeUndefined();
  });
});
