import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsSource } from '../helpers/items-source.js';
import { requireServices, runCli, type TestDatabase } from '../helpers/services.js';
import { exec, freshDatabase } from './mariadb.js';

/**
 * RELIABILITY F02: a worker killed (SIGKILL) in the middle of LOAD DATA into a MariaDB target. Its open
 * transaction dies with the connection (the server rolls it back), the committed partitions keep their ledger
 * rows, and `ferry resume` loads exactly the rest: one ledger row per partition, every row once, verified.
 * F12: the target connection killed (KILL CONNECTION) while a partition's transaction is open: that partition
 * is retried and the table is exact.
 */
const svc = await requireServices(['pg', 'mysql']);
const password = (url: string) => decodeURIComponent(new URL(url).password);

describe('MariaDB target: faults in the middle of a partition load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-mytarget-kill-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  const dbs: { drop(): Promise<void> }[] = [];
  let src: TestDatabase;
  let dst: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    src = await itemsSource(svc.urls.pg!, 'mytkillsrc', 6000);
    dbs.push(src);
    dst = await freshDatabase('mytkilldst');
    dbs.push(dst);
  });
  afterAll(async () => {
    for (const d of dbs.reverse()) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a target connection killed mid-partition: the partition is retried and the table is exact', async () => {
    const target = await freshDatabase('mytkillconn');
    dbs.push(target);
    // Every batch write pauses 300 ms inside the partition's open transaction, so its connection can be killed.
    const running = runCli(
      [
        'run', '--from', src.url, '--to', target.url, '--tables', 'items', '--partition-rows', '2000',
        '--batch-rows', '500', '--workers', '1', '--json', ...state,
      ],
      { env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'mid_copy:*:pause=300' } },
    );
    let killed = 0;
    for (let i = 0; i < 100 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      // The loading connection: the one whose open InnoDB transaction has written a batch (500 rows). The meta
      // connection's short transactions (the attempt fence writes one row) are not a partition in flight; on a
      // loaded machine a poll can land on one of them (meta-reconnect.test.ts covers losing that connection).
      const [load] = await exec(
        target.url,
        `SELECT p.ID AS id FROM information_schema.INNODB_TRX t
           JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
          WHERE p.DB = '${target.name}' AND t.trx_rows_modified >= 500`,
      );
      if (load) {
        killed = Number(load.id);
        await exec(target.url, `KILL CONNECTION ${killed}`);
      }
    }
    const r = await running;
    expect(killed).toBeGreaterThan(0);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/retrying partition/);
    expect(JSON.parse(r.stdout).report.verified).toBe(true);
    const [rows] = await exec(target.url, 'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d FROM items');
    expect(rows).toMatchObject({ n: '6000', d: '6000' });
  });

  it('the killed loads leave nothing; resume completes exactly once', async () => {
    const killed = await runCli(
      [
        'run', '--from', src.url, '--to', dst.url, '--tables', 'items', '--partition-rows', '500',
        '--batch-rows', '100', '--workers', '2', '--run-id', 'mykill', ...state,
      ],
      { env: { FERRY_TEST_MODE: '1', FERRY_FAILPOINT: 'mid_copy:23:kill' } },
    );
    expect(killed.signal).toBe('SIGKILL');
    const ledger = async () =>
      (
        await exec(
          dst.url,
          "SELECT COUNT(*) AS n, COUNT(DISTINCT partition_id) AS d, CAST(SUM(`rows`) AS CHAR) AS r FROM _ferry_ledger WHERE run_id = 'mykill'",
        )
      )[0]!;
    const before = await ledger();
    expect(Number(before.n)).toBeGreaterThan(0);
    expect(Number(before.n)).toBeLessThan(12);
    // Exactly the committed partitions' rows: nothing of the loads that were cut.
    const [loaded] = await exec(dst.url, 'SELECT CAST(COUNT(*) AS CHAR) AS n FROM items');
    expect(loaded!.n).toBe(before.r);

    const resumed = await runCli(['resume', 'mykill', '--json', ...state], {
      env: { FERRY_SOURCE_PASSWORD: password(src.url), FERRY_TARGET_PASSWORD: password(dst.url) },
    });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).report.verified).toBe(true);
    const after = await ledger();
    expect(Number(after.n)).toBe(12);
    expect(after.d).toBe(after.n);
    const [rows] = await exec(
      dst.url,
      'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS d, CAST(SUM(n) AS CHAR) AS s, MIN(id) AS lo, MAX(id) AS hi FROM items',
    );
    expect(rows).toMatchObject({ n: '6000', d: '6000', s: `${(1.25 * 6000 * 6001) / 2}.00`, lo: 1, hi: 6000 });
    expect((await runCli(['verify', '--from', src.url, '--to', dst.url, '--tables', 'items'])).code).toBe(0);
  });
});
