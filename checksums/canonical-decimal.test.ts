import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import { canonicalDecimal, writeIntegerText } from './canonical-decimal.js';

describe('canonicalDecimal', () => {
  it.each([
    ['1.50', '1.5'],
    ['1.5', '1.5'],
    ['001.500', '1.5'],
    ['0', '0'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['+0.0e5', '0'],
    ['000', '0'],
    ['1000', '1000'],
    ['-1000.000', '-1000'],
    ['5.', '5'],
    ['.5', '0.5'],
    ['-.05', '-0.05'],
    ['+7', '7'],
    ['  42  ', '42'],
    ['1e2', '100'],
    ['1E+2', '100'],
    ['1.5E-3', '0.0015'],
    ['-12.340e1', '-123.4'],
    ['12.34e-2', '0.1234'],
    ['10e-1', '1'],
    ['0.000123e3', '0.123'],
    ['123456789012345678901234567890.123456789000', '123456789012345678901234567890.123456789'],
    ['-99999999999999999999999999999999999999', '-99999999999999999999999999999999999999'],
    ['NaN', 'NaN'],
    ['nan', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-infinity', '-Infinity'],
    ['inf', 'Infinity'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  it.each(['', ' ', '-', '.', '1.2.3', 'abc', '1e', '1e+', '1,5', '0x10', '1 2', '--1', 'NaNa'])(
    'refuses %j with a DATA error',
    (input) => {
      expect(() => canonicalDecimal(input)).toThrow(expect.objectContaining({ code: 'DATA' }));
    },
  );

  it('refuses an exponent that would expand beyond any engine', () => {
    expect(() => canonicalDecimal('1e999999999')).toThrow(expect.objectContaining({ code: 'DATA' }));
  });
});

describe('writeIntegerText', () => {
  it.each([
    0,
    7,
    -1,
    10,
    2147483647,
    -2147483648,
    2147483648,
    4294967295,
    1e15,
    2 ** 53,
    -(2 ** 53),
    9007199254740991,
    -9007199254740991,
  ])('writes %d as String() does, length-prefixed', (v) => {
    const sink = new ByteSink(16);
    writeIntegerText(sink, v);
    const text = String(v);
    expect(sink.view.getUint32(0, true)).toBe(text.length);
    expect(new TextDecoder().decode(sink.buf.subarray(4, sink.pos))).toBe(text);
  });
});
