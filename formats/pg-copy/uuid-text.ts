const HEX_CODES = Array.from({ length: 256 }, (_, i) => {
  const h = i.toString(16).padStart(2, '0');
  return [h.charCodeAt(0), h.charCodeAt(1)] as const;
});
const HEX_HI = Uint8Array.from(HEX_CODES.map((c) => c[0]));
const HEX_LO = Uint8Array.from(HEX_CODES.map((c) => c[1]));
const DASH = 45;

/**
 * Writes the 16 wire bytes of a uuid at `b[off…]` as its 36 characters of lower-case hyphenated text into `out`
 * at `pos` (room for 36 bytes needed) and returns the position after them.
 */
export function writeUuidText(b: Uint8Array, off: number, out: Uint8Array, pos: number): number {
  let p = pos;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out[p++] = DASH;
    const x = b[off + i]!;
    out[p++] = HEX_HI[x]!;
    out[p++] = HEX_LO[x]!;
  }
  return p;
}
