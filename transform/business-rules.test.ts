import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { BatchBuilder, batchRows, type JsValue } from '../formats/index.js';
import {
  canonicalKeyText,
  compileTransform,
  parentKeyId,
  parseTableMapping,
  partitionRuleScope,
  type RejectedRow,
  transformBatches,
} from './index.js';

const SRC: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'TEXT' },
  {
    name: 'amount',
    type: { kind: 'decimal', precision: 20, scale: 2 },
    nullable: true,
    nativeType: 'DECIMAL(20,2)',
  },
  { name: 'country', type: { kind: 'text' }, nullable: true, nativeType: 'TEXT' },
  { name: 'parent', type: { kind: 'int', bits: 32 }, nullable: true, nativeType: 'INTEGER' },
  { name: 'updated', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'TIMESTAMPTZ' },
];
type Row = [bigint, string | null, string | null, string | null, number | null, bigint | null];
const CTX = { table: 'public.users', partition: 'public.users#0', keyColumns: ['id'] };

function batches(rows: Row[], size: number) {
  const out = [];
  for (let i = 0; i < rows.length; i += size) {
    const b = new BatchBuilder(SRC, size);
    for (const r of rows.slice(i, i + size)) b.appendRow(r as (JsValue | null)[]);
    out.push(b.finish());
  }
  return out;
}

async function run(
  mapping: object,
  rows: Row[],
  options: { parentKeys?: Map<string, Set<string>>; size?: number } = {},
) {
  const t = parseTableMapping(mapping, 'tables[0]', SRC);
  const compiled = compileTransform(t, SRC, {}, options.parentKeys ? { parentKeys: options.parentKeys } : {});
  const rejects: RejectedRow[] = [];
  const out: (JsValue | null)[][] = [];
  async function* source() {
    yield* batches(rows, options.size ?? 2);
  }
  for await (const b of transformBatches(compiled, source(), CTX, (r) => void rejects.push(...r)))
    out.push(...batchRows(b));
  return { ids: out.map((r) => r[0]), rejects: rejects.map((r) => [r.key, r.rule, r.reason]), raw: rejects };
}

const row = (
  id: number,
  over: Partial<{
    email: string | null;
    amount: string | null;
    country: string | null;
    parent: number | null;
    updated: bigint | null;
  }> = {},
): Row => [
  BigInt(id),
  over.email === undefined ? `u${id}@x.org` : over.email,
  over.amount === undefined ? '1.00' : over.amount,
  over.country === undefined ? 'DE' : over.country,
  over.parent === undefined ? 1 : over.parent,
  over.updated === undefined ? BigInt(id) : over.updated,
];

describe('row rules', () => {
  it('not_null names every required column', async () => {
    const r = await run({ rules: [{ not_null: ['email', 'country'] }] }, [
      row(1),
      row(2, { country: null }),
      row(3, { email: null }),
    ]);
    expect(r.ids).toEqual([1n]);
    expect(r.rejects).toEqual([
      [
        'id=2',
        'not_null(email, country)',
        'public.users.country, key id=2: value NULL where a value is required [rule not_null(email, country)]',
      ],
      [
        'id=3',
        'not_null(email, country)',
        'public.users.email, key id=3: value NULL where a value is required [rule not_null(email, country)]',
      ],
    ]);
  });

  it('range compares decimals exactly, inclusive, and lets NULL pass', async () => {
    const r = await run({ rules: [{ range: { column: 'amount', min: '0', max: '99999999999999999.99' } }] }, [
      row(1, { amount: '0.00' }),
      row(2, { amount: '-0.01' }),
      row(3, { amount: '99999999999999999.99' }),
      row(4, { amount: '100000000000000000.00' }),
      row(5, { amount: null }),
    ]);
    expect(r.ids).toEqual([1n, 3n, 5n]);
    expect(r.rejects.map((x) => x[2])).toEqual([
      'public.users.amount, key id=2: value -0.01 is below the minimum 0 [rule range(amount)]',
      'public.users.amount, key id=4: value 100000000000000000.00 is above the maximum 99999999999999999.99 [rule range(amount)]',
    ]);
  });

  it('regex and allowed values check the cleaned target value', async () => {
    const mapping = {
      columns: { id: null, email: { trim: true, case: 'lower' }, country: { case: 'upper' } },
      rules: [
        { name: 'email_format', regex: { column: 'email', pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' } },
        { allowed: { column: 'country', values: ['DE', 'FR'] } },
      ],
    };
    const r = await run(mapping, [
      row(1, { email: ' A@B.ORG ', country: 'de' }),
      row(2, { email: 'a@b' }),
      row(3, { country: 'US' }),
    ]);
    expect(r.ids).toEqual([1n]);
    expect(r.rejects.map((x) => x[2])).toEqual([
      'public.users.email, key id=2: value "a@b" does not match /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/ [rule email_format]',
      'public.users.country, key id=3: value "US" is not one of the allowed values (DE, FR) [rule allowed(country)]',
    ]);
  });

  it('references checks parent keys supplied at compile time', async () => {
    const mapping = {
      rules: [{ references: { column: 'parent', table: 'public.accounts', key: 'account_id' } }],
    };
    const parentKeys = new Map([
      [
        parentKeyId('public.accounts', 'account_id'),
        new Set([canonicalKeyText(1, { kind: 'int', bits: 32 })]),
      ],
    ]);
    const r = await run(mapping, [row(1), row(2, { parent: 2 }), row(3, { parent: null })], { parentKeys });
    expect(r.ids).toEqual([1n, 3n]);
    expect(r.rejects.map((x) => x[2])).toEqual([
      'public.users.parent, key id=2: value 2 has no parent row in public.accounts.account_id [rule references(parent → public.accounts.account_id)]',
    ]);
    await expect(run(mapping, [row(1)])).rejects.toThrow(/needs the keys of public.accounts.account_id/);
  });

  it('hides the value of a masked column in reasons', async () => {
    const r = await run(
      {
        columns: { id: null, email: { mask: 'redact' } },
        rules: [{ regex: { column: 'email', pattern: '^u' } }],
      },
      [row(1, { email: 'secret@x' })],
    );
    expect(r.rejects[0]![2]).toBe(
      'public.users.email, key id=1: value (masked) does not match /^u/ [rule regex(email)]',
    );
  });
});

describe('partition rules', () => {
  it('unique rejects every row of a duplicated value, across batches, and ignores NULLs', async () => {
    const rows = [
      row(1, { email: 'a@x.org' }),
      row(2, { email: 'b@x.org' }),
      row(3, { email: 'A@x.org ' }),
      row(4, { email: null }),
      row(5, { email: null }),
    ];
    const r = await run(
      { columns: { id: null, email: { trim: true, case: 'lower' } }, rules: [{ unique: 'email' }] },
      rows,
    );
    expect(r.ids).toEqual([2n, 4n, 5n]);
    expect(r.rejects.map((x) => x.slice(0, 2))).toEqual([
      ['id=1', 'unique(email)'],
      ['id=3', 'unique(email)'],
    ]);
    expect(r.rejects[1]![2]).toBe(
      'public.users.email, key id=3: value "a@x.org" occurs in 2 rows of partition public.users#0 (all of them are rejected) [rule unique(email)]',
    );
    expect(r.raw[1]!.row).toMatchObject({ id: '3', email: 'A@x.org ' });
  });

  it('dedupe keeps the last (or first) row by a column, whatever the read order', async () => {
    const rows = [
      row(1, { email: 'a', updated: 30n }),
      row(2, { email: 'b', updated: 10n }),
      row(3, { email: 'a', updated: 50n }),
      row(4, { email: 'a', updated: null }),
      row(5, { email: 'b', updated: 20n }),
      row(6, { email: null }),
    ];
    const last = { dedupe: { key: 'email', keep: 'last', by: 'updated' } };
    for (const order of [rows, [...rows].reverse()]) {
      const r = await run(last, order, { size: 4 });
      expect([...r.ids].sort()).toEqual([3n, 5n, 6n]);
      expect(r.rejects.map((x) => x[0]).sort()).toEqual(['id=1', 'id=2', 'id=4']);
    }
    const r = await run(last, rows);
    expect(r.rejects.find((x) => x[0] === 'id=1')![2]).toBe(
      'public.users.email, key id=1: value "a" duplicates the row with key id=3, which is kept (keep: last by updated) [rule dedupe(email)]',
    );
    const first = await run({ dedupe: { key: 'email', keep: 'first', by: 'updated' } }, rows);
    expect(first.ids).toEqual([1n, 2n, 6n]);
    // Without `by`, ties are broken by the row values, so re-runs in any order agree.
    const plain = await run({ dedupe: { key: 'email', keep: 'first' } }, [...rows].reverse());
    expect([...plain.ids].sort()).toEqual([1n, 2n, 6n]);
  });

  it('says when unique and dedupe are exact over the whole table', () => {
    const t = parseTableMapping(
      {
        columns: { id: null, email: { case: 'lower' } },
        rules: [{ unique: 'id' }, { unique: 'email' }],
        dedupe: { key: ['id', 'email'], keep: 'first' },
      },
      'tables[0]',
      SRC,
    );
    expect(partitionRuleScope(t, ['id'], 8)).toEqual([
      { rule: 'unique(id)', scope: 'table' },
      { rule: 'unique(email)', scope: 'partition' },
      { rule: 'dedupe(id, email)', scope: 'table' },
    ]);
    expect(partitionRuleScope(t, [], 1).every((s) => s.scope === 'table')).toBe(true);
  });
});
