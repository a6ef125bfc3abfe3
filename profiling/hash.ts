import { hash as cryptoHash } from 'node:crypto';

/**
 * Hashes for profiling. Two kinds, for two jobs:
 *  - {@link valueHash52}: a fast non-cryptographic 52-bit hash of a column value (two MurmurHash3 x86_32
 *    passes), for distinct counting. 52 bits fit a JS number exactly, so hashes stay plain JSON numbers.
 *  - {@link keyHash128}: a 128-bit hash of a key tuple (SHA-1 truncated), for exact duplicate and orphan
 *    checks of keys that are not one integer (those are stored as themselves, key-text.ts `keyHashes`). With n
 *    distinct keys the chance of any collision is below n²/2^128 (≈ 3·10⁻²¹ for 10⁹ keys).
 */

const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

/** MurmurHash3 x86_32 of `bytes` with `seed`, as an unsigned 32-bit integer. */
export function murmur32(bytes: Uint8Array, seed: number): number {
  let h = seed | 0;
  const n = bytes.length;
  const blocks = n >> 2;
  for (let i = 0; i < blocks; i++) {
    const j = i << 2;
    let k = bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks << 2;
  const rest = n & 3;
  if (rest > 0) {
    // The tail's 1–3 bytes, little-endian, mixed in once.
    let k = bytes[tail]!;
    if (rest > 1) k |= bytes[tail + 1]! << 8;
    if (rest > 2) k |= bytes[tail + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 2^20, to place the high 32 bits above the low 20. */
const TWO_20 = 1_048_576;

/** A 52-bit hash of `bytes` (an exact non-negative JS integer): 32 bits of one seed, 20 bits of another. */
export function valueHash52(bytes: Uint8Array): number {
  return murmur32(bytes, 0x9747b28c) * TWO_20 + (murmur32(bytes, 0x5bd1e995) >>> 12);
}

/** {@link valueHash52} of a float64's bits (every NaN hashes alike; -0 and 0 differ, as their bits do). */
export function numberHash52(value: number): number {
  scratch.setFloat64(0, Number.isNaN(value) ? Number.NaN : value);
  return valueHash52(scratchBytes);
}

/** {@link valueHash52} of a 64-bit integer's two's-complement bits (uint64 above 2^63 wraps, still injective). */
export function bigintHash52(value: bigint): number {
  scratch.setBigUint64(0, BigInt.asUintN(64, value));
  return valueHash52(scratchBytes);
}

/** The 128-bit hash of a key's canonical text (see key-text.ts), as 16 bytes. */
export function keyHash128(text: string): Uint8Array {
  return cryptoHash('sha1', text, 'buffer').subarray(0, 16);
}
