import { describe, expect, it } from 'vitest';
import { formatInterval, parseInterval } from './interval-text.js';

describe('formatInterval', () => {
  it.each([
    ['00:00:00', { months: 0, days: 0, micros: 0n }],
    ['1 year 2 mons 3 days 04:05:06.789', { months: 14, days: 3, micros: 14_706_789_000n }],
    ['1 mon 1 day', { months: 1, days: 1, micros: 0n }],
    ['-1 years -2 mons', { months: -14, days: 0, micros: 0n }],
    ['-1 days +02:00:00', { months: 0, days: -1, micros: 7_200_000_000n }],
    ['-00:00:00.000001', { months: 0, days: 0, micros: -1n }],
    ['100:00:00', { months: 0, days: 0, micros: 100n * 3_600_000_000n }],
    ['1 year', { months: 12, days: 0, micros: 0n }],
  ])('%s is PostgreSQL output and parses back', (text, parts) => {
    expect(formatInterval(parts)).toBe(text);
    expect(parseInterval(text)).toEqual(parts);
  });

  it('parses DuckDB spelling too', () => {
    expect(parseInterval('1 year 2 months 3 days 04:00:05.789')).toEqual({
      months: 14,
      days: 3,
      micros: 14_405_789_000n,
    });
  });

  it('refuses anything else', () => {
    expect(() => parseInterval('P1Y')).toThrow(/canonical form/);
    expect(() => parseInterval('')).toThrow();
    expect(() => parseInterval('3 fortnights')).toThrow();
  });
});
