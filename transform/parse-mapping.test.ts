import { describe, expect, it } from 'vitest';
import type { Column } from '../core/index.js';
import { FerryError } from '../core/index.js';
import { parseTableMapping, targetColumnsOf } from './index.js';

const SOURCE: Column[] = [
  { name: 'id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
  { name: 'full_name', type: { kind: 'text', maxLength: 100 }, nullable: false, nativeType: 'VARCHAR(100)' },
  { name: 'age_text', type: { kind: 'text' }, nullable: true, nativeType: 'TEXT' },
  {
    name: 'amount',
    type: { kind: 'decimal', precision: 12, scale: 2 },
    nullable: true,
    nativeType: 'DECIMAL(12,2)',
  },
  { name: 'seen', type: { kind: 'timestamp', tz: true }, nullable: true, nativeType: 'TIMESTAMPTZ' },
  { name: 'local', type: { kind: 'timestamp', tz: false }, nullable: true, nativeType: 'TIMESTAMP' },
];

/** The CONFIG error parseTableMapping throws for `mapping`, as [configPath, message, hint]. */
function problem(mapping: unknown): [string | undefined, string, string | undefined] {
  try {
    parseTableMapping(mapping, 'tables[0]', SOURCE);
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    const err = e as FerryError;
    expect(err.code).toBe('CONFIG');
    return [err.context.configPath, err.message, err.context.hint];
  }
  throw new Error('expected a CONFIG error');
}

describe('parseTableMapping: errors name the path inside the mapping', () => {
  it('a misspelt key, with the closest known one', () => {
    const [path, message, hint] = problem({
      columns: { first_name: { split: { from: 'full_name', part: 'first', onn: ' ' } } },
    });
    expect(path).toBe('tables[0].columns.first_name.split.onn');
    expect(message).toMatch(/unknown key onn/);
    expect(hint).toBe('did you mean on?');
  });

  it('a missing explicit policy', () => {
    const [path, message] = problem({
      columns: { first_name: { split: { from: 'full_name', part: 'first', extra_words: 'to_last' } } },
    });
    expect(path).toBe('tables[0].columns.first_name.split.one_word');
    expect(message).toMatch(/is required/);
  });

  it('a wrong choice, with a suggestion', () => {
    const [path, message, hint] = problem({
      columns: {
        first_name: {
          split: { from: 'full_name', part: 'frist', one_word: 'reject', extra_words: 'reject' },
        },
      },
    });
    expect(path).toBe('tables[0].columns.first_name.split.part');
    expect(message).toBe('tables[0].columns.first_name.split.part: must be one of first, last, not "frist"');
    expect(hint).toBe('did you mean first?');
  });

  it('a source column that does not exist', () => {
    const [path, message, hint] = problem({ columns: { name: { from: 'ful_name' } } });
    expect(path).toBe('tables[0].columns.name.from');
    expect(message).toMatch(/source column ful_name does not exist/);
    expect(hint).toMatch(/full_name/);
  });

  it('steps that do not fit the value', () => {
    expect(problem({ columns: { id: { trim: true } } }).slice(0, 2)).toEqual([
      'tables[0].columns.id.trim',
      'tables[0].columns.id.trim: trim needs a text value, but the value is int64',
    ]);
    expect(problem({ columns: { seen: { cast: 'int32' } } })[1]).toMatch(/cannot cast timestamptz to int32/);
    expect(problem({ columns: { seen: { cast: 'money' } } })[0]).toBe('tables[0].columns.seen.cast');
    expect(problem({ columns: { seen: { timezone: { from: 'Europe/Berlin' } } } })).toEqual([
      'tables[0].columns.seen.timezone.from',
      'tables[0].columns.seen.timezone.from: the value is already an instant (timestamptz), so it has no wall time in Europe/Berlin',
      'write `from: UTC` to convert the instant to a zone, or add `cast: timestamp` to read its digits as wall time',
    ]);
    expect(problem({ columns: { local: { timezone: { from: 'Europe/Berlim' } } } })[0]).toBe(
      'tables[0].columns.local.timezone.from',
    );
    expect(problem({ columns: { x: { from: 'age_text', regex_replace: { pattern: '(' } } } })[0]).toBe(
      'tables[0].columns.x.regex_replace.pattern',
    );
    expect(problem({ columns: { x: { from: 'age_text', cast: 'int32', default: 'none' } } })).toEqual([
      'tables[0].columns.x.default',
      'tables[0].columns.x.default: "none" is not an integer (expected int32)',
      undefined,
    ]);
  });

  it('value maps with mixed or mistyped values', () => {
    expect(problem({ columns: { x: { from: 'age_text', map: { a: true, b: 'no' } } } })[0]).toBe(
      'tables[0].columns.x.map',
    );
    expect(problem({ columns: { x: { from: 'amount', map: { abc: 1 } } } })).toEqual([
      'tables[0].columns.x.map.abc',
      'tables[0].columns.x.map.abc: "abc" is not a decimal number (expected decimal(12,2))',
      undefined,
    ]);
    expect(problem({ columns: { x: { from: 'age_text', else: 'reject' } } })[0]).toBe(
      'tables[0].columns.x.else',
    );
    expect(problem({ columns: { x: { from: 'age_text', map: { a: 1 }, else: 'keep' } } })[0]).toBe(
      'tables[0].columns.x.else',
    );
  });

  it('two value sources, and rules on unknown columns or with two kinds', () => {
    expect(problem({ columns: { x: { from: 'id', value: 1 } } })).toEqual([
      'tables[0].columns.x.value',
      'tables[0].columns.x.value: give only one of from, value, split, concat, uuid_v5 (found from and value)',
      undefined,
    ]);
    expect(problem({ rules: [{ not_null: 'nope' }] })[0]).toBe('tables[0].rules[0].not_null');
    expect(problem({ rules: [{ regex: { column: 'full_name', pattern: 'a' }, not_null: 'id' }] })[1]).toMatch(
      /a rule has one kind; found not_null and regex/,
    );
    expect(problem({ rules: [{ range: { column: 'amount', min: '1.005' } }] })).toEqual([
      'tables[0].rules[0].range.min',
      'tables[0].rules[0].range.min: "1.005" has more than 2 decimal places (no rounding is done) (expected decimal(12,2))',
      undefined,
    ]);
    expect(problem({ rules: [{ nott_null: 'id' }] })).toEqual([
      'tables[0].rules[0].nott_null',
      'tables[0].rules[0].nott_null: unknown key nott_null (and 1 more problem)',
      'did you mean not_null?',
    ]);
    expect(
      problem({ columns: { x: { mask: 'redact', from: 'id' } }, dedupe: { key: 'x', keep: 'first' } })[0],
    ).toBe('tables[0].dedupe.key');
    expect(problem({ colums: {} })).toEqual([
      'tables[0].colums',
      'tables[0].colums: unknown key colums',
      'did you mean columns?',
    ]);
  });
});

describe('parseTableMapping: plans', () => {
  it('defaults to every source column unchanged, and ignores the non-mapping keys of a table entry', () => {
    const t = parseTableMapping(
      { name: 'users', mode: 'append', rules: [{ not_null: 'age_text' }] },
      'tables[0]',
      SOURCE,
    );
    expect(t.columns.map((c) => c.source)).toEqual(SOURCE.map((c) => ({ kind: 'from', column: c.name })));
    expect(targetColumnsOf(t, SOURCE).find((c) => c.name === 'age_text')!.nullable).toBe(false);
  });

  it('keeps or drops unmapped columns', () => {
    const mapping = {
      columns: {
        first: { split: { from: 'full_name', part: 'first', one_word: 'reject', extra_words: 'reject' } },
      },
    };
    expect(parseTableMapping(mapping, 't', SOURCE).columns.map((c) => c.name)).toEqual(['first']);
    expect(
      parseTableMapping({ ...mapping, unmapped: 'keep' }, 't', SOURCE).columns.map((c) => c.name),
    ).toEqual(['first', 'id', 'age_text', 'amount', 'seen', 'local']);
  });

  it('stores literals as canonical text of their type', () => {
    const t = parseTableMapping(
      {
        columns: {
          amount: { default: 0.5 },
          flag: { from: 'age_text', map: { y: 1, n: 0 }, else: null },
          local: { timezone: { from: 'America/New_York', to: 'UTC', gap: 'latest', overlap: 'earliest' } },
        },
        rules: [
          { range: { column: 'amount', min: 0, max: '99.9' } },
          { allowed: { column: 'flag', values: [0, 1] } },
        ],
      },
      'tables[0]',
      SOURCE,
    );
    expect(t.columns[0]!.default).toBe('0.5');
    expect(t.columns[1]!.map).toEqual({
      entries: [
        ['y', '1'],
        ['n', '0'],
      ],
      type: { kind: 'int', bits: 64 },
      else: { kind: 'value', value: null },
    });
    expect(t.rules[0]).toMatchObject({ kind: 'range', min: '0', max: '99.9' });
    expect(targetColumnsOf(t, SOURCE).map((c) => [c.name, c.nativeType, c.nullable])).toEqual([
      ['amount', 'decimal(12,2)', false],
      ['flag', 'int64', true],
      ['local', 'timestamptz', true],
    ]);
  });
});
