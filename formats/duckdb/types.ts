import { type DuckDBType, DuckDBTypeId } from '@duckdb/node-api';
import { FerryError, type LogicalType, formatLogicalType } from '../../core/index.js';

/** Where a type was found, for error messages. */
export interface TypeContext {
  table: string;
  column: string;
}

/** DuckDB's DECIMAL holds at most 38 digits. */
export const DUCKDB_MAX_DECIMAL_PRECISION = 38;

/** The engine's own spelling of a DuckDB type (JSON keeps its alias; otherwise DuckDB's `toString`). */
export function duckdbTypeName(type: DuckDBType): string {
  if (type.alias && type.alias.toUpperCase() === 'JSON') return 'JSON';
  if (type.typeId === DuckDBTypeId.LIST) return `${duckdbTypeName(type.valueType)}[]`;
  return type.toString();
}

/**
 * The logical type of a DuckDB column type, exactly:
 * integers keep their width and sign; HUGEINT/UHUGEINT become decimal(39,0) and BIGNUM an unbounded
 * decimal of scale 0 (all three travel as exact text); TIMESTAMP_S/_MS widen to microseconds exactly;
 * TIMESTAMP_NS is accepted as a microsecond timestamp and every value is checked when read (a value with
 * sub-microsecond digits is a TYPE error naming the value, never rounded); ENUM is text; JSON (VARCHAR with
 * the JSON alias) is json. Anything else (STRUCT, MAP, UNION, ARRAY, BIT, TIME WITH TIME ZONE, TIME_NS,
 * VARIANT, GEOMETRY) is a TYPE error naming table and column.
 */
export function logicalTypeFromDuckDB(type: DuckDBType, where: TypeContext): LogicalType {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { kind: 'bool' };
    case DuckDBTypeId.TINYINT:
      return { kind: 'int', bits: 8 };
    case DuckDBTypeId.SMALLINT:
      return { kind: 'int', bits: 16 };
    case DuckDBTypeId.INTEGER:
      return { kind: 'int', bits: 32 };
    case DuckDBTypeId.BIGINT:
      return { kind: 'int', bits: 64 };
    case DuckDBTypeId.UTINYINT:
      return { kind: 'int', bits: 8, unsigned: true };
    case DuckDBTypeId.USMALLINT:
      return { kind: 'int', bits: 16, unsigned: true };
    case DuckDBTypeId.UINTEGER:
      return { kind: 'int', bits: 32, unsigned: true };
    case DuckDBTypeId.UBIGINT:
      return { kind: 'int', bits: 64, unsigned: true };
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { kind: 'decimal', precision: 39, scale: 0 };
    case DuckDBTypeId.BIGNUM:
      return { kind: 'decimal', scale: 0 };
    case DuckDBTypeId.FLOAT:
      return { kind: 'float', bits: 32 };
    case DuckDBTypeId.DOUBLE:
      return { kind: 'float', bits: 64 };
    case DuckDBTypeId.DECIMAL:
      return { kind: 'decimal', precision: type.width, scale: type.scale };
    case DuckDBTypeId.VARCHAR:
      return type.alias?.toUpperCase() === 'JSON' ? { kind: 'json' } : { kind: 'text' };
    case DuckDBTypeId.ENUM:
      return { kind: 'text' };
    case DuckDBTypeId.BLOB:
      return { kind: 'bytes' };
    case DuckDBTypeId.DATE:
      return { kind: 'date' };
    case DuckDBTypeId.TIME:
      return { kind: 'time' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { kind: 'timestamp', tz: false };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { kind: 'timestamp', tz: true };
    case DuckDBTypeId.INTERVAL:
      return { kind: 'interval' };
    case DuckDBTypeId.UUID:
      return { kind: 'uuid' };
    case DuckDBTypeId.LIST:
      return { kind: 'list', element: logicalTypeFromDuckDB(type.valueType, where) };
    default:
      throw new FerryError(
        'TYPE',
        `column ${where.column} of ${where.table} has DuckDB type ${type.toString()}, which ferry cannot read exactly`,
        {
          table: where.table,
          column: where.column,
          hint: 'cast it in a view (e.g. to VARCHAR or JSON) and migrate the view, or exclude the column',
        },
      );
  }
}

/** Options for {@link duckdbTypeSql}. */
export interface DuckDBTypeSqlOptions {
  /**
   * What to do with a logical type DuckDB has no exact native type for (a decimal wider than 38 digits with a
   * fraction, an unbounded decimal with a fraction): `error` (default) throws TYPE; `text` stores the exact
   * text in VARCHAR (the Parquet target does this and records the logical type in the file's metadata).
   */
  inexact?: 'error' | 'text';
  /** Use BIGNUM for integer decimals wider than 38 digits (DuckDB files; Parquet has no BIGNUM). Default true. */
  bignum?: boolean;
}

/**
 * The DuckDB type (SQL spelling, for DDL) that holds every value of a logical type exactly.
 * `where` names the column in the TYPE error thrown when there is none.
 */
export function duckdbTypeSql(
  t: LogicalType,
  where: TypeContext,
  options: DuckDBTypeSqlOptions = {},
): string {
  switch (t.kind) {
    case 'bool':
      return 'BOOLEAN';
    case 'int': {
      const name = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' }[t.bits];
      return t.unsigned ? `U${name}` : name;
    }
    case 'float':
      return t.bits === 32 ? 'FLOAT' : 'DOUBLE';
    case 'decimal':
      return decimalSql(t, where, options);
    case 'text':
      return 'VARCHAR';
    case 'bytes':
      return 'BLOB';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return t.tz ? 'TIMESTAMPTZ' : 'TIMESTAMP';
    case 'interval':
      return 'INTERVAL';
    case 'uuid':
      return 'UUID';
    case 'json':
      return 'JSON';
    case 'list':
      return `${duckdbTypeSql(t.element, where, options)}[]`;
  }
}

function decimalSql(
  t: Extract<LogicalType, { kind: 'decimal' }>,
  where: TypeContext,
  options: DuckDBTypeSqlOptions,
): string {
  const scale = t.scale;
  if (t.precision !== undefined && t.precision <= DUCKDB_MAX_DECIMAL_PRECISION) {
    if (t.precision < 1 || (scale ?? 0) < 0 || (scale ?? 0) > t.precision) {
      throw new FerryError(
        'TYPE',
        `column ${where.column} of ${where.table} has an invalid ${formatLogicalType(t)}`,
        {
          table: where.table,
          column: where.column,
        },
      );
    }
    return `DECIMAL(${t.precision},${scale ?? 0})`;
  }
  if (scale === 0 && options.bignum !== false) return 'BIGNUM';
  if (options.inexact === 'text') return 'VARCHAR';
  throw new FerryError(
    'TYPE',
    `column ${where.column} of ${where.table} is ${formatLogicalType(t)}${scale === undefined ? ' with no fixed scale' : ''}, which DuckDB cannot hold exactly (DECIMAL has at most 38 digits)`,
    {
      table: where.table,
      column: where.column,
      hint: 'map the column to a decimal(p,s) with p ≤ 38 in the config: values that do not fit are then refused by name, never rounded',
    },
  );
}
