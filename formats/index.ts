/** formats/: Arrow batch building and reading in ferry's exact value domain, and IPC for crossing threads. */
export * from './arrow-types.js';
export * from './batch-builder.js';
export * from './column-reader.js';
export * from './interval-text.js';
export * from './ipc.js';
export * from './key-text.js';
export * from './rename.js';
export * from './pg-copy/index.js';
