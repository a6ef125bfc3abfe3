import { isUtf8 } from 'node:buffer';
import type { LogicalType } from '../../core/index.js';
import { type ColumnBuilder, type JsValue, formatInterval } from '../../formats/index.js';
import { charsetDecoder, hexPreview, validUtf8 } from './charsets.js';
import { jsonToList } from './json-list.js';
import { GEOMETRY_TYPES, type NativeType } from './native-type.js';
import { parseDate, parseDateTime, parseTime } from './temporal.js';
import { BYTES_TYPES, type ReadTypeOptions, isCharacterType } from './types.js';

/**
 * Value decoders: the raw bytes of one value of a text-protocol result row (the session sends every value as
 * its exact text or bytes: `character_set_results = binary`, mysql2 `typeCast: false`) → ferry's JsValue.
 * Hot path: one decoder call per value, no Date, no JS number for anything wider than 2^53.
 */
export type Decoder = (raw: Buffer) => JsValue | null;

/** A value that cannot be read exactly; the reader adds table, column and key. */
export class DecodeProblem extends Error {
  constructor(
    message: string,
    readonly value: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Integer text up to this many characters (sign included) is exact as a JS number (below 2^53). */
export const SMALL_INT_CHARS = 15;

/** MySQL's integer text `b[s, e)` (`-?digits`) as a number; exact up to `SMALL_INT_CHARS` characters. */
export function smallIntAt(b: Buffer, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (b[s] === 45) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < e; i++) n = n * 10 + (b[i]! - 48);
  return neg ? -n : n;
}

/** MySQL's integer text `b[s, e)` as a bigint, through a number when that is exact. */
function bigIntAt(b: Buffer, s: number, e: number): bigint {
  return e - s <= SMALL_INT_CHARS ? BigInt(smallIntAt(b, s, e)) : BigInt(b.toString('latin1', s, e));
}

const smallInt = (raw: Buffer): number => smallIntAt(raw, 0, raw.length);
const bigInt = (raw: Buffer): bigint => bigIntAt(raw, 0, raw.length);

/** Values whose bytes are the value: DECIMAL text, BLOB/BINARY bytes. */
const asIs: Decoder = (raw) => raw;
/** UTF-8 text, validated: the decoder the `utf8`/`utf8mb4` character sets get (see `characters`). */
const UTF8_TEXT = new WeakSet<Decoder>();

/**
 * A column's decoder in its allocation-free form: `append` takes the value where it lies, `buf[start, end)` of
 * a row packet, and appends it to the column. The hot types (integers, DECIMAL, bytes, UTF-8 text) skip the
 * Buffer view per value that the plain decoder needs; the others decode `buf.subarray(start, end)`.
 */
export interface SliceDecoder {
  append(buf: Buffer, start: number, end: number): void;
  /**
   * The text was appended without its UTF-8 check, which is made once per batch over the column's bytes
   * (`invalidUtf8At`): the plain decoder then names the value.
   */
  deferredUtf8?: boolean;
}

export function sliceDecoder(decoder: Decoder, column: ColumnBuilder): SliceDecoder {
  const slice = column.appendSlice?.bind(column);
  if (decoder === smallInt) return { append: (b, s, e) => column.append(smallIntAt(b, s, e)) };
  if (decoder === bigInt) return { append: (b, s, e) => column.append(bigIntAt(b, s, e)) };
  if (slice && decoder === asIs) return { append: slice };
  if (slice && UTF8_TEXT.has(decoder)) return { append: slice, deferredUtf8: true };
  return { append: (b, s, e) => column.append(decoder(b.subarray(s, e))) };
}

/** Columns whose bytes a transcoder can carry to another engine's wire form as they are (transcode-pg.ts). */
export type RawValueKind = 'integer' | 'utf8' | 'decimal';

/** The raw kind of a column's values (its decoder and logical type), or undefined when they must be decoded. */
export function rawValueKind(decoder: Decoder, type: LogicalType): RawValueKind | undefined {
  if (decoder === smallInt || decoder === bigInt) return 'integer';
  if (UTF8_TEXT.has(decoder) && type.kind === 'text') return 'utf8';
  if (decoder === asIs && type.kind === 'decimal') return 'decimal';
  return undefined;
}

/**
 * The first value of a Utf8/Binary column's data that is not valid UTF-8, or -1. One native check covers all the
 * values at once. When their bytes are valid as a whole and no value starts with a continuation byte (10xxxxxx),
 * no character straddles two values, so each value is valid by itself.
 */
export function invalidUtf8At(values: Uint8Array, offsets: Int32Array, length: number): number {
  const whole = values.subarray(offsets[0]!, offsets[length]!);
  let ok = isUtf8(whole);
  for (let i = 0; ok && i < length; i++) {
    const s = offsets[i]!;
    if (s < offsets[i + 1]! && (values[s]! & 0xc0) === 0x80) ok = false;
  }
  if (ok) return -1;
  for (let i = 0; i < length; i++) if (!isUtf8(values.subarray(offsets[i]!, offsets[i + 1]!))) return i;
  return -1;
}

function bitsValue(raw: Buffer): bigint {
  let v = 0n;
  for (const b of raw) v = (v << 8n) | BigInt(b);
  return v;
}

const text = (raw: Buffer) => raw.toString('latin1');

/** MySQL's geometry storage (little-endian SRID + WKB) as WKB, or PostGIS EWKB when the SRID is not 0. */
export function geometryToWkb(raw: Buffer): Uint8Array {
  if (raw.length < 9) throw new DecodeProblem('malformed geometry value', hexPreview(raw));
  const srid = raw.readUInt32LE(0);
  const wkb = raw.subarray(4);
  if (srid === 0) return wkb;
  const little = wkb[0] === 1;
  const out = Buffer.alloc(wkb.length + 4);
  out[0] = wkb[0]!;
  const type = little ? wkb.readUInt32LE(1) : wkb.readUInt32BE(1);
  if (little) {
    out.writeUInt32LE((type | 0x20000000) >>> 0, 1);
    out.writeUInt32LE(srid, 5);
  } else {
    out.writeUInt32BE((type | 0x20000000) >>> 0, 1);
    out.writeUInt32BE(srid, 5);
  }
  wkb.copy(out, 9, 5);
  return out;
}

/**
 * The SELECT expression that makes a column's text exact: MySQL prints FLOAT with 6 significant digits
 * (16777217 → "16777200"), so FLOAT is read as its exact DOUBLE widening.
 */
export function selectExpression(quoted: string, nt: NativeType): string {
  return nt.base === 'float' ? `CAST(${quoted} AS DOUBLE)` : quoted;
}

function zeroDate(options: ReadTypeOptions, raw: Buffer): null {
  if (options.zeroDates === 'null') return null;
  throw new DecodeProblem(
    `zero or invalid date ${text(raw)}`,
    text(raw),
    'fix the value in the source, or read such values as NULL with the endpoint parameter zero_dates=null',
  );
}

function characters(nt: NativeType): (raw: Buffer) => Uint8Array | string {
  const charset = nt.base === 'json' ? 'utf8mb4' : nt.charset;
  const decode = charsetDecoder(charset);
  const name = charset ?? 'utf8mb4';
  const decoder = (raw: Buffer) => {
    const v = decode(raw);
    if (v === undefined)
      throw new DecodeProblem(
        `invalid ${name} bytes ${hexPreview(raw)}`,
        hexPreview(raw),
        'fix the value in the source (e.g. UPDATE … SET col = CONVERT(BINARY col USING utf8mb4)), or migrate the column as bytes through a view',
      );
    return v;
  };
  if (decode === validUtf8) UTF8_TEXT.add(decoder);
  return decoder;
}

function charString(nt: NativeType): (raw: Buffer) => string {
  const chars = characters(nt);
  return (raw) => {
    const v = chars(raw);
    return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  };
}

/**
 * The decoder producing `type` from a column of native type `nt`, or undefined when ferry cannot produce that
 * logical type from that native type (a ferry comment that does not fit its column is then ignored).
 */
export function decoderFor(type: LogicalType, nt: NativeType, options: ReadTypeOptions): Decoder | undefined {
  const base = nt.base;
  const isText = isCharacterType(nt) && base !== 'enum' && base !== 'set';
  switch (type.kind) {
    case 'bool':
      if (base === 'bit') return (raw) => raw[raw.length - 1] === 1;
      if (base !== 'tinyint' && base !== 'bool' && base !== 'boolean') return undefined;
      return (raw) => {
        if (raw.length === 1 && (raw[0] === 48 || raw[0] === 49)) return raw[0] === 49;
        throw new DecodeProblem(
          `TINYINT(1) value ${text(raw)} is not a boolean (0 or 1)`,
          text(raw),
          'read TINYINT(1) columns as integers with the endpoint parameter tinyint1=int',
        );
      };
    case 'int': {
      if (base === 'bit') return type.bits === 64 ? bitsValue : undefined;
      if (!['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'year'].includes(base))
        return undefined;
      const wide = type.bits === 64 || (type.bits === 32 && type.unsigned);
      return wide ? bigInt : smallInt;
    }
    case 'float':
      if (base === 'float') return (raw) => Math.fround(Number(text(raw)));
      if (base === 'double' || base === 'double precision' || base === 'real')
        return (raw) => Number(text(raw));
      return undefined;
    case 'decimal':
      if (base !== 'decimal' && base !== 'numeric') return undefined;
      if (nt.zerofill) return (raw) => text(raw).replace(/^(-?)0+(?=\d)/, '$1');
      return asIs;
    case 'date':
      if (base !== 'date') return undefined;
      return (raw) => parseDate(raw) ?? zeroDate(options, raw);
    case 'timestamp':
      if (base !== 'datetime' && base !== 'timestamp') return undefined;
      return (raw) => parseDateTime(raw) ?? zeroDate(options, raw);
    case 'time':
      if (base !== 'time') return undefined;
      return (raw) => {
        const micros = parseTime(raw);
        if (micros === undefined || micros < 0n || micros >= 86_400_000_000n)
          throw new DecodeProblem(
            `TIME ${text(raw)} is not a time of day`,
            text(raw),
            'read the column as an interval',
          );
        return micros;
      };
    case 'interval':
      if (base === 'time')
        return (raw) => {
          const micros = parseTime(raw);
          if (micros === undefined) throw new DecodeProblem(`malformed TIME ${text(raw)}`, text(raw));
          return formatInterval({ months: 0, days: 0, micros });
        };
      return isText ? charString(nt) : undefined;
    case 'text':
      if (base === 'inet4' || base === 'inet6' || base === 'uuid') return text;
      return isText || base === 'enum' ? characters(nt) : undefined;
    case 'uuid':
      if (base === 'uuid') return text;
      return isText ? (raw) => charString(nt)(raw).toLowerCase() : undefined;
    case 'json':
      return isText ? characters(nt) : undefined;
    case 'bytes':
      if (GEOMETRY_TYPES.has(base)) return geometryToWkb;
      return BYTES_TYPES.has(base) ? asIs : undefined;
    case 'list': {
      if (base === 'set' && type.element.kind === 'text') {
        const str = charString(nt);
        return (raw) => (raw.length === 0 ? [] : str(raw).split(','));
      }
      if (!isText) return undefined;
      const str = charString(nt);
      const element = type.element;
      return (raw) => {
        try {
          return jsonToList(str(raw), element);
        } catch (e) {
          throw new DecodeProblem(
            `not a JSON array of ${element.kind}: ${(e as Error).message}`,
            str(raw).slice(0, 200),
          );
        }
      };
    }
  }
}
