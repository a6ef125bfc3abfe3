import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';

/**
 * Chaos 2 (RELIABILITY F03): a worker commits a partition (rows + ledger row, one transaction) and dies
 * before it acks (failpoint `after_commit:2:kill`). JetStream delivers the task again; the next worker finds
 * the partition in the target's ledger and does not load it again: one committed attempt, no row loaded twice.
 */
const svc = await requireServices(['pg']);

describe('chaos: worker dies after commit, before ack', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'aftercommit' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the ledger prevents a second load of the committed partition', async () => {
    // Concurrency 1: the only partition the victim holds when it dies is the one it just committed.
    const victim = c.worker('victim', { concurrency: 1, failpoint: 'after_commit:2:kill' });
    c.workers(2);
    await c.ready();
    const coordinator = c.coordinator('aftercommit');
    expect((await victim.wait(60_000)).signal).toBe('SIGKILL');
    await c.expectSucceeded(coordinator);
    const o = await c.oracle('aftercommit');
    // Committed by one delivery and started again by a later one, which found it in the ledger and did not
    // load it: the victim's partition (and any task a slow machine let AckWait redeliver after its commit).
    const again = o.ledger.filter((l) => o.attempts.get(l.partition_id)!.started_fence > l.attempt);
    expect(again.length).toBeGreaterThanOrEqual(1);
    expect(again.some((l) => !o.attempts.get(l.partition_id)!.started_by.endsWith(`:${victim.pid}`))).toBe(
      true,
    );
    for (const l of again) {
      expect(l.attempt).toBe(1001);
      expect(l.rows).toBe('50');
      // The coordinator heard of it once: from the redelivery, which found it committed ("skipped"); the
      // table is read back as a whole once loaded (a PostgreSQL target indexes it after the load).
      const results = c.results('aftercommit').filter((r) => r.partitionId === l.partition_id);
      expect(results).toEqual([expect.objectContaining({ status: 'skipped' })]);
    }
  });
});
