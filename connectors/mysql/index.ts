import type { ConnectOptions, Connector, Endpoint, Source, Target } from '../../core/index.js';
import { MySQLSource } from './source.js';
import { MySQLTarget } from './target.js';

/**
 * The MySQL/MariaDB connector: `mysql://USER@HOST:PORT/DATABASE?…` (or `mariadb://`), with the parameters of
 * options.ts (`tinyint1`, `zero_dates`, `snapshot`, `readers`, `sslmode`…).
 *
 * As a source it reads tables and views of the database with exact types (types.ts), each value from its raw
 * bytes, and shares one consistent snapshot between parallel readers (`beginSnapshot`). As a target it loads
 * each partition in one transaction with `LOAD DATA LOCAL INFILE` from ferry's own stream, checks warnings and
 * row counts before committing, and records the partition in `_ferry_ledger` in the same transaction.
 * Tested against MariaDB 10.11; MySQL 8 differences are noted where they apply (JSON is binary and normalises
 * documents; FLOAT text; no MariaDB UUID/INET types; collation `utf8mb4_0900_bin`).
 */
export const mysqlConnector: Connector = {
  name: 'mysql',
  capabilities: { source: true, target: true, atomicLoad: true, snapshot: true, singleWriter: false },

  openSource(endpoint: Endpoint, options: ConnectOptions): Promise<Source> {
    return MySQLSource.open(endpoint, options);
  },

  openTarget(endpoint: Endpoint, options: ConnectOptions): Promise<Target> {
    return MySQLTarget.open(endpoint, options);
  },
};

export { MySQLSource } from './source.js';
export { MySQLTarget, mapMysqlTable } from './target.js';
export { mysqlNativeType, logicalFromNative } from './types.js';
