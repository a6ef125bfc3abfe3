import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { parseEndpoint, silentLogger, type Source, type Target } from '../../core/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

const svc = await requireServices(['pg']);
const logger = silentLogger();

describe('postgres target DDL after load', () => {
  let src: TestDatabase;
  let dst: TestDatabase;
  let source: Source;
  let target: Target;

  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'ddl_src');
    dst = await createTestDatabase('pg', svc.urls.pg!, 'ddl_dst');
    await sql(
      src.url,
      `CREATE TABLE parent (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text UNIQUE NOT NULL);
       CREATE TABLE child (
         id serial PRIMARY KEY,
         parent_id bigint REFERENCES parent (id),
         qty int CHECK (qty > 0),
         total numeric(10,2) GENERATED ALWAYS AS (qty * 1.5) STORED,
         note text);
       CREATE INDEX child_note_lower ON child (lower(note));
       CREATE INDEX child_parent ON child (parent_id);
       INSERT INTO parent (code) SELECT 'c' || g FROM generate_series(1, 50) g;
       INSERT INTO child (parent_id, qty, note) SELECT 1 + g % 50, g, 'Note ' || g FROM generate_series(1, 500) g;
       ANALYZE;`,
    );
    source = await postgresConnector.openSource(parseEndpoint(src.url), { logger });
    target = await postgresConnector.openTarget(parseEndpoint(dst.url), { logger });
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await src?.drop();
    await dst?.drop();
  });

  it('introspects identity, generated columns, keys, checks and indexes', async () => {
    const child = await source.describe({ name: 'child' });
    expect(child.columns.find((c) => c.name === 'id')?.identity).toBe(true);
    expect(child.columns.find((c) => c.name === 'total')?.generated).toMatch(/qty/);
    expect(child.foreignKeys).toEqual([
      {
        name: 'child_parent_id_fkey',
        columns: ['parent_id'],
        references: { schema: 'public', name: 'parent' },
        referencedColumns: ['id'],
      },
    ]);
    expect(child.checks).toEqual([{ name: 'child_qty_check', expression: 'CHECK ((qty > 0))' }]);
    expect(child.indexes?.map((i) => [i.name, i.columns])).toEqual([
      ['child_note_lower', []],
      ['child_parent', ['parent_id']],
    ]);
    const parent = await source.describe({ name: 'parent' });
    expect(parent.uniqueKeys).toEqual([['code']]);
  });

  it('loads, then builds keys, indexes, validated foreign keys and checks, and advances sequences', async () => {
    for (const name of ['parent', 'child']) {
      const spec = await source.describe({ name });
      const tspec = target.mapTable(spec, { name });
      await target.prepareTable(tspec, 'create', { runId: 'd', resuming: false });
      const partition = {
        id: `${name}#0`,
        table: name,
        index: 0,
        range: { columns: [], whole: true },
        estimatedRows: 0,
      };
      const w = await target.openPartition({
        runId: 'd',
        planHash: 'h',
        table: tspec,
        partition,
        attempt: 1,
        clearRange: false,
      });
      for await (const b of source.read(spec, partition.range, { batchRows: 64 })) await w.write(b);
      await w.commit({
        runId: 'd',
        partitionId: partition.id,
        table: name,
        planHash: 'h',
        attempt: 1,
        rows: '0',
        checksum: '0',
      });
      await target.finishTable(tspec);
      await target.finishTable(tspec); // a resumed run may finish a table twice
    }
    const cons = await sql<{ c: string; d: string; v: boolean }>(
      dst.url,
      `SELECT conname c, pg_get_constraintdef(oid) d, convalidated v FROM pg_constraint
        WHERE conrelid IN ('parent'::regclass, 'child'::regclass) AND contype <> 'n' ORDER BY 1`,
    );
    expect(cons).toEqual([
      { c: 'child_parent_id_fkey', d: 'FOREIGN KEY (parent_id) REFERENCES parent(id)', v: true },
      { c: 'child_pkey', d: 'PRIMARY KEY (id)', v: true },
      { c: 'child_qty_check', d: 'CHECK ((qty > 0))', v: true },
      { c: 'parent_code_key', d: 'UNIQUE (code)', v: true },
      { c: 'parent_pkey', d: 'PRIMARY KEY (id)', v: true },
    ]);
    const idx = await sql<{ d: string }>(
      dst.url,
      "SELECT indexdef d FROM pg_indexes WHERE tablename = 'child' ORDER BY indexname",
    );
    expect(idx.map((i) => i.d)).toContain(
      'CREATE INDEX child_note_lower ON public.child USING btree (lower(note))',
    );
    const next = await sql<{ id: string }>(
      dst.url,
      "INSERT INTO child (parent_id, qty, total, note) VALUES (1, 1, 1.5, 'new') RETURNING id",
    );
    expect(Number(next[0]!.id)).toBe(501);
    const [a, b] = await Promise.all(
      [src.url, dst.url].map((u) =>
        sql<{ r: string }>(u, 'SELECT c::text r FROM child c WHERE id <= 500 ORDER BY id'),
      ),
    );
    expect(b).toEqual(a);
  });

  it('builds indexes with index_memory as maintenance_work_mem: 512MB at least by default, as given when set', async () => {
    // An event trigger records the session's setting while each CREATE INDEX runs.
    await sql(
      dst.url,
      `CREATE TABLE mem_log (tag text, mwm text);
       CREATE FUNCTION log_mwm() RETURNS event_trigger LANGUAGE plpgsql AS
         $$BEGIN INSERT INTO mem_log VALUES (tg_tag, current_setting('maintenance_work_mem')); END$$;
       CREATE EVENT TRIGGER log_mwm ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION log_mwm();`,
    );
    const spec = await source.describe({ name: 'parent' });
    const finish = async (t: Target, name: string) => {
      const tspec = t.mapTable(spec, { name });
      await t.prepareTable(tspec, 'create', { runId: 'm', resuming: false });
      await t.finishTable(tspec);
      const logged = await sql<{ mwm: string }>(dst.url, 'DELETE FROM mem_log RETURNING mwm');
      return logged.map((r) => r.mwm);
    };
    expect(await sql(dst.url, "SELECT current_setting('maintenance_work_mem') m")).toEqual([{ m: '64MB' }]);
    // primary key and unique key
    expect(await finish(target, 'mem_default')).toEqual(['512MB', '512MB']);
    const given = await postgresConnector.openTarget(parseEndpoint(`${dst.url}?index_memory=96MB`), {
      logger,
    });
    try {
      expect(await finish(given, 'mem_given')).toEqual(['96MB', '96MB']);
    } finally {
      await given.close();
    }
    await expect(
      postgresConnector.openTarget(parseEndpoint(`${dst.url}?index_memory=lots`), { logger }),
    ).rejects.toMatchObject({ code: 'CONFIG', message: expect.stringMatching(/index_memory=lots/) });
    // A size PostgreSQL refuses (above its maximum) fails the build, naming the parameter and the table.
    const huge = await postgresConnector.openTarget(parseEndpoint(`${dst.url}?index_memory=9999TB`), {
      logger,
    });
    try {
      await expect(finish(huge, 'mem_huge')).rejects.toMatchObject({
        code: 'CONFIG',
        message: expect.stringMatching(/index_memory=9999TB/),
        context: { table: 'public.mem_huge', configPath: 'index_memory' },
      });
    } finally {
      await huge.close();
    }
    await sql(dst.url, 'DROP EVENT TRIGGER log_mwm');
  });
});
