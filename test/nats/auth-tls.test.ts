import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../core/index.js';
import { NatsTransport, type NatsConnectOptions } from '../../transport/index.js';
import {
  captureLog,
  collectResults,
  doneResult,
  newRunId,
  partitionIds,
  quick,
  tasksFor,
} from './helpers.js';
import { NatsServer } from './nats-server.js';

const PASSWORD = 'canary-pw-7f3a9d2e';
const TOKEN = 'canary-token-51c0b8aa';
const user = nkeys.createUser();
const seed = new TextDecoder().decode(user.getSeed());

let dir: string;
let users: NatsServer;
let tokens: NatsServer;
let tls: NatsServer;
const opened: NatsTransport[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-nats-auth-'));
  writeFileSync(join(dir, 'user.nk'), `${seed}\n`, { mode: 0o600 });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=ferry test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  ]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server.crt',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=ferry-worker',
    '-keyout',
    'client.key',
    '-out',
    'client.csr',
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'client.crt',
  ]);

  users = await NatsServer.start({
    config: `authorization { users = [ { user: ferry, password: "${PASSWORD}" }, { nkey: ${user.getPublicKey()} } ] }\n`,
  });
  tokens = await NatsServer.start({ config: `authorization { token: "${TOKEN}" }\n` });
  tls = await NatsServer.start({
    config: `tls { cert_file: "${join(dir, 'server.crt')}", key_file: "${join(dir, 'server.key')}", ca_file: "${join(dir, 'ca.crt')}", verify: true }\n`,
  });
});

afterAll(async () => {
  await Promise.allSettled(opened.map((t) => t.close()));
  await Promise.allSettled([users?.stop(), tokens?.stop(), tls?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

async function connect(options: NatsConnectOptions, logger = captureLog().logger): Promise<NatsTransport> {
  const t = await NatsTransport.connect(
    { timeoutMs: 3000, maxReconnectAttempts: 0, ...options },
    { ...quick(), logger },
  );
  opened.push(t);
  return t;
}

/** Proves the connection can use JetStream: one task through a worker and back. */
async function roundTrip(t: NatsTransport): Promise<void> {
  const runId = newRunId();
  const ids = partitionIds(3);
  await t.publish(tasksFor(runId, ids));
  const stop = new AbortController();
  const consuming = t.consume(async (task) => doneResult(task), { concurrency: 2, signal: stop.signal });
  const { byPartition } = await collectResults(t, runId, ids, 15_000);
  stop.abort();
  await consuming;
  expect(byPartition.size).toBe(3);
}

describe('NATS authentication and TLS', () => {
  it('user and password (a Secret, or taken out of the URL) authenticate; neither reaches a log line', async () => {
    const log = captureLog();
    await roundTrip(
      await connect({ servers: users.url, user: 'ferry', password: new Secret(PASSWORD) }, log.logger),
    );
    const host = users.url.replace('nats://', '');
    await roundTrip(await connect({ servers: `nats://ferry:${PASSWORD}@${host}` }, log.logger));
    const wrong = connect({ servers: users.url, user: 'ferry', password: 'not-the-password' }, log.logger);
    await expect(wrong).rejects.toMatchObject({ code: 'CONNECTION' });
    const message = String(((await wrong.catch((e: unknown) => e)) as Error).message);
    expect(message).toContain(host);
    expect(message).not.toContain('not-the-password');
    const text = JSON.stringify(log.records);
    expect(text).not.toContain(PASSWORD);
    expect(text).toContain(host);
  });

  it('an nkey seed file authenticates', async () => {
    await roundTrip(await connect({ servers: users.url, nkeySeedFile: join(dir, 'user.nk') }));
    await expect(
      connect({ servers: users.url, nkeySeedFile: join(dir, 'missing.nk') }),
    ).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('nkey seed file'),
    });
  });

  it('a token authenticates; without it the server refuses', async () => {
    await roundTrip(await connect({ servers: tokens.url, token: new Secret(TOKEN) }));
    await expect(connect({ servers: tokens.url })).rejects.toMatchObject({ code: 'CONNECTION' });
  });

  it('TLS with the CA and a client certificate connects; without them it does not', async () => {
    const host = tls.url.replace('nats://', '');
    const files = {
      caFile: join(dir, 'ca.crt'),
      certFile: join(dir, 'client.crt'),
      keyFile: join(dir, 'client.key'),
    };
    await roundTrip(await connect({ servers: `tls://${host}`, tls: files }));
    // The server's certificate is not signed by a CA the client trusts.
    await expect(connect({ servers: `tls://${host}` })).rejects.toMatchObject({ code: 'CONNECTION' });
    // The server requires a client certificate.
    await expect(connect({ servers: `tls://${host}`, tls: { caFile: files.caFile } })).rejects.toMatchObject({
      code: 'CONNECTION',
    });
  });
});
