import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgBinaryRowChecksum } from '../../checksums/index.js';
import { copyOutChunks } from '../../connectors/postgres/read-copy.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';

/**
 * ferry's own COPY TO parser (connectors/postgres/copy-out-stream.ts) against a real server: every row, notices
 * interleaved with the data, an error half way, and the connection handed back to node-postgres after each.
 */
const svc = await requireServices(['pg']);

async function rows(client: pg.Client, select: string): Promise<string> {
  const hasher = new PgBinaryRowChecksum(2);
  for await (const chunk of copyOutChunks(client, select, 't', {})) hasher.push(chunk);
  return hasher.end().rows;
}

describe('COPY TO stream', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase('pg', svc.urls.pg!, 'copyout');
    await sql(
      db.url,
      `CREATE FUNCTION noisy(i int) RETURNS int LANGUAGE plpgsql AS $$
       BEGIN IF i % 997 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$`,
    );
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('reads every row, large values included, and leaves the connection ready', async () => {
    expect(await rows(client, `SELECT i, repeat('x', i % 3000) FROM generate_series(1, 50000) i`)).toBe('50000');
    expect(await rows(client, `SELECT i, repeat('é', 300000) FROM generate_series(1, 3) i`)).toBe('3');
    expect((await client.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
  });

  it('skips notices the server sends between rows', async () => {
    expect(await rows(client, `SELECT noisy(i), 'v' FROM generate_series(1, 20000) i`)).toBe('20000');
    expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });

  it('fails with the server error half way, and the connection stays usable', async () => {
    const e = await rows(client, `SELECT 1 / (i - 30000), 'v' FROM generate_series(1, 40000) i`).catch((x) => x);
    expect(e).toMatchObject({ code: 'DATA' });
    expect(String(e.message)).toMatch(/division by zero/);
    expect((await client.query('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
  });
});
