import mysql, { type Connection, type QueryOptions } from 'mysql2';
import { type Endpoint, type ErrorContext, FerryError, type Logger } from '../../core/index.js';
import { wrapMysqlError } from './errors.js';
import { type MysqlParams, connectionOptions } from './options.js';

/** One mysql2 connection (callback API; ferry wraps it in promises and streams itself). */
export type Conn = Connection;

/**
 * The SQL mode of every ferry session: strict, no zero or partial dates, no substitution of a missing engine,
 * and an explicit 0 stored as 0 in an AUTO_INCREMENT column (not replaced by the next value).
 */
export const STRICT_SQL_MODE =
  'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';

/** What a connection is for: each role gets its own session settings. */
export type ConnRole = 'meta' | 'reader' | 'loader';

/**
 * Session settings: UTC (TIMESTAMP values are converted to the session time zone), strict SQL mode, utf8mb4
 * statements. Readers also get every value as its raw bytes (`character_set_results = binary`: the server
 * converts nothing, so a latin1 column arrives as latin1 bytes and invalid UTF-8 stays visible) and a long
 * `net_write_timeout` (a paused stream, waiting for a slow target, must not be cut off after 60 s). Loaders
 * run READ COMMITTED, so a range DELETE takes no gap locks that would block parallel partitions' inserts.
 */
function sessionSql(role: ConnRole): string[] {
  const common = `SET NAMES utf8mb4 COLLATE utf8mb4_bin, SESSION time_zone = '+00:00', SESSION sql_mode = '${STRICT_SQL_MODE}'`;
  switch (role) {
    case 'meta':
      return [common];
    case 'reader':
      return [
        `${common}, SESSION character_set_results = binary, SESSION net_write_timeout = 86400`,
        'SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ',
      ];
    case 'loader':
      return [
        `${common}, SESSION net_read_timeout = 3600, SESSION sql_notes = 1`,
        'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      ];
  }
}

/** Runs one statement; resolves with mysql2's result (rows or a ResultSetHeader). Errors wrapped with `context`. */
export function run<T = unknown>(
  conn: Conn,
  sql: string | QueryOptions,
  values: unknown[] = [],
  context: ErrorContext = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    if (isBroken(conn)) {
      reject(
        new FerryError('CONNECTION', 'the MySQL connection was closed', { ...context, retryable: true }),
      );
      return;
    }
    const options: QueryOptions =
      typeof sql === 'string' ? { sql, values } : { ...sql, values: sql.values ?? values };
    conn.query(options, (err, result) => {
      if (err) reject(wrapMysqlError(err, context));
      else resolve(result as T);
    });
  });
}

/** Rows of a query on a meta connection, as objects keyed by (lower-case) column alias. */
export function rows<T>(
  conn: Conn,
  sql: string,
  values: unknown[] = [],
  context: ErrorContext = {},
): Promise<T[]> {
  return run<T[]>(conn, sql, values, context);
}

/**
 * Opens and prepares one connection. The connection's `error` events (a server gone away between statements)
 * are logged and mark it broken, never thrown from an event emitter.
 */
export async function openConnection(
  endpoint: Endpoint,
  params: MysqlParams,
  role: ConnRole,
  logger: Logger,
): Promise<Conn> {
  const conn = mysql.createConnection(connectionOptions(endpoint, params, role === 'loader'));
  conn.on('error', (e: Error) => {
    broken.add(conn);
    logger.debug({ err: e.message, role }, 'MySQL connection closed');
  });
  conn.on('end', () => broken.add(conn));
  try {
    for (const sql of sessionSql(role)) await run(conn, sql);
  } catch (e) {
    conn.destroy();
    throw wrapMysqlError(e, {
      hint: `check that the server at ${endpoint.display} is reachable and the user may log in`,
    });
  }
  return conn;
}

const broken = new WeakSet<Conn>();

/** True when a connection saw a fatal error and must not be reused. */
export function isBroken(conn: Conn): boolean {
  return broken.has(conn) || (conn as unknown as { _fatalError?: unknown })._fatalError != null;
}

/** Closes a connection without waiting for the server (used after errors and on abort). */
export function destroy(conn: Conn): void {
  broken.add(conn);
  try {
    conn.destroy();
  } catch {
    // Already closed.
  }
}

/** Closes a connection politely (COM_QUIT), or destroys it when that fails or the server does not answer. */
export function end(conn: Conn): Promise<void> {
  return new Promise((resolve) => {
    if (isBroken(conn)) {
      destroy(conn);
      resolve();
      return;
    }
    // A connection the server dropped while idle may never answer COM_QUIT.
    const timer = setTimeout(() => {
      destroy(conn);
      resolve();
    }, 2000);
    timer.unref();
    conn.end(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A source's or target's meta connection (DDL, catalog reads, fences, ledger), opened again when the old one is
 * gone: a migration of hours leaves it idle past the server's `wait_timeout` while partitions load, and a
 * killed or dropped session must cost at most the statement that was on it, not every later one.
 */
export class MetaConnection {
  private reconnecting: Promise<Conn> | undefined;

  constructor(
    private conn: Conn,
    private readonly open: () => Promise<Conn>,
    private readonly logger: Logger,
  ) {}

  async get(): Promise<Conn> {
    if (!isBroken(this.conn)) return this.conn;
    this.reconnecting ??= this.open()
      .then((c) => {
        this.logger.warn('the MySQL meta connection was lost: reconnected');
        destroy(this.conn);
        this.conn = c;
        return c;
      })
      .finally(() => {
        this.reconnecting = undefined;
      });
    return this.reconnecting;
  }

  end(): Promise<void> {
    return end(this.conn);
  }
}

/** Which server a connection talks to: MariaDB and MySQL differ in a few types and collations. */
export interface ServerInfo {
  flavor: 'mariadb' | 'mysql';
  version: string;
}

/** The server's flavour and version. */
export async function serverInfo(conn: Conn): Promise<ServerInfo> {
  const [row] = await rows<{ v: string }>(conn, 'SELECT VERSION() AS v');
  const version = String(row?.v ?? '');
  return { flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version };
}
