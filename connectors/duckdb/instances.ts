import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { FerryError } from '../../core/index.js';
import { openDuckDB } from '../../formats/duckdb/index.js';

interface Held {
  opening: Promise<DuckDBInstance>;
  readOnly: boolean;
  users: number;
}

/**
 * One DuckDB instance per database file in this thread, shared by reference count. DuckDB's file lock is per
 * process, so two instances of one file in one process would not exclude each other and could corrupt it:
 * every source, target and reader of a file in this thread goes through here. (Several worker threads must not
 * open the same file: the connector's `singleWriter` capability routes all loads of a file through one writer.)
 */
const held = new Map<string, Held>();

/** A lease on a shared instance; `release` closes the instance when its last user releases it. */
export interface InstanceLease {
  instance: DuckDBInstance;
  release(): void;
}

/**
 * Acquires the instance of `path` (`:memory:` always gets a new private instance). A read-write request for a
 * file held read-only here is refused (CONFIG): DuckDB cannot upgrade an open instance. A read-only request
 * for a file held read-write shares the read-write instance.
 */
export async function acquireInstance(path: string, readOnly: boolean): Promise<InstanceLease> {
  if (path === ':memory:') {
    const instance = await openDuckDB(path);
    return { instance, release: () => instance.closeSync() };
  }
  const key = resolve(path);
  let entry = held.get(key);
  if (entry?.readOnly && !readOnly) {
    throw new FerryError('CONFIG', `DuckDB file ${path} is already open read-only in this process`, {
      hint: 'use different files for source and target',
    });
  }
  if (!entry) {
    if (readOnly && !existsSync(key)) {
      throw new FerryError('NOT_FOUND', `DuckDB file ${path} does not exist`, {
        hint: 'check the duckdb: path',
      });
    }
    entry = { opening: openDuckDB(key, { readOnly }), readOnly, users: 0 };
    held.set(key, entry);
  }
  const leased = entry;
  leased.users++;
  let instance: DuckDBInstance;
  try {
    instance = await leased.opening;
  } catch (e) {
    if (--leased.users === 0 && held.get(key) === leased) held.delete(key);
    throw e;
  }
  let released = false;
  return {
    instance,
    release() {
      if (released) return;
      released = true;
      if (--leased.users === 0) {
        if (held.get(key) === leased) held.delete(key);
        instance.closeSync();
      }
    },
  };
}
