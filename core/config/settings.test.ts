// biome-ignore-all lint/suspicious/noTemplateCurlyInString: config values hold literal ${VAR} references
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors.js';
import { describeSettings } from './describe-settings.js';
import { type ResolveOptions, resolveSettings } from './settings.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
});
afterEach(() => {
  // temp dirs are left to the OS: tests must not depend on cleanup
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

describe('strict keys', () => {
  it('names the path and line of a misspelt key and suggests the right one', () => {
    write(
      'ferry.yaml',
      `${BASE}tables:\n  - orders\n  - name: items\n  - name: customers\n    partiton_rows: 1000\n`,
    );
    const e = configError(() => resolveIn({ configFile: 'ferry.yaml' }));
    expect(e.context.configPath).toBe('tables[2].partiton_rows');
    expect(e.message).toBe('ferry.yaml line 9: unknown key tables[2].partiton_rows');
    expect(e.context.hint).toBe('did you mean partition_rows?');
  });

  it('suggests at the top level and inside sections', () => {
    write('a.yaml', `${BASE}worker: 4\n`);
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.context.configPath).toBe('worker');
    expect(e.context.hint).toBe('did you mean workers?');
    write('b.yaml', 'source:\n  url: duckdb:x\n  pasword_file: pw\ntarget:\n  url: parquet:out\n');
    const f = configError(() => resolveIn({ configFile: 'b.yaml' }));
    expect(f.message).toBe('b.yaml line 3: unknown key source.pasword_file');
    expect(f.context.hint).toBe('did you mean password_file?');
  });

  it('lists the known keys when nothing is close, and explains that row filters do not exist', () => {
    write('a.yaml', `${BASE}tables:\n  - name: t\n    where: id > 5\n`);
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.context.configPath).toBe('tables[0].where');
    expect(e.context.hint).toBe('row filters are not supported: ferry migrates whole tables');
  });

  it('reports a wrong type with the line and the value', () => {
    write('a.yaml', `${BASE}workers: many\n`);
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.message).toBe('a.yaml line 5: workers must be an integer, not text "many"');
    expect(e.context.configPath).toBe('workers');
    write('b.yaml', `${BASE}mode: crate\n`);
    const f = configError(() => resolveIn({ configFile: 'b.yaml' }));
    expect(f.message).toBe(
      'b.yaml line 5: mode must be one of create, truncate, append, replace, not "crate"',
    );
    expect(f.context.hint).toBe('did you mean create?');
    write('c.yaml', `${BASE}tables:\n  - 42\n`);
    const g = configError(() => resolveIn({ configFile: 'c.yaml' }));
    expect(g.message).toBe('c.yaml line 6: tables[0] must be a table name or table object, not number 42');
    write('d.yaml', `${BASE}partition_rows: 0\n`);
    expect(configError(() => resolveIn({ configFile: 'd.yaml' })).message).toBe(
      'd.yaml line 5: partition_rows must be at least 1, not 0',
    );
  });

  it('reports bad YAML with its line', () => {
    write('a.yaml', 'source:\n  url: [unclosed\n');
    expect(configError(() => resolveIn({ configFile: 'a.yaml' })).message).toMatch(
      /^a\.yaml line \d: not valid YAML/,
    );
  });

  it('says which flag or variable held a bad value', () => {
    const e = configError(() =>
      resolveIn({
        configFile: false,
        env: { FERRY_FROM: 'duckdb:x', FERRY_TO: 'duckdb:y', FERRY_WORKERS: 'lots' },
      }),
    );
    expect(e.message).toBe('environment variable FERRY_WORKERS: workers must be an integer, not text "lots"');
    const f = configError(() =>
      resolveIn({ configFile: false, flags: { from: 'duckdb:x', to: 'duckdb:y', mode: 'apend' } }),
    );
    expect(f.message).toBe('flag --mode: mode must be one of create, truncate, append, replace, not "apend"');
    expect(f.context.hint).toBe('did you mean append?');
  });
});

describe('defaults and precedence', () => {
  it('fills every default', () => {
    write('a.yaml', BASE);
    const s = resolveIn({ configFile: 'a.yaml' });
    expect(s.mode).toBe('create');
    expect(s.workers).toBe(availableParallelism());
    expect(s.partitionRows).toBe(250_000);
    expect(s.batchRows).toBe(10_000);
    expect(s.stateDir).toBe(join(dir, 'results/runs'));
    expect(s.reportsDir).toBe(join(dir, 'results/reports'));
    expect(s.verify).toBe(true);
    expect(s.onError).toBe('continue');
    expect(s.logLevel).toBe('warn');
    expect(s.tables).toEqual([]);
    expect(s.compare).toEqual({});
    expect(s.nats).toBeUndefined();
    expect(s.runId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(s.source.connector).toBe('duckdb');
    expect(s.source.path).toBe(join(dir, 'src.duckdb'));
    expect(s.target.connector).toBe('parquet');
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.tables)).toBe(true);
    expect(Object.isFrozen(s.source)).toBe(true);
  });

  it('takes a flag over the environment over the file over the default', () => {
    write('a.yaml', `${BASE}workers: 3\nverify: false\ntables: [a, b]\n`);
    const env = { FERRY_WORKERS: '5', FERRY_VERIFY: 'true', FERRY_TABLES: 'c' };
    const flags = { workers: '7' };
    expect(resolveIn({ configFile: 'a.yaml', env, flags }).workers).toBe(7);
    const fromEnv = resolveIn({ configFile: 'a.yaml', env });
    expect(fromEnv.workers).toBe(5);
    expect(fromEnv.verify).toBe(true);
    expect(fromEnv.tables.map((t) => t.name)).toEqual(['c']);
    expect(fromEnv.origins.workers).toBe('environment variable FERRY_WORKERS');
    const fromFile = resolveIn({ configFile: 'a.yaml' });
    expect(fromFile.workers).toBe(3);
    expect(fromFile.verify).toBe(false);
    expect(fromFile.origins.workers).toBe('a.yaml line 5');
    expect(fromFile.origins.batch_rows).toBe('default');
    const none = resolveIn({ configFile: false, flags: { from: 'duckdb:x', to: 'duckdb:y' } });
    expect(none.workers).toBe(availableParallelism());
    expect(resolveIn({ configFile: 'a.yaml', env, flags: { verify: false } }).verify).toBe(false);
    expect(resolveIn({ configFile: 'a.yaml', flags: { workers: 7 } }).origins.workers).toBe('flag --workers');
  });

  it('reads the config named by FERRY_CONFIG, else config/settings.yaml', () => {
    write('x.yaml', `${BASE}workers: 9\n`);
    expect(resolveIn({ env: { FERRY_CONFIG: 'x.yaml' } }).workers).toBe(9);
    write('config/settings.yaml', `${BASE}workers: 11\n`);
    expect(resolveIn().workers).toBe(11);
    expect(resolveIn({ flags: { config: 'x.yaml' } }).workers).toBe(9);
  });

  it('keeps per-table settings when --tables selects tables, and fills table defaults', () => {
    write(
      'a.yaml',
      `${BASE}mode: truncate\npartition_rows: 100\ntables:\n  - a\n  - name: b\n    target_name: b2\n    key: [id]\n    mode: append\n`,
    );
    const all = resolveIn({ configFile: 'a.yaml' });
    expect(all.tables).toEqual([
      { name: 'a', mode: 'truncate', partitionRows: 100 },
      { name: 'b', targetName: 'b2', key: ['id'], mode: 'append', partitionRows: 100 },
    ]);
    const chosen = resolveIn({ configFile: 'a.yaml', flags: { tables: 'b, c' } });
    expect(chosen.tables).toEqual([
      { name: 'b', targetName: 'b2', key: ['id'], mode: 'append', partitionRows: 100 },
      { name: 'c', mode: 'truncate', partitionRows: 100 },
    ]);
  });

  it('sizes partitions by bytes when asked: per table, from the top level, as a flag or a variable', () => {
    write(
      'b.yaml',
      `${BASE}partition_bytes: 64MB\ntables:\n  - a\n  - name: b\n    partition_rows: 500\n  - name: c\n    partition_bytes: 1GiB\n`,
    );
    const s = resolveIn({ configFile: 'b.yaml' });
    expect(s.partitionBytes).toBe(64 * 1024 ** 2);
    expect(s.tables).toEqual([
      { name: 'a', mode: 'create', partitionRows: 250_000, partitionBytes: 64 * 1024 ** 2 },
      { name: 'b', mode: 'create', partitionRows: 500 },
      { name: 'c', mode: 'create', partitionRows: 250_000, partitionBytes: 1024 ** 3 },
    ]);
    expect(s.origins.partition_bytes).toMatch(/b\.yaml line 5/);
    expect(
      resolveIn({ configFile: false, flags: { from: 'duckdb:a', to: 'duckdb:b', partitionBytes: '4096' } })
        .partitionBytes,
    ).toBe(4096);
    expect(
      resolveIn({
        configFile: false,
        env: { FERRY_FROM: 'duckdb:a', FERRY_TO: 'duckdb:b', FERRY_PARTITION_BYTES: '2 kB' },
      }).partitionBytes,
    ).toBe(2048);
    expect(describeSettings(s).partition_bytes).toBe(64 * 1024 ** 2);
  });

  it('refuses a size that is not one, and rows and bytes set at one level', () => {
    write('c.yaml', `${BASE}partition_bytes: 1.5GB\n`);
    expect(configError(() => resolveIn({ configFile: 'c.yaml' })).context.configPath).toBe('partition_bytes');
    write('d.yaml', `${BASE}partition_bytes: 12XB\n`);
    expect(configError(() => resolveIn({ configFile: 'd.yaml' })).context.configPath).toBe('partition_bytes');
    write('e.yaml', `${BASE}tables:\n  - name: a\n    partition_rows: 10\n    partition_bytes: 1MB\n`);
    const table = configError(() => resolveIn({ configFile: 'e.yaml' }));
    expect(table.context.configPath).toBe('tables[0].partition_bytes');
    expect(table.message).toMatch(
      /tables\[0\]\.partition_rows \(e\.yaml line 7\) and tables\[0\]\.partition_bytes \(e\.yaml line 8\) are both set/,
    );
    // A flag for one and the config for the other is the same conflict: neither silently wins.
    write('f.yaml', `${BASE}partition_bytes: 1MB\n`);
    const top = configError(() => resolveIn({ configFile: 'f.yaml', flags: { partitionRows: '10' } }));
    expect(top.message).toMatch(
      /partition_rows \(flag --partition-rows\) and partition_bytes \(f\.yaml line 5\) are both set/,
    );
    expect(top.context.hint).toBe('a partition is sized by rows or by bytes: set one of them');
  });

  it('refuses a table listed twice', () => {
    write('a.yaml', `${BASE}tables: [a, b, a]\n`);
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.context.configPath).toBe('tables[2].name');
    expect(e.message).toContain('source table a is listed twice (tables[0] and tables[2])');
  });

  it('asks for a source and target unless they are optional', () => {
    const e = configError(() => resolveIn({ configFile: false }));
    expect(e.context.configPath).toBe('source.url');
    expect(e.context.hint).toBe('set source.url in the config file, --from URL or FERRY_FROM');
    const partial = resolveSettings({ env: {}, cwd: dir, configFile: false, endpoints: 'optional' });
    expect(partial.source).toBeUndefined();
    expect(partial.target).toBeUndefined();
  });
});

describe('environment variables in values', () => {
  it('interpolates ${VAR} and keeps $${ literal', () => {
    write(
      'a.yaml',
      'source:\n  url: postgres://app@${DB_HOST}:5432/${DB_NAME}\n  options:\n    note: "$${NOT_A_VAR}"\ntarget:\n  url: parquet:out\n',
    );
    const s = resolveIn({ configFile: 'a.yaml', env: { DB_HOST: 'db.internal', DB_NAME: 'shop' } });
    expect(s.source.host).toBe('db.internal');
    expect(s.source.database).toBe('shop');
    expect(s.source.port).toBe(5432);
    expect(s.sourceOptions).toEqual({ note: '${NOT_A_VAR}' });
  });

  it('names a missing variable and where it is used', () => {
    write('a.yaml', 'source:\n  url: postgres://app@${DB_HOST}/shop\ntarget:\n  url: parquet:out\n');
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.message).toBe(
      'a.yaml line 2: source.url uses ${DB_HOST}, but environment variable DB_HOST is not set',
    );
    expect(e.context.configPath).toBe('source.url');
  });

  it('does not interpolate values from flags or FERRY_ variables', () => {
    const s = resolveIn({ configFile: false, flags: { from: 'csv:${literal}.csv', to: 'duckdb:y' } });
    expect(s.source.path).toBe('${literal}.csv');
  });

  it('accepts numbers and booleans from variables', () => {
    write('a.yaml', `${BASE}workers: \${W}\nverify: \${V}\n`);
    const s = resolveIn({ configFile: 'a.yaml', env: { W: '6', V: 'no' } });
    expect(s.workers).toBe(6);
    expect(s.verify).toBe(false);
  });
});

describe('secrets', () => {
  it('reads FERRY_SOURCE_PASSWORD_FILE from a 0600 file, dropping one newline', () => {
    write('pw', 's3cr3t-pw\n', 0o600);
    const s = resolveIn({
      configFile: false,
      env: {
        FERRY_FROM: 'postgres://app@db/shop',
        FERRY_TO: 'parquet:out',
        FERRY_SOURCE_PASSWORD_FILE: 'pw',
      },
    });
    expect(s.source.password?.reveal()).toBe('s3cr3t-pw');
    expect(s.origins['source.password']).toBe('environment variable FERRY_SOURCE_PASSWORD_FILE');
  });

  it('refuses a secret file others can read, with chmod 600 as the fix', () => {
    const file = write('pw', 's3cr3t-pw\n', 0o644);
    const e = configError(() =>
      resolveIn({
        configFile: false,
        env: {
          FERRY_FROM: 'postgres://app@db/shop',
          FERRY_TO: 'parquet:out',
          FERRY_SOURCE_PASSWORD_FILE: 'pw',
        },
      }),
    );
    expect(e.message).toContain('can be read by other users (mode 644)');
    expect(e.context.hint).toBe(`run: chmod 600 ${file}`);
  });

  it('reads password_file relative to the config file, and refuses password plus password_file', () => {
    write('secrets/target_pw', 'tgt-pw-1\n', 0o600);
    write(
      'config/settings.yaml',
      'source:\n  url: duckdb:x\ntarget:\n  url: mysql://app@db/shop\n  password_file: ../secrets/target_pw\n',
    );
    const s = resolveIn({ configFile: 'config/settings.yaml' });
    expect(s.target.password?.reveal()).toBe('tgt-pw-1');
    write(
      'b.yaml',
      'source:\n  url: duckdb:x\ntarget:\n  url: mysql://app@db/shop\n  password: ${P}\n  password_file: p\n',
    );
    const e = configError(() => resolveIn({ configFile: 'b.yaml', env: { P: 'abcd' } }));
    expect(e.message).toBe('b.yaml line 6: target has both password and password_file');
  });

  it('lets FERRY_TARGET_PASSWORD replace the file password_file', () => {
    write(
      'a.yaml',
      'source:\n  url: duckdb:x\ntarget:\n  url: mysql://app@db/shop\n  password_file: missing\n',
    );
    const s = resolveIn({ configFile: 'a.yaml', env: { FERRY_TARGET_PASSWORD: 'from-env-pw' } });
    expect(s.target.password?.reveal()).toBe('from-env-pw');
  });

  it('refuses a password written in a config file URL or password key, but not a variable or a flag', () => {
    write('a.yaml', 'source:\n  url: postgres://app:hunter22@db/shop\ntarget:\n  url: parquet:out\n');
    const e = configError(() => resolveIn({ configFile: 'a.yaml' }));
    expect(e.message).toBe('a.yaml line 2: source.url has a password written in the config file');
    expect(e.message).not.toContain('hunter22');
    expect(e.context.hint).toContain('source.password_file');
    write(
      'b.yaml',
      'source:\n  url: duckdb:x\ntarget:\n  url: postgres://app@db/shop\n  password: hunter22\n',
    );
    expect(configError(() => resolveIn({ configFile: 'b.yaml' })).message).toBe(
      'b.yaml line 5: target.password is written in the config file',
    );
    write('c.yaml', 'source:\n  url: postgres://app:${PW}@db/shop\ntarget:\n  url: parquet:out\n');
    expect(resolveIn({ configFile: 'c.yaml', env: { PW: 'via-env-pw' } }).source.password?.reveal()).toBe(
      'via-env-pw',
    );
    const flagged = resolveIn({
      configFile: false,
      flags: { from: 'postgres://app:flagpw1@db/shop', to: 'duckdb:y' },
    });
    expect(flagged.source.password?.reveal()).toBe('flagpw1');
    expect(flagged.origins['source.password']).toBe('flag --from');
    expect(flagged.origins['target.password']).toBeUndefined();
    write('d.yaml', `${BASE}nats:\n  url: nats://tok3n@nats:4222\n`);
    expect(configError(() => resolveIn({ configFile: 'd.yaml' })).message).toBe(
      'd.yaml line 6: nats.url has a token written in the config file',
    );
  });

  it('checks the NATS creds file mode', () => {
    write('nats.creds', 'jwt', 0o640);
    write('a.yaml', `${BASE}nats:\n  url: nats://nats:4222\n  creds_file: nats.creds\n`);
    expect(configError(() => resolveIn({ configFile: 'a.yaml' })).context.hint).toBe(
      `run: chmod 600 ${join(dir, 'nats.creds')}`,
    );
    chmodSync(join(dir, 'nats.creds'), 0o600);
    expect(resolveIn({ configFile: 'a.yaml' }).nats).toEqual({
      url: 'nats://nats:4222',
      credsFile: join(dir, 'nats.creds'),
    });
  });

  it('never shows a password in describeSettings or JSON', () => {
    write('pw', 'Pa55-source-secret\n', 0o600);
    write('a.yaml', 'source:\n  url: postgres://app@db/shop\n  password_file: pw\ntarget:\n  url: ${T}\n');
    const s = resolveIn({
      configFile: 'a.yaml',
      env: { T: 'mysql://app:Pa55-target-secret@db2/shop?sslmode=require&password=Pa55-param-secret' },
    });
    expect(s.target.password?.reveal()).toBe('Pa55-target-secret');
    const described = describeSettings(s);
    const text = `${JSON.stringify(described)}\n${JSON.stringify(s)}\n${String(s.source.password)}`;
    for (const secret of ['Pa55-source-secret', 'Pa55-target-secret']) expect(text).not.toContain(secret);
    expect(JSON.stringify(described)).not.toContain('Pa55-param-secret');
    expect(described.source).toEqual({
      url: 'postgres://app@db/shop',
      connector: 'postgres',
      password: '***',
    });
    expect((described.target as Record<string, unknown>).params).toEqual({
      sslmode: 'require',
      password: '***',
    });
    expect(described.workers).toBe(s.workers);
  });
});

describe('include', () => {
  const settings = 'include:\n  - source_config.yaml\n  - target_config.yaml\nworkers: 2\n';
  it('merges included files in order, the including file last', () => {
    write('config/settings.yaml', settings);
    write('config/source_config.yaml', 'source:\n  url: duckdb:src.duckdb\nworkers: 8\nbatch_rows: 500\n');
    write('config/target_config.yaml', 'target:\n  url: parquet:../out\nbatch_rows: 600\n');
    const s = resolveIn({ configFile: 'config/settings.yaml' });
    expect(s.source.path).toBe(join(dir, 'config/src.duckdb'));
    expect(s.target.path).toBe(join(dir, 'out'));
    expect(s.workers).toBe(2);
    expect(s.batchRows).toBe(600);
    expect(s.origins.batch_rows).toBe('config/target_config.yaml line 3');
    expect(s.configFiles).toEqual(
      ['source_config.yaml', 'target_config.yaml', 'settings.yaml'].map((f) => join(dir, 'config', f)),
    );
  });

  it('names the included file and line in errors', () => {
    write('config/settings.yaml', settings);
    write('config/source_config.yaml', 'source:\n  url: duckdb:src.duckdb\n  optons: {}\n');
    write('config/target_config.yaml', 'target:\n  url: parquet:out\n');
    const e = configError(() => resolveIn({ configFile: 'config/settings.yaml' }));
    expect(e.message).toBe('config/source_config.yaml line 3: unknown key source.optons');
    expect(e.context.hint).toBe('did you mean options?');
  });

  it('refuses a missing include and an include cycle', () => {
    write('config/settings.yaml', settings);
    write('config/source_config.yaml', 'include: settings.yaml\n');
    expect(configError(() => resolveIn({ configFile: 'config/settings.yaml' })).message).toBe(
      'include cycle: config/settings.yaml → config/source_config.yaml → config/settings.yaml',
    );
    write('config/source_config.yaml', 'source:\n  url: duckdb:x\n');
    expect(configError(() => resolveIn({ configFile: 'config/settings.yaml' })).message).toBe(
      'cannot read config file config/target_config.yaml (included by config/settings.yaml)',
    );
  });
});
