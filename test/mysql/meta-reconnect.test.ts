import { afterAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import type { Partition, TableSpec } from '../../core/index.js';
import { exec, freshDatabase, logger } from './mariadb.js';

/**
 * The MySQL target's meta connection (DDL, fences, ledger reads, constraints) outlives a lost session: a long
 * migration leaves it idle past the server's `wait_timeout` while partitions load, and an operator or proxy may
 * kill it. The next statement opens a new session instead of failing every partition and the table's finish.
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

describe('MySQL target: a lost meta connection', () => {
  it('is opened again: DDL, fences and ledger reads go on after the server killed it', async () => {
    const target = await mysqlConnector.openTarget(db.endpoint(), { logger });
    try {
      await target.prepareTable(table('a'), 'create', { runId: 'r', resuming: false });
      const sessions = async () =>
        exec(
          db.url,
          `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND ID <> CONNECTION_ID()`,
        );
      const before = await sessions();
      expect(before).toHaveLength(1);
      await exec(db.url, `KILL CONNECTION ${before[0]!.id}`);
      // The driver learns of the closed socket asynchronously; give it a moment, as idle time would.
      await new Promise((r) => setTimeout(r, 300));

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
      const after = await sessions();
      expect(after).toHaveLength(1);
      expect(after[0]!.id).not.toBe(before[0]!.id);
      const [tables] = await exec(
        db.url,
        `SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${db.name}' AND TABLE_NAME IN ('a', 'b')`,
      );
      expect(Number(tables!.n)).toBe(2);
    } finally {
      await target.close();
    }
  });
});
