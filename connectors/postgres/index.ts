import type { Connector, ConnectOptions, Endpoint, Source, Target } from '../../core/index.js';
import { sslModeOf } from './connection.js';
import { indexMemoryOf } from './ddl.js';
import { PostgresSource } from './source.js';
import { PostgresTarget } from './target.js';

/**
 * The PostgreSQL connector (`postgres://user@host:port/db?sslmode=…&schema=…&ledger_schema=…`).
 *
 * URL parameters: `schema` (default `public`) for table names without one; `ledger_schema` (default `ferry`)
 * for the target's ledger table; `index_memory` (default: at least 512MB) for the target's index builds
 * (ddl.ts `IndexMemory`); `sslmode`, `sslrootcert`, `sslcert`, `sslkey` (see connection.ts). The password
 * comes from the endpoint's Secret.
 */
export const postgresConnector: Connector = {
  name: 'postgres',
  capabilities: { source: true, target: true, atomicLoad: true, snapshot: true, singleWriter: false },
  async openSource(endpoint: Endpoint, _options: ConnectOptions): Promise<Source> {
    sslModeOf(endpoint);
    const source = new PostgresSource(endpoint, endpoint.params.schema ?? 'public');
    await source.listTables().catch(async (e) => {
      await source.close();
      throw e;
    });
    return source;
  },
  async openTarget(endpoint: Endpoint, _options: ConnectOptions): Promise<Target> {
    sslModeOf(endpoint);
    indexMemoryOf(endpoint.params);
    const target = new PostgresTarget(
      endpoint,
      endpoint.params.schema ?? 'public',
      endpoint.params.ledger_schema ?? 'ferry',
    );
    await target.readLedger().catch(async (e) => {
      await target.close();
      throw e;
    });
    return target;
  },
};

export { PostgresSource } from './source.js';
export { PostgresTarget } from './target.js';
