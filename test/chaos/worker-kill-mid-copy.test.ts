import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';

/**
 * Chaos 1 (RELIABILITY F01): a worker is SIGKILLed in the middle of a COPY (failpoint `mid_copy:3:kill`: its
 * 3rd batch, while both its slots are loading their first partitions). Its open transactions die with it;
 * its partitions stop heartbeating and JetStream delivers them again after AckWait to the surviving workers,
 * which load them whole under a higher fence.
 */
const svc = await requireServices(['pg']);

describe('chaos: worker SIGKILL mid-COPY', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'midcopy' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('redelivers the killed worker’s partitions to the others; the run completes exactly', async () => {
    const victim = c.worker('victim', { failpoint: 'mid_copy:3:kill' });
    c.workers(2);
    await c.ready();
    const coordinator = c.coordinator('midcopy');
    expect((await victim.wait(60_000)).signal).toBe('SIGKILL');
    await c.expectSucceeded(coordinator);
    const o = await c.oracle('midcopy');
    // The victim's partitions (1 or 2 in flight, concurrency 2) committed at a later delivery, by another
    // worker: the victim's own start (fence 1001) was superseded.
    const redelivered = o.ledger.filter((l) => l.attempt % 1000 >= 2);
    expect(redelivered.length).toBeGreaterThanOrEqual(1);
    for (const l of redelivered)
      expect(o.attempts.get(l.partition_id)!.started_by.endsWith(`:${victim.pid}`)).toBe(false);
  });
});
