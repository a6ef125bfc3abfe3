import {
  type ConnectOptions,
  type Connector,
  type Endpoint,
  FerryError,
  type Source,
  type Target,
} from '../../core/index.js';
import { ParquetSource } from './source.js';
import { ParquetTarget } from './target.js';

function pathOf(endpoint: Endpoint): string {
  if (!endpoint.path) {
    throw new FerryError('CONFIG', `${endpoint.display} names no path`, {
      hint: 'write parquet:DIR, parquet:FILE or parquet:GLOB',
    });
  }
  return endpoint.path;
}

/**
 * The Parquet connector, `parquet:PATH`. As a source PATH is a `.parquet` file, a directory (each file or
 * subdirectory of files is a table) or a glob, read through DuckDB's `read_parquet`. As a target PATH is a
 * directory: `DIR/<table>/part-<index>-<run>.parquet`, one file per partition published by atomic rename, and a
 * JSON ledger under `DIR/_ferry_ledger/`. Values survive exactly: types Parquet cannot hold exactly in DuckDB's
 * writer (intervals, decimals over 38 digits) are stored as canonical text and restored from ferry's metadata.
 */
export const parquetConnector: Connector = {
  name: 'parquet',
  capabilities: { source: true, target: true, atomicLoad: true, snapshot: false, singleWriter: false },
  openSource(endpoint: Endpoint, _options: ConnectOptions): Promise<Source> {
    return ParquetSource.open(pathOf(endpoint));
  },
  openTarget(endpoint: Endpoint, options: ConnectOptions): Promise<Target> {
    return ParquetTarget.open(pathOf(endpoint), options);
  },
};

export { ParquetSource } from './source.js';
export { ParquetTarget } from './target.js';
