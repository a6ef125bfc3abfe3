import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { parseEndpoint, silentLogger } from '../../core/index.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

/**
 * Pooled connections the server ended while they sat idle (pg_terminate_backend here; in production a proxy's
 * or `idle_session_timeout`'s cut during a long load) are not handed out again: the next describe, read, DDL
 * or ledger read opens a new session instead of failing — a table's index build after hours of loading must
 * not fail on a connection that died in the pool.
 */
const svc = await requireServices(['pg']);
const logger = silentLogger();

describe('PostgreSQL pools after the server ended idle sessions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'lostconn');
    await sql(
      db.url,
      'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 100) g;',
    );
  });
  afterAll(() => db?.drop());

  /** Terminates the database's sessions of one application, and waits until they are gone. */
  const terminate = async (application: string) => {
    const killed = await sql(
      db.url,
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = '${application}'`,
    );
    expect(killed[0]!.n).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) {
      const [left] = await sql(
        db.url,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = '${application}'`,
      );
      if (left!.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // The client learns of the end from the socket, asynchronously, as it would while idle in a pool.
    await new Promise((r) => setTimeout(r, 200));
  };

  it('a source reads on after its idle connections were terminated', async () => {
    const source = await postgresConnector.openSource(parseEndpoint(db.url), { logger, readOnly: true });
    try {
      const spec = await source.describe({ name: 't' });
      await terminate('ferry source');
      expect((await source.describe({ name: 't' })).columns.map((c) => c.name)).toEqual(['id', 'v']);
      let rows = 0;
      for await (const b of source.read(spec, { columns: ['id'], whole: true }, { batchRows: 50 }))
        rows += b.numRows;
      expect(rows).toBe(100);
    } finally {
      await source.close();
    }
  });

  it('a target prepares tables and reads its ledger after its idle connections were terminated', async () => {
    const target = await postgresConnector.openTarget(parseEndpoint(db.url), { logger });
    const source = await postgresConnector.openSource(parseEndpoint(db.url), { logger, readOnly: true });
    try {
      const spec = target.mapTable(await source.describe({ name: 't' }), { name: 'copy1' });
      await target.prepareTable(spec, 'create', { runId: 'r', resuming: false });
      await terminate('ferry target');
      expect(await target.readLedger('r')).toEqual([]);
      await target.prepareTable({ ...spec, name: 'copy2' }, 'create', { runId: 'r', resuming: false });
      const [made] = await sql(
        db.url,
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('copy1', 'copy2')",
      );
      expect(made!.n).toBe(2);
    } finally {
      await source.close();
      await target.close();
    }
  });
});
