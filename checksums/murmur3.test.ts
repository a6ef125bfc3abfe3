import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink.js';
import { murmur3x86_128 } from './murmur3.js';

/** Vectors from the reference C implementation (smhasher MurmurHash3_x86_128, seed 0), as h1 h2 h3 h4. */
const VECTORS: [string, string][] = [
  ['', '00000000 00000000 00000000 00000000'],
  ['a', 'a794933c 5556b01b 5556b01b 5556b01b'],
  ['abc', '75cdc6d1 a2b006a5 a2b006a5 a2b006a5'],
  ['The quick brown fox jumps over the lazy dog', '2f1583c3 ecee2c67 5d7bf66c e5e91d2c'],
  ['0123456789abcde', '3c76c46d 4d0818c0 add433da a78673fa'],
  ['0123456789abcdef', 'fb7d4409 36aed30a 48ad1d9b 572b3bfd'],
  ['0123456789abcdef0', '1f8a3855 60920c06 b5182f1c 718c0b9c'],
];

function hash(bytes: Uint8Array): string {
  const sink = new ByteSink(16);
  sink.copy(bytes, 0, bytes.length);
  const out = new Uint32Array(4);
  murmur3x86_128(sink.view, 0, sink.pos, out);
  return [...out].map((w) => w.toString(16).padStart(8, '0')).join(' ');
}

describe('murmur3x86_128', () => {
  it('matches the reference implementation', () => {
    for (const [input, expected] of VECTORS) expect(hash(new TextEncoder().encode(input))).toBe(expected);
  });

  it('matches on high bytes in the tail (no sign extension)', () => {
    const bytes = new Uint8Array([
      0xff, 0xfe, 0x80, 0x01, 0x20, 0x68, 0x69, 0x67, 0x68, 0x20, 0x62, 0x79, 0x74, 0x65, 0x73, 0x20, 0xc3,
      0xa9, 0xf0, 0x9f, 0xa6, 0x80, 0x20, 0x74, 0x61, 0x69, 0x6c, 0x21, 0x21,
    ]);
    expect(hash(bytes)).toBe('6ba430d6 62b95032 2d61eb87 1ed54a3b');
  });
});
