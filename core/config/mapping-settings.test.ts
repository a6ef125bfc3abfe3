import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { scrub } from '../secret.js';
import { type ResolveOptions, resolveSettings } from './settings.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-mapping-config-'));
});

function write(name: string, text: string, mode = 0o644): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function resolveIn(options: Omit<ResolveOptions, 'cwd'> = {}) {
  return resolveSettings({ env: {}, flags: {}, cwd: dir, ...options });
}

function configError(fn: () => unknown): FerryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FerryError);
    expect((e as FerryError).code).toBe('CONFIG');
    return e as FerryError;
  }
  throw new Error('expected a CONFIG error');
}

const BASE = 'source:\n  url: duckdb:src.duckdb\ntarget:\n  url: parquet:out\n';
const SALT = '0123456789abcdef0123456789abcdef';

describe('table mappings in the config', () => {
  it('carries columns, unmapped, rules and dedupe as written, in column order, with the table path', () => {
    write(
      'ferry.yaml',
      `${BASE}tables:
  - orders
  - name: users
    target_name: customers
    columns:
      id: { uuid_v5: { namespace: url, from: user_id } }
      country:
      label: name
    unmapped: keep
    rules:
      - not_null: country
    dedupe: { key: id, keep: last }
`,
    );
    const s = resolveIn({ configFile: 'ferry.yaml' });
    expect(s.tables[0]).not.toHaveProperty('mapping');
    expect(s.tables[1]!.configPath).toBe('tables[1]');
    expect(s.tables[1]!.mapping).toEqual({
      columns: { id: { uuid_v5: { namespace: 'url', from: 'user_id' } }, country: null, label: 'name' },
      unmapped: 'keep',
      rules: [{ not_null: 'country' }],
      dedupe: { key: 'id', keep: 'last' },
    });
    expect(Object.keys(s.tables[1]!.mapping!.columns as object)).toEqual(['id', 'country', 'label']);
  });

  it('keeps a mapping when --tables selects the table', () => {
    write('ferry.yaml', `${BASE}tables:\n  - name: a\n    columns: { x: }\n  - name: b\n`);
    const s = resolveIn({ configFile: 'ferry.yaml', flags: { tables: 'b,a' } });
    expect(s.tables.map((t) => [t.name, t.mapping])).toEqual([
      ['b', undefined],
      ['a', { columns: { x: null } }],
    ]);
  });

  it('refuses an unknown unmapped policy with its path', () => {
    write('ferry.yaml', `${BASE}tables:\n  - name: a\n    unmapped: maybe\n`);
    expect(configError(() => resolveIn({ configFile: 'ferry.yaml' })).context.configPath).toBe(
      'tables[0].unmapped',
    );
  });
});

describe('max_reject_percent', () => {
  it('is absent by default and read as a percentage, also from text', () => {
    write('a.yaml', BASE);
    expect(resolveIn({ configFile: 'a.yaml' }).maxRejectPercent).toBeUndefined();
    write('b.yaml', `${BASE}max_reject_percent: 2.5\n`);
    expect(resolveIn({ configFile: 'b.yaml' }).maxRejectPercent).toBe(2.5);
    write('c.yaml', `${BASE}max_reject_percent: "0"\n`);
    expect(resolveIn({ configFile: 'c.yaml' }).maxRejectPercent).toBe(0);
  });

  it('refuses a value outside 0–100', () => {
    write('a.yaml', `${BASE}max_reject_percent: 120\n`);
    expect(configError(() => resolveIn({ configFile: 'a.yaml' })).context.configPath).toBe(
      'max_reject_percent',
    );
  });
});

describe('the transform salt', () => {
  it('reads transform_salt_file relative to the config file, as a Secret that never prints', () => {
    write('secrets/salt', `${SALT}\n`, 0o600);
    write('config/ferry.yaml', `${BASE}transform_salt_file: ../secrets/salt\n`);
    const s = resolveIn({ configFile: 'config/ferry.yaml' });
    expect(s.transformSalt?.reveal()).toBe(SALT);
    expect(JSON.stringify(s)).not.toContain(SALT);
    expect(scrub(`salt is ${SALT}`)).toBe('salt is ***');
  });

  it('prefers FERRY_TRANSFORM_SALT and FERRY_TRANSFORM_SALT_FILE over the file', () => {
    write('salt', 'file-salt-file-salt-file-salt', 0o600);
    write('env-salt', 'env-file-salt-env-file-salt\n', 0o600);
    write('ferry.yaml', `${BASE}transform_salt_file: salt\n`);
    const direct = resolveIn({
      configFile: 'ferry.yaml',
      env: { FERRY_TRANSFORM_SALT: 'env-salt-env-salt-env-salt' },
    });
    expect(direct.transformSalt?.reveal()).toBe('env-salt-env-salt-env-salt');
    const file = resolveIn({
      configFile: 'ferry.yaml',
      env: { FERRY_TRANSFORM_SALT_FILE: join(dir, 'env-salt') },
    });
    expect(file.transformSalt?.reveal()).toBe('env-file-salt-env-file-salt');
    expect(resolveIn({ configFile: 'ferry.yaml' }).transformSalt?.reveal()).toBe(
      'file-salt-file-salt-file-salt',
    );
  });

  it('refuses a salt file others can read, and a salt too short to keep guesses out', () => {
    write('salt', SALT, 0o644);
    write('ferry.yaml', `${BASE}transform_salt_file: salt\n`);
    expect(configError(() => resolveIn({ configFile: 'ferry.yaml' })).context.hint).toBe(
      `run: chmod 600 ${join(dir, 'salt')}`,
    );
    write('a.yaml', BASE);
    const e = configError(() => resolveIn({ configFile: 'a.yaml', env: { FERRY_TRANSFORM_SALT: 'short' } }));
    expect(e.message).toBe('the transform salt has 5 characters; at least 16 are needed');
  });

  it('is absent when nothing sets it', () => {
    write('a.yaml', BASE);
    expect(resolveIn({ configFile: 'a.yaml' }).transformSalt).toBeUndefined();
  });
});
