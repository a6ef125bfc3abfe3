/**
 * The file piscina's threads load (`BatchPool`), in CommonJS. Piscina loads its task file with require() first,
 * and for an ES module that is Node's require(esm): a thread terminated while require(esm) instantiates the
 * module graph aborts the whole process (V8 fatal error "v8::Module::IsGraphAsync must be used on an
 * instantiated module", SIGABRT; seen on Node 20.20 when a short `ferry run` closed its pool while the thread
 * was still loading, one run in ~10 under load). Here require() loads this CommonJS file, which loads the task
 * code (batch-task.js, an ES module) with import(): a terminated thread just abandons that.
 */
import type * as Tasks from './batch-task.js';

// Loading starts with the thread, not at its first task.
const tasks: Promise<typeof Tasks> = import('./batch-task.js');
// A failed load is reported by the first task that awaits it, not as an unhandled rejection.
tasks.catch(() => {});

async function checksumBatch(task: Tasks.ChecksumTask): Promise<ReturnType<typeof Tasks.default>> {
  return (await tasks).default(task);
}

async function profileBatch(
  task: Parameters<typeof Tasks.profileBatch>[0],
): Promise<ReturnType<typeof Tasks.profileBatch>> {
  return (await tasks).profileBatch(task);
}

async function transformBatch(task: Tasks.TransformTask): Promise<ReturnType<typeof Tasks.transformBatch>> {
  return (await tasks).transformBatch(task);
}

export = Object.assign(checksumBatch, { profileBatch, transformBatch });
