import { describe, expect, it } from 'vitest';
import type { Column, TableSpec } from '../../core/index.js';
import { keyPlaceholder, mysqlRangePredicate } from './sql.js';

const columns: Column[] = [
  {
    name: 'a',
    type: { kind: 'int', bits: 64, unsigned: true },
    nullable: true,
    nativeType: 'bigint(20) unsigned',
  },
  {
    name: 'b',
    type: { kind: 'text', maxLength: 10 },
    nullable: true,
    nativeType: 'varchar(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci',
  },
  {
    name: 'c',
    type: { kind: 'text' },
    nullable: false,
    nativeType: "enum('x','y') CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
  },
];
const spec: TableSpec = { name: 't', columns, primaryKey: ['a', 'b'], estimatedRows: 0, estimatedBytes: 0 };

describe('MySQL range predicates', () => {
  it('casts bound values to the key type: exact integers, the column charset and collation', () => {
    expect(keyPlaceholder(columns[0]!)).toBe('CAST(? AS UNSIGNED)');
    expect(keyPlaceholder(columns[1]!)).toBe('CONVERT(? USING latin1) COLLATE latin1_swedish_ci');
    expect(keyPlaceholder({ ...columns[0]!, type: { kind: 'decimal', precision: 10, scale: 2 } })).toBe(
      'CAST(? AS DECIMAL(65,30))',
    );
  });

  it('single column: a plain half-open range', () => {
    expect(mysqlRangePredicate({ columns: ['a'], lo: ['10'], hi: ['20'] }, spec)).toEqual({
      sql: '`a` >= CAST(? AS UNSIGNED) AND `a` < CAST(? AS UNSIGNED)',
      params: ['10', '20'],
    });
    expect(mysqlRangePredicate({ columns: ['a'] }, spec).sql).toBe('`a` IS NOT NULL');
  });

  it('composite keys: lexicographic bounds led by the first column (index range), NULL keys excluded', () => {
    const p = mysqlRangePredicate({ columns: ['a', 'b'], lo: ['1', 'k'], hi: ['5', 'm'] }, spec);
    const u = 'CAST(? AS UNSIGNED)';
    const t = 'CONVERT(? USING latin1) COLLATE latin1_swedish_ci';
    expect(p.sql).toBe(
      `\`a\` >= ${u} AND (\`a\` > ${u} OR (\`a\` = ${u} AND \`b\` >= ${t})) AND ` +
        `\`a\` <= ${u} AND (\`a\` < ${u} OR (\`a\` = ${u} AND \`b\` < ${t})) AND \`a\` IS NOT NULL AND \`b\` IS NOT NULL`,
    );
    expect(p.params).toEqual(['1', '1', '1', 'k', '5', '5', '5', 'm']);
  });

  it('NULL-key and whole ranges; ENUM keys compared as text', () => {
    expect(mysqlRangePredicate({ columns: ['a', 'b'], nullKey: true }, spec).sql).toBe(
      '(`a` IS NULL OR `b` IS NULL)',
    );
    expect(mysqlRangePredicate({ columns: [], whole: true }, spec).sql).toBe('TRUE');
    expect(mysqlRangePredicate({ columns: ['c'], lo: ['x'] }, spec)).toEqual({
      sql: 'CAST(`c` AS CHAR) >= ?',
      params: ['x'],
    });
  });
});
