import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { BatchBuilder, batchRows, type JsValue } from '../formats/index.js';
import { compileTransform, parseTableMapping, type RejectedRow } from './index.js';

const T = (name: string, kind: Column['type'], nullable = true): Column => ({
  name,
  type: kind,
  nullable,
  nativeType: '?',
});
const SRC: Column[] = [
  T('id', { kind: 'int', bits: 64 }, false),
  T('name', { kind: 'text' }),
  T('code', { kind: 'text' }),
  T('n', { kind: 'int', bits: 32 }),
  T('amount', { kind: 'decimal', precision: 12, scale: 2 }),
  T('at', { kind: 'timestamp', tz: false }),
  T('instant', { kind: 'timestamp', tz: true }),
];
const micros = (iso: string) => BigInt(Date.parse(`${iso}Z`)) * 1000n;

/** Runs one column mapping over rows of `name`-typed values; returns [output values, rejects]. */
function run(
  columns: Record<string, unknown>,
  rows: Partial<Record<string, JsValue | null>>[],
  options: { salt?: string } = {},
): { out: (JsValue | null)[][]; rejects: RejectedRow[] } {
  const t = parseTableMapping({ columns }, 'tables[0]', SRC);
  const b = new BatchBuilder(SRC, rows.length);
  for (const [i, r] of rows.entries())
    b.appendRow(SRC.map((c) => (c.name === 'id' ? BigInt(i + 1) : (r[c.name] ?? null))));
  const compiled = compileTransform(t, SRC, options);
  const res = compiled.apply(b.finish(), { table: 't', partition: 't#0', keyColumns: ['id'] });
  return { out: batchRows(res.batch), rejects: res.rejects };
}
const col = (columns: Record<string, unknown>, values: (JsValue | null)[], field = 'name', options = {}) => {
  const r = run(
    columns,
    values.map((v) => ({ [field]: v })),
    options,
  );
  return { values: r.out.map((row) => row[0]), rejects: r.rejects.map((x) => [x.key, x.reason]) };
};

describe('value sources', () => {
  it('renames, and copies a column unchanged', () => {
    expect(col({ label: { from: 'name' } }, ['a', null]).values).toEqual(['a', null]);
    expect(col({ label: 'name' }, ['ü😀']).values).toEqual(['ü😀']);
  });

  it('splits names with explicit one-word and many-word policies', () => {
    const names = ['Ana Smith', 'Bo', '  Chen   Li  Wei ', '', null, 'Hiro-Nakamura'];
    const split = (part: string, one_word: string, extra_words: string) =>
      col({ x: { split: { from: 'name', part, one_word, extra_words } } }, names);
    expect(split('first', 'first_name_only', 'to_last').values).toEqual([
      'Ana',
      'Bo',
      'Chen',
      null,
      null,
      'Hiro-Nakamura',
    ]);
    expect(split('last', 'first_name_only', 'to_last').values).toEqual([
      'Smith',
      null,
      'Li Wei',
      null,
      null,
      null,
    ]);
    expect(split('first', 'last_name_only', 'to_first').values).toEqual([
      'Ana',
      null,
      'Chen Li',
      null,
      null,
      null,
    ]);
    expect(split('last', 'last_name_only', 'to_first').values).toEqual([
      'Smith',
      'Bo',
      'Wei',
      null,
      null,
      'Hiro-Nakamura',
    ]);
    const strict = split('first', 'reject', 'reject');
    expect(strict.values).toEqual(['Ana', null, null]);
    expect(strict.rejects).toEqual([
      ['id=2', 't.x, key id=2: value "Bo" is one word (split.one_word is reject) [rule split]'],
      [
        'id=3',
        't.x, key id=3: value "  Chen   Li  Wei " has 3 words (split.extra_words is reject) [rule split]',
      ],
      ['id=6', 't.x, key id=6: value "Hiro-Nakamura" is one word (split.one_word is reject) [rule split]'],
    ]);
    expect(
      col(
        { x: { split: { from: 'name', part: 'last', on: '-', one_word: 'reject', extra_words: 'reject' } } },
        ['Hiro-Nakamura'],
      ).values,
    ).toEqual(['Nakamura']);
  });

  it('concatenates with explicit NULL handling', () => {
    const rows = [
      { name: 'a', code: 'b' },
      { name: 'a', code: null },
      { name: null, code: null },
    ];
    const cat = (nulls: string) =>
      run(
        { x: { concat: { from: ['name', 'code', 'amount'], separator: '-', nulls } } },
        rows.map((r, i) => ({ ...r, amount: i === 0 ? '1.50' : null })),
      ).out.map((r) => r[0]);
    expect(cat('skip')).toEqual(['a-b-1.50', 'a', null]);
    expect(cat('null')).toEqual(['a-b-1.50', null, null]);
    expect(cat('empty')).toEqual(['a-b-1.50', 'a--', '--']);
  });

  it('gives constants', () => {
    expect(col({ x: { value: 'legacy' } }, [null, 'z']).values).toEqual(['legacy', 'legacy']);
    expect(col({ x: { value: 7 } }, [null]).values).toEqual([7n]);
  });

  it('derives UUIDs from several key columns and leaves NULL keys NULL', () => {
    const r = run({ x: { uuid_v5: { namespace: 'url', from: ['name', 'n'] } } }, [
      { name: 'a', n: 1 },
      { name: 'a', n: null },
    ]);
    expect(r.out[0]![0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5/);
    expect(r.out[1]![0]).toBeNull();
  });
});

describe('cleansing steps', () => {
  it('trims, normalises, changes case and replaces by regex, in that order', () => {
    expect(col({ x: { from: 'name', trim: true } }, ['\u00a0 a b \t\n']).values).toEqual(['a b']);
    expect(col({ x: { from: 'name', trim: 'left' } }, ['  a  ']).values).toEqual(['a  ']);
    expect(col({ x: { from: 'name', case: 'upper' } }, ['straße']).values).toEqual(['STRASSE']);
    expect(col({ x: { from: 'name', normalize: 'NFC' } }, ['e\u0301']).values).toEqual(['\u00e9']);
    expect(col({ x: { from: 'name', normalize: 'NFKC' } }, ['ﬁ①']).values).toEqual(['fi1']);
    expect(
      col(
        {
          x: {
            from: 'name',
            trim: true,
            case: 'lower',
            regex_replace: [
              { pattern: '\\s+', replacement: ' ' },
              { pattern: '^(\\w)', replacement: '<$1>' },
            ],
          },
        },
        [' Ana   MARIA '],
      ).values,
    ).toEqual(['<a>na maria']);
  });

  it('maps values with else: reject, a value, or keep', () => {
    const values = ['A', 'I', 'X', null];
    expect(
      col({ x: { from: 'code', map: { A: true, I: false }, else: false } }, values, 'code').values,
    ).toEqual([true, false, false, null]);
    expect(col({ x: { from: 'code', map: { A: 'active' }, else: 'keep' } }, values, 'code').values).toEqual([
      'active',
      'I',
      'X',
      null,
    ]);
    const rejected = col({ x: { from: 'code', map: { A: true, I: false } } }, values, 'code');
    expect(rejected.values).toEqual([true, false, null]);
    expect(rejected.rejects).toEqual([
      ['id=3', 't.x, key id=3: value "X" has no entry in the value map (map.else is reject) [rule map]'],
    ]);
    // Keys are read as values of the input's type: 1.5 matches the decimal 1.50.
    expect(
      col({ x: { from: 'amount', map: { '1.5': 'one and a half' }, else: null } }, ['1.50', '2.00'], 'amount')
        .values,
    ).toEqual(['one and a half', null]);
  });

  it('casts exactly, rejecting what does not fit with a reason', () => {
    const r = col(
      { x: { from: 'code', trim: true, cast: 'decimal(5,2)' } },
      [' 12.5 ', '1.005', 'abc', '1234'],
      'code',
    );
    expect(r.values).toEqual(['12.50']);
    expect(r.rejects).toEqual([
      [
        'id=2',
        't.x, key id=2: value "1.005" has more than 2 decimal places (no rounding is done) (cast to decimal(5,2)) [rule cast]',
      ],
      ['id=3', 't.x, key id=3: value "abc" is not a decimal number (cast to decimal(5,2)) [rule cast]'],
      [
        'id=4',
        't.x, key id=4: value "1234" has more than 3 integer digits (precision 5) (cast to decimal(5,2)) [rule cast]',
      ],
    ]);
    expect(col({ x: { from: 'code', cast: 'date' } }, ['2024-02-29', '2023-02-29'], 'code').values).toEqual([
      19782,
    ]);
    expect(
      col({ x: { from: 'code', cast: 'timestamptz' } }, ['2024-01-01T10:00:00+02:00'], 'code').values,
    ).toEqual([micros('2024-01-01T08:00:00')]);
    expect(
      col({ x: { from: 'code', cast: 'int64' } }, ['9223372036854775807', '9223372036854775808'], 'code')
        .values,
    ).toEqual([9223372036854775807n]);
  });

  it('fills NULLs with a default of the column’s type', () => {
    expect(col({ x: { from: 'n', default: 0 } }, [null, 5], 'n').values).toEqual([0, 5]);
    expect(col({ x: { from: 'code', cast: 'bool', default: false } }, [null, 'yes'], 'code').values).toEqual([
      false,
      true,
    ]);
  });

  it('converts time zones both ways, with explicit gap and overlap policies', () => {
    const wall = [
      micros('2024-01-15T10:00:00.000001'),
      micros('2024-03-31T02:30:00'),
      micros('2024-10-27T02:30:00'),
    ];
    const tz = (gap: string, overlap: string) =>
      col({ x: { from: 'at', timezone: { from: 'Europe/Berlin', to: 'UTC', gap, overlap } } }, wall, 'at');
    expect(tz('earliest', 'earliest').values).toEqual([
      micros('2024-01-15T09:00:00.000001'),
      micros('2024-03-31T00:30:00'),
      micros('2024-10-27T00:30:00'),
    ]);
    expect(tz('latest', 'latest').values).toEqual([
      micros('2024-01-15T09:00:00.000001'),
      micros('2024-03-31T01:30:00'),
      micros('2024-10-27T01:30:00'),
    ]);
    expect(tz('reject', 'reject').rejects.map((r) => r[1])).toEqual([
      't.x, key id=2: value 2024-03-31 02:30:00.000000 does not exist in Europe/Berlin (skipped by a daylight-saving change; timezone.gap is reject) [rule timezone]',
      't.x, key id=3: value 2024-10-27 02:30:00.000000 occurs twice in Europe/Berlin (repeated by a daylight-saving change; timezone.overlap is reject) [rule timezone]',
    ]);
    // The reverse: an instant to New York wall time; and before 1970 (negative microseconds).
    expect(
      col(
        { x: { from: 'instant', timezone: { from: 'UTC', to: 'America/New_York' } } },
        [micros('2024-07-04T16:00:00'), micros('1960-01-01T00:00:00.5')],
        'instant',
      ).values,
    ).toEqual([micros('2024-07-04T12:00:00'), micros('1959-12-31T19:00:00.5')]);
  });

  it('masks PII: HMAC hash with the salt, redact, keep last N', () => {
    const hashed = col({ x: { from: 'name', mask: 'hash' } }, ['secret', null], 'name', {
      salt: 'pepper',
    }).values;
    expect(hashed[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashed[1]).toBeNull();
    expect(
      col({ x: { from: 'name', mask: 'hash' } }, ['secret'], 'name', { salt: 'other' }).values[0],
    ).not.toBe(hashed[0]);
    expect(() => col({ x: { from: 'name', mask: 'hash' } }, ['secret'])).toThrow(/no salt was given/);
    expect(col({ x: { from: 'name', mask: 'redact' } }, ['a', null]).values).toEqual(['***', null]);
    expect(col({ x: { from: 'name', mask: { redact: '[removed]' } } }, ['a']).values).toEqual(['[removed]']);
    expect(
      col({ x: { from: 'name', mask: { keep_last: 4 } } }, ['4111111111111111', '123', '😀😀😀😀😀']).values,
    ).toEqual(['************1111', '***', '*😀😀😀😀']);
    // An int is masked through its text, and the target column becomes text.
    expect(col({ x: { from: 'n', mask: { keep_last: 2, char: '#' } } }, [12345], 'n').values).toEqual([
      '###45',
    ]);
  });
});
