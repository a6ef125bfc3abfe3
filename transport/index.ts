/** transport/: how tasks reach workers and results come back. `local` here; `nats` in a later module. */
export * from './async-queue.js';
export * from './local.js';
export * from './transport.js';
