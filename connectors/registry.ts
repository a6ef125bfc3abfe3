import { CONNECTOR_SCHEMES, type Connector, FerryError } from '../core/index.js';

/**
 * Every connector ferry can load, as a lazy import: a connector's module (and its driver: the DuckDB native
 * binding, pg, mysql2) is loaded only when a run asks for it, so a worker writing Parquet never loads mysql2.
 * Adding a system is one line here.
 */
const loaders: Record<string, () => Promise<Connector>> = {
  duckdb: async () => (await import('./duckdb/index.js')).duckdbConnector,
  parquet: async () => (await import('./parquet/index.js')).parquetConnector,
  csv: async () => (await import('./csv/index.js')).csvConnector,
  postgres: async () => (await import('./postgres/index.js')).postgresConnector,
  mysql: async () => (await import('./mysql/index.js')).mysqlConnector,
};

const loaded = new Map<string, Promise<Connector>>();

/** Names of the connectors that can be loaded, in alphabetical order. */
export function connectorNames(): string[] {
  return Object.keys(loaders).sort();
}

/**
 * The connector called `name` (as in `Endpoint.connector`), loaded on first use. Throws CONFIG for a name ferry
 * knows but has no connector for yet (postgres, mysql, oracle until they are added) and for an unknown name.
 */
export function getConnector(name: string): Promise<Connector> {
  const load = loaders[name];
  if (!load) {
    const known = (Object.values(CONNECTOR_SCHEMES) as string[]).includes(name);
    return Promise.reject(
      new FerryError(
        'CONFIG',
        known
          ? `the ${name} connector is not available yet in this build of ferry`
          : `unknown connector "${name}"`,
        { hint: `available connectors: ${connectorNames().join(', ')}` },
      ),
    );
  }
  let connector = loaded.get(name);
  if (!connector) {
    connector = load();
    loaded.set(name, connector);
    connector.catch(() => loaded.delete(name));
  }
  return connector;
}
