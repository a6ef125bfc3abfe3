import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import {
  type Endpoint,
  type ErrorCode,
  type ErrorContext,
  FerryError,
  isFerryError,
} from '../../core/index.js';
import { redactPgDetail, redactPgMessage } from './error-values.js';

/**
 * Opening PostgreSQL connections from an Endpoint, and wrapping driver errors once, keeping the server's
 * SQLSTATE, table and column.
 *
 * TLS follows libpq's `sslmode` URL parameter: `disable`, `require` (encrypted, server not verified),
 * `verify-ca` (certificate chain checked against `sslrootcert`), `verify-full` (chain and host name).
 * Without `sslmode`, loopback hosts (127.0.0.1, ::1, localhost) use `disable` and every other host
 * `verify-full`: a remote server is never trusted unverified by default. `allow` and `prefer` (silent
 * fallback to plain text) are refused. `sslcert`/`sslkey` give a client certificate. The password comes only
 * from the endpoint's Secret and never appears in messages.
 */

export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

function readParamFile(endpoint: Endpoint, param: string): string | undefined {
  const path = endpoint.params[param];
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FerryError('CONFIG', `cannot read ${param} file ${path}`, { cause, configPath: param });
  }
}

/** The sslmode in force for an endpoint (see the module comment). */
export function sslModeOf(endpoint: Endpoint): SslMode {
  const mode =
    endpoint.params.sslmode ?? (LOOPBACK.has(endpoint.host ?? 'localhost') ? 'disable' : 'verify-full');
  if (mode === 'disable' || mode === 'require' || mode === 'verify-ca' || mode === 'verify-full') return mode;
  throw new FerryError('CONFIG', `sslmode=${mode} is not supported`, {
    configPath: 'sslmode',
    hint:
      mode === 'allow' || mode === 'prefer'
        ? 'these fall back to an unencrypted connection silently; use sslmode=require or verify-full, or disable'
        : 'use disable, require, verify-ca or verify-full',
  });
}

/** The pg client configuration for an endpoint: host, port, database, user, password, TLS. */
export function clientConfig(endpoint: Endpoint, applicationName = 'ferry'): pg.ClientConfig {
  const mode = sslModeOf(endpoint);
  let ssl: pg.ClientConfig['ssl'] = false;
  if (mode !== 'disable') {
    const tls: ConnectionOptions = { rejectUnauthorized: mode !== 'require' };
    const ca = readParamFile(endpoint, 'sslrootcert');
    if (ca) tls.ca = ca;
    else if (mode === 'verify-ca')
      throw new FerryError('CONFIG', 'sslmode=verify-ca needs sslrootcert (the CA certificate file)', {
        configPath: 'sslrootcert',
      });
    const cert = readParamFile(endpoint, 'sslcert');
    const key = readParamFile(endpoint, 'sslkey');
    if (cert) tls.cert = cert;
    if (key) tls.key = key;
    // verify-ca checks the chain only; verify-full also the host name (Node's default check).
    if (mode === 'verify-ca') tls.checkServerIdentity = () => undefined;
    ssl = tls;
  }
  return {
    host: endpoint.host ?? 'localhost',
    port: endpoint.port ?? 5432,
    database: endpoint.database ?? endpoint.user ?? 'postgres',
    user: endpoint.user ?? 'postgres',
    password: endpoint.password ? () => endpoint.password!.reveal() : undefined,
    ssl,
    application_name: applicationName,
    // Session settings every ferry connection relies on: UTC for timestamptz literals, ISO dates, UTF-8.
    options: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c client_encoding=UTF8',
    connectionTimeoutMillis: 30_000,
  };
}

/** Connections whose session ended (terminated, server restart, a proxy's idle timeout, closed by us). */
const lost = new WeakSet<pg.Client>();

/**
 * Whether a connection's session is gone: a pool must not hand it out again. An idle pooled connection learns
 * of its end asynchronously (the server's FATAL message, or the socket closing) — a long load leaves the
 * pool idle long enough for a proxy or `idle_session_timeout` to cut it.
 */
export function isLost(client: pg.Client): boolean {
  return lost.has(client);
}

/** The most recently pooled connection of `idle` whose session still lives; lost ones are closed on the way. */
export function takeIdle(idle: pg.Client[]): pg.Client | undefined {
  for (let c = idle.pop(); c; c = idle.pop()) {
    if (!isLost(c)) return c;
    void closeClient(c, true);
  }
  return undefined;
}

/** Opens one connection; errors become CONNECTION FerryErrors naming the endpoint (without its password). */
export async function connect(endpoint: Endpoint, applicationName?: string): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(endpoint, applicationName));
  // An idle connection's error (server restart, terminate) must not crash the process; the next query fails,
  // and pools skip it (isLost).
  client.on('error', () => lost.add(client));
  client.on('end', () => lost.add(client));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw wrapPgError(e, `cannot connect to ${endpoint.display}`, {}, 'CONNECTION');
  }
  return client;
}

/** SQLSTATE classes a retry can get past: the connection or server went away (08, 57), resources (53), deadlock or serialization failure (40). */
const RETRYABLE_CLASSES = new Set(['08', '53', '57', '40']);
/** Lock timeouts (55P03 lock_not_available, 55006 object_in_use): another session's lock passes. */
const RETRYABLE_STATES = new Set(['55P03', '55006']);

/** The server's fields on a pg DatabaseError. */
interface PgErrorFields {
  code?: string;
  table?: string;
  column?: string;
  schema?: string;
  detail?: string;
  where?: string;
  constraint?: string;
}

/**
 * Wraps a driver error once: a FerryError passes through with added context; a server error keeps its
 * SQLSTATE (serverCode), table and column; a lost connection is CONNECTION and retryable.
 */
export function wrapPgError(
  e: unknown,
  what: string,
  context: ErrorContext = {},
  fallback: ErrorCode = 'INTERNAL',
): FerryError {
  if (e instanceof FerryError || isFerryError(e)) return (e as FerryError).withContext(context);
  const err = e as Error & PgErrorFields;
  // A SQLSTATE is five digits or capitals; a Node socket error's code can look alike (EPIPE) but names an
  // errno (E…: no SQLSTATE class starts with E) and is a lost connection, not a server error.
  const sqlstate =
    typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && !/^E[A-Z]+$/.test(err.code)
      ? err.code
      : undefined;
  const cls = sqlstate?.slice(0, 2);
  let code: ErrorCode | undefined;
  let hint: string | undefined;
  if (sqlstate === '57014') code = 'ABORTED';
  else if ((cls && RETRYABLE_CLASSES.has(cls)) || RETRYABLE_STATES.has(sqlstate ?? '')) code = 'CONNECTION';
  else if (cls === '22' || cls === '23') code = 'DATA';
  else if (sqlstate === '42P01' || sqlstate === '3F000' || sqlstate === '3D000') code = 'NOT_FOUND';
  else if (cls === '28' || sqlstate === '42501') {
    // A refused login or a missing privilege: no retry gets past it.
    code = 'CONFIG';
    hint =
      cls === '28'
        ? 'check the user and password (FERRY_… environment variable or password file) and pg_hba.conf'
        : 'grant the privilege named in the message to the role ferry connects as (docs/security.md lists what each side needs)';
  } else if (
    !sqlstate &&
    /ECONNRESET|ECONNREFUSED|EPIPE|terminated|Connection|ETIMEDOUT|closed/i.test(err.message ?? '')
  )
    code = 'CONNECTION';
  // The fallback says what an error without a SQLSTATE is where it was caught (a socket error while connecting
  // or copying); a server error not named above did not lose the connection, and retrying will not help.
  code ??= sqlstate && fallback === 'CONNECTION' ? 'INTERNAL' : fallback;
  const ctx: ErrorContext = { ...context };
  if (hint && !ctx.hint) ctx.hint = hint;
  if (sqlstate) ctx.serverCode = sqlstate;
  if (err.table && !ctx.table) ctx.table = err.schema ? `${err.schema}.${err.table}` : err.table;
  if (err.column && !ctx.column) ctx.column = err.column;
  // Row values the server echoes (DETAIL, data errors) are removed here, once, at the driver boundary; the
  // driver error itself is scrubbed too, because it travels on as the cause.
  const detail = err.detail ? redactPgDetail(err.detail) : undefined;
  if (sqlstate && err instanceof Error) scrubDriverError(err, redactPgMessage(err.message), detail);
  const message = `${what}: ${err.message ?? String(e)}${detail ? ` (${detail})` : ''}`;
  return new FerryError(code, message, {
    ...ctx,
    cause: e,
    retryable: code === 'CONNECTION' || code === 'ABORTED' || cls === '40',
  });
}

/** Replaces a server error's message, detail and where (row values) in place, stack included. */
function scrubDriverError(err: Error & PgErrorFields, message: string, detail: string | undefined): void {
  if (err.stack && message !== err.message) err.stack = err.stack.replace(err.message, message);
  err.message = message;
  if (err.detail !== undefined) err.detail = detail;
  if (err.where !== undefined) err.where = err.where.replace(/(column [^:]*: ).*$/s, '$1…');
}

/** Runs a query, wrapping any error once. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  client: pg.Client | pg.PoolClient,
  sql: string,
  params: unknown[] = [],
  what = 'query failed',
  context: ErrorContext = {},
): Promise<R[]> {
  try {
    const res = await client.query<R>(sql, params);
    return res.rows;
  } catch (e) {
    throw wrapPgError(e, what, context);
  }
}

/** Closes a client, destroying the socket when a graceful end does not finish within 2 s (mid-COPY). */
export async function closeClient(client: pg.Client, force = false): Promise<void> {
  const socket = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  if (force) {
    socket?.destroy();
    await client.end().catch(() => undefined);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        socket?.destroy();
        resolve();
      }, 2000);
    }),
  ]);
  clearTimeout(timer);
}
