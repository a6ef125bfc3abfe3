import { describe, expect, it } from 'vitest';
import type { Column, LogicalType, TableSpec } from '../../core/index.js';
import { BatchBuilder, type JsValue } from '../../formats/index.js';
import { encodeBatch, loadDataSql } from './infile.js';

function table(cols: [string, LogicalType, string][]): TableSpec {
  const columns: Column[] = cols.map(([name, type, nativeType]) => ({
    name,
    type,
    nullable: true,
    nativeType,
  }));
  return { schema: 'db', name: 't', columns, primaryKey: [cols[0]![0]], estimatedRows: 0, estimatedBytes: 0 };
}

function encode(spec: TableSpec, rows: (JsValue | null)[][]): string {
  const b = new BatchBuilder(spec.columns, rows.length);
  for (const r of rows) b.appendRow(r);
  return Buffer.concat(encodeBatch(b.finish(), spec, 'db.t', ['id'])).toString('latin1');
}

describe('LOAD DATA encoding', () => {
  it('escapes exactly: NULL, empty, the text \\N, backslash, tab, newline, CR, NUL', () => {
    const spec = table([
      ['id', { kind: 'int', bits: 64 }, 'bigint'],
      ['v', { kind: 'text' }, 'longtext'],
    ]);
    expect(
      encode(spec, [
        [1n, null],
        [2n, ''],
        [3n, '\\N'],
        [4n, 'a\tb\nc\rd\\e\0f'],
        [5n, 'NULL'],
      ]),
    ).toBe('1\t\\N\n2\t\n3\t\\\\N\n4\ta\\tb\\nc\\rd\\\\e\\0f\n5\tNULL\n');
  });

  it('passes every byte value of a blob, escaping only the five that need it', () => {
    const spec = table([
      ['id', { kind: 'int', bits: 32 }, 'int'],
      ['b', { kind: 'bytes' }, 'longblob'],
    ]);
    const all = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    const out = Buffer.from(encode(spec, [[1, all]]), 'latin1');
    const body = out.subarray(2, out.length - 1);
    const unescaped: number[] = [];
    for (let i = 0; i < body.length; i++) {
      if (body[i] === 92) {
        const e = body[++i]!;
        unescaped.push({ 48: 0, 116: 9, 110: 10, 114: 13, 92: 92 }[e]!);
      } else unescaped.push(body[i]!);
    }
    expect(unescaped).toEqual(Array.from(all));
    expect(body.length).toBe(256 + 5);
  });

  it('writes numbers, dates and times as MySQL reads them back exactly', () => {
    const spec = table([
      ['id', { kind: 'int', bits: 64, unsigned: true }, 'bigint unsigned'],
      ['f', { kind: 'float', bits: 32 }, 'float'],
      ['d', { kind: 'date' }, 'date'],
      ['ts', { kind: 'timestamp', tz: true }, 'datetime(6)'],
      ['tm', { kind: 'time' }, 'time(6)'],
      ['iv', { kind: 'interval' }, 'time(0)'],
      ['y', { kind: 'int', bits: 16 }, 'year'],
      ['b', { kind: 'bool' }, 'tinyint(1)'],
      ['s', { kind: 'list', element: { kind: 'text' } }, "set('a','b')"],
      ['j', { kind: 'list', element: { kind: 'decimal' } }, 'json'],
    ]);
    expect(
      encode(spec, [
        [
          18446744073709551615n,
          Math.fround(0.1),
          -1,
          1n,
          86_399_999_999n,
          '-838:59:59',
          0,
          true,
          ['a', 'b'],
          ['1.50', null],
        ],
      ]),
    ).toBe(
      '18446744073709551615\t0.10000000149011612\t1969-12-31\t1970-01-01 00:00:00.000001\t23:59:59.999999\t-838:59:59.000000\t0000\t1\ta,b\t["1.50",null]\n',
    );
  });

  it('refuses values MySQL cannot hold, naming table, column, key and value', () => {
    const spec = table([
      ['id', { kind: 'int', bits: 64 }, 'bigint'],
      ['f', { kind: 'float', bits: 64 }, 'double'],
      ['ts', { kind: 'timestamp', tz: false }, 'datetime(6)'],
      ['iv', { kind: 'interval' }, 'time(6)'],
    ]);
    expect(() => encode(spec, [[7n, Number.NaN, 0n, '00:00:00']])).toThrow(
      expect.objectContaining({
        code: 'DATA',
        context: expect.objectContaining({ table: 'db.t', column: 'f', key: 'id=7', value: 'NaN' }),
      }),
    );
    expect(() => encode(spec, [[8n, 1, 2n ** 63n - 1n, '00:00:00']])).toThrow(/no infinite timestamp/);
    expect(() => encode(spec, [[9n, 1, 0n, '1 mon']])).toThrow(/not months or days/);
    // Years 1 to 9999 only: the first and last microsecond pass, one beyond either is refused with its value.
    const first = -719_162n * 86_400_000_000n;
    const last = 2_932_897n * 86_400_000_000n - 1n;
    expect(encode(spec, [[10n, 1, first, '00:00:00']])).toContain('0001-01-01 00:00:00.000000');
    expect(encode(spec, [[11n, 1, last, '00:00:00']])).toContain('9999-12-31 23:59:59.999999');
    expect(() => encode(spec, [[12n, 1, first - 1n, '00:00:00']])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/no timestamp outside the years 1 to 9999/),
        context: expect.objectContaining({ column: 'ts', key: 'id=12', value: '0000-12-31 23:59:59.999999' }),
      }),
    );
    const beyond = (value: RegExp) =>
      expect.objectContaining({ context: expect.objectContaining({ value: expect.stringMatching(value) }) });
    expect(() => encode(spec, [[13n, 1, last + 1n, '00:00:00']])).toThrow(beyond(/^10000-01-01 00:00:00/));
    const dates = table([
      ['id', { kind: 'int', bits: 64 }, 'bigint'],
      ['d', { kind: 'date' }, 'date'],
    ]);
    expect(encode(dates, [[1n, -719_162]])).toBe('1\t0001-01-01\n');
    expect(() => encode(dates, [[2n, -735_233]])).toThrow(/no date outside the years 1 to 9999/);
    expect(() => encode(dates, [[2n, -735_233]])).toThrow(beyond(/^-0043-01-01$/));
    expect(() => encode(dates, [[3n, 2_932_897]])).toThrow(beyond(/^10000-01-01$/));
  });

  it('loads BIT columns through a variable, as LOAD DATA cannot parse a number into BIT', () => {
    const spec = table([
      ['id', { kind: 'int', bits: 32 }, 'int'],
      ['flags', { kind: 'int', bits: 64 }, 'bit(10)'],
    ]);
    expect(loadDataSql(spec, 'ferry-x.tsv')).toBe(
      "LOAD DATA LOCAL INFILE 'ferry-x.tsv' INTO TABLE `db`.`t` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (`id`, @v1) SET `flags` = CAST(@v1 AS UNSIGNED)",
    );
  });
});
