import * as A from 'apache-arrow';
import { type Column, FerryError, toFerryError } from '../../core/index.js';
import { arrowTypeFor, schemaFor } from '../arrow-types.js';
import { decodeArray } from './array.js';
import { codecLogicalType, decodeScalar, nestList, type PgCodec } from './codec.js';
import { displayValue } from './encode-scalar.js';
import { PgCopyFraming } from './framing.js';
import { makeSink, type Sink } from './sinks.js';

export interface PgCopyDecoderOptions {
  /** Maximum rows per batch. */
  batchRows: number;
  /** A batch also ends once its rows' wire bytes reach this; default: no byte bound. */
  batchBytes?: number;
  /** Column indexes of the key, to name the row in errors. */
  keyColumns?: number[];
}

/**
 * Decodes a `COPY … TO STDOUT (FORMAT binary)` byte stream into Arrow record batches: each row of the framing
 * (framing.ts) goes to one Sink per column, and a RecordBatch is made every `batchRows` rows.
 */
export class PgCopyDecoder extends PgCopyFraming {
  readonly schema: A.Schema;
  private readonly sinks: Sink[];
  private readonly ready: A.RecordBatch[] = [];
  private rows = 0;
  private bytes = 0;
  private readonly batchBytes: number;

  constructor(
    private readonly columns: Column[],
    private readonly codecs: PgCodec[],
    private readonly options: PgCopyDecoderOptions,
  ) {
    super(columns.length);
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
    this.sinks = columns.map((c, i) => makeSink(codecs[i]!, c.type, options.batchRows));
    this.batchBytes = options.batchBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Batches completed so far (each returned once). */
  take(): A.RecordBatch[] {
    return this.ready.splice(0, this.ready.length);
  }

  /** Ends the stream: throws DATA if it stopped mid-row or before the trailer; returns the last batches. */
  end(): A.RecordBatch[] {
    this.finishStream();
    if (this.rows > 0) this.flush();
    return this.take();
  }

  protected row(buf: Uint8Array, dv: DataView, start: number, end: number): void {
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
    this.bytes += end - start;
    if (++this.rows === this.options.batchRows || this.bytes >= this.batchBytes) this.flush();
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
    this.bytes = 0;
  }
}
