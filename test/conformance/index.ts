/**
 * The shared conformance suite: `runSourceTargetConformance(name, harness)` registers the Source/Target
 * contract tests for a pair of connectors; the fixture describes its tables as DuckDB SQL and as expected
 * JsValues, and the DuckDB-based fixture builders serve the embedded connectors.
 */
export * from './fixture.js';
export * from './harness.js';
export * from './helpers.js';
export * from './suite.js';
