import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scrub, Secret } from '../../core/index.js';
import { connectionOptions, parseServers } from './connect.js';

describe('NATS server URLs', () => {
  it('takes credentials out of URLs and keeps host:port only', () => {
    const p = parseServers(['nats://ferry:pa%40ss@nats-0:4222', 'nats-1', 'tls://nats-2:7422']);
    expect(p.hosts).toEqual(['nats-0:4222', 'nats-1:4222', 'nats-2:7422']);
    expect(p.tlsRequired).toBe(true);
    expect(p.user).toBe('ferry');
    expect(p.password?.reveal()).toBe('pa@ss');
    expect(String(p.password)).toBe('***');
    // The password is registered: it is scrubbed from any later log line.
    expect(scrub('failed with pa@ss')).toBe('failed with ***');
  });

  it('splits comma-separated lists and refuses other schemes and empty input', () => {
    expect(parseServers('nats://a:1, nats://b:2').hosts).toEqual(['a:1', 'b:2']);
    expect(() => parseServers('http://a:1')).toThrow(expect.objectContaining({ code: 'CONFIG' }));
    expect(() => parseServers([])).toThrow(/no NATS server URL/);
  });
});

describe('NATS connection options', () => {
  it('builds authenticators from secrets and files, TLS from files, bounded reconnects', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-nats-unit-'));
    try {
      writeFileSync(join(dir, 'seed.nk'), 'SUABPHFZWCIFRJUMKREBXHXPS6JK5QJ7LXMELJLZLFN5NDRQNN4Z4P47TA\n');
      const { options, hosts } = connectionOptions({
        servers: 'nats://127.0.0.1:4222',
        user: 'u',
        password: new Secret('pw-123456'),
        nkeySeedFile: join(dir, 'seed.nk'),
        tls: { caFile: '/ca.crt' },
      });
      expect(hosts).toEqual(['127.0.0.1:4222']);
      expect(options.servers).toEqual(['127.0.0.1:4222']);
      expect(Array.isArray(options.authenticator) && options.authenticator.length).toBe(2);
      // At an IP address the certificate is checked against that address (not Node's `localhost` default).
      expect(options.tls).toEqual({ caFile: '/ca.crt', checkServerIdentity: expect.any(Function) });
      const named = connectionOptions({ servers: 'tls://nats.example.com:4222', tls: { caFile: '/ca.crt' } });
      expect(named.options.tls).toEqual({ caFile: '/ca.crt' });
      expect(options.maxReconnectAttempts).toBe(600);
      expect(JSON.stringify(options)).not.toContain('pw-123456');
      expect(JSON.stringify(options)).not.toContain('SUAB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires TLS for tls:// URLs and names an unreadable creds file', () => {
    expect(connectionOptions({ servers: 'tls://h:1' }).options.tls).toEqual({});
    expect(connectionOptions({ servers: 'nats://h:1' }).options.tls).toBeUndefined();
    expect(() => connectionOptions({ servers: 'h', credsFile: '/nonexistent/x.creds' })).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('/nonexistent/x.creds') }),
    );
  });
});
