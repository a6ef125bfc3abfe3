import { type Column, FerryError, formatLogicalType, type LogicalType } from '../../core/index.js';
import { nestList, type PgCodec, type PgWire } from '../../formats/index.js';

/**
 * PostgreSQL types ⇄ ferry's logical types.
 *
 * Reading: a column's base type (domains resolved) picks its wire form and logical type; typmods become
 * limits (varchar(n) → maxLength, numeric(p,s), timestamp(p)). Types without an exact logical type travel as
 * text with their PostgreSQL spelling kept in `nativeType`: timetz, inet, cidr, macaddr, macaddr8, bit,
 * varbit, money (decimal text), xml, enums. `oid` is int64. Anything else (geometric, range, tsvector,
 * composite types…) is a TYPE error at plan time.
 *
 * Writing: each logical type has one PostgreSQL type; a text column whose nativeType is one of the text-carried
 * PostgreSQL types above is created with that type again, so PostgreSQL→PostgreSQL keeps it.
 */

/** What the catalogs say about one column's type after resolving domains. */
export interface PgTypeInfo {
  /** Base type name in pg_catalog (`int4`, `varchar`, …), or the element's for arrays. */
  base: string;
  /** typtype of the base (element) type: `b` base, `e` enum. */
  typtype: string;
  /** The column's typmod (−1 none), of the domain when the domain sets one. */
  typmod: number;
  /** Array dimensions: 0 scalar; else max(attndims, 1). */
  dims: number;
  /** Element type OID, for arrays. */
  elementOid?: number;
}

const SCALAR_WIRES: Record<string, PgWire> = {
  bool: 'bool',
  int2: 'int2',
  int4: 'int4',
  int8: 'int8',
  oid: 'oid',
  float4: 'float4',
  float8: 'float8',
  numeric: 'numeric',
  money: 'money',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  json: 'text',
  xml: 'text',
  citext: 'text',
  jsonb: 'jsonb',
  bytea: 'bytea',
  uuid: 'uuid',
  date: 'date',
  time: 'time',
  timetz: 'timetz',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  interval: 'interval',
  inet: 'inet',
  cidr: 'cidr',
  macaddr: 'macaddr',
  macaddr8: 'macaddr8',
  bit: 'bit',
  varbit: 'bit',
};

/** Decodes numeric's typmod into precision and scale (scale may be negative since PostgreSQL 15). */
function numericTypmod(typmod: number): { precision?: number; scale?: number } {
  if (typmod < 4) return {};
  const t = typmod - 4;
  const precision = (t >> 16) & 0xffff;
  let scale = t & 0x7ff;
  if (scale & 0x400) scale -= 0x800;
  return scale < 0 ? {} : { precision, scale };
}

/** The wire codec and logical type of a column, or throws TYPE naming it. */
export function pgColumnType(
  info: PgTypeInfo,
  where: { table: string; column: string; native: string },
): {
  codec: PgCodec;
  type: LogicalType;
} {
  const wire: PgWire | undefined = info.typtype === 'e' ? 'text' : SCALAR_WIRES[info.base];
  if (!wire)
    throw new FerryError('TYPE', `column type ${where.native} is not supported by the postgres connector`, {
      table: where.table,
      column: where.column,
      hint: 'exclude the column, or expose it through a view that casts it to text',
    });
  const codec: PgCodec = { wire, dims: info.dims };
  if (info.elementOid !== undefined) codec.elementOid = info.elementOid;
  const m = info.typmod;
  let type: LogicalType;
  switch (info.base) {
    case 'bool':
      type = { kind: 'bool' };
      break;
    case 'int2':
      type = { kind: 'int', bits: 16 };
      break;
    case 'int4':
      type = { kind: 'int', bits: 32 };
      break;
    case 'int8':
    case 'oid':
      type = { kind: 'int', bits: 64 };
      break;
    case 'float4':
      type = { kind: 'float', bits: 32 };
      break;
    case 'float8':
      type = { kind: 'float', bits: 64 };
      break;
    case 'numeric': {
      const { precision, scale } = numericTypmod(m);
      type =
        precision === undefined ? { kind: 'decimal' } : { kind: 'decimal', precision, scale: scale ?? 0 };
      if (precision !== undefined) {
        codec.precision = precision;
        codec.scale = scale ?? 0;
      }
      break;
    }
    case 'varchar':
    case 'bpchar': {
      type = { kind: 'text' };
      if (m >= 4) {
        type.maxLength = m - 4;
        codec.maxLength = m - 4;
      }
      if (info.base === 'bpchar') type.fixed = true;
      break;
    }
    case 'bytea':
      type = { kind: 'bytes' };
      break;
    case 'date':
      type = { kind: 'date' };
      break;
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      if (m >= 0) codec.timePrecision = m;
      type = info.base === 'time' ? { kind: 'time' } : { kind: 'timestamp', tz: info.base === 'timestamptz' };
      break;
    case 'interval':
      if (m >= 0 && (m & 0xffff) !== 0xffff) codec.timePrecision = m & 0xffff;
      type = { kind: 'interval' };
      break;
    case 'uuid':
      type = { kind: 'uuid' };
      break;
    case 'json':
      type = { kind: 'json' };
      break;
    case 'jsonb':
      type = { kind: 'json', binary: true };
      break;
    case 'money':
      type = { kind: 'decimal' };
      break;
    case 'bit':
      if (m >= 0) codec.bitLength = m;
      type = { kind: 'text' };
      break;
    case 'varbit':
      if (m >= 0) codec.maxLength = m;
      type = { kind: 'text' };
      break;
    default:
      type = { kind: 'text' };
  }
  return { codec, type: nestList(type, info.dims) };
}

/** PostgreSQL spellings of the text-carried types a PostgreSQL target recreates from a column's nativeType. */
const NATIVE_TEXT_TYPES =
  /^(inet|cidr|macaddr8?|money|xml|time( ?\(\d\))? with time zone|timetz|bit( varying)?(\(\d+\))?|varbit(\(\d+\))?)$/;

/** The PostgreSQL type a target column gets for a logical type (and the source's native spelling). */
export function pgNativeType(type: LogicalType, sourceNative?: string): string {
  switch (type.kind) {
    case 'bool':
      return 'boolean';
    case 'int':
      if (type.unsigned) {
        if (type.bits === 64) return 'numeric(20,0)';
        return type.bits === 32 ? 'bigint' : type.bits === 16 ? 'integer' : 'smallint';
      }
      // int8 has no PostgreSQL type: smallint, with a ferry:type comment (see ddl.ts).
      return type.bits === 64 ? 'bigint' : type.bits === 32 ? 'integer' : 'smallint';
    case 'float':
      return type.bits === 32 ? 'real' : 'double precision';
    case 'decimal':
      if (sourceNative === 'money') return 'money';
      return type.precision === undefined ? 'numeric' : `numeric(${type.precision},${type.scale ?? 0})`;
    case 'text': {
      const native = sourceNative?.toLowerCase();
      if (native && NATIVE_TEXT_TYPES.test(native)) return native;
      if (type.maxLength === undefined) return 'text';
      // A PostgreSQL character(n) pads on read; MySQL's CHAR(n) strips trailing spaces on read, so its values
      // only survive the read-back unchanged (checksums equal) in character varying(n).
      const padded = type.fixed && (native === undefined || /^(character|bpchar)\b/.test(native));
      return padded ? `character(${type.maxLength})` : `character varying(${type.maxLength})`;
    }
    case 'bytes':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return 'time without time zone';
    case 'timestamp':
      return type.tz ? 'timestamp with time zone' : 'timestamp without time zone';
    case 'interval':
      return 'interval';
    case 'uuid':
      return 'uuid';
    case 'json':
      return type.binary ? 'jsonb' : 'json';
    case 'list': {
      let inner: LogicalType = type;
      let dims = 0;
      while (inner.kind === 'list') {
        inner = inner.element;
        dims++;
      }
      if (inner.kind === 'json' && !inner.binary) return `${pgNativeType(inner)}${'[]'.repeat(dims)}`;
      return `${pgNativeType(inner, sourceNative?.replace(/(\[\])+$/, ''))}${'[]'.repeat(dims)}`;
    }
  }
}

/** The target column for a source column: same name, mapped type; throws TYPE when it cannot be held. */
export function mapColumn(c: Column): Column {
  const native = pgNativeType(c.type, c.nativeType);
  if (!native)
    throw new FerryError('TYPE', `no PostgreSQL type for ${formatLogicalType(c.type)}`, { column: c.name });
  return { name: c.name, type: c.type, nullable: c.nullable, nativeType: native };
}
