import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temporary name beside `path` in the same directory (so the rename is atomic): hidden, and not ending in
 * `.parquet`, so no reader's listing or glob ever picks it up.
 */
export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Flushes a file's data (or a directory's entries) to disk. */
export async function fsyncPath(path: string, directory = false): Promise<void> {
  const handle = await open(path, directory ? 'r' : 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Moves a finished temporary file to its final name durably: fsync the file, rename it over the final name
 * (atomic within a directory: readers see the old file or the new one, never half of one), fsync the directory
 * so the rename itself survives a crash.
 */
export async function publishFile(temp: string, path: string): Promise<void> {
  await fsyncPath(temp);
  await rename(temp, path);
  await fsyncPath(dirname(path), true);
}

/** Writes `data` to `path` atomically and durably (temp file, fsync, rename, fsync directory). */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = tempNameFor(path);
  try {
    await writeFile(temp, data, { flag: 'wx' });
    await publishFile(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
