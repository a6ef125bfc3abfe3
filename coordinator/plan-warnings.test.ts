import { describe, expect, it } from 'vitest';
import { parseEndpoint, type Plan, type TableSettings } from '../core/index.js';
import { piiWarnings, tlsWarnings } from './plan-warnings.js';

const endpoint = (url: string) => ({ side: 'source', endpoint: parseEndpoint(url) });

/** A plan with one table `public.people`, only the fields the warnings read. */
function planOf(columns: { source: string; target: string }[], transform?: unknown): Plan {
  return {
    tables: [
      {
        source: { schema: 'public', name: 'people', columns: [] },
        columns,
        ...(transform ? { transform } : {}),
      },
    ],
  } as unknown as Plan;
}

const table = (extra: Partial<TableSettings> = {}): TableSettings => ({
  name: 'people',
  mode: 'create',
  partitionRows: 1000,
  ...extra,
});

describe('plan warnings: TLS', () => {
  it('warns for a remote server not verified by certificate and host name', () => {
    expect(
      tlsWarnings([endpoint('postgres://u@db.example.com/x?sslmode=require')]).map((w) => w.message),
    ).toEqual([
      'the source connection (postgres://u@db.example.com/x?sslmode=require) uses sslmode=require: the server is not verified — use sslmode=verify-full with sslrootcert=CA_FILE',
    ]);
    expect(tlsWarnings([endpoint('mysql://u@db.example.com/x?sslmode=verify-ca')])[0]?.message).toContain(
      'host name is not checked',
    );
    expect(tlsWarnings([endpoint('postgres://u@db.example.com/x?sslmode=disable')])[0]?.message).toContain(
      'not encrypted',
    );
  });

  it('is silent for verify-full (also the remote default), loopback hosts and files', () => {
    expect(
      tlsWarnings([
        endpoint('postgres://u@db.example.com/x'),
        endpoint('postgres://u@db.example.com/x?sslmode=verify-full'),
        endpoint('postgres://u@127.0.0.1/x?sslmode=disable'),
        endpoint('duckdb:/tmp/x.duckdb'),
      ]),
    ).toEqual([]);
  });

  it('warns for plain nats:// to a remote server, not for tls:// or loopback', () => {
    expect(
      tlsWarnings([], 'nats://nats.example.com:4222,tls://n2.example.com:4222,nats://127.0.0.1:4222'),
    ).toEqual([
      {
        kind: 'tls',
        message:
          'the NATS server nats.example.com is reached over plain nats:// — use tls://HOST:PORT with nats.tls_ca_file',
      },
    ]);
  });
});

describe('plan warnings: PII', () => {
  const copy = planOf([
    { source: 'id', target: 'id' },
    { source: 'email', target: 'email' },
    { source: 'first_name', target: 'given' },
    { source: 'amount', target: 'amount' },
  ]);

  it('warns for each unmasked column flagged by name (source or target name)', () => {
    const w = piiWarnings(copy, [table()]);
    expect(w.map((x) => [x.table, x.column])).toEqual([
      ['public.people', 'email'],
      ['public.people', 'given'],
    ]);
    expect(w[0]!.message).toContain('pii_ok: [email]');
  });

  it('pii_ok acknowledges by target or source name; tables without settings still warn', () => {
    expect(piiWarnings(copy, [table({ piiOk: ['email', 'first_name'] })])).toEqual([]);
    expect(
      piiWarnings(copy, [table({ name: 'public.people', piiOk: ['given'] })]).map((x) => x.column),
    ).toEqual(['email']);
    expect(piiWarnings(copy, []).length).toBe(2);
  });

  it('a masked column or a v5 UUID of it does not warn', () => {
    const plan = planOf([], {
      version: 1,
      rules: [],
      columns: [
        { name: 'email', source: { kind: 'from', column: 'email' }, mask: { kind: 'hash' } },
        { name: 'id', source: { kind: 'uuid_v5', namespace: 'x', columns: ['email'] } },
        { name: 'last_name', source: { kind: 'split', column: 'full_name', part: 'last', on: ' ' } },
      ],
    });
    expect(piiWarnings(plan, [table()]).map((x) => x.column)).toEqual(['last_name']);
  });
});
