import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FerryError, resolveSettings, SETTING_TWINS } from '../core/index.js';
import { initProject } from './init.js';

const FILES = [
  'config/settings.yaml',
  'config/source_config.yaml',
  'config/target_config.yaml',
  '.env.example',
  '.gitignore',
  'docs/runbook.md',
  'docs/data_mapping.md',
  'results/profiles/.gitkeep',
  'results/reports/.gitkeep',
  'results/logs/.gitkeep',
  'archive/backups/.gitkeep',
];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ferry-init-'));
}

describe('initProject', () => {
  it('writes the project files', () => {
    const dir = join(tempDir(), 'proj');
    expect(initProject(dir)).toEqual(FILES);
    for (const f of FILES) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'docs/data_mapping.md'), 'utf8')).toContain('**This is a placeholder.**');
  });

  it('writes a config that parses with the schema, from inside or outside the project', () => {
    const parent = tempDir();
    const dir = join(parent, 'proj');
    initProject(dir);
    const inside = resolveSettings({ cwd: dir, env: {}, flags: {} });
    expect(inside.configFiles).toEqual(
      ['source_config.yaml', 'target_config.yaml', 'settings.yaml'].map((f) => join(dir, 'config', f)),
    );
    expect(inside.source.connector).toBe('postgres');
    expect(inside.source.host).toBe('source-db');
    expect(inside.source.user).toBe('migrator');
    expect(inside.target.host).toBe('target-db');
    expect(inside.mode).toBe('create');
    expect(inside.partitionRows).toBe(250_000);
    expect(inside.tables).toEqual([]);
    expect(inside.stateDir).toBe(join(dir, 'results/runs'));
    expect(inside.reportsDir).toBe(join(dir, 'results/reports'));
    const outside = resolveSettings({ cwd: parent, env: {}, configFile: 'proj/config/settings.yaml' });
    expect(outside.stateDir).toBe(join(dir, 'results/runs'));
  });

  it('lists every FERRY_ variable in .env.example, password files active', () => {
    const dir = tempDir();
    initProject(dir);
    const text = readFileSync(join(dir, '.env.example'), 'utf8');
    for (const t of SETTING_TWINS) expect(text).toContain(t.secret ? `${t.env}_FILE=` : `# ${t.env}=`);
    const active = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(active).toEqual([
      'FERRY_SOURCE_PASSWORD_FILE=secrets/source_password',
      'FERRY_TARGET_PASSWORD_FILE=secrets/target_password',
    ]);
  });

  it('refuses to overwrite without force and writes nothing', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'config'));
    writeFileSync(join(dir, 'config/settings.yaml'), 'mine: true\n');
    let error: unknown;
    try {
      initProject(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).message).toBe(
      `${dir} already has config/settings.yaml; nothing was written`,
    );
    expect(readFileSync(join(dir, 'config/settings.yaml'), 'utf8')).toBe('mine: true\n');
    expect(existsSync(join(dir, 'config/source_config.yaml'))).toBe(false);
    initProject(dir, { force: true });
    expect(readFileSync(join(dir, 'config/settings.yaml'), 'utf8')).toContain('include:');
  });
});
