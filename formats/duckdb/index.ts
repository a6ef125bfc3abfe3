/**
 * formats/duckdb: the DuckDB engine code shared by the duckdb, parquet and csv connectors — DuckDB type ⇄
 * logical type, DuckDB values ⇄ ferry's JsValues, a query streamed into Arrow batches, Arrow batches appended
 * through DuckDB's appender, and source operations over any DuckDB relation.
 *
 * A second entry of formats/, deliberately not re-exported from formats/index.ts: importing formats/ must not
 * load DuckDB's native binding. Import it as `formats/duckdb/index.js`.
 */
export * from './append-batches.js';
export * from './errors.js';
export * from './from-duckdb.js';
export * from './open.js';
export * from './read-batches.js';
export * from './relation.js';
export * from './sql.js';
export * from './to-duckdb.js';
export * from './types.js';
