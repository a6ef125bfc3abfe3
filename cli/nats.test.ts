import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../core/index.js';
import { leaseOptions, natsConnectOptions, natsTuning } from './nats.js';

describe('NATS knobs from the environment', () => {
  it('reads the timer knobs as milliseconds, ignoring unset and empty ones', () => {
    expect(
      natsTuning({
        FERRY_NATS_ACK_WAIT_MS: '3000',
        FERRY_NATS_MAX_DELIVER: '7',
        FERRY_NATS_NAK_DELAY_MS: '200',
        FERRY_NATS_PULL_EXPIRES_MS: '',
        FERRY_NATS_DISCOVERY_MS: '250',
        FERRY_NATS_REQUEST_TIMEOUT_MS: '3000',
      }),
    ).toEqual({
      ackWaitMs: 3000,
      maxDeliver: 7,
      nakDelayMs: 200,
      discoveryIntervalMs: 250,
      requestTimeoutMs: 3000,
    });
    expect(natsTuning({})).toEqual({});
  });

  it('refuses a knob that is not a positive integer, naming it', () => {
    expect(() => natsTuning({ FERRY_NATS_ACK_WAIT_MS: '3s' })).toThrow(
      /FERRY_NATS_ACK_WAIT_MS must be a positive integer/,
    );
    expect(() => natsTuning({ FERRY_NATS_MAX_DELIVER: '0' })).toThrow(/FERRY_NATS_MAX_DELIVER/);
  });

  it('takes the coordinator lease TTL from FERRY_NATS_LEASE_TTL_MS', () => {
    expect(leaseOptions({ FERRY_NATS_LEASE_TTL_MS: '3000' })).toEqual({ ttlMs: 3000 });
    expect(leaseOptions({})).toEqual({});
    expect(() => leaseOptions({ FERRY_NATS_LEASE_TTL_MS: '-1' })).toThrow(/FERRY_NATS_LEASE_TTL_MS/);
  });

  it('splits several server URLs', () => {
    expect(natsConnectOptions({ nats: { url: 'nats://a:4222, nats://b:4222' } }, {})?.servers).toEqual([
      'nats://a:4222',
      'nats://b:4222',
    ]);
  });

  it('takes an nkey seed file and a user with a password file from the environment, refusing readable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-nats-env-'));
    try {
      const seed = join(dir, 'worker.nk');
      const pw = join(dir, 'pw');
      writeFileSync(seed, 'SUAEXAMPLESEED\n');
      writeFileSync(pw, 's3cret\n');
      chmodSync(seed, 0o644);
      chmodSync(pw, 0o600);
      const nats = { nats: { url: 'nats://a:4222' } };
      expect(() => natsConnectOptions(nats, { FERRY_NATS_NKEY_FILE: seed })).toThrow(/can be read by other users/);
      chmodSync(seed, 0o600);
      const o = natsConnectOptions(nats, {
        FERRY_NATS_NKEY_FILE: seed,
        FERRY_NATS_USER: 'worker',
        FERRY_NATS_PASSWORD_FILE: pw,
      })!;
      expect(o.nkeySeedFile).toBe(seed);
      expect(o.user).toBe('worker');
      expect(o.password).toBeInstanceOf(Secret);
      expect((o.password as Secret).reveal()).toBe('s3cret');
      expect(JSON.stringify(o)).not.toContain('s3cret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
