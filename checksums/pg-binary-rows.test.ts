import { describe, expect, it } from 'vitest';
import { PgBinaryRowChecksum } from './pg-binary-rows.js';

const HEADER = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];

/** A binary COPY stream of rows whose fields are byte arrays (null: NULL). */
function stream(rows: (number[] | null)[][]): Uint8Array {
  const out: number[] = [...HEADER];
  const i32 = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  for (const row of rows) {
    out.push((row.length >> 8) & 255, row.length & 255);
    for (const f of row) {
      if (f === null) i32(-1);
      else {
        i32(f.length);
        out.push(...f);
      }
    }
  }
  out.push(0xff, 0xff);
  return Uint8Array.from(out);
}

function checksum(bytes: Uint8Array, cuts: number[] = []): { rows: string; sum: string } {
  const c = new PgBinaryRowChecksum(2);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    c.push(bytes.subarray(from, cut));
    from = cut;
  }
  return c.end();
}

const text = (s: string) => [...new TextEncoder().encode(s)];
const ROWS: (number[] | null)[][] = [
  [[0, 0, 0, 1], text('première ligne')],
  [[0, 0, 0, 2], null],
  [[0, 0, 0, 3], text('x'.repeat(300))],
  [[0, 0, 0, 4], []],
];

describe('PgBinaryRowChecksum', () => {
  it('gives the same checksum however the stream is split into chunks', () => {
    const bytes = stream(ROWS);
    const whole = checksum(bytes);
    expect(whole.rows).toBe('4');
    for (let cut = 1; cut < bytes.length; cut++) expect(checksum(bytes, [cut])).toEqual(whole);
    expect(checksum(bytes, [3, 20, 21, 22, 60, 61, 200, 400])).toEqual(whole);
  });

  it('does not depend on row order, but counts a duplicated row', () => {
    const whole = checksum(stream(ROWS));
    expect(checksum(stream([...ROWS].reverse()))).toEqual(whole);
    const dup = checksum(stream([...ROWS, ROWS[0]!]));
    expect(dup.rows).toBe('5');
    expect(checksum(stream([...ROWS, ROWS[0]!, ROWS[0]!])).sum).not.toBe(dup.sum);
  });

  it('tells a changed value, an empty value from NULL, and a moved byte apart', () => {
    const sums = new Set(
      [
        ROWS,
        [[[0, 0, 0, 1], text('premiere ligne')], ...ROWS.slice(1)],
        [ROWS[0]!, [[0, 0, 0, 2], []], ...ROWS.slice(2)],
        [[[0, 0, 1, 0], ROWS[0]![1]!], ...ROWS.slice(1)],
      ].map((rows) => checksum(stream(rows)).sum),
    );
    expect(sums.size).toBe(4);
  });

  it('refuses a stream that ends before its trailer', () => {
    const bytes = stream(ROWS);
    const c = new PgBinaryRowChecksum(2);
    c.push(bytes.subarray(0, bytes.length - 5));
    expect(() => c.end()).toThrow(/ended early \(after 3 rows\)/);
  });

  it('refuses rows with another field count than the table has', () => {
    const c = new PgBinaryRowChecksum(3);
    expect(() => c.push(stream(ROWS))).toThrow(/has 2 fields, expected 3/);
  });
});
