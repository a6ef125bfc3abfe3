import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column, LogicalType } from '../core/index.js';
import {
  BatchBuilder,
  DATE_NEG_INFINITY,
  DATE_POS_INFINITY,
  type JsValue,
  nestList,
  type PgCodec,
  PgCopyDecoder,
  PgCopyEncoder,
  TIMESTAMP_NEG_INFINITY,
  TIMESTAMP_POS_INFINITY,
  wireLogicalType,
} from '../formats/index.js';
import { ChecksumAccumulator } from './checksum.js';
import { PgCanonicalRowChecksum, pgCanonicalColumns } from './pg-canonical-rows.js';

/** Every wire form hashed from the wire, with values that reach its edges. */
const CASES: [PgCodec['wire'], fc.Arbitrary<JsValue>][] = [
  ['bool', fc.boolean()],
  ['int2', fc.integer({ min: -32768, max: 32767 })],
  ['int4', fc.integer()],
  ['int8', fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  ['float4', fc.float()],
  ['float8', fc.double()],
  [
    'numeric',
    fc.oneof(
      fc
        .tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,120}$/), fc.stringMatching(/^[0-9]{0,60}$/))
        .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '0', '0.000', '-0.5', '10000', '0.0001'),
    ),
  ],
  ['text', fc.string({ unit: 'grapheme', maxLength: 80 })],
  ['bytea', fc.uint8Array({ maxLength: 80 })],
  ['uuid', fc.uuid()],
  [
    'date',
    fc.oneof(
      fc.integer({ min: -2_400_000, max: 2_400_000 }),
      fc.constantFrom(DATE_POS_INFINITY, DATE_NEG_INFINITY),
    ),
  ],
  ['time', fc.bigInt({ min: 0n, max: 86_400_000_000n })],
  [
    'timestamp',
    fc.oneof(
      fc.bigInt({ min: -210_866_803_200_000_000n, max: 9_222_000_000_000_000_000n }),
      fc.constantFrom(TIMESTAMP_POS_INFINITY, TIMESTAMP_NEG_INFINITY),
    ),
  ],
  ['timestamptz', fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n })],
];

const codecs: PgCodec[] = CASES.map(([wire]) => ({ wire, dims: 0 }));
const columns: Column[] = CASES.map(([wire], i) => ({
  name: `c${i}_${wire}`,
  type: wireLogicalType(wire),
  nullable: true,
  nativeType: wire,
}));

function stream(rows: (JsValue | null)[][]): Uint8Array {
  const b = new BatchBuilder(columns, Math.max(1, rows.length));
  for (const r of rows) b.appendRow(r);
  const enc = new PgCopyEncoder(codecs, { names: columns.map((c) => c.name) });
  return Buffer.concat([enc.header(), enc.encode(b.finish()), enc.trailer()]);
}

/** The checksum the Arrow path gives: decode into batches, then hash them. */
function viaArrow(bytes: Uint8Array) {
  const dec = new PgCopyDecoder(columns, codecs, { batchRows: 7 });
  dec.push(bytes);
  const acc = new ChecksumAccumulator();
  for (const batch of dec.end()) acc.addBatch(batch);
  return acc.result();
}

function fromWire(bytes: Uint8Array, cuts: number[] = [], cols = columns, cs = codecs) {
  const c = new PgCanonicalRowChecksum(
    cols.map((col, i) => ({ name: col.name, type: col.type, codec: cs[i]! })),
  );
  let from = 0;
  for (const cut of [...cuts.filter((x) => x <= bytes.length).sort((a, b) => a - b), bytes.length]) {
    c.push(bytes.subarray(from, cut));
    from = cut;
  }
  return c.end();
}

describe('PgCanonicalRowChecksum', () => {
  it('gives the checksum of decoding into Arrow and hashing the batches, for every type and NULL', () => {
    const row = fc.tuple(...CASES.map(([, arb]) => fc.option(arb, { nil: null })));
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 30 }),
        fc.array(fc.nat(4000), { maxLength: 5 }),
        (rows, cuts) => {
          const bytes = stream(rows);
          expect(fromWire(bytes, cuts)).toEqual(viaArrow(bytes));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('hashes int8 beyond 2^53, NaN, -0 and ±infinity like the Arrow path', () => {
    const edge = CASES.map(() => null as JsValue | null);
    const at = (wire: string) => CASES.findIndex(([w]) => w === wire);
    const rows = [
      edge.map((_, i) => (i === at('int8') ? 2n ** 63n - 1n : i === at('float8') ? -0 : null)),
      edge.map((_, i) => (i === at('int8') ? -(2n ** 63n) : i === at('float4') ? Number.NaN : null)),
      edge.map((_, i) =>
        i === at('timestamp') ? TIMESTAMP_NEG_INFINITY : i === at('date') ? DATE_POS_INFINITY : null,
      ),
    ];
    const bytes = stream(rows);
    expect(fromWire(bytes)).toEqual(viaArrow(bytes));
    expect(fromWire(bytes).rows).toBe('3');
  });

  it('refuses columns whose values are formatted while decoding', () => {
    const one = (type: LogicalType, codec: PgCodec) => pgCanonicalColumns([{ name: 'x', type, codec }]);
    expect(one({ kind: 'int', bits: 32 }, { wire: 'int4', dims: 0 })).toBe(true);
    expect(one({ kind: 'json' }, { wire: 'text', dims: 0 })).toBe(false);
    expect(one({ kind: 'json', binary: true }, { wire: 'jsonb', dims: 0 })).toBe(false);
    expect(one({ kind: 'interval' }, { wire: 'interval', dims: 0 })).toBe(false);
    expect(one({ kind: 'text' }, { wire: 'timetz', dims: 0 })).toBe(false);
    expect(one({ kind: 'text' }, { wire: 'bit', dims: 0 })).toBe(false);
    expect(one({ kind: 'decimal' }, { wire: 'money', dims: 0 })).toBe(false);
    expect(one(nestList({ kind: 'int', bits: 32 }, 1), { wire: 'int4', dims: 1 })).toBe(false);
    expect(one({ kind: 'int', bits: 8 }, { wire: 'int2', dims: 0, integer: 'int8' })).toBe(false);
    expect(() =>
      fromWire(
        new Uint8Array(),
        [],
        [{ ...columns[0]!, type: { kind: 'json' } }],
        [{ wire: 'text', dims: 0 }],
      ),
    ).toThrow(/cannot be hashed from the wire/);
  });

  it('names the column of a value of the wrong width, and a stream that ends early', () => {
    const bytes = stream([CASES.map(() => null)]);
    const header = bytes.subarray(0, 19);
    // One row of one int4 field that is 2 bytes long.
    const bad = Buffer.concat([header, Uint8Array.from([0, 1, 0, 0, 0, 2, 0, 7, 0xff, 0xff])]);
    const int4 = [
      { name: 'n', type: { kind: 'int', bits: 32 } as LogicalType, nullable: true, nativeType: 'int4' },
    ];
    let err: unknown;
    try {
      fromWire(bad, [], int4, [{ wire: 'int4', dims: 0 }]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'DATA', context: { column: 'n' } });
    expect(String(err)).toMatch(/invalid int4 value in binary COPY data \(2 bytes\)/);
    expect(() => fromWire(bytes.subarray(0, bytes.length - 2))).toThrow(/ended early/);
  });

  it('refuses a timestamp past int64 microseconds since 1970, as the decoder does', () => {
    const header = stream([]).subarray(0, 19);
    const late = Uint8Array.from([0, 1, 0, 0, 0, 8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0xff, 0xff]);
    const bytes = Buffer.concat([header, late]);
    const ts = [
      {
        name: 't',
        type: { kind: 'timestamp', tz: false } as LogicalType,
        nullable: true,
        nativeType: 'timestamp',
      },
    ];
    expect(() => fromWire(bytes, [], ts, [{ wire: 'timestamp', dims: 0 }])).toThrow(/294247/);
  });
});
