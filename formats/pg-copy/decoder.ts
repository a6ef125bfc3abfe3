import * as A from 'apache-arrow';
import { type Column, FerryError, toFerryError } from '../../core/index.js';
import { arrowTypeFor, schemaFor } from '../arrow-types.js';
import { decodeArray } from './array.js';
import { codecLogicalType, decodeScalar, nestList, type PgCodec } from './codec.js';
import { displayValue } from './encode-scalar.js';
import { makeSink, type Sink } from './sinks.js';

/**
 * Decodes a `COPY … TO STDOUT (FORMAT binary)` byte stream into Arrow record batches.
 *
 *   chunks (any split) ─► header ─► rows: int16 field count, per field int32 length (−1 NULL) + bytes ─► trailer
 *                                   └─► one Sink per column ─► RecordBatch every `batchRows` rows
 *
 * A row split across chunks is completed from the following chunks: only the bytes of the incomplete row
 * are copied, and only once enough bytes have arrived (a 1 GB value costs one copy, not one per chunk).
 */

const SIGNATURE = Uint8Array.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);

export interface PgCopyDecoderOptions {
  /** Maximum rows per batch. */
  batchRows: number;
  /** Column indexes of the key, to name the row in errors. */
  keyColumns?: number[];
}

export class PgCopyDecoder {
  readonly schema: A.Schema;
  private readonly sinks: Sink[];
  private readonly ncols: number;
  private readonly fieldOff: Int32Array;
  private readonly fieldLen: Int32Array;
  private readonly ready: A.RecordBatch[] = [];
  private rows = 0;
  private state: 'header' | 'rows' | 'done' = 'header';
  private pend: Uint8Array[] = [];
  private pendLen = 0;
  /** Bytes (from the start of the pending data) needed before parsing can make progress. */
  private need = 0;
  /** Rows decoded so far, over all batches (1-based line numbers in errors). */
  rowCount = 0;

  constructor(
    private readonly columns: Column[],
    private readonly codecs: PgCodec[],
    private readonly options: PgCopyDecoderOptions,
  ) {
    if (columns.length !== codecs.length) throw new FerryError('INTERNAL', 'one codec per column expected');
    columns.forEach((c, i) => {
      const codec = codecs[i]!;
      const expected = String(arrowTypeFor(nestList(codecLogicalType(codec), codec.dims)));
      if (String(arrowTypeFor(c.type)) !== expected)
        throw new FerryError(
          'INTERNAL',
          `column ${c.name}: logical type does not match wire type ${codec.wire}`,
          {
            column: c.name,
          },
        );
    });
    this.schema = schemaFor(columns);
    this.ncols = columns.length;
    this.sinks = columns.map((c, i) => makeSink(codecs[i]!, c.type, options.batchRows));
    this.fieldOff = new Int32Array(this.ncols);
    this.fieldLen = new Int32Array(this.ncols);
  }

  /** Feeds the next chunk of the stream; complete batches are then available from `take`. */
  push(chunk: Uint8Array): void {
    const buf = chunk;
    let start = 0;
    while (this.pend.length) {
      const have = this.pendLen + (buf.length - start);
      if (have < this.need) {
        this.pend.push(buf.subarray(start));
        this.pendLen = have;
        return;
      }
      const take = this.need - this.pendLen;
      const merged = Buffer.concat([...this.pend, buf.subarray(start, start + take)]);
      this.pend = [];
      this.pendLen = 0;
      start += take;
      const stop = this.parse(merged, 0);
      if (stop < merged.length) this.keep(merged, stop);
    }
    const stop = this.parse(buf, start);
    if (stop < buf.length) this.keep(buf, stop);
  }

  private keep(buf: Uint8Array, from: number): void {
    if (this.state === 'done') throw new FerryError('DATA', 'data after the end of the binary COPY stream');
    this.pend = [buf.subarray(from)];
    this.pendLen = buf.length - from;
  }

  /** Batches completed so far (each returned once). */
  take(): A.RecordBatch[] {
    return this.ready.splice(0, this.ready.length);
  }

  /** Ends the stream: throws DATA if it stopped mid-row or before the trailer; returns the last batches. */
  end(): A.RecordBatch[] {
    if (this.state !== 'done' || this.pendLen > 0)
      throw new FerryError('DATA', `binary COPY stream ended early (after ${this.rowCount} rows)`, {
        retryable: true,
      });
    if (this.rows > 0) this.flush();
    return this.take();
  }

  /** Parses complete rows from `buf[pos…]`; returns where it stopped and sets `need` when a row is incomplete. */
  private parse(buf: Uint8Array, pos: number): number {
    const end = buf.length;
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (this.state === 'header') {
      if (end - pos < 19) return this.incomplete(pos, 19);
      for (let i = 0; i < 11; i++)
        if (buf[pos + i] !== SIGNATURE[i])
          throw new FerryError('DATA', 'not a binary COPY stream (bad signature)');
      const flags = dv.getInt32(pos + 11);
      if (flags & 0x10000) throw new FerryError('DATA', 'binary COPY stream with OIDs is not supported');
      const ext = dv.getInt32(pos + 15);
      if (end - pos < 19 + ext) return this.incomplete(pos, 19 + ext);
      pos += 19 + ext;
      this.state = 'rows';
    }
    const ncols = this.ncols;
    const offs = this.fieldOff;
    const lens = this.fieldLen;
    while (this.state === 'rows') {
      if (end - pos < 2) return this.incomplete(pos, 2);
      const n = dv.getInt16(pos);
      if (n === -1) {
        this.state = 'done';
        pos += 2;
        break;
      }
      if (n !== ncols)
        throw new FerryError('DATA', `binary COPY row has ${n} fields, expected ${ncols}`, {
          hint: 'the query and the column list disagree',
        });
      let p = pos + 2;
      for (let c = 0; c < ncols; c++) {
        if (end - p < 4) return this.incomplete(pos, p - pos + 4);
        const len = dv.getInt32(p);
        p += 4;
        offs[c] = p;
        lens[c] = len;
        if (len > 0) {
          p += len;
          if (p > end) return this.incomplete(pos, p - pos);
        }
      }
      this.decodeRow(buf, dv);
      pos = p;
    }
    return pos;
  }

  private incomplete(pos: number, needed: number): number {
    this.need = needed;
    return pos;
  }

  private decodeRow(buf: Uint8Array, dv: DataView): void {
    const sinks = this.sinks;
    const offs = this.fieldOff;
    const lens = this.fieldLen;
    let c = 0;
    try {
      for (; c < this.ncols; c++) {
        const len = lens[c]!;
        if (len < 0) sinks[c]!.appendNull();
        else sinks[c]!.append(buf, dv, offs[c]!, len);
      }
    } catch (e) {
      throw toFerryError(e, 'DATA', {
        column: this.columns[c]!.name,
        key: this.rowKey(buf, dv),
      });
    }
    this.rowCount++;
    if (++this.rows === this.options.batchRows) this.flush();
  }

  /** The current row's key as `v1, v2` for error messages. */
  private rowKey(buf: Uint8Array, dv: DataView): string | undefined {
    const keys = this.options.keyColumns;
    if (!keys?.length) return `row ${this.rowCount + 1} of the range`;
    try {
      return keys
        .map((k) => {
          const len = this.fieldLen[k]!;
          if (len < 0) return 'NULL';
          const codec = this.codecs[k]!;
          const v =
            codec.dims > 0
              ? decodeArray(codec, buf, dv, this.fieldOff[k]!, len)
              : decodeScalar(codec, buf, dv, this.fieldOff[k]!, len);
          return displayValue(v);
        })
        .join(', ');
    } catch {
      return undefined;
    }
  }

  private flush(): void {
    const length = this.rows;
    const children = this.sinks.map((s) => s.finish(length));
    const data = A.makeData({ type: new A.Struct(this.schema.fields), length, nullCount: 0, children });
    this.ready.push(new A.RecordBatch(this.schema, data));
    this.rows = 0;
  }
}
