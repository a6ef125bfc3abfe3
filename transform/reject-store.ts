/**
 * The reject store: rows that did not load, with the rule and a reason, one NDJSON file per
 * (run, partition, attempt) under `<root>/<run>/rejects/`. A file is written under a temporary name (mode 0600:
 * it holds source data, PII included) and renamed on `commit()`, so a crashed attempt leaves no half file
 * that `list` would count; `discard()` removes a failed attempt's file.
 *
 *   open(run, partition, attempt) ─► write(rows)… ─► commit(): fsync, rename, drop older attempts' files
 *                                                 └► discard(): unlink the temporary file
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FerryError, RUN_ID_PATTERN } from '../core/index.js';
import type { RejectedRow } from './transform-types.js';

/** One line of a reject file: the rejected row and where it came from. */
export interface RejectRecord extends RejectedRow {
  run: string;
  table: string;
  partition: string;
  attempt: number;
}

/** A committed reject file of one partition attempt, with counts per rule. */
export interface RejectFileSummary {
  run: string;
  table: string;
  partition: string;
  attempt: number;
  rows: number;
  byRule: Record<string, number>;
  /** Absolute path of the file; absent when the attempt rejected nothing (no file is written). */
  file?: string;
}

export interface RejectTarget {
  run: string;
  table: string;
  partition: string;
  attempt: number;
}

const SUFFIX = /^(.+)\.attempt-(\d+)\.ndjson$/;

/** A file-name-safe form of a partition id (`public.orders#3` → `public.orders%233`), reversible. */
function encodeName(partition: string): string {
  return partition.replace(/[^A-Za-z0-9_.-]/g, (c) =>
    Array.from(Buffer.from(c, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function checkRun(run: string): void {
  if (!RUN_ID_PATTERN.test(run)) throw new FerryError('USAGE', `"${run}" is not a run id`, { run });
}

/** Writes the rejects of one partition attempt; create it with `RejectStore.open`. */
export class RejectWriter {
  #handle: FileHandle | undefined;
  #rows = 0;
  readonly #byRule: Record<string, number> = {};
  #closed = false;
  readonly #temp: string;

  constructor(
    readonly target: RejectTarget,
    readonly dir: string,
    readonly file: string,
  ) {
    this.#temp = join(
      dir,
      `.${encodeName(target.partition)}.attempt-${target.attempt}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
    );
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  /** The temporary file's path (exists once a row was written, until commit or discard). */
  get tempPath(): string {
    return this.#temp;
  }

  /** Appends rejected rows (the file is created on the first row, mode 0600). */
  async write(rows: readonly RejectedRow[]): Promise<void> {
    if (this.#closed) throw new FerryError('INTERNAL', 'reject writer already committed or discarded');
    if (rows.length === 0) return;
    if (!this.#handle) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.#handle = await open(this.#temp, 'wx', 0o600);
      // The umask can only remove bits, but make the mode explicit whatever created the directory.
      await chmod(this.#temp, 0o600);
    }
    let text = '';
    const { run, table, partition, attempt } = this.target;
    for (const r of rows) {
      const record: RejectRecord = { run, table, partition, attempt, ...r };
      text += `${JSON.stringify(record)}\n`;
      this.#byRule[r.rule] = (this.#byRule[r.rule] ?? 0) + 1;
    }
    await this.#handle.write(text);
    this.#rows += rows.length;
  }

  /**
   * Makes the attempt's rejects durable under their final name and removes the files of earlier attempts of
   * the same partition (this attempt supersedes them). Call it before the target commits the partition, so a
   * crash in between leaves rejects for rows that a retry will reject again, never loaded rows without them.
   */
  async commit(): Promise<RejectFileSummary> {
    if (this.#closed) throw new FerryError('INTERNAL', 'reject writer already committed or discarded');
    this.#closed = true;
    const summary: RejectFileSummary = { ...this.target, rows: this.#rows, byRule: { ...this.#byRule } };
    if (this.#handle) {
      await this.#handle.sync();
      await this.#handle.close();
      await rename(this.#temp, this.file);
      await syncDir(this.dir);
      summary.file = this.file;
    }
    await this.#removeEarlierAttempts();
    return summary;
  }

  /** Drops this attempt's rejects (the attempt failed and its rows will be read again). */
  async discard(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#handle) {
      await this.#handle.close();
      await unlink(this.#temp).catch(() => undefined);
    }
  }

  async #removeEarlierAttempts(): Promise<void> {
    const prefix = encodeName(this.target.partition);
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = SUFFIX.exec(name);
      if (m && m[1] === prefix && Number(m[2]) < this.target.attempt)
        await unlink(join(this.dir, name)).catch(() => undefined);
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic.
  } finally {
    await h.close();
  }
}

/** The reject files of all runs under `root` (a run's files are in `<root>/<run>/rejects/`). */
export class RejectStore {
  constructor(readonly root: string) {}

  /** The directory of a run's reject files. */
  dirFor(run: string): string {
    checkRun(run);
    return join(this.root, run, 'rejects');
  }

  /** A writer for one partition attempt; nothing is created until a row is written. */
  open(target: RejectTarget): RejectWriter {
    const dir = this.dirFor(target.run);
    if (!Number.isInteger(target.attempt) || target.attempt < 0)
      throw new FerryError('INTERNAL', `attempt ${target.attempt} is not a whole number`);
    return new RejectWriter(
      target,
      dir,
      join(dir, `${encodeName(target.partition)}.attempt-${target.attempt}.ndjson`),
    );
  }

  /**
   * The committed reject files of a run, one per partition: the latest attempt, or exactly the attempt given
   * in `attempts` (e.g. the ones the target's ledger recorded as committed). Sorted by table and partition.
   */
  async list(
    run: string,
    options: { attempts?: ReadonlyMap<string, number> } = {},
  ): Promise<RejectFileSummary[]> {
    const dir = this.dirFor(run);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const chosen = new Map<string, { attempt: number; name: string }>();
    for (const name of names) {
      const m = SUFFIX.exec(name);
      if (!m || name.startsWith('.')) continue;
      const partition = decodeURIComponent(m[1]!);
      const attempt = Number(m[2]);
      const wanted = options.attempts?.get(partition);
      if (options.attempts && wanted !== attempt) continue;
      const current = chosen.get(partition);
      if (!current || current.attempt < attempt) chosen.set(partition, { attempt, name });
    }
    const out: RejectFileSummary[] = [];
    for (const [partition, { attempt, name }] of chosen) {
      const file = join(dir, name);
      const summary: RejectFileSummary = { run, table: '', partition, attempt, rows: 0, byRule: {}, file };
      for await (const r of readRecords(file)) {
        summary.table = r.table;
        summary.rows++;
        summary.byRule[r.rule] = (summary.byRule[r.rule] ?? 0) + 1;
      }
      out.push(summary);
    }
    return out.sort(
      (a, b) =>
        a.table.localeCompare(b.table) || a.partition.localeCompare(b.partition, 'en', { numeric: true }),
    );
  }

  /** The rejected rows of a run (the files `list` chooses), optionally of one table, partition or rule. */
  async *read(
    run: string,
    filter: {
      table?: string;
      partition?: string;
      rule?: string;
      attempts?: ReadonlyMap<string, number>;
    } = {},
  ): AsyncGenerator<RejectRecord> {
    const files = await this.list(run, filter.attempts ? { attempts: filter.attempts } : {});
    for (const f of files) {
      if (
        !f.file ||
        (filter.table && f.table !== filter.table) ||
        (filter.partition && f.partition !== filter.partition)
      )
        continue;
      for await (const r of readRecords(f.file)) if (!filter.rule || r.rule === filter.rule) yield r;
    }
  }
}

async function* readRecords(file: string): AsyncGenerator<RejectRecord> {
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    try {
      yield JSON.parse(line) as RejectRecord;
    } catch (e) {
      throw new FerryError('DATA', `reject file ${file} line ${n} is not JSON`, {
        cause: e,
        hint: 'the file was edited or truncated',
      });
    }
  }
}
