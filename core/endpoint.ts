import { FerryError } from './errors.js';
import { Secret, redact, registerSecret } from './secret.js';

/** Connector names a URL can select. Implementations register in connectors/registry.ts. */
export const CONNECTOR_SCHEMES = {
  duckdb: 'duckdb',
  parquet: 'parquet',
  csv: 'csv',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  oracle: 'oracle',
} as const;

export type ConnectorName = (typeof CONNECTOR_SCHEMES)[keyof typeof CONNECTOR_SCHEMES];

/**
 * A parsed source or target location.
 * File endpoints (`duckdb:PATH`, `parquet:DIR`, `csv:PATH`) have `path`; server endpoints have host, port,
 * database, user and a `password` that never prints. `display` is safe to log.
 */
export interface Endpoint {
  connector: ConnectorName;
  /** The URL with the password replaced by `***`. */
  display: string;
  /** For file endpoints: the path (`:memory:` for an in-memory DuckDB). */
  path?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: Secret;
  /** Query parameters (e.g. `sslmode`, `schema`). */
  params: Record<string, string>;
}

/**
 * Parses `duckdb:PATH`, `duckdb::memory:`, `parquet:DIR|FILE|GLOB`, `csv:PATH`,
 * `postgres://user:pw@host:port/db?…`, `mysql://…`, `oracle://…`.
 * @param password optional password from the environment or a file; wins over one in the URL.
 */
export function parseEndpoint(url: string, password?: Secret): Endpoint {
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(url.trim());
  if (!m) {
    throw new FerryError('USAGE', `"${redact(url)}" is not a URL ferry understands`, {
      hint: 'use duckdb:PATH, parquet:DIR, csv:PATH, postgres://…, mysql://… or oracle://…',
    });
  }
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  const connector = (CONNECTOR_SCHEMES as Record<string, ConnectorName>)[scheme];
  if (!connector) {
    throw new FerryError('USAGE', `unknown URL scheme "${scheme}:" in "${redact(url)}"`, {
      hint: `known schemes: ${Object.keys(CONNECTOR_SCHEMES).join(', ')}`,
    });
  }
  if (connector === 'duckdb' || connector === 'parquet' || connector === 'csv') {
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (!path) throw new FerryError('USAGE', `"${url}" names no path`, { hint: `write ${scheme}:PATH` });
    return { connector, display: `${scheme}:${path}`, path, params: {} };
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new FerryError('USAGE', `"${redact(url)}" is not a valid ${scheme} URL`, {
      cause,
      hint: `write ${scheme}://USER@HOST:PORT/DATABASE`,
    });
  }
  const params: Record<string, string> = {};
  for (const [k, v] of u.searchParams) params[k] = v;
  const urlPassword = u.password ? decodeURIComponent(u.password) : undefined;
  const secret = password ?? (urlPassword === undefined ? undefined : new Secret(urlPassword));
  if (secret) registerSecret(secret.reveal());
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  const endpoint: Endpoint = {
    connector,
    display: shown.toString(),
    host: u.hostname || 'localhost',
    params,
  };
  if (u.port) endpoint.port = Number(u.port);
  const db = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (db) endpoint.database = db;
  if (u.username) endpoint.user = decodeURIComponent(u.username);
  if (secret) endpoint.password = secret;
  return endpoint;
}
