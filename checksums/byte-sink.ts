/**
 * A growable byte buffer that one row's canonical encoding is written into, reused for every row.
 * `view` reads the same memory for the hash; the capacity is always a multiple of 16 bytes.
 */
export class ByteSink {
  buf: Uint8Array;
  view: DataView;
  /** The write position: bytes `[0, pos)` hold the encoding so far. */
  pos = 0;

  constructor(capacity = 1024) {
    const cap = (Math.max(capacity, 16) + 15) & ~15;
    this.buf = new Uint8Array(cap);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `extra` more bytes after `pos`; after it, re-read `buf`/`view` (they may be new). */
  ensure(extra: number): void {
    if (this.pos + extra > this.buf.length) this.grow(this.pos + extra);
  }

  private grow(need: number): void {
    const cap = (Math.max(need, this.buf.length * 2) + 15) & ~15;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A little-endian unsigned 32-bit integer. */
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Copies `src[start, end)`. Short runs are copied by hand: a `subarray` per value would allocate. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    if (n < 32) {
      for (let k = start; k < end; k++) b[p++] = src[k]!;
    } else {
      // The whole source as it is, else a plain view (`subarray` of a Buffer makes a Buffer, which costs more).
      b.set(start === 0 && end === src.length ? src : new Uint8Array(src.buffer, src.byteOffset + start, n), p);
      p += n;
    }
    this.pos = p;
  }

  /** Characters of a string known to be ASCII (digits, signs, hex). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) b[p++] = s.charCodeAt(k);
    this.pos = p;
  }

  /** The UTF-8 bytes of any string, preceded by their length as u32. */
  lengthPrefixedUtf8(s: string): void {
    this.ensure(4 + s.length * 3);
    const at = this.pos;
    const { written } = encoder.encodeInto(s, this.buf.subarray(at + 4));
    this.view.setUint32(at, written, true);
    this.pos = at + 4 + written;
  }

  /** Reserves a u32 length slot and returns its position, for `endLength`. */
  beginLength(): number {
    this.ensure(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  /** Writes the number of bytes written since `beginLength` into its slot. */
  endLength(at: number): void {
    this.view.setUint32(at, this.pos - at - 4, true);
  }
}

const encoder = new TextEncoder();
