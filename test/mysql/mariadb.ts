import type { RecordBatch } from 'apache-arrow';
import mysql from 'mysql2/promise';
import { type Endpoint, parseEndpoint, silentLogger } from '../../core/index.js';
import { type JsValue, batchRows } from '../../formats/index.js';
import { type TestDatabase, createTestDatabase, requireServices } from '../helpers/services.js';

/**
 * The MariaDB of the MySQL connector's integration tests: started by scripts/services.sh (or given by
 * FERRY_TEST_MYSQL_URL). These tests fail, never skip, when it cannot be reached.
 */
export const logger = silentLogger();

export async function mariadbUrl(): Promise<string> {
  const svc = await requireServices(['mysql']);
  if (!svc.available || !svc.urls.mysql)
    throw new Error(`MariaDB is not available: ${svc.reason ?? 'no URL'}`);
  return svc.urls.mysql;
}

/** A fresh database for one test file, with an endpoint for it (extra URL parameters appended). */
export async function freshDatabase(
  prefix: string,
): Promise<TestDatabase & { endpoint(params?: string): Endpoint }> {
  const db = await createTestDatabase('mysql', await mariadbUrl(), prefix);
  return {
    ...db,
    endpoint: (params = '') => parseEndpoint(params ? `${db.url}?${params}` : db.url),
  };
}

/** Runs statements on the database with a permissive or strict SQL mode; returns the last rows. */
export async function exec(
  url: string,
  statements: string | string[],
  sqlMode?: string,
): Promise<Record<string, unknown>[]> {
  const conn = await mysql.createConnection({
    uri: url,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    flags: ['-LOCAL_FILES'],
  });
  try {
    await conn.query("SET time_zone = '+00:00', NAMES utf8mb4");
    if (sqlMode !== undefined) await conn.query(`SET SESSION sql_mode = '${sqlMode}'`);
    let last: unknown = [];
    for (const s of Array.isArray(statements) ? statements : [statements]) [last] = await conn.query(s);
    return Array.isArray(last) ? (last as Record<string, unknown>[]) : [];
  } finally {
    await conn.end();
  }
}

/** All rows of batches, in order. */
export function rowsOf(batches: RecordBatch[]): (JsValue | null)[][] {
  return batches.flatMap((b) => batchRows(b));
}
