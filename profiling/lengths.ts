/**
 * The length distribution of a text (characters) or bytes (bytes) column: exact counts per length up to
 * {@link EXACT_LENGTH_LIMIT}, then per power-of-two bucket, so the state stays small for any data. Exact
 * min, max and total; merging adds counts.
 */

/** Lengths up to this are counted one by one; longer ones in buckets [2^k, 2^(k+1)). */
export const EXACT_LENGTH_LIMIT = 256;

/** JSON state: `[bucket, count]` pairs ascending; a bucket above the limit is a power of two `b` = [b, 2b). */
export interface LengthState {
  counts: [number, number][];
  min: number;
  max: number;
  total: number;
  values: number;
}

/** The bucket of a length. */
export function lengthBucket(length: number): number {
  if (length <= EXACT_LENGTH_LIMIT) return length;
  return 2 ** Math.floor(Math.log2(length));
}

/** The length in characters (Unicode code points) of UTF-8 bytes: every byte that does not continue a character. */
export function utf8Length(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) n++;
  return n;
}

export class LengthDistribution {
  #counts = new Map<number, number>();
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #total = 0;
  #values = 0;

  add(length: number): void {
    const b = lengthBucket(length);
    this.#counts.set(b, (this.#counts.get(b) ?? 0) + 1);
    if (length < this.#min) this.#min = length;
    if (length > this.#max) this.#max = length;
    this.#total += length;
    this.#values++;
  }

  merge(s: LengthState): void {
    if (s.values === 0) return;
    for (const [b, c] of s.counts) this.#counts.set(b, (this.#counts.get(b) ?? 0) + c);
    this.#min = Math.min(this.#min, s.min);
    this.#max = Math.max(this.#max, s.max);
    this.#total += s.total;
    this.#values += s.values;
  }

  state(): LengthState {
    return {
      counts: [...this.#counts].sort((a, b) => a[0] - b[0]),
      min: this.#values ? this.#min : 0,
      max: this.#max,
      total: this.#total,
      values: this.#values,
    };
  }

  static from(s: LengthState): LengthDistribution {
    const d = new LengthDistribution();
    d.merge(s);
    return d;
  }
}
