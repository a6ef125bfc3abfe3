import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Endpoint, type LogicalType, parseEndpoint } from '../../core/index.js';
import { type FixtureTable, fixtureSql } from './fixture.js';

/**
 * Fixture builders for the DuckDB-based connectors: every fixture is DuckDB SQL run in a temporary directory,
 * either into a DuckDB file or into memory and then copied out as one Parquet file per table.
 */
export class TempDirs {
  private readonly dirs: string[] = [];
  private n = 0;

  make(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), `ferry-conf-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  next(): number {
    return ++this.n;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

async function runFixture(
  path: string,
  tables: FixtureTable[],
  after?: (t: FixtureTable) => string,
): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    for (const t of tables) {
      await conn.run(fixtureSql(t));
      if (after) await conn.run(after(t));
    }
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** A DuckDB file holding the fixture tables. */
export async function duckdbFixture(dirs: TempDirs, tables: FixtureTable[]): Promise<Endpoint> {
  const path = join(dirs.make('duckdb-src'), 'source.duckdb');
  await runFixture(path, tables);
  return parseEndpoint(`duckdb:${path}`);
}

/** A directory with one Parquet file per fixture table, written by DuckDB's own COPY. */
export async function parquetFixture(dirs: TempDirs, tables: FixtureTable[]): Promise<Endpoint> {
  const dir = dirs.make('parquet-src');
  await runFixture(
    ':memory:',
    tables,
    (t) => `COPY "${t.name}" TO '${join(dir, `${t.name}.parquet`)}' (FORMAT parquet)`,
  );
  return parseEndpoint(`parquet:${dir}`);
}

/** A fresh DuckDB file path as a target endpoint. */
export function duckdbTarget(dirs: TempDirs): Endpoint {
  return parseEndpoint(`duckdb:${join(dirs.make('duckdb-tgt'), `target-${dirs.next()}.duckdb`)}`);
}

/** A fresh directory as a Parquet target endpoint. */
export function parquetTarget(dirs: TempDirs): Endpoint {
  return parseEndpoint(`parquet:${join(dirs.make('parquet-tgt'), 'out')}`);
}

/**
 * What Parquet files written by DuckDB's COPY hold exactly: not intervals (stored with millisecond precision)
 * and not decimals over 38 digits (HUGEINT is written as DOUBLE). Ferry's own Parquet target stores both as
 * text with its metadata, which is why the duckdb → parquet pair carries every type.
 */
export function parquetFixtureSupports(type: LogicalType): boolean {
  if (type.kind === 'interval') return false;
  if (type.kind === 'decimal') return type.precision !== undefined && type.precision <= 38;
  if (type.kind === 'list') return parquetFixtureSupports(type.element);
  return true;
}
