import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import type { LogicalType, Source, TableSpec } from '../../core/index.js';
import { type JsValue, formatInterval } from '../../formats/index.js';
import { EVERYTHING_DDL, EVERYTHING_ORACLE, EVERYTHING_ROWS } from './fixture.js';
import { exec, freshDatabase, logger, rowsOf } from './mariadb.js';

const db = await freshDatabase('types');
afterAll(() => db.drop());
const STRICT = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';

/** The EWKB PostGIS reads for MySQL's WKB and SRID (plain WKB when the SRID is 0). */
function ewkb(wkbHex: string, srid: number): Uint8Array {
  const wkb = Buffer.from(wkbHex, 'hex');
  if (srid === 0) return new Uint8Array(wkb);
  const out = Buffer.alloc(wkb.length + 4);
  out[0] = wkb[0]!;
  out.writeUInt32LE((wkb.readUInt32LE(1) | 0x20000000) >>> 0, 1);
  out.writeUInt32LE(srid, 5);
  wkb.copy(out, 9, 5);
  return new Uint8Array(out);
}

const utf8 = (hex: unknown) => (hex === null ? null : Buffer.from(String(hex), 'hex').toString('utf8'));
const bytes = (hex: unknown) => (hex === null ? null : new Uint8Array(Buffer.from(String(hex), 'hex')));
const big = (v: unknown) => (v === null ? null : BigInt(String(v)));
const num = (v: unknown) => (v === null ? null : Number(v));

/** Floats as inserted (MySQL cannot state a FLOAT's exact value as text): the JS value of each literal. */
const F32 = [Math.fround(-3.402823466e38), Math.fround(3.402823466e38), null, Math.fround(16777217)];
const F64 = [-1.7976931348623157e308, 1.7976931348623157e308, null, 0.1];

/** What the source must read for each row, from the server's own statement of every value. */
function expected(oracle: Record<string, unknown>[]): (JsValue | null)[][] {
  return oracle.map((o, r) => [
    Number(o.id),
    o.b1 === null ? null : o.b1 === '1',
    num(o.i8),
    num(o.u8),
    num(o.i16),
    num(o.u16),
    num(o.i24),
    big(o.u24),
    num(o.i32),
    big(o.u32),
    big(o.i64),
    big(o.u64),
    big(o.zf),
    o.d65 as string | null,
    o.d10 as string | null,
    F32[r]!,
    F64[r]!,
    o.bit1 === null ? null : o.bit1 === '1',
    big(o.bit10),
    big(o.bit64),
    num(o.yr),
    num(o.dt),
    big(o.dtm),
    big(o.ts),
    o.tm === null ? null : formatInterval({ months: 0, days: 0, micros: BigInt(String(o.tm)) }),
    utf8(o.c_utf8),
    utf8(o.c_latin1),
    utf8(o.c_char),
    utf8(o.c_text),
    bytes(o.c_bin),
    bytes(o.c_varbin),
    bytes(o.c_blob),
    utf8(o.e),
    o.s === null ? null : utf8(o.s) === '' ? [] : utf8(o.s)!.split(','),
    utf8(o.j),
    o.g === null ? null : ewkb(String(o.g), Number(o.g_srid)),
  ]);
}

const TYPES: [string, LogicalType, string][] = [
  ['id', { kind: 'int', bits: 32 }, 'int(11)'],
  ['b1', { kind: 'bool' }, 'tinyint(1)'],
  ['i8', { kind: 'int', bits: 8 }, 'tinyint(4)'],
  ['u8', { kind: 'int', bits: 8, unsigned: true }, 'tinyint(3) unsigned'],
  ['i16', { kind: 'int', bits: 16 }, 'smallint(6)'],
  ['u16', { kind: 'int', bits: 16, unsigned: true }, 'smallint(5) unsigned'],
  ['i24', { kind: 'int', bits: 32 }, 'mediumint(9)'],
  ['u24', { kind: 'int', bits: 32, unsigned: true }, 'mediumint(8) unsigned'],
  ['i32', { kind: 'int', bits: 32 }, 'int(11)'],
  ['u32', { kind: 'int', bits: 32, unsigned: true }, 'int(10) unsigned'],
  ['i64', { kind: 'int', bits: 64 }, 'bigint(20)'],
  ['u64', { kind: 'int', bits: 64, unsigned: true }, 'bigint(20) unsigned'],
  ['zf', { kind: 'int', bits: 32, unsigned: true }, 'int(6) unsigned zerofill'],
  ['d65', { kind: 'decimal', precision: 65, scale: 30 }, 'decimal(65,30)'],
  ['d10', { kind: 'decimal', precision: 10, scale: 2 }, 'decimal(10,2)'],
  ['f32', { kind: 'float', bits: 32 }, 'float'],
  ['f64', { kind: 'float', bits: 64 }, 'double'],
  ['bit1', { kind: 'bool' }, 'bit(1)'],
  ['bit10', { kind: 'int', bits: 64 }, 'bit(10)'],
  ['bit64', { kind: 'int', bits: 64, unsigned: true }, 'bit(64)'],
  ['yr', { kind: 'int', bits: 16 }, 'year(4)'],
  ['dt', { kind: 'date' }, 'date'],
  ['dtm', { kind: 'timestamp', tz: false }, 'datetime(6)'],
  ['ts', { kind: 'timestamp', tz: true }, 'timestamp(6)'],
  ['tm', { kind: 'interval' }, 'time(6)'],
  [
    'c_utf8',
    { kind: 'text', maxLength: 100 },
    'varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci',
  ],
  [
    'c_latin1',
    { kind: 'text', maxLength: 200 },
    'varchar(200) CHARACTER SET latin1 COLLATE latin1_swedish_ci',
  ],
  [
    'c_char',
    { kind: 'text', maxLength: 10, fixed: true },
    'char(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci',
  ],
  ['c_text', { kind: 'text' }, 'text CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci'],
  ['c_bin', { kind: 'bytes', maxLength: 4 }, 'binary(4)'],
  ['c_varbin', { kind: 'bytes', maxLength: 300 }, 'varbinary(300)'],
  ['c_blob', { kind: 'bytes' }, 'blob'],
  ['e', { kind: 'text' }, "enum('small','médium','large') CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"],
  [
    's',
    { kind: 'list', element: { kind: 'text' } },
    "set('a','b','c') CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
  ],
  ['j', { kind: 'json' }, 'json'],
  ['g', { kind: 'bytes' }, 'geometry'],
];

describe('mysql source: every MariaDB type, read exactly', () => {
  let source: Source;
  let spec: TableSpec;
  let want: (JsValue | null)[][];

  beforeAll(async () => {
    await exec(
      db.url,
      [EVERYTHING_DDL, `INSERT INTO everything VALUES ${EVERYTHING_ROWS.join(',\n')}`],
      STRICT,
    );
    want = expected(await exec(db.url, EVERYTHING_ORACLE));
    source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    spec = await source.describe({ name: 'everything' });
  });

  afterAll(async () => {
    await source?.close();
  });

  it('describes every column: logical type, native type with charset, nullability, key', () => {
    expect(spec.schema).toBe(db.name);
    expect(spec.primaryKey).toEqual(['id']);
    expect(spec.columns.map((c) => [c.name, c.type, c.nativeType])).toEqual(TYPES);
    expect(spec.columns.filter((c) => !c.nullable).map((c) => c.name)).toEqual(['id']);
  });

  it('reads every value exactly as the server states it, in batches of at most batchRows', async () => {
    const batches = [];
    for await (const b of source.read(spec, { columns: [], whole: true }, { batchRows: 2 })) {
      expect(b.numRows).toBeLessThanOrEqual(2);
      batches.push(b);
    }
    const got = rowsOf(batches).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(got).toHaveLength(4);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < TYPES.length; c++) {
        expect({ row: r + 1, column: TYPES[c]![0], value: got[r]![c] }).toEqual({
          row: r + 1,
          column: TYPES[c]![0],
          value: want[r]![c],
        });
      }
    }
  });

  it('keeps the edge values the issue names', () => {
    const [min, max, , edge] = want;
    expect(max![11]).toBe(18446744073709551615n);
    expect(min![10]).toBe(-9223372036854775808n);
    expect(edge![10]).toBe(9007199254740993n);
    expect(max![13]).toBe('99999999999999999999999999999999999.999999999999999999999999999999');
    expect(edge![15]).toBe(16777216);
    expect(max![25]).toBe('4-byte 🎉😀 𝄞 中文 ﬃ');
    expect(max![26]).toMatch(/^café crème à la Noël ÿ €/);
    expect(max![28]).toBe('tab\there\nnewline\rcr back\\slash \\N literal NULL');
    expect(edge![28]).toBe('\\N');
    expect(Array.from(max![30] as Uint8Array)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(max![24]).toBe('838:59:59');
    expect(min![24]).toBe('-838:59:59');
    expect(edge![24]).toBe('-00:00:00.000001');
  });

  it('reads a key range and a chosen subset of columns in the order asked', async () => {
    const batches = [];
    for await (const b of source.read(
      spec,
      { columns: ['id'], lo: ['2'], hi: ['4'] },
      { batchRows: 10, columns: ['c_latin1', 'u64'] },
    )) {
      batches.push(b);
    }
    expect(rowsOf(batches)).toEqual([
      [want[1]![26], 18446744073709551615n],
      [null, null],
    ]);
  });

  it('with tinyint1=int reads TINYINT(1) as int8', async () => {
    const s = await mysqlConnector.openSource(db.endpoint('tinyint1=int'), { logger, readOnly: true });
    try {
      const t = await s.describe({ name: 'everything' });
      expect(t.columns.find((c) => c.name === 'b1')?.type).toEqual({ kind: 'int', bits: 8 });
      const got = [];
      for await (const b of s.read(
        t,
        { columns: ['id'], lo: ['2'], hi: ['3'] },
        { batchRows: 10, columns: ['b1'] },
      ))
        got.push(...rowsOf([b]));
      expect(got).toEqual([[1]]);
    } finally {
      await s.close();
    }
  });

  it('refuses a TINYINT(1) holding 2 as a boolean, naming table, column, key and value', async () => {
    await exec(db.url, [
      'CREATE TABLE flags (id INT PRIMARY KEY, f TINYINT(1))',
      'INSERT INTO flags VALUES (1, 1), (7, 2)',
    ]);
    const t = await source.describe({ name: 'flags' });
    const read = async () => {
      for await (const _ of source.read(t, { columns: ['id'], whole: true }, { batchRows: 10 })) {
        // drain
      }
    };
    await expect(read()).rejects.toMatchObject({
      code: 'DATA',
      context: { table: `${db.name}.flags`, column: 'f', key: 'id=7', value: '2' },
    });
  });
});

describe('mysql source: zero dates under each policy', () => {
  beforeAll(async () => {
    await exec(
      db.url,
      [
        'CREATE TABLE zd (id INT PRIMARY KEY, d DATE NOT NULL, t DATETIME(6))',
        "INSERT INTO zd VALUES (1, '2024-01-10', '2024-01-10 10:00:00'), (2, '0000-00-00', '0000-00-00 00:00:00'), (3, '2024-00-10', '2024-02-30 01:02:03')",
      ],
      'ALLOW_INVALID_DATES',
    );
  });

  it('default: an error naming table, column, key and value', async () => {
    const s = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      const t = await s.describe({ name: 'zd' });
      const read = async () => {
        for await (const _ of s.read(t, { columns: ['id'], whole: true }, { batchRows: 10 })) {
          // drain
        }
      };
      await expect(read()).rejects.toMatchObject({
        code: 'DATA',
        message: expect.stringContaining('zero or invalid date 0000-00-00'),
        context: {
          table: `${db.name}.zd`,
          column: 'd',
          key: 'id=2',
          value: '0000-00-00',
          hint: expect.stringContaining('zero_dates=null'),
        },
      });
    } finally {
      await s.close();
    }
  });

  it('zero_dates=null: read as NULL, and the columns become nullable', async () => {
    const s = await mysqlConnector.openSource(db.endpoint('zero_dates=null'), { logger, readOnly: true });
    try {
      const t = await s.describe({ name: 'zd' });
      expect(t.columns.map((c) => c.nullable)).toEqual([false, true, true]);
      const got = [];
      for await (const b of s.read(t, { columns: ['id'], whole: true }, { batchRows: 10 }))
        got.push(...rowsOf([b]));
      expect(got.sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual([
        [1, Date.UTC(2024, 0, 10) / 86_400_000, BigInt(Date.UTC(2024, 0, 10, 10)) * 1000n],
        [2, null, null],
        [3, null, null],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('mysql source: introspection', () => {
  it('keys, foreign keys, indexes, AUTO_INCREMENT, generated columns, estimates; the ledger is not listed', async () => {
    await exec(db.url, [
      'CREATE TABLE parent (id BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY uk_code (code))',
      `CREATE TABLE child (a INT NOT NULL, b VARCHAR(20) NOT NULL, parent_id BIGINT, note TEXT,
         twice INT AS (a * 2) VIRTUAL, thrice INT AS (a * 3) STORED,
         PRIMARY KEY (a, b), KEY ix_note (note(12), parent_id),
         CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`,
      "INSERT INTO parent (code) VALUES ('x'), ('y')",
      "INSERT INTO child (a, b, parent_id) VALUES (1, 'p', 1), (2, 'q', 2)",
      'CREATE TABLE _ferry_ledger (x INT)',
      'ANALYZE TABLE parent, child',
    ]);
    const s = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      const names = (await s.listTables()).map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['parent', 'child', 'everything']));
      expect(names).not.toContain('_ferry_ledger');
      const parent = await s.describe({ name: 'parent' });
      expect(parent.columns[0]).toMatchObject({ name: 'id', identity: true, nullable: false });
      expect(parent.uniqueKeys).toEqual([['code']]);
      const child = await s.describe({ schema: db.name, name: 'child' });
      expect(child.primaryKey).toEqual(['a', 'b']);
      expect(child.foreignKeys).toEqual([
        {
          name: 'fk_parent',
          columns: ['parent_id'],
          references: { schema: db.name, name: 'parent' },
          referencedColumns: ['id'],
        },
      ]);
      expect(child.indexes).toEqual(
        expect.arrayContaining([
          {
            name: 'ix_note',
            columns: ['note', 'parent_id'],
            unique: false,
            definition: 'KEY `ix_note` (`note`(12), `parent_id`)',
          },
        ]),
      );
      expect(child.columns.find((c) => c.name === 'twice')?.generated).toBe('`a` * 2');
      expect(child.columns.find((c) => c.name === 'thrice')?.generated).toBe('`a` * 3');
      expect(child.estimatedRows).toBe(2);
      expect(child.estimatedBytes).toBeGreaterThan(0);
      await exec(db.url, 'CREATE TABLE sj (id INT PRIMARY KEY, v VARCHAR(5) CHARACTER SET sjis)');
      await expect(s.describe({ name: 'sj' })).rejects.toMatchObject({
        code: 'TYPE',
        context: {
          table: `${db.name}.sj`,
          column: 'v',
          hint: expect.stringContaining('CONVERT TO CHARACTER SET utf8mb4'),
        },
      });
      await expect(s.describe({ name: 'missing' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        context: { table: `${db.name}.missing` },
      });
    } finally {
      await s.close();
    }
  });
});
