import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { BatchBuilder, type JsValue } from '../formats/index.js';
import { DuplicateCheck, OrphanCheck, SmallestTexts } from './key-checks.js';
import { KeyHashSet, SEEN } from './key-set.js';
import { displayKey, KEY_HASH_BYTES, keyHashes, keyPartsAt, keyReaders } from './key-text.js';

function batchOf(columns: Column[], rows: (JsValue | null)[][]) {
  const b = new BatchBuilder(columns, rows.length);
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

const idCol = (name: string, bits: 32 | 64 = 64): Column => ({
  name,
  type: { kind: 'int', bits },
  nullable: true,
  nativeType: 'BIGINT',
});
const textCol = (name: string): Column => ({
  name,
  type: { kind: 'text' },
  nullable: true,
  nativeType: 'VARCHAR',
});

/** Feeds a batch's key hashes to a check, with example texts read back from the batch. */
function feed(check: DuplicateCheck | OrphanCheck, batch: ReturnType<typeof batchOf>, columns: string[]) {
  const readers = keyReaders(batch, columns);
  check.add(keyHashes(batch, columns), (row) => displayKey(keyPartsAt(readers, row)!));
}

describe('KeyHashSet', () => {
  it('holds 200,000 keys exactly through growth, and tells repeats apart', () => {
    const set = new KeyHashSet(true);
    const rows = Array.from({ length: 200_000 }, (_, i) => [BigInt(i)]);
    const batch = batchOf([idCol('id')], rows);
    const hashes = keyHashes(batch, ['id']);
    const view = new DataView(hashes.buffer);
    for (let off = 0; off < hashes.length; off += KEY_HASH_BYTES)
      expect(set.insert(view, off)).toBe(SEEN.new);
    expect(set.size).toBe(200_000);
    expect(set.insert(view, 0)).toBe(SEEN.once);
    expect(set.insert(view, 0)).toBe(SEEN.more);
    expect(set.has(view, 16 * 123_456)).toBe(true);
    const counts = [...set.entries()].map(([, c]) => c);
    expect(counts.filter((c) => c === 3)).toHaveLength(1);
    // Memory is bounded by the keys: ≤ 64 bytes per key here.
    expect(set.bytes / set.size).toBeLessThan(64);
  });
});

describe('DuplicateCheck', () => {
  it('counts duplicate rows and keys across batches, skips NULL keys, shows the smallest examples', () => {
    const cols = [textCol('email'), textCol('name')];
    const check = new DuplicateCheck();
    feed(
      check,
      batchOf(cols, [
        ['a@x', 'A'],
        ['b@x', 'B'],
        ['a@x', 'A'],
        [null, 'N'],
      ]),
      ['email', 'name'],
    );
    feed(
      check,
      batchOf(cols, [
        ['a@x', 'A'],
        ['b@x', 'B'],
        ['b@x', 'other'],
        [null, 'N'],
      ]),
      ['email', 'name'],
    );
    expect(check.result()).toEqual({
      rows: 8,
      nullRows: 2,
      distinct: 3,
      duplicateRows: 3,
      duplicateKeys: 2,
      examples: ['(a@x, A)', '(b@x, B)'],
    });
  });

  it('a key of different integer widths and decimal spellings hashes alike', () => {
    const a = batchOf([idCol('x', 32)], [[7]]);
    const b = batchOf([idCol('x', 64)], [[7n]]);
    expect(keyHashes(a, ['x'])).toEqual(keyHashes(b, ['x']));
    const dec = (v: string) =>
      keyHashes(
        batchOf(
          [
            {
              name: 'd',
              type: { kind: 'decimal', precision: 10, scale: 2 },
              nullable: true,
              nativeType: 'D',
            },
          ],
          [[v]],
        ),
        ['d'],
      );
    expect(dec('12.50')).toEqual(dec('12.5'));
  });
});

describe('integer keys stored as themselves', () => {
  const text = (v: string | null) =>
    keyHashes(batchOf([{ name: 't', type: { kind: 'text' }, nullable: true, nativeType: 'T' }], [[v]]), [
      't',
    ]);
  const int = (v: bigint | number | null, bits: 32 | 64 = 64) =>
    keyHashes(batchOf([idCol('x', bits)], [[v]]), ['x']);

  it('gives an integer the same bytes whatever the column type holds its canonical text', () => {
    expect(int(12)).toEqual(int(12n));
    expect(int(12, 32)).toEqual(text('12'));
    expect(int(-7n)).toEqual(text('-7'));
  });

  it('keeps distinct keys distinct: non-canonical spellings, the sign, both ends of the range', () => {
    expect(text('012')).not.toEqual(text('12'));
    expect(text('-0')).not.toEqual(int(0n));
    expect(int(-1n)).not.toEqual(text('18446744073709551615'));
    expect(int(-(2n ** 63n))).not.toEqual(text('9223372036854775808'));
    // Beyond 64 bits the text is hashed, still distinct from its low 64 bits.
    expect(text('18446744073709551616')).not.toEqual(int(0n));
  });

  it('counts structured integer keys exactly (multiples of 2^20: their low words alone would share slots)', () => {
    const check = new DuplicateCheck();
    const rows = Array.from({ length: 20_000 }, (_, i) => [BigInt(i % 15_000) << 20n]);
    feed(check, batchOf([idCol('id')], rows), ['id']);
    expect(check.result()).toMatchObject({
      rows: 20_000,
      distinct: 15_000,
      duplicateRows: 5_000,
      duplicateKeys: 5_000,
    });
  });

  it('never gives a key the all-zero NULL marker', () => {
    expect([...int(0n)].some((b) => b !== 0)).toBe(true);
    expect([...int(null)].every((b) => b === 0)).toBe(true);
  });
});

describe('OrphanCheck', () => {
  const parentKeys = () => {
    const d = new DuplicateCheck();
    feed(d, batchOf([idCol('id')], [[1n], [2n], [3n]]), ['id']);
    return d.keys;
  };

  it('immediate: counts child rows with no parent key; NULL references are not orphans', () => {
    const check = new OrphanCheck(parentKeys(), 'immediate');
    feed(check, batchOf([idCol('parent')], [[1n], [9n], [2n], [null], [9n], [12n]]), ['parent']);
    expect(check.result()).toEqual({
      rows: 6,
      nullRows: 1,
      orphanRows: 3,
      orphanKeys: 2,
      examples: ['9', '12'],
    });
  });

  it('deferred (self-reference): checks at the end against the keys read meanwhile', () => {
    // employees(id, manager) where manager 5 never appears as an id.
    const ids = new DuplicateCheck();
    const check = new OrphanCheck(ids.keys, 'deferred');
    const cols = [idCol('id'), idCol('manager')];
    const first = batchOf(cols, [
      [1n, 2n],
      [2n, null],
      [3n, 5n],
    ]);
    const second = batchOf(cols, [
      [4n, 3n],
      [6n, 5n],
    ]);
    for (const b of [first, second]) {
      feed(check, b, ['manager']);
      feed(ids, b, ['id']);
    }
    expect(check.result()).toEqual({ rows: 5, nullRows: 1, orphanRows: 2, orphanKeys: 1, examples: ['5'] });
  });
});

describe('SmallestTexts', () => {
  it('keeps the smallest distinct texts whatever the order they come in', () => {
    const a = new SmallestTexts(3);
    const b = new SmallestTexts(3);
    const texts = ['20', '3', '100', '3', '7', '15'];
    for (const t of texts) a.offer(t);
    for (const t of [...texts].reverse()) b.offer(t);
    expect(a.values()).toEqual(['3', '7', '15']);
    expect(b.values()).toEqual(a.values());
  });
});
