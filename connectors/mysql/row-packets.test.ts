import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChecksumAccumulator } from '../../checksums/index.js';
import type { Column, LogicalType } from '../../core/index.js';
import {
  BatchBuilder,
  batchRows,
  binaryCopyHeader,
  binaryCopyTrailer,
  type PgCodec,
  PgCopyDecoder,
} from '../../formats/index.js';
import { DecodeProblem, decoderFor, invalidUtf8At, sliceDecoder } from './decode.js';
import { parseNativeType } from './native-type.js';
import { RowFailure } from './read-batches.js';
import { fieldLength, headerBytes, splitRow } from './row-packets.js';
import { PgTranscoder, pgFields } from './transcode-pg.js';
import { DEFAULT_READ_TYPES } from './types.js';

/** A text-protocol row payload: each value length-encoded, NULL as 0xfb. */
function rowPayload(values: (Uint8Array | null)[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    if (v === null) parts.push(Buffer.from([0xfb]));
    else {
      const n = v.length;
      const head =
        n < 0xfb
          ? Buffer.from([n])
          : n < 0x10000
            ? Buffer.from([0xfc, n & 255, n >> 8])
            : n < 0x1000000
              ? Buffer.from([0xfd, n & 255, (n >> 8) & 255, n >> 16])
              : Buffer.concat([Buffer.from([0xfe]), Buffer.from(new BigUint64Array([BigInt(n)]).buffer)]);
      parts.push(head, Buffer.from(v));
    }
  }
  return Buffer.concat(parts);
}

describe('text-protocol row packets', () => {
  it('reads every length encoding (1, 3, 4 and 9 header bytes) and NULL', () => {
    const values = [
      Buffer.from('a'),
      null,
      Buffer.alloc(250, 1),
      Buffer.alloc(251, 2),
      Buffer.alloc(70_000, 3),
      Buffer.alloc(0),
    ];
    const buf = Buffer.concat([Buffer.from([9, 9]), rowPayload(values)]);
    expect(splitRow(buf, 2, buf.length)).toEqual(values);
    expect(fieldLength(buf, 2)).toBe(1);
    expect(headerBytes(0xfb)).toBe(1);
    expect(headerBytes(0xfc)).toBe(3);
    expect(headerBytes(0xfd)).toBe(4);
    expect(headerBytes(0xfe)).toBe(9);
    const big = Buffer.from([0xfe, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(fieldLength(big, 0)).toBe(0x1000000);
  });

  it('refuses a row whose last field runs past the packet', () => {
    const buf = rowPayload([Buffer.from('abcdef')]);
    expect(() => splitRow(buf, 0, buf.length - 1)).toThrow(/shorter than its fields/);
  });
});

describe('slice decoders (values decoded where they lie)', () => {
  const cases: [LogicalType, string, fc.Arbitrary<string | Uint8Array>][] = [
    [{ kind: 'int', bits: 32 }, 'int(11)', fc.integer().map(String)],
    [
      { kind: 'int', bits: 64 },
      'bigint(20)',
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
    ],
    [{ kind: 'decimal' }, 'decimal(30,5)', fc.stringMatching(/^-?[0-9]{1,25}\.[0-9]{5}$/)],
    [{ kind: 'text' }, 'varchar(200)', fc.string({ unit: 'grapheme', maxLength: 100 })],
    [{ kind: 'bytes' }, 'varbinary(200)', fc.uint8Array({ maxLength: 100 })],
    [{ kind: 'float', bits: 64 }, 'double', fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)],
    [{ kind: 'date' }, 'date', fc.constantFrom('2024-02-29', '0001-01-01', '9999-12-31')],
  ];
  const columns: Column[] = cases.map(([type, native], i) => ({
    name: `c${i}`,
    type,
    nullable: true,
    nativeType: native,
  }));
  const decoders = cases.map(
    ([type, native]) => decoderFor(type, parseNativeType(native), DEFAULT_READ_TYPES)!,
  );

  it('build the batch that decoding each value as a Buffer builds', () => {
    const row = fc.tuple(...cases.map(([, , arb]) => fc.option(arb, { nil: null })));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const raw = rows.map((r) => r.map((v) => (v === null ? null : Buffer.from(v as string))));
        const plain = new BatchBuilder(columns, 4);
        for (const r of raw) plain.appendRow(r.map((v, c) => (v === null ? null : decoders[c]!(v))));
        const sliced = new BatchBuilder(columns, 4);
        const appends = sliced.columns.map((col, c) => sliceDecoder(decoders[c]!, col).append);
        for (const r of raw) {
          const buf = rowPayload(r);
          let pos = 0;
          for (let c = 0; c < r.length; c++) {
            const len = fieldLength(buf, pos);
            pos += headerBytes(buf[pos]!);
            if (len < 0) sliced.columns[c]!.append(null);
            else {
              appends[c]!(buf, pos, pos + len);
              pos += len;
            }
          }
        }
        expect(batchRows(sliced.finish())).toEqual(batchRows(plain.finish()));
      }),
      { numRuns: 100 },
    );
  });

  it('leave UTF-8 text to the batch check, which finds the bad value even where values together look valid', () => {
    const text = decoderFor({ kind: 'text' }, parseNativeType('varchar(10)'), DEFAULT_READ_TYPES)!;
    const b = new BatchBuilder(
      [{ name: 't', type: { kind: 'text' }, nullable: true, nativeType: 'varchar' }],
      4,
    );
    expect(sliceDecoder(text, b.columns[0]!).deferredUtf8).toBe(true);
    const at = (values: number[][]) => {
      for (const v of values) b.columns[0]!.appendSlice!(Uint8Array.from(v), 0, v.length);
      const d = b.finish().data.children[0]!;
      return invalidUtf8At(d.values as Uint8Array, d.valueOffsets as Int32Array, d.length);
    };
    expect(at([[0x61], [0xc3, 0xa9], []])).toBe(-1);
    // é split across two values: the bytes together are valid UTF-8, each value alone is not.
    expect(at([[0x61], [0xc3], [0xa9]])).toBe(1);
    expect(at([[0x61], [0xff]])).toBe(1);
  });
});

/** MySQL's text of a DATE from 1000-01-01 to 9999-12-31. */
const DATE = fc
  .date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('transcoding row packets into PostgreSQL binary COPY', () => {
  /** Source column, its values, and the PostgreSQL column it goes into (type, codec, logical type decoded). */
  const cases: [string, LogicalType, fc.Arbitrary<string | Uint8Array>, string, PgCodec, LogicalType][] = [
    [
      'tinyint(4)',
      { kind: 'int', bits: 8 },
      fc.integer({ min: -128, max: 127 }).map(String),
      'smallint',
      { wire: 'int2', dims: 0 },
      { kind: 'int', bits: 16 },
    ],
    [
      'int(11)',
      { kind: 'int', bits: 32 },
      fc.integer().map(String),
      'integer',
      { wire: 'int4', dims: 0 },
      { kind: 'int', bits: 32 },
    ],
    [
      'int(10) unsigned',
      { kind: 'int', bits: 32, unsigned: true },
      fc.integer({ min: 0, max: 4294967295 }).map(String),
      'bigint',
      { wire: 'int8', dims: 0 },
      { kind: 'int', bits: 64 },
    ],
    [
      'bigint(20)',
      { kind: 'int', bits: 64 },
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
      'bigint',
      { wire: 'int8', dims: 0 },
      { kind: 'int', bits: 64 },
    ],
    [
      'decimal(30,5)',
      { kind: 'decimal', precision: 30, scale: 5 },
      fc.stringMatching(/^-?[1-9][0-9]{0,24}\.[0-9]{5}$/),
      'numeric(30,5)',
      { wire: 'numeric', dims: 0, precision: 30, scale: 5 },
      { kind: 'decimal' },
    ],
    [
      'varchar(20)',
      { kind: 'text', maxLength: 20 },
      fc.string({ unit: 'grapheme', maxLength: 5 }),
      'character varying(20)',
      { wire: 'text', dims: 0, maxLength: 20 },
      { kind: 'text' },
    ],
    [
      'text',
      { kind: 'text' },
      fc.string({ unit: 'grapheme', maxLength: 300 }),
      'text',
      { wire: 'text', dims: 0 },
      { kind: 'text' },
    ],
    [
      'tinyint(1)',
      { kind: 'bool' },
      fc.constantFrom('0', '1'),
      'boolean',
      { wire: 'bool', dims: 0 },
      { kind: 'bool' },
    ],
    [
      'double',
      { kind: 'float', bits: 64 },
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      'double precision',
      { wire: 'float8', dims: 0 },
      { kind: 'float', bits: 64 },
    ],
    [
      'float',
      { kind: 'float', bits: 32 },
      fc.float({ noNaN: true, noDefaultInfinity: true }).map(String),
      'real',
      { wire: 'float4', dims: 0 },
      { kind: 'float', bits: 32 },
    ],
    ['date', { kind: 'date' }, DATE, 'date', { wire: 'date', dims: 0 }, { kind: 'date' }],
    [
      'datetime(6)',
      { kind: 'timestamp', tz: false },
      fc
        .tuple(DATE, fc.integer({ min: 0, max: 86_399_999_999 }))
        .map(
          ([d, us]) =>
            `${d} ${new Date(us / 1000).toISOString().slice(11, 19)}.${String(us % 1_000_000).padStart(6, '0')}`,
        ),
      'timestamp without time zone',
      { wire: 'timestamp', dims: 0 },
      { kind: 'timestamp', tz: false },
    ],
    [
      'varbinary(300)',
      { kind: 'bytes' },
      fc.uint8Array({ maxLength: 300 }),
      'bytea',
      { wire: 'bytea', dims: 0 },
      { kind: 'bytes' },
    ],
  ];
  const source: Column[] = cases.map(([native, type], i) => ({
    name: `c${i}`,
    type,
    nullable: true,
    nativeType: native,
  }));
  const decoders = source.map((c) => decoderFor(c.type, parseNativeType(c.nativeType), DEFAULT_READ_TYPES)!);
  const natives = cases.map((c) => c[3]);
  const target: Column[] = cases.map(([, , , native, , type], i) => ({
    name: `c${i}`,
    type,
    nullable: true,
    nativeType: native,
  }));
  const codecs = cases.map((c) => c[4]);

  function transcode(rows: (string | Uint8Array | null)[][]) {
    const t = new PgTranscoder(pgFields(source, decoders, natives)!, decoders, 64);
    const chunks = [binaryCopyHeader()];
    for (const r of rows) {
      const buf = rowPayload(r.map((v) => (v === null ? null : Buffer.from(v))));
      t.row(buf, 0, buf.length);
      if (t.full()) chunks.push(t.finish()!);
    }
    const last = t.finish();
    if (last) chunks.push(last);
    chunks.push(binaryCopyTrailer());
    return { bytes: Buffer.concat(chunks), checksum: t.sum.result() };
  }

  it('writes the rows the Arrow path loads, with the checksum of the source batches', () => {
    const row = fc.tuple(...cases.map(([, , arb]) => fc.option(arb, { nil: null })));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 12 }), (rows) => {
        const { bytes, checksum } = transcode(rows);
        const dec = new PgCopyDecoder(target, codecs, { batchRows: 1000 });
        dec.push(bytes);
        const loaded = dec.end().flatMap(batchRows);
        const arrow = new BatchBuilder(source, 4);
        for (const r of rows)
          arrow.appendRow(r.map((v, c) => (v === null ? null : decoders[c]!(Buffer.from(v)))));
        const batch = arrow.finish();
        expect(loaded).toEqual(batchRows(batch));
        const acc = new ChecksumAccumulator();
        acc.addBatch(batch);
        expect(checksum).toEqual(acc.result());
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a value the target type cannot hold, naming it through the column', () => {
    const failure = (values: (string | Buffer | null)[], native: string[], cols = source.slice(0, 1)) => {
      const ds = cols.map((c) => decoderFor(c.type, parseNativeType(c.nativeType), DEFAULT_READ_TYPES)!);
      const t = new PgTranscoder(pgFields(cols, ds, native)!, ds);
      const buf = rowPayload(values.map((v) => (v === null ? null : Buffer.from(v))));
      try {
        t.row(buf, 0, buf.length);
      } catch (e) {
        return e as RowFailure;
      }
      throw new Error('expected a failure');
    };
    const int = [source[1]!];
    const range = failure(['2147483647'], ['smallint'], int);
    expect(range).toBeInstanceOf(RowFailure);
    expect(range.cause).toMatchObject({ message: 'integer 2147483647 does not fit PostgreSQL int2' });
    const long = failure(['ééééééééééééééééééééé'], ['character varying(20)'], [source[5]!]);
    expect((long.cause as Error).message).toMatch(/21 characters does not fit character varying\(20\)/);
    const bad = failure([Buffer.from([0x61, 0xff])], ['text'], [source[6]!]);
    expect(bad.cause).toBeInstanceOf(DecodeProblem);
    expect((bad.cause as DecodeProblem).message).toMatch(/invalid utf8mb4 bytes 0x61ff/);
    expect(bad.row).toEqual([Buffer.from([0x61, 0xff])]);
    // A zero date goes by the column's zero_dates policy, as on the Arrow path: an error by default …
    const datetime = source.find((c) => c.nativeType === 'datetime(6)')!;
    const zero = failure(['0000-00-00 00:00:00'], ['timestamp without time zone'], [datetime]);
    expect((zero.cause as DecodeProblem).message).toMatch(/zero or invalid date 0000-00-00/);
    // … or NULL with zero_dates=null.
    const nullDate = decoderFor(datetime.type, parseNativeType('datetime(6)'), {
      ...DEFAULT_READ_TYPES,
      zeroDates: 'null',
    })!;
    const t = new PgTranscoder(pgFields([datetime], [nullDate], ['timestamp without time zone'])!, [
      nullDate,
    ]);
    const buf = rowPayload([Buffer.from('0000-00-00 00:00:00')]);
    t.row(buf, 0, buf.length);
    expect([...t.finish()!]).toEqual([0, 1, 0xff, 0xff, 0xff, 0xff]);
  });

  it('carries a value only into the PostgreSQL type ferry plans for it, never formats or JSON', () => {
    const one = (native: string, type: LogicalType, target: string) => {
      const c: Column = { name: 'x', type, nullable: true, nativeType: native };
      return (
        pgFields([c], [decoderFor(type, parseNativeType(native), DEFAULT_READ_TYPES)!], [target]) !==
        undefined
      );
    };
    expect(one('int(11)', { kind: 'int', bits: 32 }, 'integer')).toBe(true);
    expect(one('int(10) unsigned zerofill', { kind: 'int', bits: 32, unsigned: true }, 'bigint')).toBe(false);
    expect(one('bigint(20) unsigned', { kind: 'int', bits: 64, unsigned: true }, 'numeric(20,0)')).toBe(
      false,
    );
    expect(one('char(3)', { kind: 'text', maxLength: 3, fixed: true }, 'character(3)')).toBe(false);
    expect(
      one('varchar(3) CHARACTER SET latin1', { kind: 'text', maxLength: 3 }, 'character varying(3)'),
    ).toBe(false);
    expect(one('date', { kind: 'date' }, 'date')).toBe(true);
    expect(one('date', { kind: 'date' }, 'text')).toBe(false);
    expect(one('tinyint(1)', { kind: 'bool' }, 'boolean')).toBe(true);
    expect(one('double', { kind: 'float', bits: 64 }, 'real')).toBe(false);
    expect(one('time', { kind: 'interval' }, 'interval')).toBe(false);
    expect(one('json', { kind: 'json' }, 'json')).toBe(false);
    expect(one('blob', { kind: 'bytes' }, 'bytea')).toBe(true);
  });
});
