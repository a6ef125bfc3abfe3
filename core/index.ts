/** core/: the shared types, errors, endpoints, secrets and logging. Imports nothing else of ferry. */
export * from './connector.js';
export * from './endpoint.js';
export * from './errors.js';
export * from './logger.js';
export * from './secret.js';
export * from './sql.js';
export * from './types.js';
