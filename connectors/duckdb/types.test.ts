import { describe, expect, it } from 'vitest';
import type { TableSpec } from '../../core/index.js';
import { checkShape, holds, mapDuckDBTable } from './types.js';

const source: TableSpec = {
  schema: 'public',
  name: 'orders',
  columns: [
    { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'bigint' },
    {
      name: 'total',
      type: { kind: 'decimal', precision: 12, scale: 2 },
      nullable: true,
      nativeType: 'numeric(12,2)',
    },
    { name: 'at', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'timestamptz' },
    {
      name: 'big',
      type: { kind: 'decimal', precision: 39, scale: 0 },
      nullable: true,
      nativeType: 'HUGEINT',
    },
    {
      name: 'tags',
      type: { kind: 'list', element: { kind: 'json', binary: true } },
      nullable: true,
      nativeType: 'jsonb[]',
    },
  ],
  primaryKey: ['id'],
  estimatedRows: 10,
  estimatedBytes: 100,
};

describe('mapDuckDBTable', () => {
  it('maps every column to a DuckDB type that holds it exactly', () => {
    const t = mapDuckDBTable(source, { name: 'orders_copy' });
    expect(t.columns.map((c) => c.nativeType)).toEqual([
      'BIGINT',
      'DECIMAL(12,2)',
      'TIMESTAMPTZ',
      'BIGNUM',
      'JSON[]',
    ]);
    expect(t.columns.map((c) => c.type)).toEqual(source.columns.map((c) => c.type));
    expect(t).toMatchObject({ name: 'orders_copy', primaryKey: ['id'], estimatedRows: 10 });
    expect(t.schema).toBeUndefined();
  });

  it('refuses an unconstrained numeric with TYPE naming table and column', () => {
    const bad: TableSpec = { ...source, columns: [{ ...source.columns[1]!, type: { kind: 'decimal' } }] };
    expect(() => mapDuckDBTable(bad, { schema: 's', name: 'x' })).toThrow(
      expect.objectContaining({
        code: 'TYPE',
        context: expect.objectContaining({ table: 's.x', column: 'total' }),
      }),
    );
  });
});

describe('holds', () => {
  it('accepts the same or wider types only', () => {
    expect(holds({ kind: 'int', bits: 64 }, { kind: 'int', bits: 32 })).toBe(true);
    expect(holds({ kind: 'int', bits: 32 }, { kind: 'int', bits: 64 })).toBe(false);
    expect(holds({ kind: 'int', bits: 64 }, { kind: 'int', bits: 32, unsigned: true })).toBe(true);
    expect(holds({ kind: 'int', bits: 32 }, { kind: 'int', bits: 32, unsigned: true })).toBe(false);
    expect(
      holds({ kind: 'decimal', precision: 20, scale: 4 }, { kind: 'decimal', precision: 18, scale: 2 }),
    ).toBe(true);
    expect(
      holds({ kind: 'decimal', precision: 20, scale: 4 }, { kind: 'decimal', precision: 18, scale: 5 }),
    ).toBe(false);
    expect(holds({ kind: 'decimal', scale: 0 }, { kind: 'decimal', precision: 39, scale: 0 })).toBe(true);
    expect(
      holds({ kind: 'decimal', precision: 20, scale: 0 }, { kind: 'int', bits: 64, unsigned: true }),
    ).toBe(true);
    expect(holds({ kind: 'timestamp', tz: true }, { kind: 'timestamp', tz: false })).toBe(false);
    expect(holds({ kind: 'float', bits: 64 }, { kind: 'float', bits: 32 })).toBe(true);
    expect(holds({ kind: 'text' }, { kind: 'json' })).toBe(true);
  });
});

describe('checkShape', () => {
  const target = mapDuckDBTable(source, { name: 'orders' });
  it('passes an identical or wider table', () => {
    expect(() => checkShape(target, target)).not.toThrow();
  });
  it('names the first differing column', () => {
    const renamed = {
      ...target,
      columns: target.columns.map((c, i) => (i === 2 ? { ...c, name: 'when' } : c)),
    };
    expect(() => checkShape(renamed, target)).toThrow(
      expect.objectContaining({
        code: 'SCHEMA_MISMATCH',
        context: expect.objectContaining({ table: 'orders', column: 'at' }),
      }),
    );
    const narrower = {
      ...target,
      columns: target.columns.map((c, i) =>
        i === 1 ? { ...c, type: { kind: 'decimal' as const, precision: 10, scale: 2 } } : c,
      ),
    };
    expect(() => checkShape(narrower, target)).toThrow(
      /column total of table orders .* cannot hold decimal\(12,2\)/,
    );
    expect(() => checkShape({ ...target, columns: target.columns.slice(0, 4) }, target)).toThrow(/missing/);
  });
});
