import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskStream } from '../../transport/index.js';
import { requireServices } from '../helpers/services.js';
import { ChaosCluster } from './cluster.js';

/**
 * Chaos 9 (RELIABILITY F08, approximated): the run's task stream is deleted mid-run, as if the server lost
 * its messages. NATS is the dispatcher, not the record: the coordinator's reconciler (every second here)
 * compares the outstanding partitions with the stream, re-publishes the missing ones under a new attempt,
 * and the run completes.
 */
const svc = await requireServices(['pg']);

describe('chaos: task stream deleted mid-run', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'streamgone' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the reconciler re-publishes what is missing and the run completes', async () => {
    for (let i = 1; i <= 3; i++) c.worker(`worker-${i}`, { failpoint: 'mid_copy:*:pause=40' });
    await c.ready();
    const coordinator = c.coordinator('streamgone');
    await c.waitCommitted('streamgone', 15);
    const nc = await connect({ servers: c.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      expect(await jsm.streams.delete(taskStream('streamgone'))).toBe(true);
    } finally {
      await nc.close();
    }
    const lost = 60 - (await c.ledger('streamgone')).length;
    expect(lost).toBeGreaterThan(0);
    await c.expectSucceeded(coordinator, 120_000);
    const o = await c.oracle('streamgone');
    const log = readFileSync(join(c.dir, 'state', 'streamgone', 'ferry.log'), 'utf8');
    expect(log).toMatch(/task lost by the transport: publishing it again/);
    // Partitions re-published by the reconciler committed under attempt 2.
    expect(o.ledger.some((l) => Math.floor(l.attempt / 1000) === 2)).toBe(true);
  });
});
