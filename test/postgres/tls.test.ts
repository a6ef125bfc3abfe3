import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresConnector } from '../../connectors/postgres/index.js';
import { parseEndpoint, Secret, type Source, silentLogger } from '../../core/index.js';
import { requireServices, sql } from '../helpers/services.js';

/**
 * TLS against the services' PostgreSQL (ssl = on, a CA made by scripts/services.sh, server certificate for
 * localhost/127.0.0.1, client certificate CN ferry_cert).
 */
const svc = await requireServices(['pg']);
const logger = silentLogger();

describe('postgres TLS (sslmode)', () => {
  const tls = svc.env.FERRY_TEST_PG_TLS_DIR ?? '';
  const admin = new URL(svc.urls.pg ?? 'postgres://x@127.0.0.1/postgres');
  const base = (host: string, user = 'postgres') => `postgres://${user}@${host}:${admin.port}/postgres`;
  const password = new Secret(decodeURIComponent(admin.password));
  const opened: Source[] = [];
  const open = async (url: string, pw: Secret | undefined = password) => {
    const s = await postgresConnector.openSource(parseEndpoint(url, pw), { logger });
    opened.push(s);
    return s;
  };
  const sslInUse = async (url: string) => {
    await open(url);
    const rows = await sql<{ ssl: boolean }>(
      svc.urls.pg!,
      "SELECT bool_or(s.ssl) AS ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'ferry source'",
    );
    return rows[0]?.ssl;
  };

  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
  });

  it('verify-full accepts the right host name with the CA, and refuses another name', async () => {
    const ca = join(tls, 'ca.crt');
    expect(await sslInUse(`${base('localhost')}?sslmode=verify-full&sslrootcert=${ca}`)).toBe(true);
    // The certificate names only localhost: the same server at 127.0.0.1 fails the host-name check.
    const e = await open(`${base('127.0.0.1')}?sslmode=verify-full&sslrootcert=${ca}`).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONNECTION' });
    expect(e.message).toMatch(/altnames|does not match/i);
  });

  it('verify-ca checks the chain only; without the CA a verifying mode refuses the server', async () => {
    const ca = join(tls, 'ca.crt');
    await open(`${base('127.0.0.1')}?sslmode=verify-ca&sslrootcert=${ca}`);
    const e = await open(`${base('localhost')}?sslmode=verify-full`).catch((x) => x);
    expect(e).toMatchObject({ code: 'CONNECTION' });
    expect(e.message).toMatch(/certificate/i);
    await expect(open(`${base('localhost')}?sslmode=verify-ca`)).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('require encrypts without verifying; prefer is refused', async () => {
    expect(await sslInUse(`${base('127.0.0.1')}?sslmode=require`)).toBe(true);
    await expect(open(`${base('127.0.0.1')}?sslmode=prefer`)).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('authenticates with a client certificate and no password', async () => {
    const q = `sslmode=verify-full&sslrootcert=${join(tls, 'ca.crt')}&sslcert=${join(tls, 'client.crt')}&sslkey=${join(tls, 'client.key')}`;
    const s = await open(`${base('localhost', 'ferry_cert')}?${q}`, undefined);
    expect((await s.listTables()).length).toBeGreaterThanOrEqual(0);
  });

  it('never shows the password in errors', async () => {
    const wrong = new Secret('not-the-password-4711');
    const e = await open(`${base('127.0.0.1')}?sslmode=disable`, wrong).catch((x) => x);
    // A refused login is CONFIG: exit 2, never retried.
    expect(e).toMatchObject({ code: 'CONFIG', retryable: false });
    expect(JSON.stringify(e.toJSON())).not.toContain('not-the-password-4711');
    expect(e.message).toContain('postgres://postgres@127.0.0.1');
  });
});
