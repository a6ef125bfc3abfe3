import { FerryError, type LogicalType, formatLogicalType } from '../../core/index.js';
import { GEOMETRY_TYPES, type NativeType, SUPPORTED_CHARSETS, parseNativeType } from './native-type.js';

/**
 * The MySQL/MariaDB ↔ logical type mapping, both directions.
 *
 * Reading (source): every native type maps to the logical type that holds all its values exactly —
 * TINYINT(1) → bool (or int8 with `tinyint1=int`), UNSIGNED integers → the unsigned logical integers
 * (BIGINT UNSIGNED → uint64), MEDIUMINT → int32, DECIMAL(p,s) → decimal(p,s), FLOAT/DOUBLE → float32/64,
 * BIT(1) → bool, BIT(n) → int64 (uint64 for BIT(64)), YEAR → int16, DATE → date, DATETIME → timestamp,
 * TIMESTAMP → timestamptz (read in a UTC session), TIME → interval (it is a duration: −838:59:59…838:59:59),
 * CHAR/VARCHAR/TEXT → text, BINARY/VARBINARY/BLOB → bytes, ENUM → text, SET → list<text>, JSON → json,
 * geometry → bytes (WKB; EWKB when the value has an SRID), MariaDB UUID → uuid, INET4/INET6 → text.
 *
 * Writing (target): each logical type maps to the MySQL type that holds it exactly (see {@link mysqlNativeType}).
 * Where that type would read back as a different logical type (uuid → CHAR(36), timestamptz → DATETIME(6) in
 * UTC, list → JSON, time → TIME(6), interval → VARCHAR), the column's COMMENT records the logical type
 * (`ferry:{"kind":"uuid"}`), and reading that table restores it, so ferry's own read-back is exact.
 */

/** Options that change how a source reads types. */
export interface ReadTypeOptions {
  tinyint1: 'bool' | 'int';
  zeroDates: 'error' | 'null';
}

export const DEFAULT_READ_TYPES: ReadTypeOptions = { tinyint1: 'bool', zeroDates: 'error' };

/** Prefix of a column comment that records the column's logical type. */
export const COMMENT_PREFIX = 'ferry:';

interface Where {
  table: string;
  column: string;
}

function unsupported(native: string, where: Where, hint?: string): FerryError {
  return new FerryError(
    'TYPE',
    `column ${where.column} of ${where.table} has type ${native}, which ferry cannot read exactly`,
    {
      ...where,
      value: native,
      hint: hint ?? `cast it in a view (e.g. CAST(${where.column} AS CHAR)) and migrate the view`,
    },
  );
}

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set']);
const BYTES_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/** True for native types whose values are character data (decoded by charset). */
export function isCharacterType(nt: NativeType): boolean {
  return TEXT_TYPES.has(nt.base) || nt.base === 'json';
}

function integer(nt: NativeType, bits: 8 | 16 | 32 | 64): LogicalType {
  return nt.unsigned ? { kind: 'int', bits, unsigned: true } : { kind: 'int', bits };
}

/** The logical type a native type reads as without a ferry comment. Throws TYPE naming table and column. */
export function logicalFromNative(native: string, options: ReadTypeOptions, where: Where): LogicalType {
  const nt = parseNativeType(native);
  if (
    TEXT_TYPES.has(nt.base) &&
    nt.charset &&
    !(SUPPORTED_CHARSETS as readonly string[]).includes(nt.charset)
  ) {
    throw unsupported(
      native,
      where,
      `ferry decodes ${SUPPORTED_CHARSETS.join(', ')}; convert the column (ALTER TABLE … CONVERT TO CHARACTER SET utf8mb4) or cast it in a view`,
    );
  }
  switch (nt.base) {
    case 'tinyint':
      if (nt.args[0] === 1 && !nt.zerofill && options.tinyint1 === 'bool') return { kind: 'bool' };
      return integer(nt, 8);
    case 'bool':
    case 'boolean':
      return { kind: 'bool' };
    case 'smallint':
      return integer(nt, 16);
    case 'mediumint':
      return integer(nt, 32);
    case 'int':
    case 'integer':
      return integer(nt, 32);
    case 'bigint':
      return integer(nt, 64);
    case 'decimal':
    case 'numeric':
      return { kind: 'decimal', precision: nt.args[0] ?? 10, scale: nt.args[1] ?? 0 };
    case 'float':
      return { kind: 'float', bits: 32 };
    case 'double':
    case 'double precision':
    case 'real':
      return { kind: 'float', bits: 64 };
    case 'bit': {
      const n = nt.args[0] ?? 1;
      if (n === 1) return { kind: 'bool' };
      return n === 64 ? { kind: 'int', bits: 64, unsigned: true } : { kind: 'int', bits: 64 };
    }
    case 'year':
      return { kind: 'int', bits: 16 };
    case 'date':
      return { kind: 'date' };
    case 'datetime':
      return { kind: 'timestamp', tz: false };
    case 'timestamp':
      return { kind: 'timestamp', tz: true };
    case 'time':
      return { kind: 'interval' };
    case 'char':
      return nt.args[0] === undefined
        ? { kind: 'text' }
        : { kind: 'text', maxLength: nt.args[0], fixed: true };
    case 'varchar':
      return nt.args[0] === undefined ? { kind: 'text' } : { kind: 'text', maxLength: nt.args[0] };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
    case 'enum':
    case 'inet4':
    case 'inet6':
      return { kind: 'text' };
    case 'set':
      return { kind: 'list', element: { kind: 'text' } };
    case 'json':
      return { kind: 'json' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'binary':
    case 'varbinary':
      return nt.args[0] === undefined ? { kind: 'bytes' } : { kind: 'bytes', maxLength: nt.args[0] };
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { kind: 'bytes' };
    default:
      if (GEOMETRY_TYPES.has(nt.base)) return { kind: 'bytes' };
      throw unsupported(native, where);
  }
}

/** The logical type recorded in a column comment by a ferry target, or undefined. */
export function logicalFromComment(comment: string | null | undefined): LogicalType | undefined {
  if (!comment?.startsWith(COMMENT_PREFIX)) return undefined;
  try {
    const t = JSON.parse(comment.slice(COMMENT_PREFIX.length)) as LogicalType;
    return typeof t === 'object' && t !== null && typeof t.kind === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** Where a target column comes from, for a mapping that keeps a MySQL source's own type when it is exact. */
export interface TargetTypeContext {
  table: string;
  column: string;
  /** The column is (part of) a key: text and bytes need a bounded, indexable type. */
  key: boolean;
  /** The source column's native type, when the source may be MySQL (ENUM, SET, TIME, YEAR, BIT kept as such). */
  sourceNative?: string;
}

function textType(maxLength: number | undefined, key: boolean): string {
  if (key) return `varchar(${Math.min(maxLength ?? 768, 768)})`;
  if (maxLength === undefined) return 'longtext';
  if (maxLength <= 1024) return `varchar(${maxLength})`;
  if (maxLength <= 16383) return 'text';
  if (maxLength <= 4194303) return 'mediumtext';
  return 'longtext';
}

function bytesType(maxLength: number | undefined, key: boolean): string {
  if (key) return `varbinary(${Math.min(maxLength ?? 3072, 3072)})`;
  if (maxLength === undefined) return 'longblob';
  if (maxLength <= 4096) return `varbinary(${maxLength})`;
  if (maxLength <= 65535) return 'blob';
  if (maxLength <= 16777215) return 'mediumblob';
  return 'longblob';
}

function mysqlSource(native: string | undefined): NativeType | undefined {
  if (!native) return undefined;
  try {
    return parseNativeType(native);
  } catch {
    return undefined;
  }
}

function typeError(type: LogicalType, ctx: TargetTypeContext, why: string, hint: string): FerryError {
  return new FerryError(
    'TYPE',
    `column ${ctx.column} of ${ctx.table} is ${formatLogicalType(type)}: ${why}`,
    {
      table: ctx.table,
      column: ctx.column,
      hint,
    },
  );
}

/**
 * The MySQL type (DDL spelling) for a logical type in a MySQL/MariaDB target. Throws TYPE naming table and
 * column for a type no MySQL type holds exactly (decimal over 65 digits or 30 fraction digits, lists of bytes).
 *
 * bool → TINYINT(1); intN → TINYINT/SMALLINT/INT/BIGINT [UNSIGNED]; float32/64 → FLOAT/DOUBLE;
 * decimal(p,s) → DECIMAL(p,s); unbounded decimal → DECIMAL(65,30) (a value with more digits fails its row);
 * text → VARCHAR(n) up to 1024 characters, else TEXT/MEDIUMTEXT/LONGTEXT (keys: VARCHAR(≤768));
 * bytes → VARBINARY(n) up to 4096, else BLOB types (keys: VARBINARY(≤3072)); date → DATE; time → TIME(6);
 * timestamp → DATETIME(6); timestamptz → DATETIME(6) holding UTC; interval → VARCHAR(100) (canonical text);
 * uuid → CHAR(36) ascii; json → JSON; list → JSON array. From a MySQL source, ENUM, SET, TIME, YEAR, BIT,
 * MEDIUMINT, CHAR(n) and DATETIME/TIMESTAMP precision are kept.
 */
export function mysqlNativeType(type: LogicalType, ctx: TargetTypeContext): string {
  const src = mysqlSource(ctx.sourceNative);
  switch (type.kind) {
    case 'bool':
      return src?.base === 'bit' && (src.args[0] ?? 1) === 1 ? 'bit(1)' : 'tinyint(1)';
    case 'int': {
      if (src?.base === 'bit' && type.bits === 64) return `bit(${src.args[0] ?? 1})`;
      if (src?.base === 'year' && type.bits === 16) return 'year';
      if (src?.base === 'mediumint' && type.bits === 32)
        return `mediumint${type.unsigned ? ' unsigned' : ''}`;
      const name = { 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' }[type.bits];
      return `${name}${type.unsigned ? ' unsigned' : ''}`;
    }
    case 'float':
      return type.bits === 32 ? 'float' : 'double';
    case 'decimal': {
      const p = type.precision ?? 65;
      const s = type.scale ?? (type.precision === undefined ? 30 : 0);
      if (p > 65 || s > 30 || s > p) {
        throw typeError(
          type,
          ctx,
          'MySQL DECIMAL holds at most 65 digits, 30 after the point',
          'map the column to text (exact) or reduce its precision in the source',
        );
      }
      return `decimal(${p},${s})`;
    }
    case 'text':
      if (src?.base === 'enum' && src.members.length > 0) return `enum(${quoteMembers(src.members)})`;
      if (src?.base === 'char' && type.fixed && type.maxLength !== undefined && type.maxLength <= 255)
        return `char(${type.maxLength})`;
      return textType(type.maxLength, ctx.key);
    case 'bytes':
      return bytesType(type.maxLength, ctx.key);
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'timestamp':
      if (src && (src.base === 'datetime' || src.base === 'timestamp'))
        return `datetime(${src.args[0] ?? 0})`;
      return 'datetime(6)';
    case 'interval':
      if (src?.base === 'time') return `time(${src.args[0] ?? 0})`;
      return 'varchar(100)';
    case 'uuid':
      return 'char(36) CHARACTER SET ascii COLLATE ascii_bin';
    case 'json':
      return 'json';
    case 'list':
      if (type.element.kind === 'text' && src?.base === 'set' && src.members.length > 0)
        return `set(${quoteMembers(src.members)})`;
      checkListElement(type.element, type, ctx);
      return 'json';
  }
}

function quoteMembers(members: string[]): string {
  return members.map((m) => `'${m.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`).join(',');
}

function checkListElement(element: LogicalType, list: LogicalType, ctx: TargetTypeContext): void {
  if (element.kind === 'list') {
    checkListElement(element.element, list, ctx);
    return;
  }
  if (element.kind === 'bytes' || element.kind === 'json' || element.kind === 'interval') {
    throw typeError(
      list,
      ctx,
      `a JSON array cannot hold ${element.kind} elements exactly`,
      'map the column to text',
    );
  }
}

/** True when two logical types are the same (field order and absent optional fields ignored). */
export function sameType(a: LogicalType, b: LogicalType): boolean {
  return formatLogicalType(a) === formatLogicalType(b) && JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function norm(t: LogicalType): unknown {
  const entries = Object.entries(t)
    .filter(([, v]) => v !== undefined && v !== false)
    .map(([k, v]) => [k, k === 'element' ? norm(v as LogicalType) : v] as const)
    .sort(([x], [y]) => (x < y ? -1 : 1));
  return Object.fromEntries(entries);
}

/**
 * True when a column of type `have` holds every value of type `want` exactly: the same kind, at least as wide.
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
      return (
        have.kind === 'text' &&
        (have.maxLength === undefined || (want.maxLength ?? Infinity) <= have.maxLength)
      );
    case 'bytes':
      return (
        have.kind === 'bytes' &&
        (have.maxLength === undefined || (want.maxLength ?? Infinity) <= have.maxLength)
      );
    case 'json':
      return have.kind === 'json' || (have.kind === 'text' && have.maxLength === undefined);
    case 'timestamp':
      return have.kind === 'timestamp' && have.tz === want.tz;
    case 'list':
      return have.kind === 'list' && holds(have.element, want.element);
    default:
      return have.kind === want.kind;
  }
}

/** Bytes per value of a logical type, roughly, for byte estimates. */
export function widthOf(t: LogicalType): number {
  switch (t.kind) {
    case 'bool':
      return 1;
    case 'int':
      return t.bits / 8;
    case 'float':
      return t.bits / 8;
    case 'date':
      return 3;
    case 'timestamp':
    case 'time':
      return 8;
    case 'decimal':
      return Math.ceil((t.precision ?? 20) / 2);
    case 'uuid':
      return 36;
    default:
      return Math.min(t.kind === 'text' || t.kind === 'bytes' ? (t.maxLength ?? 64) : 64, 64);
  }
}

export { BYTES_TYPES };
