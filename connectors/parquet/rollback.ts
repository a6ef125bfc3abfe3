import { copyFile, link, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FerryError,
  type KeyRange,
  type TableRef,
  type TableSpec,
  type TargetRollback,
  type UndoRequest,
  tableName,
} from '../../core/index.js';
import { fsyncPath, tempNameFor } from './files.js';
import { LEDGER_DIR } from './introspect.js';
import { ledgerFile, readParquetLedger } from './ledger.js';

/** Directory of a Parquet target holding rollback backups (hidden from table discovery by its `_`). */
export const ROLLBACK_DIR = '_ferry_rollback';

/** `part-<index>-<run>.parquet` (see writer.ts `partFileName`); the run is URI-encoded. */
const PART_FILE = /^part-\d+-(.+)\.parquet$/;

async function partFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => PART_FILE.test(f)).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** A hard link (part files are never rewritten in place, so a link is a copy that costs nothing), else a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * Undo support of a Parquet target (see `TargetRollback`). Each partition is its own file named by run
 * (`part-<index>-<run>.parquet`), so an append is undone by deleting the run's files; a backup (replace,
 * truncate) is a hard-linked copy of the table's part files under `DIR/_ferry_rollback/<backup>/`. Files have no
 * transactions: an undo interrupted half way is completed by running it again (the backup stays until the
 * table is verified), and the row count is checked afterwards through the checksum, not before.
 */
export class ParquetRollback implements TargetRollback {
  readonly appendUndo = 'run-files' as const;

  constructor(
    private readonly root: string,
    private readonly tableDir: (ref: TableRef) => string,
  ) {}

  private backupDir(name: string): string {
    if (/[/\\\0]/.test(name) || name.startsWith('.')) {
      throw new FerryError('INTERNAL', `"${name}" cannot name a backup directory`);
    }
    return join(this.root, ROLLBACK_DIR, name);
  }

  async saveRows(
    table: TableSpec,
    name: string,
    options: { columns?: string[]; range?: KeyRange } = {},
  ): Promise<{ definition?: string[] }> {
    if (options.columns || options.range) {
      throw new FerryError(
        'INTERNAL',
        'a Parquet target keeps whole backups only (its appends are undone by run files)',
        {
          table: tableName(table),
        },
      );
    }
    const from = this.tableDir(table);
    const to = this.backupDir(name);
    await mkdir(to, { recursive: true });
    for (const f of await partFiles(from)) await linkOrCopy(join(from, f), join(to, f));
    await fsyncPath(to, true);
    return {};
  }

  async undoTable(request: UndoRequest): Promise<{ deletedRows: string }> {
    const { table, step, runId } = request;
    const dir = this.tableDir(table);
    const context = { table: tableName(table), run: runId };
    switch (step.kind) {
      case 'drop':
        await Promise.all((await partFiles(dir)).map((f) => rm(join(dir, f), { force: true })));
        // The directory goes too when nothing else is in it (files a person put there are not ferry's).
        await rmdir(dir).catch(() => undefined);
        break;
      case 'restore': {
        const backup = this.backupDir(step.from);
        const saved = await partFiles(backup);
        await mkdir(dir, { recursive: true });
        // Stage the backup beside the table first: until the renames, readers see the run's files, then the old ones.
        const staged: [string, string][] = [];
        for (const f of saved) {
          const temp = tempNameFor(join(dir, f));
          await linkOrCopy(join(backup, f), temp);
          staged.push([temp, join(dir, f)]);
        }
        const keep = new Set(saved);
        await Promise.all(
          (await partFiles(dir)).filter((f) => !keep.has(f)).map((f) => rm(join(dir, f), { force: true })),
        );
        for (const [temp, path] of staged) await rename(temp, path);
        await fsyncPath(dir, true);
        break;
      }
      case 'delete-run-files': {
        const run = encodeURIComponent(runId);
        const mine = (await partFiles(dir)).filter((f) => PART_FILE.exec(f)?.[1] === run);
        await Promise.all(mine.map((f) => rm(join(dir, f), { force: true })));
        await fsyncPath(dir, true).catch(() => undefined);
        break;
      }
      case 'ledger-only':
        break;
      case 'delete-loaded':
        throw new FerryError(
          'INTERNAL',
          'a Parquet target undoes appends by run files, not by keys',
          context,
        );
    }
    let deleted = 0n;
    for (const e of await readParquetLedger(this.root, runId)) {
      if (e.table !== request.ledgerTable) continue;
      if (step.kind === 'delete-run-files') deleted += BigInt(e.rows);
      await rm(ledgerFile(this.root, runId, e.partitionId), { force: true });
    }
    // The run's ledger directory goes once it holds no entry of any table.
    await rmdir(join(this.root, LEDGER_DIR, encodeURIComponent(runId))).catch(() => undefined);
    return { deletedRows: step.kind === 'delete-run-files' ? deleted.toString() : '0' };
  }

  async dropSideTable(_table: TableRef, name: string): Promise<void> {
    await rm(this.backupDir(name), { recursive: true, force: true });
    await rmdir(join(this.root, ROLLBACK_DIR)).catch(() => undefined);
  }
}
