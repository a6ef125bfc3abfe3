import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import {
  DEFAULT_BATCH_BYTES,
  type KeyRange,
  type ReadOptions,
  type Source,
  type TableSpec,
  parseEndpoint,
} from '../../core/index.js';
import { withDatabase } from '../helpers/services.js';
import { exec, freshDatabase, logger, rowsOf } from './mariadb.js';

const db = await freshDatabase('snap');
afterAll(() => db.drop());

const ALL: KeyRange = { columns: ['id'], whole: true };

async function ids(source: Source, spec: TableSpec, snapshotId?: string): Promise<number[]> {
  const out: number[] = [];
  for await (const b of source.read(spec, ALL, { batchRows: 1000, ...(snapshotId ? { snapshotId } : {}) })) {
    out.push(...rowsOf([b]).map((r) => r[0] as number));
  }
  return out.sort((a, b) => a - b);
}

/** Queries of this database running on the server (to see that cancelled reads leave nothing behind). */
async function running(): Promise<number> {
  const rows = await exec(
    db.url,
    `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND COMMAND = 'Query' AND ID <> CONNECTION_ID() AND INFO LIKE 'SELECT%FROM \`big\`%'`,
  );
  return Number(rows[0]!.n);
}

describe('mysql source: consistent snapshots', () => {
  let spec: TableSpec;

  beforeAll(async () => {
    await exec(db.url, [
      'CREATE TABLE big (id INT PRIMARY KEY, pad CHAR(200) NOT NULL)',
      "INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_50000",
    ]);
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    spec = await source.describe({ name: 'big' });
    await source.close();
  });

  it('parallel readers of one snapshot see one point in time while the table changes', async () => {
    const source = await mysqlConnector.openSource(db.endpoint('readers=2'), { logger, readOnly: true });
    try {
      const snapshot = await source.beginSnapshot!([{ name: 'big' }]);
      expect(snapshot.consistent).toBe(true);
      await exec(db.url, ['DELETE FROM big WHERE id <= 100', "INSERT INTO big VALUES (60000, 'new')"]);
      // Three concurrent reads on two snapshot connections: one waits for a connection, all see the old state.
      const ranges = [
        { columns: ['id'], hi: ['20000'] },
        { columns: ['id'], lo: ['20000'], hi: ['40000'] },
        { columns: ['id'], lo: ['40000'] },
      ];
      const counts = await Promise.all(
        ranges.map(async (range) => {
          let n = 0;
          for await (const b of source.read(spec, range, { batchRows: 4096, snapshotId: snapshot.id }))
            n += b.numRows;
          return n;
        }),
      );
      expect(counts).toEqual([19999, 20000, 10001]);
      const now = await ids(source, spec);
      expect(now).toHaveLength(49901);
      expect(now.at(-1)).toBe(60000);
      await snapshot.release();
      await expect(ids(source, spec, snapshot.id)).rejects.toMatchObject({
        code: 'CONNECTION',
        retryable: false,
      });
    } finally {
      await source.close();
      await exec(db.url, [
        'DELETE FROM big WHERE id = 60000',
        "INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_1_to_100",
      ]);
    }
  });

  it('a read abandoned midway is cancelled with KILL QUERY: the snapshot connection survives', async () => {
    const source = await mysqlConnector.openSource(db.endpoint('readers=1'), { logger, readOnly: true });
    try {
      const snapshot = await source.beginSnapshot!([{ name: 'big' }]);
      await exec(db.url, 'DELETE FROM big WHERE id > 49000');
      for await (const b of source.read(spec, ALL, { batchRows: 100, snapshotId: snapshot.id })) {
        expect(b.numRows).toBe(100);
        break;
      }
      expect(await running()).toBe(0);
      // The only connection of the snapshot is still there, still in its transaction.
      expect(await ids(source, spec, snapshot.id)).toHaveLength(50000);
      await snapshot.release();
    } finally {
      await source.close();
      await exec(db.url, "INSERT INTO big SELECT seq, REPEAT('x', 200) FROM seq_49001_to_50000");
    }
  });

  it('an aborted read stops the server query and reports ABORTED', async () => {
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      const controller = new AbortController();
      const read = async () => {
        for await (const _ of source.read(spec, ALL, { batchRows: 50, signal: controller.signal }))
          controller.abort();
      };
      await expect(read()).rejects.toMatchObject({ code: 'ABORTED' });
      await new Promise((r) => setTimeout(r, 200));
      expect(await running()).toBe(0);
    } finally {
      await source.close();
    }
  });

  it('a batch of wide rows ends at batchBytes (default DEFAULT_BATCH_BYTES) before batchRows', async () => {
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      const sizes = async (options: ReadOptions) => {
        const out: number[] = [];
        const seen: number[] = [];
        for await (const b of source.read(spec, ALL, options)) {
          out.push(b.numRows);
          seen.push(...rowsOf([b]).map((r) => r[0] as number));
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50_000 }, (_, i) => i + 1));
        return out;
      };
      // Rows of 201–205 bytes as received (id as text, CHAR(200)): 100,000 bytes after 488–498 rows.
      const small = await sizes({ batchRows: 10_000, batchBytes: 100_000 });
      expect(Math.min(...small.slice(0, -1))).toBeGreaterThanOrEqual(488);
      expect(Math.max(...small)).toBeLessThanOrEqual(498);
      const byDefault = await sizes({ batchRows: 10_000 });
      let first = 0;
      for (let bytes = 0; bytes < DEFAULT_BATCH_BYTES; ) bytes += 200 + String(++first).length;
      expect(byDefault[0]).toBe(first);
    } finally {
      await source.close();
    }
  });

  it('back-pressure: a slow consumer keeps memory flat (the stream pauses the connection)', async () => {
    await exec(db.url, [
      'CREATE TABLE wide_rows (id INT PRIMARY KEY, pad VARCHAR(2000) NOT NULL)',
      'INSERT INTO wide_rows SELECT seq, REPEAT(CHAR(65 + seq % 26), 2000) FROM seq_1_to_60000',
    ]);
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      const t = await source.describe({ name: 'wide_rows' });
      let rows = 0;
      let growth = 0;
      let before = 0;
      for await (const b of source.read(t, ALL, { batchRows: 500 })) {
        rows += b.numRows;
        if (rows === 500) {
          before = process.memoryUsage().arrayBuffers;
          // 120 MB of rows are waiting on the server; an unbounded reader would pull them all in now.
          await new Promise((r) => setTimeout(r, 1500));
          growth = process.memoryUsage().arrayBuffers - before;
        }
      }
      expect(rows).toBe(60000);
      expect(growth).toBeLessThan(24 * 1024 * 1024);
    } finally {
      await source.close();
    }
  });

  it('a snapshot whose connections died cannot be rejoined: reads fail, not retryable', async () => {
    const source = await mysqlConnector.openSource(db.endpoint('readers=1'), { logger, readOnly: true });
    try {
      const snapshot = await source.beginSnapshot!([{ name: 'big' }]);
      // The snapshot's one connection is the one with an open InnoDB transaction.
      const [conn] = await exec(
        db.url,
        `SELECT trx_mysql_thread_id AS id FROM information_schema.INNODB_TRX t
           JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id WHERE p.DB = '${db.name}'`,
      );
      await exec(db.url, `KILL CONNECTION ${conn!.id}`);
      await expect(ids(source, spec, snapshot.id)).rejects.toMatchObject({ code: 'CONNECTION' });
      await expect(ids(source, spec, snapshot.id)).rejects.toMatchObject({
        code: 'CONNECTION',
        retryable: false,
        message: expect.stringMatching(/snapshot .* is gone/),
      });
      await snapshot.release();
    } finally {
      await source.close();
    }
  });

  it('an unknown snapshot id (another process) fails rather than read another point in time', async () => {
    const source = await mysqlConnector.openSource(db.endpoint(), { logger, readOnly: true });
    try {
      await expect(ids(source, spec, 'mysql-snapshot-elsewhere')).rejects.toMatchObject({
        code: 'CONNECTION',
        retryable: false,
      });
    } finally {
      await source.close();
    }
  });

  it('snapshot=per-partition needs only SELECT and says the run is not consistent; consistent needs RELOAD', async () => {
    const user = `ro_${db.name.slice(-8)}`;
    await exec(db.url, [
      `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`,
      `CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY 'pw'`,
      `GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'`,
      `GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'127.0.0.1'`,
    ]);
    const url = new URL(withDatabase(db.url, db.name));
    url.username = user;
    url.password = 'pw';
    try {
      const limited = await mysqlConnector.openSource(parseEndpoint(url.toString()), {
        logger,
        readOnly: true,
      });
      try {
        await expect(limited.beginSnapshot!([{ name: 'big' }])).rejects.toMatchObject({
          code: 'CONFIG',
          context: {
            serverCode: expect.stringMatching(/^1227/),
            hint: expect.stringContaining('snapshot=per-partition'),
          },
        });
      } finally {
        await limited.close();
      }
      url.searchParams.set('snapshot', 'per-partition');
      const perPartition = await mysqlConnector.openSource(parseEndpoint(url.toString()), {
        logger,
        readOnly: true,
      });
      try {
        const snapshot = await perPartition.beginSnapshot!([{ name: 'big' }]);
        expect(snapshot.consistent).toBe(false);
        expect(await ids(perPartition, spec, snapshot.id)).toHaveLength(50000);
        await snapshot.release();
      } finally {
        await perPartition.close();
      }
    } finally {
      await exec(db.url, [`DROP USER '${user}'@'%'`, `DROP USER '${user}'@'127.0.0.1'`]);
    }
  });
});
