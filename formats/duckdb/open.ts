import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { wrapDuckDBError } from './errors.js';

/** Options for {@link openDuckDB}. */
export interface OpenDuckDBOptions {
  /** Open the file read-only (many processes may read one file; none may then write it). */
  readOnly?: boolean;
  /** Extra DuckDB configuration options (e.g. `threads`, `memory_limit`, `temp_directory`). */
  config?: Record<string, string>;
}

/**
 * Opens a DuckDB database (`:memory:` for an in-memory one). Each call opens a new instance: one process may
 * hold one read-write instance per file, so callers keep the instance and share it between connections.
 * A lock held by another process is a CONNECTION error saying so.
 */
export async function openDuckDB(path: string, options: OpenDuckDBOptions = {}): Promise<DuckDBInstance> {
  // DuckDB's buffer pool defaults to 80% of RAM and keeps written blocks cached, so a long load into one file
  // would grow the process with the table. A fixed cap keeps memory bounded by batches × workers; DuckDB
  // spills to disk beyond it.
  const config: Record<string, string> = { memory_limit: process.env.FERRY_DUCKDB_MEMORY_LIMIT ?? '1GB', ...options.config };
  if (options.readOnly && path !== ':memory:') config['access_mode'] = 'READ_ONLY';
  try {
    return await DuckDBInstance.create(path, config);
  } catch (e) {
    throw wrapDuckDBError(e, { hint: `could not open DuckDB database ${path}` }, 'CONNECTION');
  }
}

/**
 * A new connection whose session works in UTC, so TIMESTAMPTZ key text (UTC by ferry's convention) casts to the
 * instant it names regardless of the machine's time zone.
 */
export async function connectDuckDB(instance: DuckDBInstance): Promise<DuckDBConnection> {
  try {
    const conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
    return conn;
  } catch (e) {
    throw wrapDuckDBError(e, {}, 'CONNECTION');
  }
}
