import type { Checksum } from '../core/index.js';
import { ByteSink } from './byte-sink.js';
import { writeDecimalText } from './canonical-decimal.js';
import { HashSum } from './checksum.js';
import { murmur3x86_128 } from './murmur3.js';
import { TAG, writeFloat, writeVar } from './value-encoders.js';

/**
 * The canonical checksum (CHECKSUM_ALGORITHM, exact comparison) of rows given value by value, for readers that
 * hash rows as they decode a wire format instead of building Arrow batches (PostgreSQL binary COPY read-backs,
 * MySQL rows transcoded for a PostgreSQL target). Each value is written in its canonical encoding (value-encoders.ts)
 * into `sink`, either through the methods here or directly by a caller that knows the encoding; the row's bytes
 * are then hashed into the same multiset sum as `ChecksumAccumulator`'s.
 *
 * ```ts
 * rows.beginRow(); rows.integerDigits(buf, s, e); rows.text(buf, s2, e2); rows.endRow();
 * ```
 */
export class CanonicalRowSum {
  readonly sink = new ByteSink(1024);
  private readonly sum = new HashSum();
  private readonly hash = new Uint32Array(4);

  beginRow(): void {
    this.sink.pos = 0;
  }

  null(): void {
    this.sink.byte(TAG.NULL);
  }

  /** An integer given as its canonical decimal digits (`-` then digits, no leading zeros: MySQL's own text). */
  integerDigits(b: Uint8Array, s: number, e: number): void {
    writeVar(this.sink, TAG.NUMBER, b, s, e);
  }

  /** A decimal given as any decimal text (`-1.50`, `NaN`): canonicalised. */
  decimalText(b: Uint8Array, s: number, e: number): void {
    this.sink.byte(TAG.NUMBER);
    writeDecimalText(b, s, e, this.sink);
  }

  /** Text as UTF-8 bytes. */
  text(b: Uint8Array, s: number, e: number): void {
    writeVar(this.sink, TAG.TEXT, b, s, e);
  }

  /** Raw bytes (bytea, BLOB). */
  bytes(b: Uint8Array, s: number, e: number): void {
    writeVar(this.sink, TAG.BYTES, b, s, e);
  }

  bool(v: boolean): void {
    this.sink.ensure(2);
    this.sink.buf[this.sink.pos++] = TAG.BOOL;
    this.sink.buf[this.sink.pos++] = v ? 1 : 0;
  }

  /** A float64 (a float32 given as its exact float64 value). */
  float(v: number): void {
    writeFloat(this.sink, v);
  }

  /** Days since 1970-01-01. */
  date(days: number): void {
    this.sink.ensure(5);
    this.sink.buf[this.sink.pos] = TAG.DATE;
    this.sink.view.setInt32(this.sink.pos + 1, days, true);
    this.sink.pos += 5;
  }

  /** Microseconds since 1970-01-01 00:00 (UTC for a time-zoned timestamp). */
  timestamp(micros: bigint): void {
    this.sink.ensure(9);
    this.sink.buf[this.sink.pos] = TAG.TIMESTAMP;
    this.sink.view.setBigInt64(this.sink.pos + 1, micros, true);
    this.sink.pos += 9;
  }

  /** Hashes the row written since `beginRow`. */
  endRow(): void {
    const sink = this.sink;
    murmur3x86_128(sink.view, 0, sink.pos, this.hash);
    this.sum.addHash(this.hash);
  }

  /** The checksum of every row so far. */
  result(): Checksum {
    return this.sum.result();
  }
}
