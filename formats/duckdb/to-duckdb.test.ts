import {
  BIGINT,
  DATE,
  DECIMAL,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBIntervalValue,
  DuckDBTimestampValue,
  type DuckDBUUIDValue,
  ENUM,
  FLOAT,
  INTEGER,
  INTERVAL,
  LIST,
  TIMESTAMP,
  UBIGINT,
  UUID,
} from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { decimalText } from './from-duckdb.js';
import { ValueRefused, parseDecimal, writerFor } from './to-duckdb.js';

describe('parseDecimal', () => {
  it('parses exact text into the scaled integer', () => {
    expect(parseDecimal('1.50', 10, 2)).toBe(150n);
    expect(parseDecimal('-0.05', 10, 2)).toBe(-5n);
    expect(parseDecimal('7', 10, 2)).toBe(700n);
    expect(parseDecimal('.5', 10, 2)).toBe(50n);
    expect(parseDecimal('1.5000', 10, 2)).toBe(150n);
    expect(parseDecimal('12345678901234567890.1234567890', 38, 10)).toBe(123456789012345678901234567890n);
    expect(parseDecimal('-9999999999999999999999999999.9999999999', 38, 10)).toBe(-(10n ** 38n - 1n));
  });

  it('refuses values that would be rounded or overflow, and non-numbers', () => {
    expect(() => parseDecimal('1.555', 10, 2)).toThrow(ValueRefused);
    expect(() => parseDecimal('1.555', 10, 2)).toThrow(/rounded/);
    expect(() => parseDecimal('123456789', 10, 2)).toThrow(/digits before/);
    expect(() => parseDecimal('NaN', 10, 2)).toThrow(/not a decimal/);
    expect(() => parseDecimal('1e5', 10, 2)).toThrow(/not a decimal/);
    expect(() => parseDecimal('', 10, 2)).toThrow(/not a decimal/);
  });

  it('is the inverse of decimalText', () => {
    for (const [v, s] of [
      [0n, 2],
      [-1n, 3],
      [10n ** 37n + 7n, 10],
      [123n, 0],
    ] as const) {
      expect(parseDecimal(decimalText(v, s), 38, s)).toBe(v);
    }
    expect(decimalText(-5n, 2)).toBe('-0.05');
    expect(decimalText(150n, 2)).toBe('1.50');
  });
});

describe('writerFor', () => {
  it('converts JsValues into the column type, exactly', () => {
    expect(writerFor(BIGINT)(-(2n ** 63n))).toBe(-(2n ** 63n));
    expect(writerFor(BIGINT)(5)).toBe(5n);
    expect(writerFor(UBIGINT)(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(writerFor(INTEGER)(2147483647)).toBe(2147483647);
    expect(writerFor(DECIMAL(10, 2))('1.50')).toEqual(new DuckDBDecimalValue(150n, 10, 2));
    expect(writerFor(DATE)(-0x80000000)).toEqual(new DuckDBDateValue(-0x7fffffff));
    expect(writerFor(TIMESTAMP)(-(2n ** 63n))).toEqual(new DuckDBTimestampValue(-(2n ** 63n) + 1n));
    expect(writerFor(INTERVAL)('1 year 2 mons 3 days 04:05:06.789')).toEqual(
      new DuckDBIntervalValue(14, 3, 14706789000n),
    );
    expect(String(writerFor(UUID)('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11') as DuckDBUUIDValue)).toBe(
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    );
    expect(String(writerFor(LIST(INTEGER))([1, null, 3]))).toBe('[1, NULL, 3]');
  });

  it('refuses what the column cannot hold', () => {
    expect(() => writerFor(INTEGER)(2147483648)).toThrow(/outside the range of INTEGER/);
    expect(() => writerFor(UBIGINT)(-1n)).toThrow(ValueRefused);
    expect(() => writerFor(FLOAT)(0.1)).toThrow(/exactly/);
    expect(writerFor(FLOAT)(0.5)).toBe(0.5);
    expect(() => writerFor(UUID)('not-a-uuid')).toThrow(/UUID/);
    expect(() => writerFor(ENUM(['a', 'b']))('c')).toThrow(/member/);
    expect(() => writerFor(BIGINT)('1.5')).toThrow(/integer/);
  });
});

describe('UUID text', () => {
  it('accepts dashed or bare hex, any case, and nothing else', () => {
    const w = writerFor(UUID);
    expect(String(w('a0eebc999c0b4ef8bb6d6bb9bd380a11'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    for (const bad of [
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g',
      ' 0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1 ',
      '-0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      'a0eebc99x9c0b-4ef8-bb6d-6bb9bd380a11',
      'a0eebc99-9c0b-4ef8-bb6d+6bb9bd380a11',
      '',
    ]) {
      expect(() => w(bad)).toThrow(ValueRefused);
    }
  });
});
