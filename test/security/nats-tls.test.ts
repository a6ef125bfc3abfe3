import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsConnectOptions, NatsTransport } from '../../transport/index.js';
import { captureLog, quick } from '../nats/helpers.js';
import { NatsServer } from '../nats/nats-server.js';
import { makeTestPki, type TestPki } from './certs.js';

/**
 * NATS TLS server verification (issue 7, RELIABILITY S03): private nats-servers with certificates from a CA
 * made here. The transport's `tls.caFile` connects to the right host name with the right CA and refuses a
 * wrong CA and a certificate naming another host. At an IP-address URL (where nats.js sends no server name and
 * Node would check the certificate against `localhost`) the certificate must name that IP address. Client
 * certificates, nkeys, creds and passwords are covered by test/nats/auth-tls.test.ts.
 */
let dir: string;
let pki: TestPki;
let right: NatsServer;
let wrongName: NatsServer;
let byIp: NatsServer;
const opened: NatsTransport[] = [];

const tlsBlock = (cert: string, key: string) => `tls { cert_file: "${cert}", key_file: "${key}" }\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-nats-tls-'));
  mkdirSync(join(dir, 'pki'));
  pki = makeTestPki(join(dir, 'pki'));
  right = await NatsServer.start({ config: tlsBlock(pki.serverCert, pki.serverKey) });
  wrongName = await NatsServer.start({ config: tlsBlock(pki.wrongNameCert, pki.wrongNameKey) });
  byIp = await NatsServer.start({ config: tlsBlock(pki.ipServerCert, pki.ipServerKey) });
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(opened.map((t) => t.close()));
  await Promise.allSettled([right?.stop(), wrongName?.stop(), byIp?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function connect(options: NatsConnectOptions): Promise<NatsTransport> {
  const t = await NatsTransport.connect(
    { timeoutMs: 3000, maxReconnectAttempts: 0, ...options },
    { ...quick(), logger: captureLog().logger },
  );
  opened.push(t);
  return t;
}

describe('NATS over TLS verifies the server', () => {
  it('the right CA and host name connect', async () => {
    const t = await connect({ servers: `tls://localhost:${right.port}`, tls: { caFile: pki.ca } });
    expect(t).toBeInstanceOf(NatsTransport);
  });

  it('a server certificate from another CA is refused', async () => {
    await expect(
      connect({ servers: `tls://localhost:${right.port}`, tls: { caFile: pki.wrongCa } }),
    ).rejects.toMatchObject({ code: 'CONNECTION' });
  });

  it('a certificate naming another host is refused', async () => {
    await expect(
      connect({ servers: `tls://localhost:${wrongName.port}`, tls: { caFile: pki.ca } }),
    ).rejects.toMatchObject({ code: 'CONNECTION' });
  });

  it('at an IP address, the certificate must name that address (not `localhost`)', async () => {
    await expect(
      connect({ servers: `tls://127.0.0.1:${right.port}`, tls: { caFile: pki.ca } }),
    ).rejects.toMatchObject({ code: 'CONNECTION' });
    const t = await connect({ servers: `tls://127.0.0.1:${byIp.port}`, tls: { caFile: pki.ca } });
    expect(t).toBeInstanceOf(NatsTransport);
  });

  it('a plain nats:// URL to a TLS server without the CA does not connect', async () => {
    await expect(connect({ servers: `nats://localhost:${right.port}` })).rejects.toMatchObject({
      code: 'CONNECTION',
    });
  });
});
