import { isAscii, isUtf8 } from 'node:buffer';
import { CanonicalRowSum } from '../../checksums/index.js';
import type { Column, LogicalType } from '../../core/index.js';
import { ByteWriter, encodeNumeric, type PgCodec, utf8Chars, writeScalar } from '../../formats/index.js';
import { type Decoder, DecodeProblem, rawValueKind, SMALL_INT_CHARS, smallIntAt } from './decode.js';
import { parseNativeType } from './native-type.js';
import { type RowConsumer, RowFailure, rowValues } from './read-batches.js';
import { fieldLength, headerBytes, malformedRow } from './row-packets.js';

/**
 * MySQL text-protocol rows → PostgreSQL binary COPY rows, hashed canonically on the way, without Arrow batches
 * (`TablePlan.transcode: 'pg-binary'`): for tables whose every column is an integer, UTF-8 text or DECIMAL going
 * into smallint/integer/bigint, text/character varying(n) or numeric — carried as the bytes MySQL sent — or a
 * boolean, float, date, timestamp or byte string going into the PostgreSQL type ferry plans for it, decoded by the
 * column's own decoder first. The checksum is the canonical one the Arrow
 * path computes (checksums/ `CanonicalRowSum`), so the read-back and `ferry verify` compare as for any table.
 *
 *   row packet ─► per value: PostgreSQL field (int16/32/64, the text's bytes, numeric) + canonical value ─► hash
 *
 * Measured on bench/mysql-to-pg.ts (sysbench 4 × 1M rows, 2 cores): ferry's CPU for the whole run (load, read-back,
 * verification) fell from 11.9 to 6.5 core-s against decoding into Arrow, posting each batch to a pool thread for
 * its checksum and encoding COPY rows from it (FERRY_RAW_COPY=off still measures that path). A value the target
 * refuses is found by the Arrow path (worker/raw-copy.ts `diagnoseRawFailure`), which names it.
 */

/** A column as the transcoder writes it: its PostgreSQL wire form and the limits the target type sets. */
type Field =
  | { kind: 'integer'; wire: 'int2' | 'int4' | 'int8' }
  | { kind: 'utf8'; maxLength?: number }
  | { kind: 'decimal'; precision?: number; scale?: number }
  /** Values decoded first (bool, float, date, timestamp, bytes): written like the Arrow path's `writeScalar`. */
  | { kind: 'decoded'; codec: PgCodec; as: 'bool' | 'float' | 'date' | 'timestamp' | 'bytes' };

/** Decoded values by logical type: the PostgreSQL type that holds them exactly, its wire form, canonical kind. */
function decodedField(type: LogicalType, native: string): Field | undefined {
  const field = (wire: PgCodec['wire'], as: Extract<Field, { kind: 'decoded' }>['as']): Field => ({
    kind: 'decoded',
    codec: { wire, dims: 0 },
    as,
  });
  switch (type.kind) {
    case 'bool':
      return native === 'boolean' ? field('bool', 'bool') : undefined;
    case 'float':
      if (type.bits === 32) return native === 'real' ? field('float4', 'float') : undefined;
      return native === 'double precision' ? field('float8', 'float') : undefined;
    case 'date':
      return native === 'date' ? field('date', 'date') : undefined;
    case 'timestamp':
      if (type.tz)
        return native === 'timestamp with time zone' ? field('timestamptz', 'timestamp') : undefined;
      return native === 'timestamp without time zone' ? field('timestamp', 'timestamp') : undefined;
    case 'bytes':
      return native === 'bytea' ? field('bytea', 'bytes') : undefined;
    default:
      return undefined;
  }
}

const INT_RANGE = { int2: 32767, int4: 2147483647 } as const;

/** How a source column of `decoder` goes into a target column of PostgreSQL type `targetNative`, if it can. */
function fieldFor(column: Column, decoder: Decoder, targetNative: string): Field | undefined {
  const kind = rawValueKind(decoder, column.type);
  const native = targetNative.toLowerCase();
  if (kind === 'integer') {
    const wire = ({ smallint: 'int2', integer: 'int4', bigint: 'int8' } as const)[native as 'smallint'];
    return wire ? { kind, wire } : undefined;
  }
  if (kind === 'utf8') {
    if (native === 'text') return { kind };
    const m = /^character varying\((\d+)\)$/.exec(native);
    return m ? { kind, maxLength: Number(m[1]) } : undefined;
  }
  if (kind === 'decimal') {
    if (native === 'numeric') return { kind };
    const m = /^numeric\((\d+),(\d+)\)$/.exec(native);
    return m ? { kind, precision: Number(m[1]), scale: Number(m[2]) } : undefined;
  }
  return decodedField(column.type, native);
}

/** The fields of a table transcoded into target columns of `targetNatives`, or undefined if one cannot be. */
export function pgFields(
  columns: readonly Column[],
  decoders: readonly Decoder[],
  targetNatives: readonly string[],
): Field[] | undefined {
  if (columns.length !== targetNatives.length) return undefined;
  const fields: Field[] = [];
  for (const [i, c] of columns.entries()) {
    if (parseNativeType(c.nativeType).zerofill) return undefined;
    const f = fieldFor(c, decoders[i]!, targetNatives[i]!);
    if (!f) return undefined;
    fields.push(f);
  }
  return fields;
}

function outOfRange(b: Buffer, s: number, e: number, wire: string): DecodeProblem {
  const text = b.toString('latin1', s, e);
  return new DecodeProblem(`integer ${text} does not fit PostgreSQL ${wire}`, text);
}

/**
 * A `RowConsumer` of the MySQL reader that turns row packets into chunks of binary COPY rows (no header or
 * trailer: the caller adds them) of about `chunkBytes`, and their canonical checksum.
 */
export class PgTranscoder implements RowConsumer<Uint8Array> {
  readonly sum = new CanonicalRowSum();
  rows = 0;
  private w = new ByteWriter(64 * 1024);
  private rowAscii = false;

  /** `decoders`: the columns' own decoders, which name a value the transcoder refuses. */
  constructor(
    private readonly fields: readonly Field[],
    private readonly decoders: readonly Decoder[],
    private readonly chunkBytes = 256 * 1024,
  ) {}

  row(buf: Buffer, start: number, end: number): void {
    const { fields, sum } = this;
    const w = this.w;
    sum.beginRow();
    // A row packet of ASCII bytes only (lengths below 128 included) holds valid UTF-8 text: one native check
    // per row instead of one per text value.
    this.rowAscii = isAscii(new Uint8Array(buf.buffer, buf.byteOffset + start, end - start));
    w.int16(fields.length);
    let pos = start;
    let c = 0;
    try {
      for (; c < fields.length; c++) {
        if (pos >= end) throw malformedRow();
        const len = fieldLength(buf, pos);
        pos += headerBytes(buf[pos]!);
        if (len < 0) {
          w.int32(-1);
          sum.null();
          continue;
        }
        const e = pos + len;
        if (e > end) throw malformedRow();
        this.field(fields[c]!, c, buf, pos, e);
        pos = e;
      }
    } catch (e) {
      throw new RowFailure(c, e, rowValues(buf, start, end));
    }
    sum.endRow();
    this.rows++;
  }

  private field(f: Field, c: number, b: Buffer, s: number, e: number): void {
    const w = this.w;
    const sum = this.sum;
    if (f.kind === 'integer') {
      const small = e - s <= SMALL_INT_CHARS;
      if (f.wire === 'int8') {
        w.ensure(12);
        w.dv.setInt32(w.pos, 8);
        if (small) {
          const n = smallIntAt(b, s, e);
          const hi = Math.floor(n / 4294967296);
          w.dv.setInt32(w.pos + 4, hi);
          w.dv.setUint32(w.pos + 8, n - hi * 4294967296);
        } else {
          // Beyond what a number holds exactly: through a bigint, rare.
          const v = BigInt(b.toString('latin1', s, e));
          if (v !== BigInt.asIntN(64, v)) throw outOfRange(b, s, e, 'bigint');
          w.dv.setBigInt64(w.pos + 4, v);
        }
        w.pos += 12;
      } else {
        const max = INT_RANGE[f.wire];
        const n = small ? smallIntAt(b, s, e) : Number.NaN;
        if (!(n >= -max - 1 && n <= max)) throw outOfRange(b, s, e, f.wire);
        if (f.wire === 'int4') {
          w.int32(4);
          w.int32(n);
        } else {
          w.int32(2);
          w.int16(n);
        }
      }
      sum.integerDigits(b, s, e);
      return;
    }
    if (f.kind === 'decoded') {
      // The column's own decoder: its policies (zero dates) and its errors, as on the Arrow path.
      const v = this.decoders[c]!(b.subarray(s, e));
      if (v === null) {
        w.int32(-1);
        sum.null();
        return;
      }
      writeScalar(w, f.codec, v);
      if (f.as === 'bool') sum.bool(v as boolean);
      else if (f.as === 'float') sum.float(v as number);
      else if (f.as === 'date') sum.date(v as number);
      else if (f.as === 'timestamp') sum.timestamp(v as bigint);
      else {
        const bytes = v as Uint8Array;
        sum.bytes(bytes, 0, bytes.length);
      }
      return;
    }
    if (f.kind === 'decimal') {
      w.field(encodeNumeric(b.toString('latin1', s, e), f.precision, f.scale));
      sum.decimalText(b, s, e);
      return;
    }
    const len = e - s;
    if (f.maxLength !== undefined && len > f.maxLength && utf8Chars(b, s, e) > f.maxLength)
      throw new DecodeProblem(
        `value of ${utf8Chars(b, s, e)} characters does not fit character varying(${f.maxLength})`,
        b.toString('utf8', s, Math.min(e, s + 100)),
      );
    w.ensure(4 + len);
    w.dv.setInt32(w.pos, len);
    const out = w.buf;
    let p = w.pos + 4;
    // A plain view, not `Buffer.subarray` (a Buffer per value costs twice as much).
    const view = len > 16 ? new Uint8Array(b.buffer, b.byteOffset + s, len) : undefined;
    if (view) {
      out.set(view, p);
      p += len;
    } else for (let k = s; k < e; k++) out[p++] = b[k]!;
    if (!this.rowAscii && !isUtf8(view ?? b.subarray(s, e))) {
      // The column's decoder names the bytes.
      this.decoders[c]!(b.subarray(s, e));
      throw new DecodeProblem('invalid UTF-8', b.toString('hex', s, Math.min(e, s + 32)));
    }
    w.pos = p;
    if (view) sum.text(view, 0, len);
    else sum.text(b, s, e);
  }

  full(): boolean {
    return this.w.pos >= this.chunkBytes;
  }

  finish(): Uint8Array | undefined {
    return this.w.pos === 0 ? undefined : this.w.take();
  }
}
