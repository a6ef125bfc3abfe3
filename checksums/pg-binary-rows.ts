import type { Checksum } from '../core/index.js';
import { PgCopyFraming } from '../formats/index.js';
import { HashSum } from './checksum.js';
import { murmur3x86_128 } from './murmur3.js';

/**
 * The checksum of PostgreSQL binary COPY rows as they stream past, for the PostgreSQL → PostgreSQL
 * pass-through (a table copied with identical column types and no transform): each row's bytes — field count,
 * then per field its length and send-format bytes — are hashed where they lie in the network chunk, without
 * decoding them, into the same multiset sum as the canonical checksum.
 *
 * Two such checksums are comparable only with each other (not with canonical ones): a table planned for the
 * pass-through is loaded AND verified this way, the read-back coming from the target through its own COPY.
 * PostgreSQL's send format is a function of the value and the column's type and typmod, which the plan has
 * checked are identical on both sides, so equal rows give equal bytes.
 */
export const PG_BINARY_CHECKSUM_ALGORITHM = 'pg-binary-rows-v1/murmur3-x86-128/sum-mod-2^128';

export class PgBinaryRowChecksum extends PgCopyFraming {
  private readonly sum = new HashSum();
  private readonly hash = new Uint32Array(4);
  /** Bytes of rows hashed so far. */
  bytes = 0;

  protected row(_buf: Uint8Array, dv: DataView, start: number, end: number): void {
    murmur3x86_128(dv, start, end - start, this.hash);
    this.sum.addHash(this.hash);
    this.bytes += end - start;
  }

  /** The checksum of the whole stream; throws DATA when it stopped mid-row or before the trailer. */
  end(): Checksum {
    this.finishStream();
    return this.sum.result();
  }
}
