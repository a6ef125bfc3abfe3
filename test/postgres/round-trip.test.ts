import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Endpoint,
  type KeyRange,
  parseEndpoint,
  type Source,
  type Target,
  type TableSpec,
  silentLogger,
} from '../../core/index.js';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { TYPES_SQL } from './fixture.js';

const svc = await requireServices(['pg']);
const logger = silentLogger();

/** Copies one table source → target through the connector API, `ranges` as partitions. */
async function copyTable(
  source: Source,
  target: Target,
  spec: TableSpec,
  tspec: TableSpec,
  ranges: KeyRange[],
  runId: string,
) {
  let i = 0;
  for (const range of ranges) {
    const partition = { id: `${spec.name}#${i}`, table: spec.name, index: i++, range, estimatedRows: 0 };
    const writer = await target.openPartition({
      runId,
      planHash: 'h',
      table: tspec,
      partition,
      attempt: 1,
      clearRange: false,
    });
    let rows = 0;
    for await (const batch of source.read(spec, range, { batchRows: 7 })) {
      rows += batch.numRows;
      await writer.write(batch);
    }
    await writer.commit({
      runId,
      partitionId: partition.id,
      table: spec.name,
      planHash: 'h',
      attempt: 1,
      rows: String(rows),
      checksum: '0',
    });
  }
}

/** Every row as PostgreSQL's own text of the whole record, in key order: the independent comparison. */
async function rowTexts(url: string, table: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(url, `SELECT t::text AS r FROM ${table} t ORDER BY id`);
  return rows.map((r) => r.r);
}

describe('postgres → postgres round trip', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let source: Source;
  let target: Target;
  let srcEp: Endpoint;

  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'rt_src');
    dst = await createTestDatabase('pg', svc.urls.pg!, 'rt_dst');
    await sql(src.url, TYPES_SQL);
    await sql(src.url, 'ANALYZE everything');
    srcEp = parseEndpoint(src.url);
    source = await postgresConnector.openSource(srcEp, { logger });
    target = await postgresConnector.openTarget(parseEndpoint(dst.url), { logger });
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await src?.drop();
    await dst?.drop();
  });

  it('describes every type with its typmods, keys and estimates', async () => {
    const spec = await source.describe({ name: 'everything' });
    const byName = new Map(spec.columns.map((c) => [c.name, c]));
    expect(spec.primaryKey).toEqual(['id']);
    expect(spec.estimatedRows).toBe(204);
    expect(byName.get('c_num_p')!.type).toEqual({ kind: 'decimal', precision: 12, scale: 2 });
    expect(byName.get('c_vc')!.type).toEqual({ kind: 'text', maxLength: 10 });
    expect(byName.get('c_bpchar')!.type).toEqual({ kind: 'text', maxLength: 5, fixed: true });
    expect(byName.get('c_2d')!.type).toEqual({
      kind: 'list',
      element: { kind: 'list', element: { kind: 'int', bits: 64 } },
    });
    expect(byName.get('c_domain')!.type).toEqual({ kind: 'int', bits: 32 });
    expect(byName.get('c_enum')!.type).toEqual({ kind: 'text' });
    expect(byName.get('c_timetz')!.nativeType).toBe('time with time zone');
    expect(byName.get('c_jsonb')!.type).toEqual({ kind: 'json', binary: true });
  });

  it('copies every type and edge value exactly, by an independent SQL comparison', async () => {
    const spec = await source.describe({ name: 'everything' });
    const tspec = target.mapTable(spec, { name: 'everything' });
    await target.prepareTable(tspec, 'create', { runId: 'r1', resuming: false });
    const stats = await source.sampleKeys(spec, ['id'], 5);
    expect(stats.rows).toBe(204);
    expect(stats.samples.length).toBe(5);
    const bounds = stats.samples.slice(1);
    const ranges: KeyRange[] = [{ columns: ['id'], hi: bounds[0] }];
    for (let i = 0; i + 1 < bounds.length; i++)
      ranges.push({ columns: ['id'], lo: bounds[i], hi: bounds[i + 1] });
    ranges.push({ columns: ['id'], lo: bounds[bounds.length - 1] });
    await copyTable(source, target, spec, tspec, ranges, 'r1');
    await target.finishTable(tspec);
    const [a, b] = await Promise.all([rowTexts(src.url, 'everything'), rowTexts(dst.url, 'everything')]);
    expect(b.length).toBe(204);
    expect(b).toEqual(a);
    // Types are kept where PostgreSQL has them: the text-carried ones come back as themselves.
    const types = (url: string) =>
      sql<{ n: string; t: string }>(
        url,
        "SELECT attname n, format_type(atttypid, atttypmod) t FROM pg_attribute WHERE attrelid = 'everything'::regclass AND attnum > 0 ORDER BY attnum",
      );
    const dstTypes = new Map((await types(dst.url)).map((r) => [r.n, r.t]));
    for (const [n, t] of [
      ['c_timetz', 'time with time zone'],
      ['c_inet', 'inet'],
      ['c_money', 'money'],
      ['c_bit', 'bit(4)'],
      ['c_2d', 'bigint[]'],
      ['c_num_p', 'numeric(12,2)'],
      ['c_vc', 'character varying(10)'],
    ])
      expect(dstTypes.get(n!)).toBe(t);
    const pk = await sql<{ def: string }>(
      dst.url,
      "SELECT pg_get_constraintdef(oid) def FROM pg_constraint WHERE conrelid = 'everything'::regclass AND contype = 'p'",
    );
    expect(pk[0]?.def).toBe('PRIMARY KEY (id)');
    const ledger = await target.readLedger('r1');
    expect(ledger.map((l) => l.partitionId)).toEqual(ranges.map((_, i) => `everything#${i}`));
    expect(ledger.reduce((n, l) => n + Number(l.rows), 0)).toBe(204);
  });
});
