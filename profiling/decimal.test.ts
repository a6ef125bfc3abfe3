import { describe, expect, it } from 'vitest';
import { compareDecimal, decimalToScaled, normalizeDecimal, scaledToDecimal } from './decimal.js';

describe('decimal text', () => {
  it('normalises without changing the value', () => {
    expect(normalizeDecimal('12.50')).toBe('12.5');
    expect(normalizeDecimal('-0.000')).toBe('0');
    expect(normalizeDecimal('+007.10')).toBe('7.1');
    expect(normalizeDecimal('.5')).toBe('0.5');
    expect(normalizeDecimal('NaN')).toBe('NaN');
  });

  it('compares exactly beyond float precision', () => {
    expect(compareDecimal('12345678901234567890.01', '12345678901234567890.001')).toBeGreaterThan(0);
    // As floats these two are the same number.
    expect(Number('9007199254740992.5')).toBe(Number('9007199254740992'));
    expect(compareDecimal('9007199254740992.5', '9007199254740992')).toBeGreaterThan(0);
    expect(compareDecimal('-1.5', '-1.25')).toBeLessThan(0);
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(compareDecimal('-0', '0')).toBe(0);
    expect(compareDecimal('99', '100')).toBeLessThan(0);
  });

  it('orders NaN and infinities as PostgreSQL does', () => {
    const sorted = ['NaN', '1', 'Infinity', '-Infinity', '-5'].sort(compareDecimal);
    expect(sorted).toEqual(['-Infinity', '-5', '1', 'Infinity', 'NaN']);
  });

  it('scales to integers rounding toward −∞, and back', () => {
    expect(decimalToScaled('12.345', 2)).toBe(1234n);
    expect(decimalToScaled('-12.345', 2)).toBe(-1235n);
    expect(decimalToScaled('-12.34', 2)).toBe(-1234n);
    expect(decimalToScaled('0.001', 2)).toBe(0n);
    expect(decimalToScaled('NaN', 2)).toBeUndefined();
    expect(scaledToDecimal(-1235n, 2)).toBe('-12.35');
    expect(scaledToDecimal(5n, 3)).toBe('0.005');
    expect(scaledToDecimal(1250n, 2)).toBe('12.5');
    expect(scaledToDecimal(-7n, 0)).toBe('-7');
  });
});
