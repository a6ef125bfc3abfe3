/** worker/: runs partitions — read, transform, load, verify — with CPU work in a piscina pool. */
export * from './partition-runner.js';
export * from './pool.js';
export { rawChecksumStream, rawTableChecksum, readRawRange } from './raw-copy.js';
export * from './worker.js';
