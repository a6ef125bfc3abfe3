/**
 * The code that runs inside the piscina threads: CPU-heavy work on one Arrow batch, received as IPC bytes
 * (transferred, not copied). Kept free of I/O so a thread never blocks on a socket.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { ChecksumAccumulator, type CompareRules } from '../checksums/index.js';
import type { Checksum, Column } from '../core/index.js';
import { batchFromIPC, batchToIPC } from '../formats/index.js';
import {
  type CompiledTransform,
  compileTransform,
  type RejectedRow,
  type TableTransform,
  type TransformContext,
} from '../transform/index.js';
import { type BatchProfile, type ProfileTask, profileTask } from '../profiling/index.js';

export interface ChecksumTask {
  ipc: Uint8Array;
  rules?: CompareRules;
}

/** Checksum of one batch (an order-independent partial the caller adds up). */
export default function checksumBatch(task: ChecksumTask): Checksum {
  const acc = new ChecksumAccumulator(task.rules);
  acc.addBatch(batchFromIPC(task.ipc));
  return acc.result();
}

/** The profile of one batch (`ferry profile`): column states and key hashes the coordinator merges. */
export function profileBatch(task: ProfileTask): BatchProfile {
  return profileTask(task);
}

/** One source batch to transform (tables without unique/dedupe/references rules, see partition-transform.ts). */
export interface TransformTask {
  ipc: Uint8Array;
  /** Names the compiled transform in this thread's cache: the same key must always mean the same transform. */
  key: string;
  transform: TableTransform;
  source: Column[];
  salt?: string;
  context: TransformContext;
}

/** The transformed batch (IPC, transferred back), the rows it rejected, and its checksum. */
export interface TransformTaskResult {
  ipc: Uint8Array;
  rejects: RejectedRow[];
  checksum: Checksum;
}

/** Compiled transforms of this thread, by task key; a few tables are loaded at a time, so a small bound. */
const compiled = new Map<string, CompiledTransform>();
const COMPILED_MAX = 16;

function compiledFor(task: TransformTask): CompiledTransform {
  let c = compiled.get(task.key);
  if (!c) {
    c = compileTransform(task.transform, task.source, task.salt === undefined ? {} : { salt: task.salt });
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
    compiled.set(task.key, c);
  }
  return c;
}

/** Applies a table's transform to one batch and checksums the rows that passed (what the target receives). */
export function transformBatch(task: TransformTask): TransformTaskResult {
  const result = compiledFor(task).apply(batchFromIPC(task.ipc), task.context);
  const acc = new ChecksumAccumulator();
  acc.addBatch(result.batch);
  const out: TransformTaskResult = {
    ipc: batchToIPC(result.batch),
    rejects: result.rejects,
    checksum: acc.result(),
  };
  // Hand the IPC buffer back without a copy (it is ours alone: tableToIPC made it).
  return move({
    get [transferableSymbol]() {
      return [out.ipc.buffer];
    },
    get [valueSymbol]() {
      return out;
    },
  } as never) as unknown as TransformTaskResult;
}
