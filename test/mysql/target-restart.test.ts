import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRetriedAndVerified, itemsSource, runItemsSlowly } from '../helpers/items-source.js';
import { type MariadbServer, startMariadbServer } from '../helpers/mariadb-server.js';
import { requireServices, type TestDatabase } from '../helpers/services.js';
import { exec } from './mariadb.js';

/**
 * RELIABILITY F12 on a MariaDB target: the server is killed (SIGKILL) while partitions load and comes back
 * 2 s later after crash recovery. The loads in flight die with their connections (InnoDB rolls them back), the
 * meta connection and pooled loaders are replaced, the partitions are retried with backoff, and the run
 * completes with every row once. The server is this test's own: killing the shared one would disturb the other
 * test files.
 */
// MariaDB too: its start installs the package whose binaries this test's own server runs.
const svc = await requireServices(['pg', 'mysql']);

describe('MariaDB target: the server crashes and restarts mid-load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-mytarget-restart-'));
  let server: MariadbServer;
  let src: TestDatabase;

  beforeAll(async () => {
    src = await itemsSource(svc.urls.pg!, 'myrestartsrc', 8000);
    server = await startMariadbServer('restart');
    await exec(`${server.url}/mysql`, 'CREATE DATABASE restarted');
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL, 2 s down, crash recovery: the partitions in flight are retried and every row arrives once', async () => {
    const target = `${server.url}/restarted`;
    const running = runItemsSlowly(src.url, target, dir);
    // Crash once a partition has committed and another is loading.
    for (let i = 0; ; i++) {
      const [state] = await exec(
        target,
        `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'restarted'
                   AND TABLE_NAME = '_ferry_ledger') AS ledger,
                (SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_rows_modified >= 250) AS loading`,
      );
      if (Number(state!.ledger) > 0 && Number(state!.loading) > 0) {
        const [done] = await exec(target, 'SELECT COUNT(*) AS n FROM _ferry_ledger');
        if (Number(done!.n) > 0) break;
      }
      expect(i, 'a committed partition and a load in flight').toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    await server.crash(2000);
    expectRetriedAndVerified(await running);
    const [rows] = await exec(
      target,
      'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, CAST(SUM(n) AS CHAR) AS s, MIN(id) AS lo, MAX(id) AS hi FROM items',
    );
    expect(rows).toMatchObject({
      n: '8000',
      d: '8000',
      s: `${(1.25 * 8000 * 8001) / 2}.00`,
      lo: 1,
      hi: 8000,
    });
  });
});
