import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';

/**
 * Chaos 3 (RELIABILITY F05): the coordinator is SIGKILLed mid-run; `ferry resume RUN --nats URL` waits out the
 * dead coordinator's lease, takes it over (epoch 2: attempts start above 100, fencing every task the first
 * coordinator published), dispatches what the ledger does not hold, and completes the run.
 */
const svc = await requireServices(['pg']);

describe('chaos: coordinator SIGKILL, then resume', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'coordkill' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('resume completes the run with every partition loaded once', async () => {
    // Each batch takes 40 ms, so the run lasts long enough to be killed half way.
    for (let i = 1; i <= 3; i++) c.worker(`worker-${i}`, { failpoint: 'mid_copy:*:pause=40' });
    await c.ready();
    const first = c.coordinator('coordkill');
    await c.waitCommitted('coordkill', 15);
    expect((await first.kill()).signal).toBe('SIGKILL');
    const before = (await c.ledger('coordkill')).length;
    expect(before).toBeLessThan(60);
    const resumed = await c.cli('resume', ['resume', 'coordkill', '--nats', c.nats.url, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout.trim().split('\n').pop()!).report;
    expect(report).toMatchObject({ status: 'succeeded', verified: true });
    const o = await c.oracle('coordkill');
    // The resumed coordinator's tasks carry attempts above the lease floor (epoch 2 → 101…).
    expect(o.ledger.some((l) => l.attempt > 100_000)).toBe(true);
  });
});
