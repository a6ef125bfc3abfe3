/** core/: the shared types, errors, endpoints, secrets and logging. Imports nothing else of ferry. */
export * from './byte-size.js';
export * from './config/index.js';
export * from './connector.js';
export * from './refused-rows.js';
export * from './endpoint.js';
export * from './errors.js';
export * from './failpoint.js';
export * from './logger.js';
export * from './plan-lookup.js';
export * from './secret.js';
export * from './sql.js';
export * from './telemetry.js';
export * from './types.js';
