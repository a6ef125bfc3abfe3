import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';
import { sleep } from './processes.js';

/**
 * Chaos 4 (RELIABILITY F07): nats-server is killed (-9) mid-run and restarted 3 s later on the same port and
 * store directory. Workers and the coordinator reconnect; unacknowledged tasks are delivered again (the ledger
 * absorbs the duplicates); tasks or results the server lost are found by the reconciler; the run completes.
 */
const svc = await requireServices(['pg']);

describe('chaos: nats-server restart mid-run', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'natsrestart' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('workers and coordinator reconnect and the run completes exactly', async () => {
    const workers = [1, 2, 3].map((i) => c.worker(`worker-${i}`, { failpoint: 'mid_copy:*:pause=40' }));
    // The lease outlives the outage (15 s TTL): the coordinator keeps the run through it.
    await c.ready();
    const coordinator = c.coordinator('natsrestart', { env: { FERRY_NATS_LEASE_TTL_MS: '15000' } });
    await c.waitCommitted('natsrestart', 15);
    const serverPid = c.nats.pid;
    await c.nats.kill('SIGKILL');
    const during = (await c.ledger('natsrestart')).length;
    await sleep(3000);
    await c.nats.start();
    expect(c.nats.pid).not.toBe(serverPid);
    await c.expectSucceeded(coordinator, 120_000);
    const o = await c.oracle('natsrestart');
    expect(during).toBeLessThan(o.planned);
    // Every process lived through it (none exited or was replaced).
    for (const w of workers) expect(w.running).toBe(true);
    for (const w of workers) expect(w.stderr()).toMatch(/NATS: reconnected/);
    // The coordinator waited and went on, keeping its lease through the outage.
    const log = readFileSync(join(c.dir, 'state', 'natsrestart', 'ferry.log'), 'utf8');
    expect(log).toMatch(/NATS: reconnected/);
    expect(log).not.toMatch(/lease .* (could not be renewed|was taken over)/);
  });
});
