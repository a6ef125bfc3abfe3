/** A growable big-endian byte buffer: the output of the COPY encoder. */
export class ByteWriter {
  buf: Uint8Array;
  dv: DataView;
  pos = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = new Uint8Array(capacity);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.pos + n, this.buf.length * 2));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.dv = new DataView(grown.buffer);
  }

  int16(v: number): void {
    this.ensure(2);
    this.dv.setInt16(this.pos, v);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.dv.setInt32(this.pos, v);
    this.pos += 4;
  }

  /** A length-prefixed field. */
  field(bytes: Uint8Array): void {
    this.ensure(4 + bytes.length);
    this.dv.setInt32(this.pos, bytes.length);
    this.buf.set(bytes, this.pos + 4);
    this.pos += 4 + bytes.length;
  }

  /** The bytes written so far (a copy), and the writer starts empty. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}
