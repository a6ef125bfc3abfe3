import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../core/index.js';
import { BatchBuilder, type JsValue } from '../batch-builder.js';
import { batchRows } from '../column-reader.js';
import { writeArray } from './array.js';
import { nestList, type PgCodec, wireLogicalType } from './codec.js';
import { PgCopyDecoder } from './decoder.js';
import { PgCopyEncoder } from './encoder.js';
import { encodeInet } from './net.js';
import { encodeNumeric, numericText } from './numeric.js';
import { ByteWriter } from './writer.js';

function roundTrip(
  codec: PgCodec,
  values: (JsValue | null)[],
  type = nestList(wireLogicalType(codec.wire), codec.dims),
) {
  const columns: Column[] = [
    { name: 'k', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'int4' },
    { name: 'v', type, nullable: true, nativeType: codec.wire },
  ];
  const b = new BatchBuilder(columns, values.length);
  for (const [i, v] of values.entries()) b.appendRow([i + 1, v]);
  const codecs: PgCodec[] = [{ wire: 'int4', dims: 0 }, codec];
  const enc = new PgCopyEncoder(codecs, { names: ['k', 'v'], keyColumns: [0] });
  const bytes = Buffer.concat([enc.header(), enc.encode(b.finish()), enc.trailer()]);
  const dec = new PgCopyDecoder(
    columns.map((c, i) => ({ ...c, type: nestList(wireLogicalType(codecs[i]!.wire), codecs[i]!.dims) })),
    codecs,
    { batchRows: 1000 },
  );
  dec.push(bytes);
  return dec
    .end()
    .flatMap(batchRows)
    .map((r) => r[1]);
}

function errorOf(f: () => unknown) {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string; context: Record<string, string> };
  }
  throw new Error('expected an error');
}

describe('numeric', () => {
  it('round-trips any decimal text exactly', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{1,60}$/),
        fc.stringMatching(/^[0-9]{0,40}$/),
        (neg, int, frac) => {
          const text = `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
          const wire = encodeNumeric(text);
          const out = numericText(new DataView(wire.buffer), 0);
          const canon = `${int.replace(/^0+(?=\d)/, '')}${frac ? `.${frac}` : ''}`;
          const zero = /^[0.]*$/.test(canon);
          expect(out).toBe(neg && !zero ? `-${canon}` : canon);
        },
      ),
    );
  });

  it('refuses rounding, overflow and infinities the target cannot hold', () => {
    expect(errorOf(() => encodeNumeric('1.005', 10, 2)).message).toMatch(/would be rounded/);
    expect(numericText(new DataView(encodeNumeric('1.500', 10, 2).buffer), 0)).toBe('1.50');
    expect(errorOf(() => encodeNumeric('123456', 5, 1)).message).toMatch(/does not fit numeric\(5,1\)/);
    expect(errorOf(() => encodeNumeric('Infinity', undefined, undefined, false)).message).toMatch(
      /PostgreSQL 14/,
    );
    expect(numericText(new DataView(encodeNumeric('1e3').buffer), 0)).toBe('1000');
  });
});

describe('PgCopyEncoder value checks', () => {
  it('refuses a varchar value longer than the column, counting characters not bytes', () => {
    expect(roundTrip({ wire: 'text', dims: 0, maxLength: 3 }, ['äöü', null, ''])).toEqual(['äöü', null, '']);
    const e = errorOf(() => roundTrip({ wire: 'text', dims: 0, maxLength: 3 }, ['ok', 'abcd']));
    expect(e.code).toBe('DATA');
    expect(e.context).toMatchObject({ column: 'v', key: '2', value: 'abcd' });
  });

  it('refuses integers out of range and floats real cannot hold', () => {
    expect(roundTrip({ wire: 'int2', dims: 0 }, [5n, -32768n], { kind: 'int', bits: 64 })).toEqual([
      5, -32768,
    ]);
    expect(
      errorOf(() => roundTrip({ wire: 'int2', dims: 0 }, [40000n], { kind: 'int', bits: 64 })).message,
    ).toMatch(/out of range for smallint/);
    expect(
      errorOf(() => roundTrip({ wire: 'float4', dims: 0 }, [0.1], { kind: 'float', bits: 64 })).message,
    ).toMatch(/real/);
    expect(roundTrip({ wire: 'int8', dims: 0 }, [7, -1], { kind: 'int', bits: 32 })).toEqual([7n, -1n]);
  });

  it('refuses timestamps whose microseconds timestamp(p) would round', () => {
    const ts = 1_700_000_000_123_456n;
    expect(errorOf(() => roundTrip({ wire: 'timestamp', dims: 0, timePrecision: 3 }, [ts])).message).toMatch(
      /would round/,
    );
    expect(roundTrip({ wire: 'timestamp', dims: 0, timePrecision: 3 }, [1_700_000_000_123_000n])).toEqual([
      1_700_000_000_123_000n,
    ]);
    expect(roundTrip({ wire: 'timestamptz', dims: 0 }, [ts, -62_135_596_800_000_000n])).toEqual([
      ts,
      -62_135_596_800_000_000n,
    ]);
  });

  it('round-trips text-carried types and arrays', () => {
    const values = ['1 year 2 mons', '-1 days +00:00:00.5', '00:00:00'];
    expect(roundTrip({ wire: 'interval', dims: 0 }, values)).toEqual(values);
    expect(
      roundTrip({ wire: 'uuid', dims: 0 }, ['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'], { kind: 'text' }),
    ).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    expect(roundTrip({ wire: 'inet', dims: 0 }, ['2001:db8:0:0:0:0:0:1', '10.1.2.3/16'])).toEqual([
      '2001:db8::1',
      '10.1.2.3/16',
    ]);
    const lists = [
      [
        [1, null],
        [3, 4],
      ],
      [],
      null,
    ];
    expect(roundTrip({ wire: 'int4', dims: 2, elementOid: 23 }, lists as never)).toEqual(lists);
  });

  it('refuses lists PostgreSQL arrays cannot hold', () => {
    const w = new ByteWriter();
    expect(
      errorOf(() => writeArray(w, { wire: 'int4', dims: 2, elementOid: 23 }, [[1], [2, 3]])).message,
    ).toMatch(/rectangular/);
    expect(
      errorOf(() => writeArray(w, { wire: 'int4', dims: 2, elementOid: 23 }, [null as never])).message,
    ).toMatch(/rectangular/);
    expect(errorOf(() => encodeInet('10.0.0.1/8', true)).message).toMatch(/right of its cidr mask/);
  });
});
