import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requireServices, runCli, sql, type TestDatabase } from '../helpers/services.js';
import { exec, freshDatabase } from '../mysql/mariadb.js';

/**
 * RELIABILITY F20: ferry's own time zone must not touch a value. Timestamps, dates and times — a local time that
 * does not exist in New York (the 2024-03-10 DST gap), one that exists twice (2024-11-03 01:30), microseconds,
 * dates around 1970 — migrated by a ferry process running in America/New_York and in Pacific/Kiritimati
 * (UTC+14), PostgreSQL → PostgreSQL and PostgreSQL → MariaDB (timestamptz as UTC DATETIME(6)), arrive as they were.
 */
const svc = await requireServices(['pg', 'mysql']);

const SOURCE_SQL = `
SET TIME ZONE 'UTC';
CREATE TABLE times (id integer PRIMARY KEY, ts timestamp(6), tstz timestamptz(6), d date, t time(6));
INSERT INTO times VALUES
  (1, '2024-03-10 02:30:00.123456', '2024-03-10 07:30:00.000001+00', '2024-03-10', '02:30:00.5'),
  (2, '2024-11-03 01:30:00', '2024-11-03 05:30:00.999999+00', '2024-11-03', '01:30:00'),
  (3, '1969-12-31 23:59:59.999999', '1970-01-01 00:00:00+00', '1969-12-31', '23:59:59.999999'),
  (4, '2000-02-29 12:00:00', '2038-01-19 03:14:08+00', '1970-01-01', '00:00:00'),
  (5, NULL, NULL, NULL, NULL);`;

/** Each value as UTC text, the same spelling on both engines. */
const PG_TEXT = `SET TIME ZONE 'UTC'; SELECT id, to_char(ts, 'YYYY-MM-DD HH24:MI:SS.US') AS ts,
  to_char(tstz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS tstz, to_char(d, 'YYYY-MM-DD') AS d,
  to_char(t, 'HH24:MI:SS.US') AS t FROM times ORDER BY id`;
const MARIADB_TEXT = `SELECT id, DATE_FORMAT(ts, '%Y-%m-%d %H:%i:%s.%f') AS ts, DATE_FORMAT(tstz, '%Y-%m-%d %H:%i:%s.%f') AS tstz,
  DATE_FORMAT(d, '%Y-%m-%d') AS d, TIME_FORMAT(t, '%H:%i:%s.%f') AS t FROM times ORDER BY id`;

describe('the ferry process time zone changes no value', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tz-'));
  const state = ['--state-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')];
  const dbs: { drop(): Promise<void> }[] = [];
  let src: TestDatabase;
  let expected: Record<string, unknown>[];

  beforeAll(async () => {
    src = await createTestDatabase('pg', svc.urls.pg!, 'tzsrc');
    dbs.push(src);
    await sql(src.url, SOURCE_SQL);
    expected = (await sql(src.url, PG_TEXT)).map((r) => ({ ...r, id: Number(r.id) }));
  });
  afterAll(async () => {
    for (const d of dbs.reverse()) await d.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const tz of ['America/New_York', 'Pacific/Kiritimati']) {
    it(`PostgreSQL → PostgreSQL and → MariaDB with TZ=${tz}`, async () => {
      const pgDst = await createTestDatabase('pg', svc.urls.pg!, 'tzdst');
      dbs.push(pgDst);
      const myDst = await freshDatabase('tzdst');
      dbs.push(myDst);
      for (const to of [pgDst.url, myDst.url]) {
        const r = await runCli(['run', '--from', src.url, '--to', to, '--tables', 'times', ...state], {
          env: { TZ: tz },
        });
        expect(r.code).toBe(0);
      }
      const pgRows = (await sql(pgDst.url, PG_TEXT)).map((r) => ({ ...r, id: Number(r.id) }));
      expect(pgRows).toEqual(expected);
      const myRows = (await exec(myDst.url, MARIADB_TEXT)).map((r) => ({ ...r, id: Number(r.id) }));
      expect(myRows).toEqual(expected);
    });
  }
});
