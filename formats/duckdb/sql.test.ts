import { describe, expect, it } from 'vitest';
import type { Column } from '../../core/index.js';
import { duckdbRangePredicate } from './sql.js';

const columns: Column[] = [
  { name: 'a', type: { kind: 'int', bits: 32 }, nullable: true, nativeType: 'INTEGER' },
  { name: 'b"x', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  { name: 'e', type: { kind: 'text' }, nullable: true, nativeType: "ENUM('p', 'q')" },
];

describe('duckdbRangePredicate', () => {
  it('casts single-key parameters to the column type', () => {
    expect(duckdbRangePredicate({ columns: ['a'], lo: ['5'], hi: ['10'] }, columns)).toEqual({
      sql: '"a" >= CAST($1 AS INTEGER) AND "a" < CAST($2 AS INTEGER)',
      params: ['5', '10'],
    });
    expect(duckdbRangePredicate({ columns: ['e'], lo: ['p'] }, columns).sql).toBe(
      '"e" >= CAST($1 AS VARCHAR)',
    );
  });

  it('spells composite bounds lexicographically, with a NULL guard and a prunable first-column bound', () => {
    const p = duckdbRangePredicate({ columns: ['a', 'b"x'], lo: ['1', 'k'], hi: ['9', 'z'] }, columns, 2);
    expect(p.params).toEqual(['1', 'k', '9', 'z']);
    expect(p.sql).toBe(
      '"a" IS NOT NULL AND "b""x" IS NOT NULL' +
        ' AND "a" >= CAST($3 AS INTEGER) AND ("a" > CAST($3 AS INTEGER) OR ("a" = CAST($3 AS INTEGER) AND "b""x" >= CAST($4 AS VARCHAR)))' +
        ' AND "a" <= CAST($5 AS INTEGER) AND ("a" < CAST($5 AS INTEGER) OR ("a" = CAST($5 AS INTEGER) AND "b""x" < CAST($6 AS VARCHAR)))',
    );
  });

  it('keeps whole and NULL-key ranges as core renders them', () => {
    expect(duckdbRangePredicate({ columns: ['a', 'b"x'], nullKey: true }, columns).sql).toBe(
      '("a" IS NULL OR "b""x" IS NULL)',
    );
    expect(duckdbRangePredicate({ columns: [], whole: true }, columns).sql).toBe('TRUE');
    expect(duckdbRangePredicate({ columns: ['a', 'b"x'] }, columns).sql).toBe(
      '"a" IS NOT NULL AND "b""x" IS NOT NULL',
    );
  });
});
