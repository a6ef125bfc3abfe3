import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { FerryError } from '../errors.js';
import { type ConfigPath, isPlainObject } from './config-path.js';
import { type LoadedFile, lineOf, Origins } from './origins.js';

/** The config files merged into one raw object (not yet interpolated or validated), and where each value came from. */
export interface ConfigLayers {
  data: Record<string, unknown>;
  origins: Origins;
  /** Every file read, the main file last. */
  files: LoadedFile[];
}

/** `path` as a person should see it: relative to `cwd` when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Reads a YAML config file and the files it includes. `include:` (a file or list of files, relative to the
 * including file) are merged first, in order, then the file's own keys on top: maps merge key by key; any
 * other value (lists included) replaces what was there. Include cycles are an error.
 */
export function loadConfigLayers(file: string, cwd: string): ConfigLayers {
  const layers: ConfigLayers = { data: {}, origins: new Origins(), files: [] };
  loadInto(layers, resolve(cwd, file), cwd, []);
  return layers;
}

function loadInto(layers: ConfigLayers, path: string, cwd: string, stack: string[]): void {
  const display = displayPath(path, cwd);
  if (stack.includes(path)) {
    throw new FerryError(
      'CONFIG',
      `include cycle: ${[...stack, path].map((p) => displayPath(p, cwd)).join(' → ')}`,
      {
        configPath: 'include',
        hint: 'remove one of the include: entries',
      },
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const including = stack.at(-1);
    throw new FerryError(
      'CONFIG',
      `cannot read config file ${display}${including ? ` (included by ${displayPath(including, cwd)})` : ''}`,
      { cause, hint: 'check the path; includes are relative to the file that includes them' },
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = doc.errors[0];
  if (problem) {
    const line = lines.linePos(problem.pos[0]).line;
    throw new FerryError(
      'CONFIG',
      `${display}${line ? ` line ${line}` : ''}: not valid YAML: ${problem.message.split('\n')[0]}`,
      { hint: 'fix the YAML syntax (indentation, quotes, a missing ":")' },
    );
  }
  const loaded: LoadedFile = { path, display, doc, lines };
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new FerryError('CONFIG', `${display}: the top level must be a map of settings (key: value)`, {
      hint: 'see docs/config.md',
    });
  }
  const data = (doc.toJS({ maxAliasCount: 100 }) ?? {}) as Record<string, unknown>;
  const { include, ...own } = data;
  for (const [i, name] of includeList(include, loaded).entries()) {
    if (!name || typeof name !== 'string') continue;
    const target = resolve(dirname(path), name);
    try {
      loadInto(layers, target, cwd, [...stack, path]);
    } catch (e) {
      if (e instanceof FerryError && !e.context.configPath) e.withContext({ configPath: `include[${i}]` });
      throw e;
    }
  }
  merge(layers, layers.data, own, [], loaded);
  layers.files.push(loaded);
}

function includeList(include: unknown, file: LoadedFile): unknown[] {
  if (include === undefined || include === null) return [];
  if (typeof include === 'string') return [include];
  if (Array.isArray(include) && include.every((x) => typeof x === 'string' && x !== '')) return include;
  const line = lineOf(file, ['include']);
  throw new FerryError(
    'CONFIG',
    `${file.display}${line ? ` line ${line}` : ''}: include must be a file name or a list of file names`,
    { configPath: 'include', hint: 'e.g. include: [source_config.yaml, target_config.yaml]' },
  );
}

function merge(
  layers: ConfigLayers,
  into: Record<string, unknown>,
  from: Record<string, unknown>,
  base: ConfigPath,
  file: LoadedFile,
): void {
  for (const [key, value] of Object.entries(from)) {
    const path = [...base, key];
    const current = into[key];
    if (isPlainObject(current) && isPlainObject(value)) {
      merge(layers, current, value, path, file);
    } else {
      into[key] = structuredClone(value);
      layers.origins.set(path, { kind: 'file', file, at: path });
    }
  }
}
