import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';
import { waitUntil } from './processes.js';

/**
 * Chaos 8 (RELIABILITY F16, the zombie worker): a worker freezes (SIGSTOP, by failpoint `before_commit:2:stop`
 * so it is frozen exactly with its COPY sent and its transaction open) past AckWait. JetStream delivers its
 * partition again; another worker records a newer fence, loads and commits it. Then the zombie gets SIGCONT
 * and tries to commit: the fence check (the partition's rows locked FOR UPDATE in its transaction) refuses
 * it and it rolls back. One committed attempt, no row twice.
 */
const svc = await requireServices(['pg']);

describe('chaos: frozen worker wakes up after its partition was re-run', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'zombie' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('refuses the late commit by the fence; the ledger shows one committed attempt', async () => {
    const zombie = c.worker('zombie', { concurrency: 1, failpoint: 'before_commit:2:stop' });
    c.workers(2);
    await c.ready();
    const coordinator = c.coordinator('zombie');
    await zombie.waitFrozen(60_000);
    // The zombie's partition: started by it, not committed.
    const committed = new Set((await c.ledger('zombie')).map((l) => l.partition_id));
    const held = (await c.attempts('zombie')).filter(
      (a) => a.started_by.endsWith(`:${zombie.pid}`) && !committed.has(a.partition_id),
    );
    expect(held).toHaveLength(1);
    const partition = held[0]!.partition_id;
    expect(held[0]!.started_fence).toBe(1001);
    // Past AckWait it is delivered again, and another worker commits it under fence 1002.
    await waitUntil(
      `${partition} committed by its second delivery`,
      async () => (await c.ledger('zombie')).some((l) => l.partition_id === partition && l.attempt >= 1002),
      30_000,
    );
    expect(zombie.state()).toBe('T');
    zombie.thaw();
    await waitUntil(
      'the zombie’s commit to be refused',
      () => /is fenced/.test(zombie.stderr()),
      20_000,
      () => zombie.stderr(),
    );
    expect(zombie.stderr()).toMatch(
      new RegExp(
        `partition ${partition.replace('.', '\\.')} attempt 1001 is fenced: attempt 100\\d has started since`,
      ),
    );
    await c.expectSucceeded(coordinator);
    const o = await c.oracle('zombie');
    const entry = o.ledger.find((l) => l.partition_id === partition)!;
    expect(entry.rows).toBe('50');
    expect(entry.attempt).toBeGreaterThanOrEqual(1002);
    expect(o.attempts.get(partition)!.started_fence).toBe(entry.attempt);
    // The zombie lives on and keeps working after being fenced.
    expect(zombie.running).toBe(true);
  });
});
