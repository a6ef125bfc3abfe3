import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError, type LedgerEntry } from '../../core/index.js';
import { writeFileAtomic } from './files.js';
import { LEDGER_DIR } from './introspect.js';

/**
 * The ledger of a Parquet target: one JSON file per committed partition,
 * `DIR/_ferry_ledger/<run>/<partition id>.json` (both names URI-encoded), written atomically after the
 * partition's data file.
 */
export function ledgerFile(dir: string, runId: string, partitionId: string): string {
  return join(dir, LEDGER_DIR, encodeURIComponent(runId), `${encodeURIComponent(partitionId)}.json`);
}

/** The recorded entry of one partition, or undefined. A file that is not a ledger entry is a DATA error. */
export async function readLedgerFile(path: string): Promise<LedgerEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const entry = JSON.parse(text) as LedgerEntry;
    if (typeof entry.partitionId !== 'string' || typeof entry.attempt !== 'number')
      throw new Error('missing fields');
    return entry;
  } catch (cause) {
    throw new FerryError('DATA', `ledger file ${path} is not a ferry ledger entry`, {
      cause,
      hint: 'remove the file if it was not written by ferry',
    });
  }
}

/** Writes a partition's entry durably (temp file, fsync, rename, fsync directory). */
export async function writeLedgerFile(dir: string, entry: LedgerEntry): Promise<void> {
  const path = ledgerFile(dir, entry.runId, entry.partitionId);
  await mkdir(join(dir, LEDGER_DIR, encodeURIComponent(entry.runId)), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(entry, null, 2)}\n`);
}

async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Committed entries of one run or of all runs, in run and partition order. */
export async function readParquetLedger(dir: string, runId?: string): Promise<LedgerEntry[]> {
  const root = join(dir, LEDGER_DIR);
  const runs = runId === undefined ? await names(root) : [encodeURIComponent(runId)];
  const out: LedgerEntry[] = [];
  for (const run of runs) {
    for (const file of await names(join(root, run))) {
      if (!file.endsWith('.json') || file.startsWith('.')) continue;
      const entry = await readLedgerFile(join(root, run, file));
      if (entry) out.push(entry);
    }
  }
  return out.sort((a, b) =>
    a.runId === b.runId ? (a.partitionId < b.partitionId ? -1 : 1) : a.runId < b.runId ? -1 : 1,
  );
}
