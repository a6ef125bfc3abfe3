import { describe, expect, it } from 'vitest';
import { pgColumnType, pgNativeType } from './types.js';

const where = { table: 't', column: 'c', native: 'x' };
const col = (base: string, typmod = -1, dims = 0, typtype = 'b') =>
  pgColumnType({ base, typtype, typmod, dims, elementOid: dims ? 23 : undefined }, where);

describe('PostgreSQL type mapping', () => {
  it('reads typmods into logical limits and codec checks', () => {
    expect(col('numeric', ((12 << 16) | 2) + 4)).toEqual({
      type: { kind: 'decimal', precision: 12, scale: 2 },
      codec: { wire: 'numeric', dims: 0, precision: 12, scale: 2 },
    });
    expect(col('varchar', 14).type).toEqual({ kind: 'text', maxLength: 10 });
    expect(col('bpchar', 9).type).toEqual({ kind: 'text', maxLength: 5, fixed: true });
    expect(col('timestamptz', 3).codec.timePrecision).toBe(3);
    expect(col('int4', -1, 2).type).toEqual({
      kind: 'list',
      element: { kind: 'list', element: { kind: 'int', bits: 32 } },
    });
    expect(col('public.mood', -1, 0, 'e').codec.wire).toBe('text');
    expect(col('oid').type).toEqual({ kind: 'int', bits: 64 });
    // numeric with a negative scale (PostgreSQL 15) is carried unbounded rather than misread.
    expect(col('numeric', ((5 << 16) | 0x7fe) + 4).type).toEqual({ kind: 'decimal' });
  });

  it('refuses types without an exact logical type at plan time', () => {
    expect(() => col('tsvector')).toThrow(
      expect.objectContaining({ code: 'TYPE', context: expect.objectContaining({ column: 'c' }) }),
    );
    expect(() => col('point')).toThrow(/not supported/);
  });

  it('creates target types that hold each logical type, keeping PostgreSQL-only text types', () => {
    expect(pgNativeType({ kind: 'int', bits: 64, unsigned: true })).toBe('numeric(20,0)');
    expect(pgNativeType({ kind: 'int', bits: 8 })).toBe('smallint');
    expect(pgNativeType({ kind: 'text' }, 'inet')).toBe('inet');
    expect(pgNativeType({ kind: 'text' }, 'time with time zone')).toBe('time with time zone');
    expect(pgNativeType({ kind: 'text' }, 'VARCHAR(10)')).toBe('text');
    expect(pgNativeType({ kind: 'decimal' }, 'money')).toBe('money');
    expect(pgNativeType({ kind: 'text', maxLength: 5, fixed: true }, 'character(5)')).toBe('character(5)');
    // MySQL CHAR(n) values carry no trailing pad: character(n) would add it on read-back.
    expect(pgNativeType({ kind: 'text', maxLength: 5, fixed: true }, 'char(5)')).toBe('character varying(5)');
    expect(pgNativeType({ kind: 'list', element: { kind: 'list', element: { kind: 'uuid' } } })).toBe(
      'uuid[][]',
    );
    expect(pgNativeType({ kind: 'timestamp', tz: true })).toBe('timestamp with time zone');
  });
});
