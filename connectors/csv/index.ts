import {
  type ConnectOptions,
  type Connector,
  type Endpoint,
  FerryError,
  type Source,
} from '../../core/index.js';
import { CsvSource } from './source.js';

/**
 * The CSV connector, `csv:PATH` (source only): a `.csv`/`.tsv` file (optionally gzipped) or a directory of them,
 * each file a table named after its stem, read with DuckDB's `read_csv`.
 *
 * Exact by default. CSV has no types and DuckDB's sniffer guesses them lossily (`1.50` would become the DOUBLE
 * 1.5, `007` the integer 7), so every column is read as text unless the sniffer typed it BIGINT, BOOLEAN, DATE
 * or TIMESTAMP *and* a scan of the whole file proves every value's text is exactly the typed value's canonical
 * text. An unquoted empty field is NULL; a quoted empty field (`""`) is the empty string. A CSV file has no key,
 * so a table loads as one partition unless the config names key columns.
 */
export const csvConnector: Connector = {
  name: 'csv',
  capabilities: { source: true, target: false, atomicLoad: false, snapshot: false, singleWriter: false },
  openSource(endpoint: Endpoint, _options: ConnectOptions): Promise<Source> {
    if (!endpoint.path) {
      return Promise.reject(
        new FerryError('CONFIG', `${endpoint.display} names no path`, { hint: 'write csv:PATH' }),
      );
    }
    return CsvSource.open(endpoint.path);
  },
  openTarget(endpoint: Endpoint): Promise<never> {
    return Promise.reject(
      new FerryError('CONFIG', `${endpoint.display}: the csv connector is a source only`, {
        hint: 'write to parquet:DIR or duckdb:FILE instead',
      }),
    );
  },
};

export { CsvSource } from './source.js';
