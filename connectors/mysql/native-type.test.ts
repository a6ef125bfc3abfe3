import { describe, expect, it } from 'vitest';
import { formatNativeType, parseNativeType } from './native-type.js';

describe('parseNativeType', () => {
  it('reads numeric arguments, unsigned and zerofill', () => {
    expect(parseNativeType('int(10) unsigned zerofill')).toEqual({
      base: 'int',
      args: [10],
      members: [],
      unsigned: true,
      zerofill: true,
    });
    expect(parseNativeType('decimal(65,30)')).toMatchObject({
      base: 'decimal',
      args: [65, 30],
      unsigned: false,
    });
    expect(parseNativeType('double precision')).toMatchObject({ base: 'double precision', args: [] });
  });

  it('reads ENUM and SET members with quotes, commas and backslashes, and the charset and collation', () => {
    const t = parseNativeType(
      "enum('a''b','c\\\\d','x,y','é') CHARACTER SET latin1 COLLATE latin1_swedish_ci",
    );
    expect(t.members).toEqual(["a'b", 'c\\d', 'x,y', 'é']);
    expect(t.charset).toBe('latin1');
    expect(t.collation).toBe('latin1_swedish_ci');
    expect(parseNativeType(formatNativeType(t))).toEqual(t);
  });

  it('refuses text that is not a type', () => {
    expect(() => parseNativeType('int(10')).toThrow(/cannot read MySQL column type/);
    expect(() => parseNativeType("enum('a")).toThrow(/unterminated/);
    expect(() => parseNativeType('varchar(10) banana')).toThrow(/cannot read/);
  });
});
