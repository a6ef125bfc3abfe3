import { describe, expect, it } from 'vitest';
import { canonicalJson, compareCodePoints } from './canonical-json.js';

describe('canonicalJson', () => {
  it('removes whitespace, sorts keys and normalises numbers', () => {
    expect(canonicalJson(' { "b" : 1 ,\n\t"a" : [ 1.50, 1e2, -0, 0.0, true, false, null, "x" ] } ')).toBe(
      '{"a":[1.5,100,0,0,true,false,null,"x"],"b":1}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson('{"z":{"y":2,"x":[3,1,{"b":0,"a":0}]},"a":{}}')).toBe(
      '{"a":{},"z":{"x":[3,1,{"a":0,"b":0}],"y":2}}',
    );
  });

  it('keeps the last of duplicate keys (jsonb semantics)', () => {
    expect(canonicalJson('{"a":1,"b":2,"a":3}')).toBe('{"a":3,"b":2}');
    expect(canonicalJson('{"a":{"x":1},"a":[]}')).toBe('{"a":[]}');
  });

  it('re-escapes strings minimally', () => {
    expect(canonicalJson('"\\u0041\\/\\n\\t\\"\\\\\\u00e9"')).toBe('"A/\\n\\t\\"\\\\é"');
    expect(canonicalJson('"\\ud83e\\udd80"')).toBe('"🦀"');
    expect(canonicalJson('"\\u001F"')).toBe('"\\u001f"');
    // A lone surrogate cannot be UTF-8: it stays escaped, in lower case.
    expect(canonicalJson('"\\uD800"')).toBe('"\\ud800"');
    // Escaped and literal keys are the same key.
    expect(canonicalJson('{"\\u0061":1,"a":2}')).toBe('{"a":2}');
  });

  it('orders keys by code point, not UTF-16 unit', () => {
    expect(canonicalJson('{"😀":1,"\uE000":2,"B":3,"a":4}')).toBe('{"B":3,"a":4,"\uE000":2,"😀":1}');
    expect(compareCodePoints('\uE000', '😀')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
  });

  it('never rounds numbers through a double', () => {
    expect(canonicalJson('[12345678901234567890123.4500, 1.0E-30]')).toBe(
      '[12345678901234567890123.45,0.000000000000000000000000000001]',
    );
  });

  it.each([
    '',
    '{',
    '{"a" 1}',
    '{"a":1,}',
    '[1,]',
    '[1 2]',
    '01',
    '1.',
    '.5',
    '-',
    '1e',
    'tru',
    'nul',
    '"abc',
    '"\u0001"',
    '"\\x"',
    '"\\u12"',
    '1 2',
    "{'a':1}",
    'NaN',
    '{a:1}',
  ])('refuses %j with a DATA error', (input) => {
    expect(() => canonicalJson(input)).toThrow(expect.objectContaining({ code: 'DATA' }));
  });

  it('handles deep nesting and refuses absurd depth', () => {
    expect(canonicalJson(`${'['.repeat(900)}${']'.repeat(900)}`)).toBe(
      `${'['.repeat(900)}${']'.repeat(900)}`,
    );
    expect(() => canonicalJson(`${'['.repeat(1200)}${']'.repeat(1200)}`)).toThrow(
      expect.objectContaining({ code: 'DATA' }),
    );
  });
});
