import { afterAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import type { Partition, TableSpec } from '../../core/index.js';
import { exec, freshDatabase, logger } from './mariadb.js';

/**
 * The meta connection of a MySQL target (DDL, fences, ledger reads, constraints) and of a source (catalog
 * reads) outlives a lost session: a long migration leaves it idle past the server's `wait_timeout` while
 * partitions load, and an operator or proxy may kill it. The next statement opens a new session instead of
 * failing every later partition and the table's finish.
 */
const db = await freshDatabase('mymeta');
afterAll(() => db.drop());

const table = (name: string): TableSpec => ({
  name,
  columns: [{ name: 'id', type: { kind: 'int', bits: 32 }, nullable: false, nativeType: 'INT' }],
  primaryKey: ['id'],
  estimatedRows: 0,
  estimatedBytes: 0,
});

/** The ids of the database's sessions other than the caller's. */
const sessions = async () =>
  (
    await exec(
      db.url,
      `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND ID <> CONNECTION_ID()`,
    )
  ).map((r) => Number(r.id));

/** Kills the one open session (the meta connection) and gives the driver time to see the socket close. */
async function killMeta(): Promise<number> {
  const [meta, ...others] = await sessions();
  expect(others).toEqual([]);
  await exec(db.url, `KILL CONNECTION ${meta}`);
  await new Promise((r) => setTimeout(r, 300));
  return meta!;
}

describe('MySQL: a lost meta connection is opened again', () => {
  it('target: DDL, fences and ledger reads go on after the server killed it', async () => {
    const target = await mysqlConnector.openTarget(db.endpoint(), { logger });
    try {
      await target.prepareTable(table('a'), 'create', { runId: 'r', resuming: false });
      const killed = await killMeta();
      await target.prepareTable(table('b'), 'create', { runId: 'r', resuming: false });
      const partition: Partition = {
        id: 'b#0',
        table: 'b',
        index: 0,
        range: { columns: [], whole: true },
        estimatedRows: 0,
      };
      await target.beginAttempt!({ runId: 'r', planHash: 'h', partition, attempt: 1001 });
      expect(await target.readLedger('r')).toEqual([]);
      const now = await sessions();
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(killed);
      const [tables] = await exec(
        db.url,
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME IN ('a', 'b')`,
      );
      expect(Number(tables!.n)).toBe(2);
    } finally {
      await target.close();
    }
  });

  it('source: tables are listed and described after the server killed it', async () => {
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      await source.describe({ name: 'a' });
      await killMeta();
      expect((await source.describe({ name: 'b' })).columns.map((c) => c.name)).toEqual(['id']);
      expect((await source.listTables()).map((t) => t.name)).toContain('a');
    } finally {
      await source.close();
    }
  });
});
