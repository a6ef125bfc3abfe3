import { type Document, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { type ConfigPath, isPathPrefix } from './config-path.js';

/** A YAML file that contributed to the config. */
export interface LoadedFile {
  /** Absolute path. */
  path: string;
  /** The path as the user should see it (relative to the working directory when inside it). */
  display: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Which layer set a value: a config file (and where in it), an environment variable, or a flag. */
export type Origin =
  | { kind: 'file'; file: LoadedFile; at: ConfigPath }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; name: string };

/**
 * Records, for each part of the merged config, the layer that set it, so an error about any value can name
 * the file and line (or the variable, or the flag) it came from. A value's origin is its nearest recorded
 * ancestor's.
 */
export class Origins {
  readonly #entries: { path: ConfigPath; origin: Origin }[] = [];

  /** `path` (and everything under it) now comes from `origin`. */
  set(path: ConfigPath, origin: Origin): void {
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      if (isPathPrefix(path, this.#entries[i]!.path)) this.#entries.splice(i, 1);
    }
    this.#entries.push({ path: [...path], origin });
  }

  /** The origin of the value at `path`; for a file, `at` is the value's own path inside that file. */
  of(path: ConfigPath): Origin | undefined {
    let best: { path: ConfigPath; origin: Origin } | undefined;
    for (const e of this.#entries) {
      if (isPathPrefix(e.path, path) && (!best || e.path.length > best.path.length)) best = e;
    }
    if (!best) return undefined;
    const o = best.origin;
    return o.kind === 'file' ? { ...o, at: [...o.at, ...path.slice(best.path.length)] } : o;
  }

  /** The file and line `path` was set at, when a config file set it. */
  position(path: ConfigPath): { file: string; line: number } | undefined {
    const o = this.of(path);
    if (o?.kind !== 'file') return undefined;
    return { file: o.file.display, line: lineOf(o.file, o.at) ?? 0 };
  }

  /** A person's pointer to where `path` was set: `config/settings.yaml line 14`, `environment variable FERRY_MODE`. */
  where(path: ConfigPath): string {
    const o = this.of(path);
    if (!o) return 'default';
    if (o.kind === 'env') return `environment variable ${o.name}`;
    if (o.kind === 'flag') return `flag ${o.name}`;
    const line = lineOf(o.file, o.at);
    return line ? `${o.file.display} line ${line}` : o.file.display;
  }
}

/**
 * The 1-based line of the value at `path` in a file: of its key when it is a map entry (where a person
 * looks), else of the nearest ancestor that exists (a missing key points at its parent map).
 */
export function lineOf(file: LoadedFile, path: ConfigPath): number | undefined {
  let node: unknown = file.doc.contents;
  let offset = rangeStart(node);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === undefined) return undefined;
  return file.lines.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
