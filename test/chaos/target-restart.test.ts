import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRetriedAndVerified, itemsSource, runItemsSlowly } from '../helpers/items-source.js';
import { type PgCluster, startPgCluster } from '../helpers/pg-cluster.js';
import { createTestDatabase, requireServices, sql, type TestDatabase } from '../helpers/services.js';
import { waitUntil } from './processes.js';

/**
 * RELIABILITY F12: the PostgreSQL target restarts while partitions load (`pg_ctl stop -m fast` and start, and
 * `-m immediate` with 2.5 s down: the server recovers from a crash). Every session ends: the open COPYs roll back, pooled
 * connections die idle. The partitions in flight fail with a lost connection and are retried with backoff
 * (a lost connection gets a longer budget than other retryable errors) on new connections; the run completes
 * and the target equals the source, checked by ferry and by SQL here. The target is a cluster of this test's
 * own (restarting the shared server would disturb the other test files).
 */
const svc = await requireServices(['pg']);

const DIGEST = `SELECT count(*)::text AS n, count(DISTINCT id)::text AS d, sum(n)::text AS s,
  md5(string_agg(id || ':' || v || ':' || n, ',' ORDER BY id)) AS h FROM items`;

describe('chaos: the PostgreSQL target restarts mid-load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-target-restart-'));
  let cluster: PgCluster;
  let src: TestDatabase;

  beforeAll(async () => {
    src = await itemsSource(svc.urls.pg!, 'restartsrc', 8000);
    cluster = await startPgCluster(svc.env.FERRY_TEST_PG_BIN!, 'restart');
  });
  afterAll(async () => {
    await cluster?.stop();
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Down for 2.5 s: longer than three quick attempts (0.5 s and 1 s apart) would ride out.
  for (const [mode, downMs] of [
    ['fast', 0],
    ['immediate', 2500],
  ] as const) {
    it(`pg_ctl stop -m ${mode}, start after ${downMs} ms: the partitions in flight are retried and the target is exact`, async () => {
      const dst = await createTestDatabase('pg', cluster.url, `restart_${mode}`);
      // Every batch pauses 150 ms inside its partition's open COPY: the load lasts long enough to restart into.
      const running = runItemsSlowly(src.url, dst.url, dir);
      // Restart once a partition has committed and others are loading: both open COPYs and idle pooled
      // connections are cut.
      await waitUntil(
        'a committed partition and a COPY in flight on the target',
        async () => {
          const [copy] = await sql<{ n: number }>(
            cluster.url,
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ferry target'
                AND query LIKE 'COPY%' AND state = 'active'`,
            [dst.name],
          );
          if (!copy?.n) return false;
          const [ledger] = await sql<{ t: string | null }>(
            dst.url,
            "SELECT to_regclass('ferry._ferry_ledger')::text AS t",
          );
          if (!ledger?.t) return false;
          const [done] = await sql<{ n: number }>(
            dst.url,
            'SELECT count(*)::int AS n FROM ferry._ferry_ledger',
          );
          return (done?.n ?? 0) > 0;
        },
        60_000,
      );
      await cluster.restart(mode, downMs);
      expectRetriedAndVerified(await running);
      const [want] = await sql(src.url, DIGEST);
      const [got] = await sql(dst.url, DIGEST);
      expect(got).toEqual(want);
      expect(got!.n).toBe('8000');
    });
  }
});
