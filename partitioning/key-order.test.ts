import { describe, expect, it } from 'vitest';
import type { KeyRange } from '../core/index.js';
import {
  compareBinaryText,
  compareIntegerText,
  compareKeyTuples,
  keyComparator,
  keyInRange,
} from './index.js';

describe('compareIntegerText', () => {
  it('orders small, negative and huge integers exactly', () => {
    expect(compareIntegerText('9', '10')).toBe(-1);
    expect(compareIntegerText('-10', '-9')).toBe(-1);
    expect(compareIntegerText('0', '-0')).toBe(0);
    // 2^53 and 2^53 + 1 are the same JS number; bigint keeps them apart.
    expect(compareIntegerText('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareIntegerText('-9223372036854775808', '9223372036854775807')).toBe(-1);
    expect(compareIntegerText('18446744073709551615', '18446744073709551614')).toBe(1);
    expect(compareIntegerText('-9223372036854775808', '-9223372036854775807')).toBe(-1);
  });

  it('refuses text that is not an integer, naming the value', () => {
    expect(() => compareIntegerText('1.5', '2')).toThrow(expect.objectContaining({ code: 'DATA' }));
    expect(() => compareIntegerText('', '2')).toThrow(
      expect.objectContaining({ code: 'DATA', context: expect.objectContaining({ value: '' }) }),
    );
  });
});

describe('compareBinaryText', () => {
  it('orders by code point, as UTF-8 bytes do', () => {
    expect(compareBinaryText('', 'a')).toBeLessThan(0);
    expect(compareBinaryText('a', 'ab')).toBeLessThan(0);
    expect(compareBinaryText('B', 'a')).toBeLessThan(0);
    expect(compareBinaryText('z', 'é')).toBeLessThan(0);
    // U+1F600 is above U+FFFF although its first UTF-16 unit (D83D) is below FFFF: JS `<` says otherwise.
    expect('\u{1F600}' < '\uFFFF').toBe(true);
    expect(compareBinaryText('\u{1F600}', '\uFFFF')).toBeGreaterThan(0);
    expect(compareBinaryText('\uE000', '\u{10000}')).toBeLessThan(0);
    expect(compareBinaryText('\u{10000}', '\u{10001}')).toBeLessThan(0);
    expect(compareBinaryText('same', 'same')).toBe(0);
  });

  it('agrees with the order of UTF-8 bytes on well-formed strings', () => {
    const words = ['', 'a', 'A', 'é', 'e\u0301', '\u{1F600}', '\uFFFF', '\uE000', 'a\u0000b', '\u07FF', 'ࠀ'];
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    for (const a of words) {
      for (const b of words) {
        expect(Math.sign(compareBinaryText(a, b))).toBe(Math.sign(Buffer.compare(bytes(a), bytes(b))));
      }
    }
  });
});

describe('compareKeyTuples', () => {
  it('compares column by column in each column order', () => {
    const orders = ['integer', 'binary'] as const;
    expect(compareKeyTuples(['2', 'a'], ['10', 'a'], orders)).toBeLessThan(0);
    expect(compareKeyTuples(['10', 'b'], ['10', 'a'], orders)).toBeGreaterThan(0);
    expect(compareKeyTuples(['10', ''], ['10', ''], orders)).toBe(0);
    const cmp = keyComparator(['binary']);
    expect([['b'], ['10'], ['9']].sort(cmp)).toEqual([['10'], ['9'], ['b']]);
    expect(cmp(['\u{1F600}'], ['\uFFFF'])).toBeGreaterThan(0);
  });

  it('refuses tuples of the wrong width', () => {
    expect(() => compareKeyTuples(['1'], ['1', '2'], ['integer'])).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});

describe('keyInRange', () => {
  const cmp = keyComparator(['integer']);
  const cols = ['id'];

  it('is half-open: lo included, hi excluded', () => {
    const r: KeyRange = { columns: cols, lo: ['10'], hi: ['20'] };
    expect(keyInRange(r, ['9'], cmp)).toBe(false);
    expect(keyInRange(r, ['10'], cmp)).toBe(true);
    expect(keyInRange(r, ['19'], cmp)).toBe(true);
    expect(keyInRange(r, ['20'], cmp)).toBe(false);
  });

  it('treats a missing end as open, and never holds NULL keys outside the nullKey range', () => {
    expect(keyInRange({ columns: cols, hi: ['0'] }, ['-9223372036854775808'], cmp)).toBe(true);
    expect(keyInRange({ columns: cols, lo: ['0'] }, ['18446744073709551615'], cmp)).toBe(true);
    expect(keyInRange({ columns: cols }, ['5'], cmp)).toBe(true);
    expect(keyInRange({ columns: cols }, [null], cmp)).toBe(false);
    expect(keyInRange({ columns: cols, hi: ['0'] }, [null], cmp)).toBe(false);
  });

  it('puts a tuple with any NULL in the nullKey range only', () => {
    const two = keyComparator(['integer', 'binary']);
    const columns = ['a', 'b'];
    const nullKey: KeyRange = { columns, nullKey: true };
    const range: KeyRange = { columns, lo: ['3', 'z'], hi: ['7', 'a'] };
    expect(keyInRange(nullKey, ['5', null], two)).toBe(true);
    expect(keyInRange(nullKey, [null, null], two)).toBe(true);
    expect(keyInRange(nullKey, ['5', 'x'], two)).toBe(false);
    // SQL row comparison alone would say (5, NULL) >= (3, 'z'); the range must not hold it.
    expect(keyInRange(range, ['5', null], two)).toBe(false);
    expect(keyInRange(range, ['5', 'x'], two)).toBe(true);
  });

  it('holds everything in a whole range', () => {
    expect(keyInRange({ columns: [], whole: true }, [], cmp)).toBe(true);
    expect(keyInRange({ columns: [], whole: true }, [null, 'x'], cmp)).toBe(true);
  });

  it('refuses a key of the wrong width', () => {
    expect(() => keyInRange({ columns: cols, lo: ['1'] }, ['1', '2'], cmp)).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});
