import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../../core/index.js';
import { BatchBuilder } from '../batch-builder.js';
import { batchRows } from '../column-reader.js';
import { nestList, type PgCodec, type PgWire, wireLogicalType } from './codec.js';
import { PgCopyDecoder } from './decoder.js';
import { PgCopyEncoder } from './encoder.js';
import { formatTimestamp } from '../key-text.js';
import { ARRAYS, BAD_ARRAYS, SCALARS, SPECIAL, TIMESTAMP_MAX } from './fixtures.test-data.js';
import {
  DATE_NEG_INFINITY,
  DATE_POS_INFINITY,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
} from './temporal.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

function setup(wires: (PgWire | [PgWire, number])[], extra: Partial<PgCodec>[] = []) {
  const codecs: PgCodec[] = wires.map((w, i) =>
    typeof w === 'string' ? { wire: w, dims: 0, ...extra[i] } : { wire: w[0], dims: w[1], ...extra[i] },
  );
  const columns: Column[] = codecs.map((c, i) => ({
    name: `c${i}`,
    type: nestList(wireLogicalType(c.wire), c.dims) as LogicalType,
    nullable: true,
    nativeType: c.wire,
  }));
  return { codecs, columns };
}

function decodeAll(
  bytes: Uint8Array,
  wires: (PgWire | [PgWire, number])[],
  chunk = bytes.length,
  perBatch = 100,
) {
  const { codecs, columns } = setup(wires);
  const d = new PgCopyDecoder(columns, codecs, { batchRows: perBatch });
  const batches = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    d.push(bytes.subarray(i, i + chunk));
    batches.push(...d.take());
  }
  batches.push(...d.end());
  return { batches, rows: batches.flatMap(batchRows), codecs };
}

const SCALAR_WIRES: PgWire[] = [
  'int2',
  'int4',
  'int8',
  'bool',
  'float4',
  'float8',
  'text',
  'bytea',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'uuid',
  'jsonb',
  'text',
  'numeric',
];
const SPECIAL_WIRES: PgWire[] = [
  'numeric',
  'numeric',
  'interval',
  'timetz',
  'inet',
  'cidr',
  'inet',
  'macaddr',
  'macaddr8',
  'bit',
  'bit',
  'money',
  'text',
  'oid',
  'text',
  'text',
  'text',
];
const us = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('PgCopyDecoder on PostgreSQL fixtures', () => {
  it('decodes every scalar type with edge values', () => {
    const { rows } = decodeAll(hex(SCALARS), SCALAR_WIRES);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual([
      1,
      1,
      1n,
      true,
      1.5,
      2.5,
      'héllo',
      Uint8Array.from([0, 255]),
      19782,
      45296789012n,
      us('2024-01-01T00:00:00Z') + 123456n,
      us('2024-01-01T00:00:00Z') + 1n,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      '{"a": [1, 2], "b": 1}',
      '{"b":1,"a":[1,2]}',
      '12.50',
    ]);
    const r1 = rows[1]!;
    expect(r1.slice(0, 4)).toEqual([-32768, -2147483648, -9223372036854775808n, false]);
    expect(Number.isNaN(r1[4])).toBe(true);
    expect(Object.is(r1[5], -0)).toBe(true);
    expect(r1.slice(6, 16)).toEqual([
      '',
      new Uint8Array(0),
      DATE_POS_INFINITY,
      86_400_000_000n,
      TIMESTAMP_NEG_INFINITY,
      TIMESTAMP_POS_INFINITY,
      '00000000-0000-0000-0000-000000000000',
      '[]',
      ' [ ] ',
      '-0.000001',
    ]);
    expect(rows[2]).toEqual([
      32767,
      2147483647,
      9223372036854775807n,
      null,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      null,
      null,
      DATE_NEG_INFINITY,
      0n,
      BigInt(Date.UTC(-43, 2, 15, 12)) * 1000n,
      us('1999-12-31T23:59:59.999Z') + 999n,
      null,
      'null',
      null,
      'NaN',
    ]);
    // 4713-01-01 BC is day -2440588 - 1 + … : Julian day 0 is 4714-11-24 BC, 4713-01-01 BC is JD 38.
    expect(rows[3]![8]).toBe(38 - 2440588);
    expect(formatTimestamp(rows[3]![10] as bigint)).toBe('294246-12-31 23:59:59.999999');
    expect(rows[3]![15]).toBe('123456789012345678901234567890.000000000000000000001');
  });

  it('decodes text-carried types in their documented text forms', () => {
    const { rows } = decodeAll(hex(SPECIAL), SPECIAL_WIRES);
    expect(rows[0]).toEqual([
      'Infinity',
      '-Infinity',
      '1 year 2 mons 3 days 04:05:06.789',
      '12:00:00.5+05:30',
      '192.168.0.1',
      '10.0.0.0/8',
      '2001:db8::1/64',
      '08:00:2b:01:02:03',
      '08:00:2b:ff:fe:01:02:03',
      '1011',
      '101',
      '-12.34',
      '<a>x</a>',
      12345n,
      'abc  ',
      'xyz',
      'nm',
    ]);
    expect(rows[1]).toEqual([
      '0',
      '100000000',
      '-1 days +00:00:00.5',
      '00:00:00-08',
      '::ffff:1.2.3.4',
      '::/0',
      '::1',
      '00:00:00:00:00:00',
      null,
      '0000',
      '',
      '0.00',
      null,
      4294967295n,
      null,
      '',
      null,
    ]);
  });

  it('decodes arrays with NULL elements, empty arrays and two dimensions', () => {
    const { rows } = decodeAll(hex(ARRAYS), [
      ['int4', 1],
      ['int8', 2],
      ['text', 1],
      ['numeric', 1],
      ['date', 1],
    ]);
    expect(rows[0]).toEqual([
      [1, null, 3],
      [
        [1n, 2n],
        [3n, 4n],
      ],
      ['a b', null, '', '"q"'],
      [],
      [19723, DATE_POS_INFINITY],
    ]);
    expect(rows[1]).toEqual([[], [[null, 2n]], null, ['1.5', 'NaN'], null]);
  });

  it('refuses arrays it cannot hold exactly, naming the column', () => {
    expect(() =>
      decodeAll(hex(BAD_ARRAYS), [
        ['int4', 1],
        ['int4', 1],
      ]),
    ).toThrow(/lower bound 0/);
    const wrongDims = BAD_ARRAYS.replace('00000024000000010000000000000017000000020000000000000004', '');
    expect(wrongDims).not.toBe(BAD_ARRAYS);
    try {
      decodeAll(hex(SCALARS.slice(0, 0) + BAD_ARRAYS), [
        ['int4', 1],
        ['int4', 2],
      ]);
    } catch (e) {
      expect((e as { context: { column: string } }).context.column).toBe('c0');
    }
  });

  it('refuses a timestamp beyond int64 microseconds since 1970 instead of wrapping it', () => {
    expect(() => decodeAll(hex(TIMESTAMP_MAX), ['timestamp'])).toThrow(/after 294247-01-10/);
  });

  it('gives the same rows whatever the chunk boundaries and batch size', () => {
    const bytes = hex(SCALARS);
    const whole = decodeAll(bytes, SCALAR_WIRES).rows;
    for (const chunk of [1, 2, 3, 7, 19, 64]) {
      const { rows, batches } = decodeAll(bytes, SCALAR_WIRES, chunk, 3);
      expect(batches.map((b) => b.numRows)).toEqual([3, 1]);
      expect(rows).toEqual(whole);
    }
  });

  it('ends a batch early once its rows reach batchBytes, a row larger than that in a batch of its own', () => {
    const codecs: PgCodec[] = [
      { wire: 'int4', dims: 0 },
      { wire: 'text', dims: 0 },
    ];
    const columns: Column[] = [
      { name: 'k', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'int4' },
      { name: 'v', type: { kind: 'text' }, nullable: true, nativeType: 'text' },
    ];
    // Rows of 1,000 text bytes (1,014 on the wire), one of 50,000, one NULL.
    const values = Array.from({ length: 30 }, (_, i) => 'x'.repeat(i === 12 ? 50_000 : 1_000) + (i % 10));
    values[20] = null as never;
    const b = new BatchBuilder(columns, values.length);
    for (const [i, v] of values.entries()) b.appendRow([i, v]);
    const enc = new PgCopyEncoder(codecs, { names: ['k', 'v'] });
    const bytes = Buffer.concat([enc.header(), enc.encode(b.finish()), enc.trailer()]);
    const d = new PgCopyDecoder(columns, codecs, { batchRows: 100, batchBytes: 4_000 });
    d.push(bytes);
    const batches = [...d.take(), ...d.end()];
    // 4 rows of 1,014 bytes reach 4,000; the 50 kB row ends its batch at once; the NULL row (14 bytes) lets a
    // fifth row into its batch.
    expect(batches.map((x) => x.numRows)).toEqual([4, 4, 4, 1, 4, 5, 4, 4]);
    expect(batches.flatMap(batchRows).map((r) => r[1])).toEqual(values);
  });

  it('fails on a stream cut before its trailer', () => {
    const bytes = hex(SCALARS);
    expect(() => decodeAll(bytes.subarray(0, bytes.length - 2), SCALAR_WIRES)).toThrow(/ended early/);
    expect(() => decodeAll(bytes.subarray(0, 100), SCALAR_WIRES)).toThrow(/ended early/);
  });
});

describe('PgCopyEncoder', () => {
  it('re-encodes decoded special types to the same values', () => {
    // Byte identity does not hold here only because PostgreSQL sends numeric ±Infinity with a dscale of 32.
    const bytes = hex(SPECIAL);
    const { batches, rows, codecs } = decodeAll(bytes, SPECIAL_WIRES);
    const enc = new PgCopyEncoder(codecs, { names: codecs.map((_, i) => `c${i}`) });
    const out = Buffer.concat([enc.header(), ...batches.map((b) => enc.encode(b)), enc.trailer()]);
    expect(decodeAll(out, SPECIAL_WIRES).rows).toEqual(rows);
    expect(out.length).toBe(bytes.length);
  });

  for (const [name, fixture, wires, extra] of [
    ['scalars', SCALARS, SCALAR_WIRES, []],
    [
      'arrays',
      ARRAYS,
      [
        ['int4', 1],
        ['int8', 2],
        ['text', 1],
        ['numeric', 1],
        ['date', 1],
      ],
      [
        { elementOid: 23 },
        { elementOid: 20 },
        { elementOid: 25 },
        { elementOid: 1700 },
        { elementOid: 1082 },
      ],
    ],
  ] as const) {
    it(`re-encodes decoded ${name} to PostgreSQL's exact bytes`, () => {
      const bytes = hex(fixture);
      const { batches } = decodeAll(bytes, wires as never, bytes.length, 2);
      const { codecs } = setup(wires as never, extra as never);
      const enc = new PgCopyEncoder(codecs, { names: codecs.map((_, i) => `c${i}`) });
      const out = Buffer.concat([enc.header(), ...batches.map((b) => enc.encode(b)), enc.trailer()]);
      expect(out.toString('hex')).toBe(fixture);
    });
  }
});
