/** transport/: how tasks reach workers and results come back: `local` (in-process) and `nats` (JetStream). */
export * from './async-queue.js';
export * from './local.js';
export * from './nats/index.js';
export * from './transport.js';
