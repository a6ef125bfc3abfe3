import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../../core/index.js';
import { typeComment } from './ddl.js';
import {
  DEFAULT_READ_TYPES,
  holds,
  logicalFromComment,
  logicalFromNative,
  mysqlNativeType,
} from './types.js';

const where = { table: 'db.t', column: 'c' };
const read = (native: string, options = DEFAULT_READ_TYPES) => logicalFromNative(native, options, where);

describe('reading MySQL types', () => {
  it.each<[string, LogicalType]>([
    ['tinyint(1)', { kind: 'bool' }],
    ['tinyint(4)', { kind: 'int', bits: 8 }],
    ['tinyint(3) unsigned', { kind: 'int', bits: 8, unsigned: true }],
    ['smallint(5) unsigned', { kind: 'int', bits: 16, unsigned: true }],
    ['mediumint(9)', { kind: 'int', bits: 32 }],
    ['mediumint(8) unsigned', { kind: 'int', bits: 32, unsigned: true }],
    ['int(10) unsigned', { kind: 'int', bits: 32, unsigned: true }],
    ['bigint(20) unsigned', { kind: 'int', bits: 64, unsigned: true }],
    ['decimal(65,30)', { kind: 'decimal', precision: 65, scale: 30 }],
    ['float(7,3)', { kind: 'float', bits: 32 }],
    ['double', { kind: 'float', bits: 64 }],
    ['bit(1)', { kind: 'bool' }],
    ['bit(10)', { kind: 'int', bits: 64 }],
    ['bit(64)', { kind: 'int', bits: 64, unsigned: true }],
    ['year(4)', { kind: 'int', bits: 16 }],
    ['datetime(6)', { kind: 'timestamp', tz: false }],
    ['timestamp(6)', { kind: 'timestamp', tz: true }],
    ['time(6)', { kind: 'interval' }],
    ['char(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci', { kind: 'text', maxLength: 10, fixed: true }],
    ['varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', { kind: 'text', maxLength: 100 }],
    ["enum('a','b') CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", { kind: 'text' }],
    ["set('a','b') CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", { kind: 'list', element: { kind: 'text' } }],
    ['json', { kind: 'json' }],
    ['varbinary(300)', { kind: 'bytes', maxLength: 300 }],
    ['longblob', { kind: 'bytes' }],
    ['point', { kind: 'bytes' }],
    ['uuid', { kind: 'uuid' }],
  ])('%s → %j', (native, type) => {
    expect(read(native)).toEqual(type);
  });

  it('reads TINYINT(1) as int8 with tinyint1=int', () => {
    expect(read('tinyint(1)', { ...DEFAULT_READ_TYPES, tinyint1: 'int' })).toEqual({ kind: 'int', bits: 8 });
  });

  it('is a TYPE error naming table and column for a type or charset it cannot read exactly', () => {
    expect(() => read('vector(3)')).toThrow(
      expect.objectContaining({
        code: 'TYPE',
        context: expect.objectContaining({ table: 'db.t', column: 'c' }),
      }),
    );
    expect(() => read('varchar(10) CHARACTER SET sjis COLLATE sjis_japanese_ci')).toThrow(
      /cannot read exactly/,
    );
  });

  it('reads a ferry comment as the logical type, and ignores other comments', () => {
    expect(logicalFromComment('ferry:{"kind":"uuid"}')).toEqual({ kind: 'uuid' });
    expect(logicalFromComment('customer id')).toBeUndefined();
    expect(logicalFromComment('ferry:{oops')).toBeUndefined();
  });
});

describe('writing MySQL types', () => {
  const ctx = { table: 'db.t', column: 'c', key: false };
  it.each<[LogicalType, string]>([
    [{ kind: 'bool' }, 'tinyint(1)'],
    [{ kind: 'int', bits: 64, unsigned: true }, 'bigint unsigned'],
    [{ kind: 'decimal' }, 'decimal(65,30)'],
    [{ kind: 'decimal', precision: 38, scale: 10 }, 'decimal(38,10)'],
    [{ kind: 'text' }, 'longtext'],
    [{ kind: 'text', maxLength: 20 }, 'varchar(20)'],
    [{ kind: 'bytes' }, 'longblob'],
    [{ kind: 'timestamp', tz: true }, 'datetime(6)'],
    [{ kind: 'time' }, 'time(6)'],
    [{ kind: 'interval' }, 'varchar(100)'],
    [{ kind: 'uuid' }, 'char(36) CHARACTER SET ascii COLLATE ascii_bin'],
    [{ kind: 'json', binary: true }, 'json'],
    [{ kind: 'list', element: { kind: 'text' } }, 'json'],
  ])('%j → %s', (type, native) => {
    expect(mysqlNativeType(type, ctx)).toBe(native);
  });

  it('gives key columns indexable types', () => {
    expect(mysqlNativeType({ kind: 'text' }, { ...ctx, key: true })).toBe('varchar(768)');
    expect(mysqlNativeType({ kind: 'bytes' }, { ...ctx, key: true })).toBe('varbinary(3072)');
  });

  it('keeps a MySQL source type where it is exact: ENUM, SET, TIME, YEAR, BIT, MEDIUMINT', () => {
    expect(
      mysqlNativeType({ kind: 'text' }, { ...ctx, sourceNative: "enum('a''b','c') CHARACTER SET latin1" }),
    ).toBe("enum('a''b','c')");
    expect(
      mysqlNativeType({ kind: 'list', element: { kind: 'text' } }, { ...ctx, sourceNative: "set('x','y')" }),
    ).toBe("set('x','y')");
    expect(mysqlNativeType({ kind: 'interval' }, { ...ctx, sourceNative: 'time(3)' })).toBe('time(3)');
    expect(mysqlNativeType({ kind: 'int', bits: 16 }, { ...ctx, sourceNative: 'year(4)' })).toBe('year');
    expect(mysqlNativeType({ kind: 'int', bits: 64 }, { ...ctx, sourceNative: 'bit(10)' })).toBe('bit(10)');
    expect(
      mysqlNativeType(
        { kind: 'int', bits: 32, unsigned: true },
        { ...ctx, sourceNative: 'mediumint(8) unsigned' },
      ),
    ).toBe('mediumint unsigned');
  });

  it('is a TYPE error for a decimal wider than DECIMAL(65,30) and for lists of bytes', () => {
    expect(() => mysqlNativeType({ kind: 'decimal', precision: 70, scale: 0 }, ctx)).toThrow(/65 digits/);
    expect(() => mysqlNativeType({ kind: 'list', element: { kind: 'bytes' } }, ctx)).toThrow(/JSON array/);
  });

  it('records the logical type in a comment only where the MySQL type would read back as another', () => {
    const col = (type: LogicalType): Column => ({
      name: 'c',
      type,
      nullable: true,
      nativeType: mysqlNativeType(type, ctx),
    });
    expect(typeComment(col({ kind: 'int', bits: 64 }))).toBeUndefined();
    expect(typeComment(col({ kind: 'decimal', precision: 12, scale: 2 }))).toBeUndefined();
    expect(typeComment(col({ kind: 'uuid' }))).toBe('ferry:{"kind":"uuid"}');
    expect(typeComment(col({ kind: 'timestamp', tz: true }))).toBe('ferry:{"kind":"timestamp","tz":true}');
    expect(typeComment(col({ kind: 'decimal' }))).toBe('ferry:{"kind":"decimal"}');
  });

  it('holds: wider integers and decimals hold narrower ones, not the reverse', () => {
    expect(holds({ kind: 'int', bits: 64 }, { kind: 'int', bits: 32, unsigned: true })).toBe(true);
    expect(holds({ kind: 'int', bits: 64 }, { kind: 'int', bits: 64, unsigned: true })).toBe(false);
    expect(
      holds({ kind: 'decimal', precision: 20, scale: 0 }, { kind: 'int', bits: 64, unsigned: true }),
    ).toBe(true);
    expect(
      holds({ kind: 'decimal', precision: 12, scale: 2 }, { kind: 'decimal', precision: 30, scale: 6 }),
    ).toBe(false);
    expect(holds({ kind: 'text', maxLength: 10 }, { kind: 'text', maxLength: 20 })).toBe(false);
  });
});
