import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../core/index.js';
import { duckdbNativeType } from '../../connectors/duckdb/types.js';
import { logicalFromNative, mysqlNativeType } from '../../connectors/mysql/types.js';
import { parquetNativeType } from '../../connectors/parquet/types.js';
import { pgColumnType, pgNativeType } from '../../connectors/postgres/types.js';
import { fmt, renderTypeMapping, TYPE_MAPPING_DOC, targetMappings } from '../../scripts/gen-type-mapping.js';

const doc = readFileSync(TYPE_MAPPING_DOC, 'utf8');
const where = { table: 't', column: 'c' };

/** The rows of the markdown table under a `### heading`, as cells without backticks. */
function rowsUnder(heading: string): string[][] {
  const start = doc.indexOf(`### ${heading}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(2, -2)
        .split(' | ')
        .map((c) => c.replaceAll('`', '').replaceAll('\\|', '|')),
    );
  }
  return rows;
}

describe('docs/type-mapping.md', () => {
  it('is what the generator produces from the code now (run: npx vite-node scripts/gen-type-mapping.ts)', () => {
    expect(renderTypeMapping()).toBe(doc);
  });

  it('lists MySQL source types as logicalFromNative reads them, under each tinyint1 option', () => {
    const rows = rowsUnder('MySQL / MariaDB source');
    expect(rows.length).toBeGreaterThan(30);
    for (const [nativeCell, logical] of rows) {
      const native = nativeCell!.replace(/ \(tinyint1=.*\)$/, '');
      const tinyint1 = nativeCell!.includes('(tinyint1=int)') ? 'int' : 'bool';
      let got: string;
      try {
        got = fmt(logicalFromNative(native, { tinyint1, zeroDates: 'error' }, where));
      } catch (e) {
        expect(e).toBeInstanceOf(FerryError);
        got = '✗ refused (TYPE)';
      }
      expect(got, native).toBe(logical);
    }
    expect(rows.find((r) => r[0] === 'tinyint(1) (tinyint1=int)')?.[1]).toBe('int8');
    expect(rows.find((r) => r[0] === 'bigint unsigned')?.[1]).toBe('uint64');
  });

  it('shows unsigned integers in PostgreSQL as wider types with a ferry:type comment', () => {
    const uint64 = { kind: 'int', bits: 64, unsigned: true } as const;
    expect(pgNativeType(uint64)).toBe('numeric(20,0)');
    expect(targetMappings(uint64).postgres).toEqual({
      native: 'numeric(20,0)',
      recorded: `COMMENT 'ferry:type={"kind":"int","bits":64,"unsigned":true}'`,
    });
    const row = rowsUnder('PostgreSQL target').find((r) => r[0] === 'uint64');
    expect(row?.slice(0, 3)).toEqual([
      'uint64',
      'numeric(20,0)',
      `COMMENT 'ferry:type={"kind":"int","bits":64,"unsigned":true}'`,
    ]);
  });

  it('shows PostgreSQL text-carried types as text and recreated from the native spelling', () => {
    const timetz = pgColumnType(
      { base: 'timetz', typtype: 'b', typmod: -1, dims: 0 },
      { ...where, native: 'timetz' },
    );
    expect(timetz.type).toEqual({ kind: 'text' });
    expect(rowsUnder('PostgreSQL source').find((r) => r[0] === 'time with time zone')?.[1]).toBe('text');
    expect(pgNativeType({ kind: 'text' }, 'inet')).toBe('inet');
  });

  it('shows the DuckDB 38-digit limit and the Parquet text carriage as the connectors apply them', () => {
    const wide = { kind: 'decimal', precision: 65, scale: 30 } as const;
    expect(() => duckdbNativeType(wide)).toThrow(FerryError);
    expect(parquetNativeType(wide)).toBe('VARCHAR');
    expect(parquetNativeType({ kind: 'interval' })).toBe('VARCHAR');
    const duck = rowsUnder('DuckDB target').find((r) => r[0] === 'decimal(65,30)');
    expect(duck?.[1]).toBe('✗ refused (TYPE)');
    const pq = rowsUnder('Parquet target').find((r) => r[0] === 'interval');
    expect(pq?.slice(1, 3)).toEqual(['VARCHAR', 'ferry.columns']);
  });

  it('lists every MySQL target DDL type as mysqlNativeType spells it', () => {
    const rows = rowsUnder('MySQL / MariaDB target');
    const uuid = rows.find((r) => r[0] === 'uuid');
    expect(uuid?.[1]).toBe(mysqlNativeType({ kind: 'uuid' }, { ...where, key: false }));
    expect(uuid?.[2]).toBe(`COMMENT 'ferry:{"kind":"uuid"}'`);
    expect(rows.find((r) => r[0] === 'decimal(80,10)')?.[1]).toBe('✗ refused (TYPE)');
    expect(rows.find((r) => r[0] === 'uint64')?.[1]).toBe('bigint unsigned');
  });
});
