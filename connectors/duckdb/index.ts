import { existsSync } from 'node:fs';
import type { ConnectOptions, Connector, Endpoint, Source, Target } from '../../core/index.js';
import { FerryError } from '../../core/index.js';
import { acquireInstance } from './instances.js';
import { DuckDBSource } from './source.js';
import { DuckDBTarget } from './target.js';

function pathOf(endpoint: Endpoint): string {
  if (!endpoint.path) {
    throw new FerryError('CONFIG', `${endpoint.display} names no DuckDB file`, {
      hint: 'write duckdb:PATH or duckdb::memory:',
    });
  }
  return endpoint.path;
}

/**
 * The DuckDB connector: `duckdb:PATH` (a database file) or `duckdb::memory:`.
 * As a source it reads tables and views, opened read-only unless `readOnly: false` (so many worker processes
 * may read one file, and the file cannot change under them: one consistent state). As a target it loads each
 * partition in one transaction together with its row in `_ferry_ledger`; opened `readOnly` (plan, verify) it
 * creates nothing, and a file that does not exist yet reads as an empty database. DuckDB allows one writing process per
 * file (`singleWriter`): inside it, partitions load concurrently on separate connections.
 */
export const duckdbConnector: Connector = {
  name: 'duckdb',
  capabilities: { source: true, target: true, atomicLoad: true, snapshot: true, singleWriter: true },

  async openSource(endpoint: Endpoint, options: ConnectOptions): Promise<Source> {
    const lease = await acquireInstance(pathOf(endpoint), options.readOnly ?? true);
    return DuckDBSource.open(lease.instance, lease.release);
  },

  async openTarget(endpoint: Endpoint, options: ConnectOptions): Promise<Target> {
    const path = pathOf(endpoint);
    // Planning and verifying against a target that does not exist yet: an empty stand-in, nothing created.
    const absent = options.readOnly && path !== ':memory:' && !existsSync(path);
    const lease = await acquireInstance(absent ? ':memory:' : path, options.readOnly ?? false);
    return DuckDBTarget.open(lease.instance, lease.release, options);
  },
};

export { DuckDBSource } from './source.js';
export { DuckDBTarget } from './target.js';
