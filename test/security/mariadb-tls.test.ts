import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlConnector } from '../../connectors/mysql/index.js';
import { parseEndpoint, Secret, type Source, silentLogger } from '../../core/index.js';
import { freePort } from '../helpers/services.js';
import { makeTestPki, type TestPki } from './certs.js';

/**
 * MySQL/MariaDB TLS (issue 7, RELIABILITY S02): a private MariaDB started here with a server certificate for
 * `localhost` signed by a CA this test makes, and `require_secure_transport`. The MySQL connector's
 * `sslmode=verify-full` (mysql2 `ssl: { ca, rejectUnauthorized, verifyIdentity }`, the equivalent of
 * `--ssl-mode=VERIFY_IDENTITY`) connects with the right CA and host name, and refuses a wrong CA or host name.
 *
 * The wrong host name is tested with a DNS name: for an IP-address host mysql2 3.x sends no servername and Node
 * then checks the certificate against `localhost`, so the connector refuses verify-full at an IP address (a
 * CONFIG error before connecting) rather than check the wrong name.
 */
const MARIADBD = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((p) => existsSync(p));
const PASSWORD = `pw-${process.pid}-tls`;
const logger = silentLogger();

describe.skipIf(!MARIADBD && !process.env.CI)('MariaDB TLS (sslmode=verify-full)', () => {
  let dir: string;
  let pki: TestPki;
  let port: number;
  let server: ChildProcess | undefined;
  const opened: Source[] = [];

  const sock = () => join(dir, 'mysqld.sock');
  const rootSql = (text: string) =>
    execFileSync('mariadb', ['--no-defaults', `--socket=${sock()}`, '-uroot', '-e', text], { stdio: 'pipe' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-mariadb-tls-'));
    mkdirSync(join(dir, 'tls'));
    pki = makeTestPki(join(dir, 'tls'));
    port = await freePort();
    const user = execFileSync('id', ['-un']).toString().trim();
    execFileSync(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        `--user=${user}`,
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      { stdio: 'ignore' },
    );
    server = spawn(
      MARIADBD!,
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        `--user=${user}`,
        '--bind-address=127.0.0.1',
        `--port=${port}`,
        `--socket=${sock()}`,
        `--pid-file=${join(dir, 'mysqld.pid')}`,
        `--log-error=${join(dir, 'server.log')}`,
        '--skip-name-resolve',
        `--ssl-ca=${pki.ca}`,
        `--ssl-cert=${pki.serverCert}`,
        `--ssl-key=${pki.serverKey}`,
        '--require-secure-transport=ON',
        '--innodb-buffer-pool-size=32M',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; ; i++) {
      try {
        execFileSync('mariadb-admin', ['--no-defaults', `--socket=${sock()}`, '-uroot', 'ping'], {
          stdio: 'ignore',
        });
        break;
      } catch (e) {
        if (i > 600) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    rootSql(
      `CREATE USER 'tls'@'%' IDENTIFIED BY '${PASSWORD}' REQUIRE SSL; CREATE DATABASE ferry; GRANT SELECT ON ferry.* TO 'tls'@'%'; CREATE TABLE ferry.t (id int primary key)`,
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    if (server?.pid) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (host: string, params: string) => {
    const url = `mysql://tls@${host}:${port}/ferry?${params}`;
    const s = await mysqlConnector.openSource(parseEndpoint(url, new Secret(PASSWORD)), { logger });
    opened.push(s);
    return s;
  };

  it('verify-full with the right CA and host name connects, over TLS', async () => {
    const s = await open('localhost', `sslmode=verify-full&sslrootcert=${pki.ca}`);
    expect((await s.listTables()).map((t) => t.name)).toEqual(['t']);
  });

  it('verify-full refuses a server certificate from another CA', async () => {
    const e = await open('localhost', `sslmode=verify-full&sslrootcert=${pki.wrongCa}`).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONNECTION' });
    expect(e.message).toMatch(/certificate/i);
    expect(JSON.stringify(e)).not.toContain(PASSWORD);
  });

  it('verify-full at an IP address is refused before connecting (mysql2 could not check the name)', async () => {
    const e = await open('127.0.0.1', `sslmode=verify-full&sslrootcert=${pki.ca}`).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONFIG' });
    expect(e.message).toMatch(/IP address 127\.0\.0\.1/);
  });

  it('verify-ca accepts the same server at 127.0.0.1 (chain only); a plain connection is refused by the server', async () => {
    await open('127.0.0.1', `sslmode=verify-ca&sslrootcert=${pki.ca}`);
    // The user REQUIRE SSL: the server refuses the login (1045), which no retry gets past.
    await expect(open('127.0.0.1', 'sslmode=disable')).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/Access denied for user 'tls'/),
    });
  });

  it('verify-full refuses a server whose certificate names another host', async () => {
    // The same CA, a certificate for not-this-host.invalid only: reloaded in place (FLUSH SSL, MariaDB ≥ 10.4).
    copyFileSync(pki.wrongNameCert, pki.serverCert);
    copyFileSync(pki.wrongNameKey, pki.serverKey);
    rootSql('FLUSH SSL');
    const e = await open('localhost', `sslmode=verify-full&sslrootcert=${pki.ca}`).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONNECTION' });
    expect(e.message).toMatch(/altnames|does not match/i);
    // verify-ca does not look at the name: the chain is right, so it connects.
    await open('localhost', `sslmode=verify-ca&sslrootcert=${pki.ca}`);
  });
});
