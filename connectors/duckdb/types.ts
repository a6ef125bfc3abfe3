import {
  type Column,
  FerryError,
  type LogicalType,
  type TableRef,
  type TableSpec,
  formatLogicalType,
  tableName,
} from '../../core/index.js';
import { duckdbTypeSql } from '../../formats/duckdb/index.js';

/**
 * The DuckDB type of a logical type in a DuckDB target: the one that holds every value exactly
 * (`formats/duckdb` `duckdbTypeSql`: decimal(p ≤ 38,s) → DECIMAL(p,s), wider integer decimals → BIGNUM,
 * uint64 → UBIGINT, timestamptz → TIMESTAMPTZ, json → JSON, list → T[]). A decimal with a fraction but no
 * precision DuckDB can hold (PostgreSQL's unconstrained numeric) is a TYPE error naming table and column.
 */
export function duckdbNativeType(type: LogicalType, table = '?', column = '?'): string {
  return duckdbTypeSql(type, { table, column });
}

/** The target table for a source table: same columns, nullability and keys, each type mapped exactly. */
export function mapDuckDBTable(source: TableSpec, name: TableRef): TableSpec {
  const table = tableName(name);
  const columns: Column[] = source.columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    nativeType: duckdbNativeType(c.type, table, c.name),
  }));
  const spec: TableSpec = {
    name: name.name,
    columns,
    primaryKey: [...source.primaryKey],
    estimatedRows: source.estimatedRows,
    estimatedBytes: source.estimatedBytes,
  };
  if (name.schema) spec.schema = name.schema;
  if (source.uniqueKeys) spec.uniqueKeys = source.uniqueKeys.map((k) => [...k]);
  return spec;
}

/**
 * True when a column of type `have` holds every value of type `want` exactly: the same kind, at least as wide
 * (a wider integer, a decimal with at least as many integer and fraction digits, a double for a float…).
 */
export function holds(have: LogicalType, want: LogicalType): boolean {
  switch (want.kind) {
    case 'int': {
      if (have.kind === 'decimal') {
        const intDigits = { 8: 3, 16: 5, 32: 10, 64: 20 }[want.bits];
        return have.precision === undefined || have.precision - (have.scale ?? 0) >= intDigits;
      }
      if (have.kind !== 'int') return false;
      if (want.unsigned) return have.unsigned ? have.bits >= want.bits : have.bits > want.bits;
      return !have.unsigned && have.bits >= want.bits;
    }
    case 'float':
      return have.kind === 'float' && have.bits >= want.bits;
    case 'decimal': {
      if (have.kind !== 'decimal') return false;
      if (have.precision === undefined) return (have.scale ?? Number.POSITIVE_INFINITY) >= (want.scale ?? 0);
      if (want.precision === undefined) return false;
      const hs = have.scale ?? 0;
      const ws = want.scale ?? 0;
      return hs >= ws && have.precision - hs >= want.precision - ws;
    }
    case 'text':
      return have.kind === 'text';
    case 'json':
      return have.kind === 'json' || have.kind === 'text';
    case 'timestamp':
      return have.kind === 'timestamp' && have.tz === want.tz;
    case 'list':
      return have.kind === 'list' && holds(have.element, want.element);
    default:
      return have.kind === want.kind;
  }
}

/**
 * Checks that an existing target table can take the load's columns: the same column names in the same order,
 * each existing type holding the expected one. Throws SCHEMA_MISMATCH naming the table and the first differing
 * column.
 */
export function checkShape(existing: TableSpec, expected: TableSpec): void {
  const table = tableName(expected);
  const hint = 'drop or rename the table, use mode replace, or map the columns to match';
  const n = Math.max(existing.columns.length, expected.columns.length);
  for (let i = 0; i < n; i++) {
    const have = existing.columns[i];
    const want = expected.columns[i];
    if (!have || !want || have.name !== want.name) {
      const column = want?.name ?? have?.name ?? '?';
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `table ${table} exists with different columns: column ${i + 1} is ${have ? `"${have.name}"` : 'missing'}, expected ${want ? `"${want.name}"` : 'none'}`,
        { table, column, hint },
      );
    }
    if (!holds(have.type, want.type)) {
      throw new FerryError(
        'SCHEMA_MISMATCH',
        `column ${want.name} of table ${table} is ${have.nativeType} (${formatLogicalType(have.type)}), which cannot hold ${formatLogicalType(want.type)}`,
        { table, column: want.name, hint },
      );
    }
  }
}
