import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Column } from '../core/index.js';
import { BatchBuilder, batchFromIPC, batchRows, batchToIPC, type JsValue } from '../formats/index.js';
import {
  compileTransform,
  describeRules,
  describeTransform,
  parseTableMapping,
  type RejectedRow,
  targetColumnsOf,
  transformBatches,
} from './index.js';

/** The acceptance scenario: users → customers. */
const CONFIG = `
tables:
  - name: users
    target_name: customers
    columns:
      id:
        uuid_v5: { namespace: 1b671a64-40d5-491e-99b0-da01ff1f3341, from: user_id }
      first_name:
        split: { from: full_name, part: first, on: " ", one_word: first_name_only, extra_words: to_last }
      last_name:
        split: { from: full_name, part: last, on: " ", one_word: first_name_only, extra_words: to_last }
      email: { trim: true, case: lower }
      is_active:
        from: status
        map: { A: true, I: false }
        else: reject
      country:
      created_at:
        timezone: { from: Europe/Berlin, to: UTC, gap: reject, overlap: earliest }
    rules:
      - not_null: country
      - name: email_format
        regex: { column: email, pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }
`;

const USERS: Column[] = [
  { name: 'user_id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'full_name', type: { kind: 'text' }, nullable: false, nativeType: 'VARCHAR' },
  { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  { name: 'status', type: { kind: 'text', maxLength: 1 }, nullable: false, nativeType: 'VARCHAR(1)' },
  { name: 'country', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  { name: 'created_at', type: { kind: 'timestamp', tz: false }, nullable: false, nativeType: 'TIMESTAMP' },
];

const micros = (iso: string) => BigInt(Date.parse(`${iso}Z`)) * 1000n;

/** UUID v5 written out step by step from RFC 4122, independently of transform/hashing.ts. */
function referenceUuid5(namespace: string, name: string): string {
  const h = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name)
    .digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function batchOf(rows: (JsValue | null)[][]) {
  const b = new BatchBuilder(USERS, rows.length);
  for (const r of rows) b.appendRow(r);
  return b.finish();
}

const NS = '1b671a64-40d5-491e-99b0-da01ff1f3341';

describe('classic mapping users → customers', () => {
  const entry = (parse(CONFIG) as { tables: unknown[] }).tables[0];
  const t = parseTableMapping(entry, 'tables[0]', USERS);

  it('plans target columns with types and nullability, and survives JSON (the plan)', () => {
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
    expect(targetColumnsOf(t, USERS).map((c) => [c.name, c.nativeType, c.nullable])).toEqual([
      ['id', 'uuid', false],
      ['first_name', 'text', true],
      ['last_name', 'text', true],
      ['email', 'text', true],
      ['is_active', 'bool', false],
      ['country', 'VARCHAR', false],
      ['created_at', 'timestamptz', false],
    ]);
  });

  it('maps every value exactly and rejects bad rows with reasons', async () => {
    const compiled = compileTransform(t, USERS, {});
    const source = batchOf([
      [1n, 'Ana Smith', '  Ana.Smith@Example.COM ', 'A', 'PT', micros('2024-01-15T10:00:00.123456')],
      [2n, 'Bo', 'bo@example.com', 'I', 'DE', micros('2024-07-01T00:30:00')],
      [3n, 'Chen Li Wei', 'chen@example.com', 'A', 'US', micros('2024-10-27T02:30:00')],
      [97n, 'Dário Núñez', 'user97.example.com', 'A', 'JP', micros('2024-01-01T00:00:00')],
      [101n, 'Émile Müller', 'e@example.com', 'A', null, micros('2024-01-01T00:00:00')],
      [102n, 'Farah Okafor', 'f@example.com', 'X', 'BR', micros('2024-01-01T00:00:00')],
      [103n, 'Günter Silva', 'g@example.com', 'A', 'FR', micros('2024-03-31T02:30:00')],
    ]);
    const rejects: RejectedRow[] = [];
    const out = [];
    // Through IPC, as batches reach a pool thread.
    async function* one() {
      yield batchFromIPC(batchToIPC(source));
    }
    const context = { table: 'users', partition: 'users#0', keyColumns: ['user_id'] };
    for await (const b of transformBatches(compiled, one(), context, (r) => void rejects.push(...r)))
      out.push(b);
    expect(out).toHaveLength(1);
    expect(batchRows(out[0]!)).toEqual([
      [
        referenceUuid5(NS, '1'),
        'Ana',
        'Smith',
        'ana.smith@example.com',
        true,
        'PT',
        micros('2024-01-15T09:00:00.123456'),
      ],
      [referenceUuid5(NS, '2'), 'Bo', null, 'bo@example.com', false, 'DE', micros('2024-06-30T22:30:00')],
      // 02:30 happens twice that night in Berlin: `overlap: earliest` takes the first (CEST, +02:00).
      [
        referenceUuid5(NS, '3'),
        'Chen',
        'Li Wei',
        'chen@example.com',
        true,
        'US',
        micros('2024-10-27T00:30:00'),
      ],
    ]);
    expect(rejects.map((r) => [r.key, r.rule, r.column])).toEqual([
      ['user_id=97', 'email_format', 'email'],
      ['user_id=101', 'not_null(country)', 'country'],
      ['user_id=102', 'map', 'is_active'],
      ['user_id=103', 'timezone', 'created_at'],
    ]);
    expect(rejects[0]!.reason).toBe(
      'users.email, key user_id=97: value "user97.example.com" does not match /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/ [rule email_format]',
    );
    expect(rejects[1]!.reason).toBe(
      'users.country, key user_id=101: value NULL where a value is required [rule not_null(country)]',
    );
    expect(rejects[2]!.reason).toBe(
      'users.is_active, key user_id=102: value "X" has no entry in the value map (map.else is reject) [rule map]',
    );
    expect(rejects[3]!.reason).toBe(
      'users.created_at, key user_id=103: value 2024-03-31 02:30:00.000000 does not exist in Europe/Berlin ' +
        '(skipped by a daylight-saving change; timezone.gap is reject) [rule timezone]',
    );
    expect(rejects[0]!.row).toEqual({
      user_id: '97',
      full_name: 'Dário Núñez',
      email: 'user97.example.com',
      status: 'A',
      country: 'JP',
      created_at: '2024-01-01 00:00:00.000000',
    });
  });

  it('describes itself for the data-mapping document', () => {
    expect(
      describeTransform(t, USERS).map((r) => [
        r.target,
        r.targetType,
        r.sources.map((s) => s.column).join('+'),
        r.rule,
      ]),
    ).toEqual([
      ['id', 'uuid', 'user_id', `uuid v5 of user_id in namespace ${NS}`],
      [
        'first_name',
        'text',
        'full_name',
        'split full_name on " ": first part; one word: first_name_only; 3+ words: to_last',
      ],
      [
        'last_name',
        'text',
        'full_name',
        'split full_name on " ": last part; one word: first_name_only; 3+ words: to_last',
      ],
      ['email', 'text', 'email', 'trim; lower case'],
      ['is_active', 'bool', 'status', 'rename from status; map "A" → "true", "I" → "false", else reject'],
      ['country', 'text', 'country', 'copy'],
      [
        'created_at',
        'timestamptz',
        'created_at',
        'time zone Europe/Berlin → UTC (gap: reject, overlap: earliest)',
      ],
    ]);
    expect(describeRules(t)).toEqual([
      { name: 'not_null(country)', text: 'country must not be NULL' },
      { name: 'email_format', text: 'email matches /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/' },
    ]);
  });

  it('gives the same ids on every run and in every table that derives them from the same key', () => {
    const orders: Column[] = [
      { name: 'order_id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
      { name: 'user_id', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'INTEGER' },
    ];
    const ot = parseTableMapping(
      { columns: { order_id: null, customer_id: { uuid_v5: { namespace: NS, from: 'user_id' } } } },
      'tables[1]',
      orders,
    );
    const b = new BatchBuilder(orders, 1);
    b.appendRow([10n, 1]);
    const { batch } = compileTransform(ot, orders, {}).apply(b.finish(), {
      table: 'orders',
      partition: 'orders#0',
      keyColumns: ['order_id'],
    });
    expect(batchRows(batch)).toEqual([[10n, referenceUuid5(NS, '1')]]);
  });
});
