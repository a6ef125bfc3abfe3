import { describe, expect, it } from 'vitest';
import { formatDate, formatTimestamp, keyText } from './key-text.js';

describe('key text', () => {
  it('formats dates, including before 1970 and outside years 1..9999', () => {
    expect(formatDate(0)).toBe('1970-01-01');
    expect(formatDate(-1)).toBe('1969-12-31');
    expect(formatDate(19_417)).toBe('2023-03-01');
    expect(formatDate(-719_528)).toBe('0000-01-01');
    expect(formatDate(-735_600)).toBe('-0045-12-31'); // 46 BC, as DuckDB parses it
    expect(formatDate(2_932_897)).toBe('10000-01-01');
  });

  it('formats timestamps with microseconds and infinities', () => {
    expect(formatTimestamp(0n)).toBe('1970-01-01 00:00:00.000000');
    expect(formatTimestamp(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(formatTimestamp(1_577_836_800_123_456n)).toBe('2020-01-01 00:00:00.123456');
    expect(formatTimestamp(2n ** 63n - 1n)).toBe('infinity');
    expect(formatTimestamp(-(2n ** 63n))).toBe('-infinity');
  });

  it('gives canonical text per logical type', () => {
    expect(keyText(12n, { kind: 'int', bits: 64 })).toBe('12');
    expect(keyText('1.50', { kind: 'decimal', precision: 10, scale: 2 })).toBe('1.50');
    expect(keyText(true, { kind: 'bool' })).toBe('true');
    expect(keyText('ABC', { kind: 'uuid' })).toBe('abc');
    expect(keyText(3_723_000_001n, { kind: 'time' })).toBe('01:02:03.000001');
    expect(keyText(-0x80000000, { kind: 'date' })).toBe('-infinity');
    expect(() => keyText(new Uint8Array([1]), { kind: 'bytes' }, 'b')).toThrow(
      /cannot be a partitioning key/,
    );
  });
});
