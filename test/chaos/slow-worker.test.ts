import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';

/**
 * Chaos 7 (RELIABILITY F17): one worker is much slower than the others (every batch it writes pauses 400 ms:
 * about 2 s per partition). Workers pull one task per free slot, so the fast ones take the remaining
 * partitions while the slow one is busy; its heartbeats keep its own tasks (none is delivered twice).
 */
const svc = await requireServices(['pg']);

const SLOW_PARTITION_MS = 5 * 400;

describe('chaos: one slow worker', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'slow' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the fast workers take the remaining partitions; no slow task is redelivered', async () => {
    const slow = c.worker('slow', { concurrency: 2, failpoint: 'mid_copy:*:pause=400' });
    const fast = c.workers(2);
    await c.ready();
    const coordinator = c.coordinator('slow');
    const report = await c.expectSucceeded(coordinator);
    const o = await c.oracle('slow');
    const by = (p: { pid: number }) =>
      [...o.attempts.values()].filter((a) => a.started_by.endsWith(`:${p.pid}`)).length;
    const slowCount = by(slow);
    const fastCount = fast.reduce((n, w) => n + by(w), 0);
    console.log(
      `slow worker: ${slowCount} partitions; fast workers: ${fast.map(by).join(' + ')}; run ${report.seconds} s`,
    );
    expect(slowCount + fastCount).toBe(o.planned);
    // The slow worker's two slots could do at most about run time / 2 s partitions each.
    expect(slowCount).toBeLessThanOrEqual(2 * Math.ceil((report.seconds * 1000) / SLOW_PARTITION_MS));
    expect(fastCount).toBeGreaterThanOrEqual(o.planned * 0.85);
    for (const w of fast) expect(by(w)).toBeGreaterThan(0);
    // Had the partitions been dealt out evenly, the slow worker’s share alone would take 20 s.
    expect(report.seconds * 1000).toBeLessThan((o.planned / 3 / 2) * SLOW_PARTITION_MS);
    // Heartbeats kept every task with its worker: each partition started exactly once.
    expect([...o.attempts.values()].every((a) => a.started_fence === 1001)).toBe(true);
  });
});
