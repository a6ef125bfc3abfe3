/**
 * connectors/: one folder per system (duckdb, parquet, csv, …), each implementing core's Connector contract.
 * Only the registry is exported: connectors are loaded lazily, by name, through `getConnector`.
 */
export { connectorNames, getConnector } from './registry.js';
