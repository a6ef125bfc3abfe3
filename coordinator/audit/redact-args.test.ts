import { describe, expect, it } from 'vitest';
import { registerSecret } from '../../core/index.js';
import { redactArgs } from './redact-args.js';

const CANARY = 'Canary-Pw-7f3a';

describe('redactArgs', () => {
  it('removes URL passwords, secret flags, key=value secrets and registered secrets', () => {
    registerSecret('registered-s3cret');
    const out = redactArgs([
      '--from',
      `postgres://alice:${CANARY}@db.example:5432/app?sslmode=require`,
      `--to=mysql://bob:${CANARY}@h/db`,
      '--password',
      CANARY,
      `--api-key=${CANARY}`,
      `dsn=host password=${CANARY}`,
      'registered-s3cret',
      `postgres://carol:pa@ss/${CANARY}@host/db`,
      '--tables',
      'a,b',
    ]);
    expect(out.join(' ')).not.toContain(CANARY);
    expect(out.join(' ')).not.toContain('registered-s3cret');
    expect(out).toEqual([
      '--from',
      'postgres://alice:***@db.example:5432/app?sslmode=require',
      '--to=mysql://bob:***@h/db',
      '--password',
      '***',
      '--api-key=***',
      'dsn=host password=***',
      '***',
      'postgres://carol:***@host/db',
      '--tables',
      'a,b',
    ]);
  });

  it('leaves URLs without a password alone', () => {
    expect(redactArgs(['postgres://h:5432/db?x=a@b', 'duckdb:/tmp/a.duckdb'])).toEqual([
      'postgres://h:5432/db?x=a@b',
      'duckdb:/tmp/a.duckdb',
    ]);
  });
});
