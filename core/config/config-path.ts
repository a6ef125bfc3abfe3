/** A location inside a config document: keys and list indexes, e.g. `['tables', 2, 'mode']`. */
export type ConfigPath = readonly (string | number)[];

/** Formats a config path the way a person reads YAML: `tables[2].partition_rows`, `source.url`. */
export function formatConfigPath(path: ConfigPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out || '(top level)';
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPathPrefix(prefix: ConfigPath, path: ConfigPath): boolean {
  if (prefix.length > path.length) return false;
  return prefix.every((seg, i) => seg === path[i]);
}

/** True for a plain `{…}` object (what YAML maps become), not an array, null or class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
