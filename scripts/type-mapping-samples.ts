/**
 * The sample types docs/type-mapping.md lists: native types each source reads, logical types each target
 * writes. The mappings themselves come from the connectors (scripts/gen-type-mapping.ts).
 */
import * as D from '@duckdb/node-api';
import { type DuckDBType, DuckDBVarCharType } from '@duckdb/node-api';
import type { LogicalType } from '../core/index.js';
import type { ReadTypeOptions } from '../connectors/mysql/types.js';
import type { PgTypeInfo } from '../connectors/postgres/types.js';

/** MySQL/MariaDB native types (information_schema COLUMN_TYPE spelling) and the options that change them. */
export const MYSQL_SOURCE: { native: string; options?: Partial<ReadTypeOptions>; label?: string }[] = [
  { native: 'tinyint(1)', label: 'tinyint1=bool (default)' },
  { native: 'tinyint(1)', options: { tinyint1: 'int' }, label: 'tinyint1=int' },
  { native: 'boolean' },
  ...['tinyint', 'smallint', 'mediumint', 'int', 'bigint'].flatMap((n) => [
    { native: n },
    { native: `${n} unsigned` },
  ]),
  { native: 'decimal(12,2)' },
  { native: 'decimal(65,30)' },
  { native: 'decimal' },
  { native: 'float' },
  { native: 'double' },
  { native: 'bit(1)' },
  { native: 'bit(8)' },
  { native: 'bit(64)' },
  { native: 'year' },
  { native: 'date' },
  { native: 'datetime(6)' },
  { native: 'timestamp(6)' },
  { native: 'time(6)' },
  { native: 'char(10)' },
  { native: 'varchar(255)' },
  { native: 'text' },
  { native: 'longtext' },
  { native: 'varchar(50) CHARACTER SET latin1' },
  { native: 'varchar(50) CHARACTER SET big5' },
  { native: "enum('a','b')" },
  { native: "set('a','b')" },
  { native: 'json' },
  { native: 'binary(16)' },
  { native: 'varbinary(255)' },
  { native: 'longblob' },
  { native: 'geometry' },
  { native: 'uuid' },
  { native: 'inet6' },
  { native: 'vector(3)' },
];

const nm = (p: number, s: number) => ((p << 16) | s) + 4;
const pgInfo = (base: string, typmod = -1, dims = 0, typtype = 'b'): PgTypeInfo => ({
  base,
  typtype,
  typmod,
  dims,
});

/** PostgreSQL spellings (format_type) with the catalog facts the source reads for them. */
export const PG_SOURCE: [string, PgTypeInfo][] = [
  ['boolean', pgInfo('bool')],
  ['smallint', pgInfo('int2')],
  ['integer', pgInfo('int4')],
  ['bigint', pgInfo('int8')],
  ['oid', pgInfo('oid')],
  ['real', pgInfo('float4')],
  ['double precision', pgInfo('float8')],
  ['numeric(12,2)', pgInfo('numeric', nm(12, 2))],
  ['numeric', pgInfo('numeric')],
  ['money', pgInfo('money')],
  ['character varying(255)', pgInfo('varchar', 259)],
  ['character(10)', pgInfo('bpchar', 14)],
  ['text', pgInfo('text')],
  ['citext', pgInfo('citext')],
  ['name', pgInfo('name')],
  ['bytea', pgInfo('bytea')],
  ['date', pgInfo('date')],
  ['time(3) without time zone', pgInfo('time', 3)],
  ['time with time zone', pgInfo('timetz')],
  ['timestamp without time zone', pgInfo('timestamp')],
  ['timestamp with time zone', pgInfo('timestamptz')],
  ['interval', pgInfo('interval')],
  ['uuid', pgInfo('uuid')],
  ['json', pgInfo('json')],
  ['jsonb', pgInfo('jsonb')],
  ['xml', pgInfo('xml')],
  ['inet', pgInfo('inet')],
  ['cidr', pgInfo('cidr')],
  ['macaddr', pgInfo('macaddr')],
  ['bit(8)', pgInfo('bit', 8)],
  ['bit varying(16)', pgInfo('varbit', 16)],
  ['an enum type', pgInfo('mood', -1, 0, 'e')],
  ['integer[]', pgInfo('int4', -1, 1)],
  ['text[][]', pgInfo('text', -1, 2)],
  ['point, tsvector, ranges, composites…', pgInfo('point')],
];

export const DUCKDB_SOURCE: DuckDBType[] = [
  D.BOOLEAN,
  D.TINYINT,
  D.SMALLINT,
  D.INTEGER,
  D.BIGINT,
  D.UTINYINT,
  D.USMALLINT,
  D.UINTEGER,
  D.UBIGINT,
  D.HUGEINT,
  D.UHUGEINT,
  D.BIGNUM,
  D.FLOAT,
  D.DOUBLE,
  D.DECIMAL(18, 3),
  D.DECIMAL(38, 10),
  D.VARCHAR,
  new DuckDBVarCharType('JSON'),
  D.ENUM(['a', 'b']),
  D.BLOB,
  D.DATE,
  D.TIME,
  D.TIMESTAMP,
  D.TIMESTAMP_S,
  D.TIMESTAMP_MS,
  D.TIMESTAMP_NS,
  D.TIMESTAMPTZ,
  D.INTERVAL,
  D.UUID,
  D.LIST(D.INTEGER),
  D.TIMETZ,
  D.STRUCT({ a: D.INTEGER }),
  D.MAP(D.VARCHAR, D.INTEGER),
];

/** (type DuckDB reports for the Parquet column, type recorded in `ferry.columns`). */
export const PARQUET_RESTORE: [DuckDBType, LogicalType | undefined][] = [
  [D.VARCHAR, { kind: 'interval' }],
  [D.VARCHAR, { kind: 'decimal', precision: 50, scale: 10 }],
  [D.VARCHAR, { kind: 'decimal' }],
  [D.VARCHAR, { kind: 'text', maxLength: 20 }],
  [D.INTEGER, { kind: 'int', bits: 16, unsigned: true }],
  [D.BIGINT, { kind: 'interval' }],
  [D.VARCHAR, undefined],
];

/** The logical types every target table lists. */
export const LOGICAL_TYPES: LogicalType[] = [
  { kind: 'bool' },
  ...([8, 16, 32, 64] as const).map((bits): LogicalType => ({ kind: 'int', bits })),
  ...([8, 16, 32, 64] as const).map((bits): LogicalType => ({ kind: 'int', bits, unsigned: true })),
  { kind: 'float', bits: 32 },
  { kind: 'float', bits: 64 },
  { kind: 'decimal', precision: 18, scale: 2 },
  { kind: 'decimal', precision: 38, scale: 10 },
  { kind: 'decimal', precision: 39, scale: 0 },
  { kind: 'decimal', precision: 65, scale: 30 },
  { kind: 'decimal', precision: 80, scale: 10 },
  { kind: 'decimal', scale: 0 },
  { kind: 'decimal' },
  { kind: 'text', maxLength: 10, fixed: true },
  { kind: 'text', maxLength: 255 },
  { kind: 'text', maxLength: 100_000 },
  { kind: 'text' },
  { kind: 'bytes', maxLength: 16 },
  { kind: 'bytes' },
  { kind: 'date' },
  { kind: 'time' },
  { kind: 'timestamp', tz: false },
  { kind: 'timestamp', tz: true },
  { kind: 'interval' },
  { kind: 'uuid' },
  { kind: 'json' },
  { kind: 'json', binary: true },
  { kind: 'list', element: { kind: 'int', bits: 32 } },
  { kind: 'list', element: { kind: 'text' } },
  { kind: 'list', element: { kind: 'bytes' } },
];

/** MySQL targets keep some MySQL source types as they are; key columns get indexable types. */
export const MYSQL_CONTEXT_ROWS: [LogicalType, string | undefined, boolean][] = [
  [{ kind: 'text' }, undefined, true],
  [{ kind: 'bytes' }, undefined, true],
  [{ kind: 'text' }, "enum('a','b')", false],
  [{ kind: 'list', element: { kind: 'text' } }, "set('a','b')", false],
  [{ kind: 'interval' }, 'time(3)', false],
  [{ kind: 'int', bits: 16 }, 'year', false],
  [{ kind: 'int', bits: 64 }, 'bit(12)', false],
  [{ kind: 'int', bits: 32, unsigned: true }, 'mediumint unsigned', false],
  [{ kind: 'timestamp', tz: true }, 'timestamp', false],
  [{ kind: 'text', maxLength: 10, fixed: true }, 'char(10)', false],
];

export const PG_CONTEXT_ROWS: [LogicalType, string][] = [
  [{ kind: 'text' }, 'inet'],
  [{ kind: 'text' }, 'time with time zone'],
  [{ kind: 'text' }, 'bit(8)'],
  [{ kind: 'decimal' }, 'money'],
  [{ kind: 'list', element: { kind: 'text' } }, 'macaddr[]'],
  [{ kind: 'text', maxLength: 10, fixed: true }, 'character(10)'],
  // MySQL's CHAR(n) strips trailing spaces on read: character(n) would pad them back in.
  [{ kind: 'text', maxLength: 10, fixed: true }, 'char(10)'],
];
