import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { parseEndpoint, silentLogger, type TablePlan } from '../../core/index.js';
import { rawTableChecksum } from '../../worker/index.js';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { rowsAsText, TYPES_SQL } from './fixture.js';

/**
 * PostgreSQL → PostgreSQL raw copy (`TablePlan.rawCopy`): tables whose columns have the same types on both
 * sides pass as binary COPY rows, hashed without being decoded. Checked: the plan picks it only where it is
 * exact, every value arrives (SQL comparison and an independent `ferry verify` through Arrow), keyless tables
 * verified as a whole, and an existing target table with another column type gets the converting path.
 */
const svc = await requireServices(['pg']);

/** The every-type table without the columns whose type the target spells differently (enum, domain, name…). */
const RAW_SQL = `
CREATE TABLE rawtypes AS SELECT id, c_int2, c_int4, c_int8, c_num, c_num_p, c_f4, c_f8, c_text, c_vc, c_bpchar,
  c_bytea, c_bool, c_date, c_time, c_timetz, c_ts, c_tstz, c_iv, c_uuid, c_json, c_jsonb, c_int_arr, c_text_arr,
  c_num_arr, c_inet, c_cidr, c_mac, c_mac8, c_bit, c_varbit, c_money, c_xml FROM everything;
ALTER TABLE rawtypes ADD PRIMARY KEY (id);
CREATE TABLE keyless (a integer, b text, c numeric(8,3));
INSERT INTO keyless SELECT i % 50, CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || i END, i / 7.0 FROM generate_series(1, 3000) i;
CREATE TABLE spelled (id integer PRIMARY KEY, v text);
INSERT INTO spelled VALUES (1, 'ok'), (2, 'ten chars!');
ANALYZE;
`;

describe('PostgreSQL → PostgreSQL raw copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pgraw-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  const plan = (run: string) => JSON.parse(readFileSync(join(dir, 'runs', run, 'plan.json'), 'utf8'));
  let src: TestDatabase;
  const targets: TestDatabase[] = [];
  const target = async (name: string) => {
    const db = await createTestDatabase('pg', svc.urls.pg!, name);
    targets.push(db);
    return db;
  };
  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'rawsrc');
    await sql(src.url, TYPES_SQL);
    await sql(src.url, RAW_SQL);
  });
  afterAll(async () => {
    for (const t of targets) await t.drop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies every built-in type undecoded and exactly; keyless tables are verified as a whole', async () => {
    const dst = await target('rawdst');
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'rawtypes,keyless,everything',
      '--partition-rows', '60', '--run-id', 'raw1', '--json', ...state,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const tables = Object.fromEntries(plan('raw1').tables.map((t: { source: { name: string } }) => [t.source.name, t]));
    expect(tables.rawtypes.rawCopy).toBe('pg-binary');
    // The target builds its indexes after the load: tables are read back in one scan, not by range.
    expect(tables.rawtypes.readBack).toBe('table');
    expect(tables.keyless.rawCopy).toBe('pg-binary');
    expect(tables.keyless.partitioning.strategy).toBe('ctid');
    // An enum, a domain, timestamp(3), name and oid are spelled differently on the target: converted via Arrow.
    expect(tables.everything.rawCopy).toBeUndefined();
    for (const t of ['rawtypes', 'keyless', 'everything'])
      expect(await rowsAsText(dst.url, `public.${t}`)).toEqual(await rowsAsText(src.url, `public.${t}`));
    // Byte-level checks of the values text output could hide (bytea, -0, NaN, jsonb key order).
    const cols = 'id, c_bytea, c_f4::text, c_f8::text, c_num::text, c_jsonb::text, c_json::text, c_num_arr::text';
    expect(await sql(dst.url, `SELECT ${cols} FROM rawtypes ORDER BY id`)).toEqual(
      await sql(src.url, `SELECT ${cols} FROM rawtypes ORDER BY id`),
    );
    // An independent check through the canonical (Arrow) checksums of both sides.
    const verify = await runCli(['verify', '--from', src.url, '--to', dst.url, '--tables', 'rawtypes,keyless']);
    expect(verify.stdout).toContain('verified: source and target are equal');
    expect(verify.code).toBe(0);
  });

  it('ferry plan says which tables are copied undecoded', async () => {
    const dst = await target('rawplan');
    const r = await runCli(['plan', '--from', src.url, '--to', dst.url, '--tables', 'rawtypes,everything']);
    expect(r.code).toBe(0);
    const section = (t: string) => r.stdout.slice(r.stdout.indexOf(`public.${t} →`)).split('\n\n')[0]!;
    expect(section('rawtypes')).toContain('rows copied undecoded (pg-binary)');
    expect(section('everything')).not.toContain('undecoded');
  });

  it('FERRY_RAW_COPY=off plans the converting path', async () => {
    const dst = await target('rawoff');
    const r = await runCli(
      ['run', '--from', src.url, '--to', dst.url, '--tables', 'rawtypes', '--run-id', 'raw2', '--json', ...state],
      { env: { FERRY_RAW_COPY: 'off' } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(plan('raw2').tables[0].rawCopy).toBeUndefined();
    expect(await rowsAsText(dst.url, 'public.rawtypes')).toEqual(await rowsAsText(src.url, 'public.rawtypes'));
  });

  it('appending into an existing table whose column is spelled differently converts the values', async () => {
    const dst = await target('rawspelled');
    // Same logical type (unbounded text), another native type: not byte-for-byte the planned table.
    await sql(dst.url, 'CREATE TABLE spelled (id integer PRIMARY KEY, v varchar); INSERT INTO spelled VALUES (0, \'before\')');
    const r = await runCli([
      'run', '--from', src.url, '--to', dst.url, '--tables', 'spelled', '--mode', 'append', '--run-id', 'raw3', '--json', ...state,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(plan('raw3').tables[0].rawCopy).toBeUndefined();
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    expect(await sql(dst.url, 'SELECT id, v FROM spelled ORDER BY id')).toEqual([
      { id: 0, v: 'before' },
      { id: 1, v: 'ok' },
      { id: 2, v: 'ten chars!' },
    ]);
  });

  it('a read-back split into ctid ranges read side by side sums to the whole table', async () => {
    const source = await postgresConnector.openSource(parseEndpoint(src.url), { logger: silentLogger() });
    try {
      for (const name of ['keyless', 'rawtypes']) {
        const spec = await source.describe({ name });
        const table = {
          target: spec,
          rawCopy: 'pg-binary',
          columns: spec.columns.map((c) => ({ source: c.name, target: c.name })),
        } as unknown as TablePlan;
        const options = { batchRows: 100 };
        const whole = await rawTableChecksum(source, table, options, 1);
        const split = await rawTableChecksum(source, table, options, 3);
        expect(split).toEqual(whole);
        const counted = await sql<{ n: string }>(src.url, `SELECT count(*)::text n FROM ${name}`);
        expect(whole.rows).toBe(counted[0]!.n);
      }
      // Three ranges of the 3000-row keyless table, each holding part of it: the split happened.
      const spec = await source.describe({ name: 'keyless' });
      const stats = await source.sampleKeys(spec, ['ctid'], 3);
      expect(stats.samples).toHaveLength(3);
    } finally {
      await source.close();
    }
  });
});
