import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FerryError } from '../core/index.js';
import {
  envExample,
  gitignore,
  settingsYaml,
  sourceConfigYaml,
  targetConfigYaml,
} from './templates/config-templates.js';
import { dataMappingMd, runbookMd } from './templates/doc-templates.js';

/** What `ferry init` writes, relative to the project directory, in the order it reports them. */
export function projectFiles(): ReadonlyMap<string, string> {
  return new Map([
    ['config/settings.yaml', settingsYaml()],
    ['config/source_config.yaml', sourceConfigYaml()],
    ['config/target_config.yaml', targetConfigYaml()],
    ['.env.example', envExample()],
    ['.gitignore', gitignore()],
    ['docs/runbook.md', runbookMd()],
    ['docs/data_mapping.md', dataMappingMd()],
    ['results/profiles/.gitkeep', ''],
    ['results/reports/.gitkeep', ''],
    ['results/logs/.gitkeep', ''],
    ['archive/backups/.gitkeep', ''],
  ]);
}

export interface InitOptions {
  /** Overwrite files that exist. Default false: refuse, naming them, and write nothing. */
  force?: boolean;
}

/**
 * Scaffolds a migration project in `dir` (created if missing): split config (settings.yaml including
 * source_config.yaml and target_config.yaml, commented from the config schema), .env.example, .gitignore,
 * a runbook and a data-mapping placeholder, and the results/ and archive/ folders.
 * @returns the files written, relative to `dir`.
 */
export function initProject(dir: string, options: InitOptions = {}): string[] {
  const root = resolve(dir);
  const files = projectFiles();
  const existing = [...files.keys()].filter((f) => existsSync(join(root, f)));
  if (existing.length && !options.force) {
    throw new FerryError('USAGE', `${dir} already has ${existing.join(', ')}; nothing was written`, {
      hint: 'use another directory, or ferry init --force to overwrite these files',
    });
  }
  for (const [file, text] of files) {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return [...files.keys()];
}
