import { describe, expect, it } from 'vitest';
import {
  type Column,
  FerryError,
  formatLogicalType,
  type Source,
  type TableSpec,
  type Target,
  verifiedAsWholeTable,
} from '../core/index.js';
import { buildPlan, type TableSelection } from './plan.js';

const users: TableSpec = {
  name: 'users',
  columns: [
    { name: 'user_id', type: { kind: 'int', bits: 64 }, nullable: false, nativeType: 'BIGINT' },
    { name: 'full_name', type: { kind: 'text' }, nullable: false, nativeType: 'VARCHAR' },
    { name: 'email', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
    { name: 'country', type: { kind: 'text' }, nullable: true, nativeType: 'VARCHAR' },
  ],
  primaryKey: ['user_id'],
  uniqueKeys: [['email']],
  foreignKeys: [{ columns: ['country'], references: { name: 'countries' }, referencedColumns: ['code'] }],
  checks: [{ name: 'c', expression: 'CHECK (length(country) = 2)' }],
  estimatedRows: 1000,
  estimatedBytes: 0,
};

const source = {
  listTables: async () => [{ name: 'users' }],
  describe: async () => structuredClone(users),
  sampleKeys: async () => ({
    rows: 1000,
    exact: true,
    nullKeyRows: 0,
    samples: Array.from({ length: 1000 }, (_, i) => [String(i + 1)]),
  }),
} as unknown as Source;

/** A target that keeps every logical type and spells it in lower case. */
const target = {
  mapTable: (spec: TableSpec, name: { name: string }): TableSpec => ({
    ...spec,
    name: name.name,
    columns: spec.columns.map((c: Column) => ({ ...c, nativeType: formatLogicalType(c.type) })),
  }),
} as unknown as Target;

/** The FerryError a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    return e as FerryError;
  }
  throw new Error('expected a FerryError');
}

function plan(sel: TableSelection, saltAvailable?: boolean) {
  return buildPlan({
    source,
    target,
    sourceInfo: { connector: 'test', display: 'src' },
    targetInfo: { connector: 'test', display: 'dst' },
    mode: 'create',
    options: { partitionRows: 250, batchRows: 100 },
    tables: [sel],
    ...(saltAvailable === undefined ? {} : { saltAvailable }),
  });
}

describe('buildPlan with a mapping', () => {
  it('maps the target columns, keeps the keys that reach the target unchanged, and verifies by range', async () => {
    const p = await plan({
      name: 'users',
      targetName: 'customers',
      configPath: 'tables[0]',
      mapping: {
        columns: { id: 'user_id', email: { trim: true }, country: null },
        rules: [{ not_null: 'country' }],
      },
    });
    const t = p.tables[0]!;
    expect(t.target.name).toBe('customers');
    expect(t.target.columns.map((c) => [c.name, c.nativeType, c.nullable])).toEqual([
      ['id', 'int64', false],
      ['email', 'text', true],
      ['country', 'text', false],
    ]);
    // The key is renamed, not changed: ranges still select the partition's rows in the target.
    expect(t.target.primaryKey).toEqual(['id']);
    expect(t.columns).toEqual([
      { source: 'user_id', target: 'id' },
      { source: 'country', target: 'country' },
    ]);
    // Keys on changed columns, foreign keys and checks do not carry over.
    expect(t.target.uniqueKeys).toBeUndefined();
    expect(t.target.foreignKeys).toBeUndefined();
    expect(t.target.checks).toBeUndefined();
    expect(t.verifyBy).toBeUndefined();
    expect(verifiedAsWholeTable(t)).toBe(false);
    expect(t.partitions.length).toBe(4);
    expect(t.transform).toMatchObject({
      version: 1,
      rules: [{ kind: 'not_null', name: 'not_null(country)' }],
    });
  });

  it('verifies as a whole table when the key is transformed, and the plan hash covers the mapping', async () => {
    const mapping = { columns: { id: { uuid_v5: { namespace: 'url', from: 'user_id' } }, full_name: null } };
    const a = await plan({ name: 'users', mapping });
    const t = a.tables[0]!;
    expect(t.verifyBy).toBe('table');
    expect(t.target.primaryKey).toEqual([]);
    expect(t.columns).toEqual([{ source: 'full_name', target: 'full_name' }]);
    expect((await plan({ name: 'users', mapping })).hash).toBe(a.hash);
    const b = await plan({ name: 'users', mapping: { ...mapping, rules: [{ not_null: 'full_name' }] } });
    expect(b.hash).not.toBe(a.hash);
  });

  it('leaves a table without a mapping exactly as before', async () => {
    const t = (await plan({ name: 'users' })).tables[0]!;
    expect(t.transform).toBeUndefined();
    expect(t.verifyBy).toBeUndefined();
    expect(t.columns.map((c) => c.source)).toEqual(['user_id', 'full_name', 'email', 'country']);
    // Its foreign key points at a table outside this migration: not created, and the plan says why.
    expect(t.target.foreignKeys).toBeUndefined();
    expect(t.warnings).toEqual([expect.stringMatching(/foreign key \(country\) → countries not created/)]);
  });

  it('names the config path of a mapping error', async () => {
    const e = await failure(
      plan({ name: 'users', configPath: 'tables[3]', mapping: { columns: { x: 'nope' } } }),
    );
    expect(e.code).toBe('CONFIG');
    expect(e.message).toMatch(/^tables\[3\]\.columns\.x/);
  });

  it('refuses a references rule whose parent table or key does not exist in the source', async () => {
    const missing = await failure(
      plan({
        name: 'users',
        mapping: { rules: [{ references: { column: 'country', table: 'countries', key: 'code' } }] },
      }),
    );
    expect(missing.code).toBe('CONFIG');
    expect(missing.message).toBe(
      'rule references(country → countries.code): parent table "countries" does not exist in the source',
    );
    const noKey = await failure(
      plan({
        name: 'users',
        configPath: 'tables[0]',
        mapping: { rules: [{ references: { column: 'country', table: 'users', key: 'code' } }] },
      }),
    );
    expect(noKey.message).toBe('rule references(country → users.code): users has no column code');
    expect(noKey.context.configPath).toBe('tables[0].rules');
  });

  it('refuses mask: hash without the salt, before any data moves', async () => {
    const mapping = { columns: { user_id: null, email: { mask: 'hash' } } };
    const e = await failure(plan({ name: 'users', configPath: 'tables[0]', mapping }, false));
    expect(e.code).toBe('CONFIG');
    expect(e.message).toBe('tables[0]: mask: hash needs the transform salt, which is not set');
    await expect(plan({ name: 'users', mapping }, true)).resolves.toBeDefined();
    await expect(plan({ name: 'users', mapping })).resolves.toBeDefined();
  });
});
