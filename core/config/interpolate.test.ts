// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the inputs are literal ${VAR} references
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FerryError } from '../errors.js';
import { scrub } from '../secret.js';
import { interpolate, readEnv } from './interpolate.js';
import { literalCredentialIn } from './layers-apply.js';
import { closestKey } from './suggest.js';

const site = { configPath: 'source.url', location: 'a.yaml line 2' };
const env: Record<string, string> = { HOST: 'db', EMPTY: '' };
const lookup = (name: string) => env[name];

function fails(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    expect((e as FerryError).code).toBe('CONFIG');
    return e as FerryError;
  }
  throw new Error('expected an error');
}

describe('interpolate', () => {
  it('replaces variables, keeps $${ literal and empty values empty', () => {
    expect(interpolate('pg://${HOST}:5432/${EMPTY}x', lookup, site)).toBe('pg://db:5432/x');
    expect(interpolate('cost $${HOST} and $5', lookup, site)).toBe('cost ${HOST} and $5');
    expect(interpolate('no refs', lookup, site)).toBe('no refs');
  });

  it('refuses a missing variable, a bad name and an unclosed reference', () => {
    expect(fails(() => interpolate('${NOPE}', lookup, site)).message).toBe(
      'a.yaml line 2: source.url uses ${NOPE}, but environment variable NOPE is not set',
    );
    expect(fails(() => interpolate('${1X}', lookup, site)).message).toContain(
      '"${1X}", which is not a variable name',
    );
    expect(fails(() => interpolate('a${HOST', lookup, site)).message).toContain('without a closing "}"');
  });
});

describe('readEnv', () => {
  it('reads NAME_FILE, refuses both NAME and NAME_FILE, and registers the value for scrubbing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-env-'));
    writeFileSync(join(dir, 'tok'), 'tok-value-123\r\n');
    chmodSync(join(dir, 'tok'), 0o600);
    expect(readEnv({ TOKEN_FILE: 'tok' }, 'TOKEN', dir)).toBe('tok-value-123');
    expect(scrub('sent tok-value-123 to x')).toBe('sent *** to x');
    expect(fails(() => readEnv({ TOKEN: 'a', TOKEN_FILE: 'tok' }, 'TOKEN', dir)).message).toBe(
      'both TOKEN and TOKEN_FILE are set',
    );
    expect(readEnv({ TOKEN: '' }, 'TOKEN', dir, true)).toBeUndefined();
    expect(readEnv({ TOKEN: '' }, 'TOKEN', dir)).toBe('');
  });
});

describe('literalCredentialIn', () => {
  it('finds passwords written in URLs but accepts variables', () => {
    expect(literalCredentialIn('postgres://u:pw@h/db')).toBe('a password');
    expect(literalCredentialIn('postgres://u:${PW}@h/db')).toBeUndefined();
    expect(literalCredentialIn('postgres://u@h/db')).toBeUndefined();
    expect(literalCredentialIn('mysql://u@h/db?ssl=1&password=pw')).toBe('a password parameter');
    expect(literalCredentialIn('nats://a:4222,nats://tok@b:4222', true)).toBe('a token');
    expect(literalCredentialIn('duckdb:file@2024.duckdb')).toBeUndefined();
    expect(literalCredentialIn('${SOURCE_URL}')).toBeUndefined();
  });
});

describe('closestKey', () => {
  const keys = ['name', 'target_name', 'key', 'mode', 'partition_rows'];
  it('suggests near misses, other spellings, and nothing for unrelated words', () => {
    expect(closestKey('partiton_rows', keys)).toBe('partition_rows');
    expect(closestKey('partitionRows', keys)).toBe('partition_rows');
    expect(closestKey('targte_name', keys)).toBe('target_name');
    expect(closestKey('mdoe', keys)).toBe('mode');
    expect(closestKey('where', keys)).toBeUndefined();
  });
});
