/**
 * MurmurHash3 x86_128 (Austin Appleby's public-domain algorithm, seed 0), written with 32-bit `Math.imul`
 * so it runs at full speed in JS: the row hash of ferry's checksums (see docs/checksums.md).
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Hashes the `len` bytes at `start` of `view` into `out` as four unsigned 32-bit words h1..h4 (the 128-bit
 * value is h1 + h2·2^32 + h3·2^64 + h4·2^96, the reference implementation's little-endian output). Reading
 * through a DataView at any offset lets raw rows be hashed where they lie in a network chunk, without a copy.
 */
export function murmur3x86_128(view: DataView, start: number, len: number, out: Uint32Array): void {
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const nblocks = len >>> 4;
  let p = start;
  for (let b = 0; b < nblocks; b++, p += 16) {
    let k1 = view.getUint32(p, true);
    let k2 = view.getUint32(p + 4, true);
    let k3 = view.getUint32(p + 8, true);
    let k4 = view.getUint32(p + 12, true);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C3);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, C3);
    k3 = (k3 << 17) | (k3 >>> 15);
    h3 ^= Math.imul(k3, C4);
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, C4);
    k4 = (k4 << 18) | (k4 >>> 14);
    h4 ^= Math.imul(k4, C1);
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }

  // The tail: up to 15 bytes, gathered little-endian into k1..k4 as the reference's fall-through switch does.
  const t = start + (nblocks << 4);
  const rem = len & 15;
  if (rem > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    for (let i = rem - 1; i >= 0; i--) {
      const v = view.getUint8(t + i);
      if (i >= 12) k4 = (k4 << 8) | v;
      else if (i >= 8) k3 = (k3 << 8) | v;
      else if (i >= 4) k2 = (k2 << 8) | v;
      else k1 = (k1 << 8) | v;
    }
    if (rem > 12) {
      k4 = Math.imul(k4, C4);
      k4 = (k4 << 18) | (k4 >>> 14);
      h4 ^= Math.imul(k4, C1);
    }
    if (rem > 8) {
      k3 = Math.imul(k3, C3);
      k3 = (k3 << 17) | (k3 >>> 15);
      h3 ^= Math.imul(k3, C4);
    }
    if (rem > 4) {
      k2 = Math.imul(k2, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      h2 ^= Math.imul(k2, C3);
    }
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
  }

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}
