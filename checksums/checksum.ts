import type * as A from 'apache-arrow';
import { type Checksum, FerryError } from '../core/index.js';
import type { CompareRules } from './compare-rules.js';
import { RowHasher, wordsToHex } from './row-hasher.js';

/**
 * The multiset checksum: (row count, sum of 128-bit row hashes mod 2^128). A sum, not a XOR, so that a
 * duplicated row changes it; order-independent, so batch boundaries, partitioning and retries cannot.
 */

/**
 * Names the canonical encoding, row hash and combination, for records that outlive a release (ledgers,
 * reports): checksums made under different algorithms are not comparable.
 */
export const CHECKSUM_ALGORITHM = 'ferry-canonical-v1/murmur3-x86-128/sum-mod-2^128';

/** The checksum of no rows; the identity of `combineChecksums`. */
export const ZERO_CHECKSUM: Checksum = Object.freeze({ rows: '0', sum: '0'.repeat(32) });

const TWO32 = 4294967296;
const MOD = 1n << 128n;
const ROWS = /^-?\d+$/;
const SUM = /^[0-9a-f]{32}$/;

function parse(c: Checksum): { rows: bigint; sum: bigint } {
  if (!ROWS.test(c.rows) || !SUM.test(c.sum))
    throw new FerryError('DATA', `malformed checksum ${JSON.stringify(c)}`, { value: JSON.stringify(c) });
  return { rows: BigInt(c.rows), sum: BigInt(`0x${c.sum}`) };
}

function format(rows: bigint, sum: bigint): Checksum {
  const s = ((sum % MOD) + MOD) % MOD;
  return { rows: rows.toString(), sum: s.toString(16).padStart(32, '0') };
}

/** `a + b`: the checksum of the union of both multisets of rows (e.g. a table from its partitions). */
export function combineChecksums(a: Checksum, b: Checksum): Checksum {
  const x = parse(a);
  const y = parse(b);
  return format(x.rows + y.rows, x.sum + y.sum);
}

/**
 * `a − b`: the checksum of the rows in `a` that are not in `b` when `b` ⊆ `a` (e.g. what an append loaded:
 * after − before). The row count is negative when `b` has more rows than `a`, which then cannot verify.
 */
export function subtractChecksums(a: Checksum, b: Checksum): Checksum {
  const x = parse(a);
  const y = parse(b);
  return format(x.rows - y.rows, x.sum - y.sum);
}

/** True when both describe the same multiset of rows (same count and sum). */
export function checksumsEqual(a: Checksum, b: Checksum): boolean {
  const x = parse(a);
  const y = parse(b);
  return x.rows === y.rows && x.sum === y.sum;
}

/** Rows hashed between carry normalisations: each 32-bit limb stays below 2^52, exact in a JS number. */
const CHUNK = 1 << 20;

/**
 * A running multiset sum: row count and Σ of 128-bit row hashes, kept in four 32-bit limbs held in JS numbers.
 * Carries are propagated once per chunk of rows rather than per row, and no BigInt is made per row.
 */
export class HashSum {
  protected s0 = 0;
  protected s1 = 0;
  protected s2 = 0;
  protected s3 = 0;
  protected rows = 0n;
  private unnormalised = 0;

  /** Adds one row's hash (four unsigned 32-bit words, low first). */
  addHash(h: Uint32Array): void {
    this.s0 += h[0]!;
    this.s1 += h[1]!;
    this.s2 += h[2]!;
    this.s3 += h[3]!;
    if (++this.unnormalised === CHUNK) {
      this.rows += BigInt(CHUNK);
      this.unnormalised = 0;
      this.normalise();
    }
  }

  /** Adds another sum's rows or a checksum (e.g. to total partitions into a table). */
  add(other: HashSum | Checksum): void {
    const c = other instanceof HashSum ? other.result() : other;
    const { rows, sum } = parse(c);
    this.rows += rows;
    this.s0 += Number(sum & 0xffffffffn);
    this.s1 += Number((sum >> 32n) & 0xffffffffn);
    this.s2 += Number((sum >> 64n) & 0xffffffffn);
    this.s3 += Number((sum >> 96n) & 0xffffffffn);
    this.normalise();
  }

  /** The checksum of everything added so far (the sum can keep accumulating). */
  result(): Checksum {
    this.rows += BigInt(this.unnormalised);
    this.unnormalised = 0;
    this.normalise();
    return { rows: this.rows.toString(), sum: wordsToHex([this.s0, this.s1, this.s2, this.s3]) };
  }

  protected normalise(): void {
    let carry = Math.floor(this.s0 / TWO32);
    this.s0 -= carry * TWO32;
    this.s1 += carry;
    carry = Math.floor(this.s1 / TWO32);
    this.s1 -= carry * TWO32;
    this.s2 += carry;
    carry = Math.floor(this.s2 / TWO32);
    this.s2 -= carry * TWO32;
    this.s3 += carry;
    this.s3 -= Math.floor(this.s3 / TWO32) * TWO32;
  }
}

/**
 * Accumulates the checksum of Arrow batches (canonical encoding of each row, then its hash, into the sum).
 *
 * ```ts
 * const acc = new ChecksumAccumulator(rules);
 * for await (const batch of batches) acc.addBatch(batch);
 * const checksum = acc.result();
 * ```
 */
export class ChecksumAccumulator extends HashSum {
  private bytes = 0;
  private readonly hasher: RowHasher;

  /** `rules`: per-column compare rules, applied before encoding (default: exact comparison). */
  constructor(rules?: CompareRules) {
    super();
    this.hasher = new RowHasher(rules);
  }

  /** Rows added so far. */
  get rowCount(): bigint {
    return this.rows;
  }

  /** Bytes of canonical encoding hashed so far (for throughput figures). */
  get encodedBytes(): number {
    return this.bytes;
  }

  /** Adds every row of a batch. Throws FerryError DATA (with the column) for a value that is not valid for its type. */
  addBatch(batch: A.RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const hasher = this.hasher;
    hasher.bind(batch);
    const h = hasher.hash;
    const sink = hasher.sink;
    let bytes = 0;
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      let s0 = this.s0;
      let s1 = this.s1;
      let s2 = this.s2;
      let s3 = this.s3;
      for (let r = from; r < to; r++) {
        hasher.hashRow(r);
        bytes += sink.pos;
        s0 += h[0]!;
        s1 += h[1]!;
        s2 += h[2]!;
        s3 += h[3]!;
      }
      this.s0 = s0;
      this.s1 = s1;
      this.s2 = s2;
      this.s3 = s3;
      this.normalise();
    }
    this.rows += BigInt(n);
    this.bytes += bytes;
  }
}
