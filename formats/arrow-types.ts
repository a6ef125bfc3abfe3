import * as A from 'apache-arrow';
import { type Column, FerryError, type LogicalType } from '../core/index.js';

/** Field metadata key carrying the column's LogicalType as JSON, so every receiver knows e.g. that a Utf8 is a decimal. */
export const LOGICAL_TYPE_KEY = 'ferry.type';
/** Field metadata key carrying the engine's native type spelling. */
export const NATIVE_TYPE_KEY = 'ferry.native';

/**
 * The one Arrow representation of each logical type. Decimals, uuids, json and intervals travel as Utf8
 * text so that no precision is lost (Arrow JS has no exact arbitrary-precision decimal); 64-bit integers,
 * times and timestamps are BigInt64 microseconds (Arrow JS builders would round them through milliseconds,
 * so formats/ builds these buffers itself).
 */
export function arrowTypeFor(t: LogicalType): A.DataType {
  switch (t.kind) {
    case 'bool':
      return new A.Bool();
    case 'int':
      if (t.bits === 64) return t.unsigned ? new A.Uint64() : new A.Int64();
      if (t.unsigned) return t.bits === 32 ? new A.Int64() : t.bits === 16 ? new A.Int32() : new A.Int16();
      return t.bits === 32 ? new A.Int32() : t.bits === 16 ? new A.Int16() : new A.Int8();
    case 'float':
      return t.bits === 32 ? new A.Float32() : new A.Float64();
    case 'decimal':
    case 'text':
    case 'uuid':
    case 'json':
    case 'interval':
      return new A.Utf8();
    case 'bytes':
      return new A.Binary();
    case 'date':
      return new A.DateDay();
    case 'time':
      return new A.TimeMicrosecond();
    case 'timestamp':
      return new A.TimestampMicrosecond(t.tz ? 'UTC' : null);
    case 'list':
      return new A.List(new A.Field('item', arrowTypeFor(t.element), true, logicalMetadata(t.element)));
  }
}

function logicalMetadata(t: LogicalType, native?: string): Map<string, string> {
  const m = new Map([[LOGICAL_TYPE_KEY, JSON.stringify(t)]]);
  if (native) m.set(NATIVE_TYPE_KEY, native);
  return m;
}

/** An Arrow field for a column, with the logical type in its metadata. */
export function fieldFor(column: Column): A.Field {
  return new A.Field(
    column.name,
    arrowTypeFor(column.type),
    column.nullable,
    logicalMetadata(column.type, column.nativeType),
  );
}

/** The Arrow schema of a list of columns, in order. */
export function schemaFor(columns: Column[]): A.Schema {
  return new A.Schema(columns.map(fieldFor));
}

/** The logical type a field carries; falls back to inferring one from the Arrow type. */
export function logicalTypeOf(field: A.Field): LogicalType {
  const json = field.metadata.get(LOGICAL_TYPE_KEY);
  if (json) return JSON.parse(json) as LogicalType;
  return inferLogicalType(field.type, field.name);
}

/** The columns described by an Arrow schema (inverse of `schemaFor`). */
export function columnsOf(schema: A.Schema): Column[] {
  return schema.fields.map((f) => ({
    name: f.name,
    type: logicalTypeOf(f),
    nullable: f.nullable,
    nativeType: f.metadata.get(NATIVE_TYPE_KEY) ?? String(f.type),
  }));
}

function inferLogicalType(t: A.DataType, name: string): LogicalType {
  if (A.DataType.isBool(t)) return { kind: 'bool' };
  if (A.DataType.isInt(t)) {
    const bits = t.bitWidth as 8 | 16 | 32 | 64;
    return t.isSigned ? { kind: 'int', bits } : { kind: 'int', bits, unsigned: true };
  }
  if (A.DataType.isFloat(t)) return { kind: 'float', bits: t.precision === A.Precision.SINGLE ? 32 : 64 };
  if (A.DataType.isUtf8(t) || A.DataType.isLargeUtf8(t)) return { kind: 'text' };
  if (A.DataType.isBinary(t) || A.DataType.isLargeBinary(t)) return { kind: 'bytes' };
  if (A.DataType.isDate(t)) return { kind: 'date' };
  if (A.DataType.isTime(t)) return { kind: 'time' };
  if (A.DataType.isTimestamp(t)) return { kind: 'timestamp', tz: Boolean(t.timezone) };
  if (A.DataType.isList(t)) return { kind: 'list', element: logicalTypeOf(t.children[0]!) };
  throw new FerryError('TYPE', `Arrow type ${String(t)} of column ${name} has no ferry logical type`, {
    column: name,
  });
}
