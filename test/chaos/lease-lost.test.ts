import { existsSync, readFileSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_BUCKET } from '../../transport/index.js';
import { requireServices } from '../helpers/services.js';
import { open } from '../nats/helpers.js';
import { ChaosCluster } from './cluster.js';
import { tail, waitUntil } from './processes.js';

/**
 * A coordinator that loses its lease — another coordinator took the run over while this one was paused or cut
 * off from NATS — stops at once with that reason instead of dispatching beside its successor.
 */
const svc = await requireServices(['pg']);

describe('chaos: coordinator lease taken over', () => {
  let c: ChaosCluster;
  beforeAll(async () => {
    c = await ChaosCluster.start(svc.urls.pg!, { name: 'leaselost' });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the coordinator stops, naming the new holder', async () => {
    // No workers: the coordinator waits for results while it holds the lease.
    const coordinator = c.coordinator('leaselost', { env: { FERRY_NATS_LEASE_TTL_MS: '900' } });
    const nats = await open(c.nats.url);
    try {
      // Wait for the coordinator to create the bucket and take the lease; if it exits or never does, say why.
      const lease = async () => {
        const kv = await new Kvm(nats.connection).open(RUNS_BUCKET);
        return { kv, entry: await kv.get('leaselost.lease') };
      };
      let found: Awaited<ReturnType<typeof lease>> | undefined;
      await waitUntil(
        'the coordinator to take the lease',
        async () => {
          if (!coordinator.running) throw new Error(`the coordinator exited:\n${tail(coordinator.stderr())}`);
          found = await lease().catch(() => undefined);
          return Boolean(found?.entry?.value.length);
        },
        60_000,
        // waitUntil keeps the last 40 lines: the coordinator's last 15, then the server's own log (whether it was
        // NATS that went away).
        () =>
          `coordinator (pid ${coordinator.pid}, state ${coordinator.state()}):\n${tail(coordinator.stderr(), 15)}\n` +
          `nats-server (pid ${c.nats.pid}) log:\n${tail(existsSync(c.nats.logFile) ? readFileSync(c.nats.logFile, 'utf8') : '', 22)}`,
      );
      const { kv, entry } = found!;
      const held = entry!.json<{ epoch: number }>();
      await kv.update('leaselost.lease', JSON.stringify({ ...held, owner: 'intruder', epoch: held.epoch + 1 }), entry!.revision);
      const exit = await coordinator.wait(15_000);
      expect(exit.code).not.toBe(0);
      expect(coordinator.stderr()).toMatch(/lease of run leaselost was taken over by intruder/);
    } finally {
      await nats.close();
    }
  });
});
