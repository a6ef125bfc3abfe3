import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices, sql } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';
import { waitUntil } from './processes.js';

/**
 * Chaos 5 (RELIABILITY F12/F13 on the target side): `pg_terminate_backend` on a worker's target connection
 * while its COPY is open (the worker is held in its 3rd batch for 1.5 s by `mid_copy:3:pause=1500`, well
 * within AckWait). The load fails with a retryable CONNECTION error and nothing committed; the coordinator
 * retries the partition under the next attempt; the run completes.
 */
const svc = await requireServices(['pg']);

describe('chaos: target connection terminated mid-load', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'pgterm' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('retries the partition and completes', async () => {
    const victim = c.worker('victim', { concurrency: 1, failpoint: 'mid_copy:3:pause=1500' });
    c.workers(2);
    await c.ready();
    const coordinator = c.coordinator('pgterm');
    // The victim's COPY: the oldest one on the target, open for over 0.7 s (the others take milliseconds).
    let terminated: { pid: number }[] = [];
    await waitUntil(
      'a long-running COPY on the target',
      async () => {
        terminated = await sql<{ pid: number }>(
          svc.urls.pg!,
          `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = $1 AND application_name = 'ferry target' AND query LIKE 'COPY%'
              AND state = 'active' AND now() - query_start > interval '700 milliseconds'
            ORDER BY query_start LIMIT 1`,
          [c.dst.name],
        );
        return terminated.length > 0;
      },
      60_000,
    );
    expect(terminated).toHaveLength(1);
    await c.expectSucceeded(coordinator);
    const o = await c.oracle('pgterm');
    // The partition failed once with a retryable connection error, then its next attempt loaded it.
    const results = c.results('pgterm');
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatchObject({ code: 'CONNECTION', retryable: true });
    const partition = failed[0]!.partitionId;
    const history = results.filter((r) => r.partitionId === partition).map((r) => [r.attempt, r.status]);
    expect(history).toEqual([
      [1, 'failed'],
      [2, 'done'],
    ]);
    expect(Math.floor(o.ledger.find((l) => l.partition_id === partition)!.attempt / 1000)).toBe(2);
    expect(victim.running).toBe(true);
  });
});
