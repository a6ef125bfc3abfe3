import { FerryError } from '../../core/index.js';

/**
 * The framing of a `COPY … (FORMAT binary)` byte stream, shared by the decoder (rows → Arrow) and the raw row
 * checksum (rows hashed as they pass through, PostgreSQL → PostgreSQL):
 *
 *   chunks (any split) ─► header ─► rows: int16 field count, per field int32 length (−1 NULL) + bytes ─► trailer
 *
 * A row split across chunks is completed from the following chunks: only the bytes of the incomplete row are
 * copied, and only once enough bytes have arrived (a 1 GB value costs one copy, not one per chunk). For every
 * complete row `row` is called with the row's bytes `[start, end)` and each field's offset and length (−1 NULL)
 * in `fieldOff`/`fieldLen`.
 */

const SIGNATURE = Uint8Array.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);

export abstract class PgCopyFraming {
  protected readonly fieldOff: Int32Array;
  protected readonly fieldLen: Int32Array;
  private state: 'header' | 'rows' | 'done' = 'header';
  private pend: Uint8Array[] = [];
  private pendLen = 0;
  /** Bytes (from the start of the pending data) needed before parsing can make progress. */
  private need = 0;
  /** Complete rows seen so far (1-based line numbers in errors). */
  rowCount = 0;

  constructor(protected readonly ncols: number) {
    this.fieldOff = new Int32Array(ncols);
    this.fieldLen = new Int32Array(ncols);
  }

  /** One complete row: bytes `[start, end)` of `buf` (also viewed by `dv`); fields in `fieldOff`/`fieldLen`. */
  protected abstract row(buf: Uint8Array, dv: DataView, start: number, end: number): void;

  /** Feeds the next chunk of the stream. */
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

  /** Throws DATA if the stream stopped mid-row or before the trailer. */
  protected finishStream(): void {
    if (this.state !== 'done' || this.pendLen > 0)
      throw new FerryError('DATA', `binary COPY stream ended early (after ${this.rowCount} rows)`, {
        retryable: true,
      });
  }

  private keep(buf: Uint8Array, from: number): void {
    if (this.state === 'done') throw new FerryError('DATA', 'data after the end of the binary COPY stream');
    this.pend = [buf.subarray(from)];
    this.pendLen = buf.length - from;
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
      this.row(buf, dv, pos, p);
      this.rowCount++;
      pos = p;
    }
    return pos;
  }

  private incomplete(pos: number, needed: number): number {
    this.need = needed;
    return pos;
  }
}
