import { FerryError } from '../errors.js';
import { type ConfigPath, formatConfigPath, isPlainObject } from './config-path.js';
import { type SettingsFlags, SETTING_TWINS, type SettingTwin } from './env-twins.js';
import { type EnvLike, interpolate, readEnv } from './interpolate.js';
import type { Origin } from './origins.js';
import type { ConfigLayers } from './yaml-layers.js';

/**
 * Lays environment variables, then flags, over the file layers (flag > environment > file), so that one
 * validation of the merged object checks every value and each error can name the layer it came from.
 */
export function overlayEnvAndFlags(
  layers: ConfigLayers,
  env: EnvLike,
  flags: SettingsFlags,
  cwd: string,
): void {
  for (const twin of SETTING_TWINS) {
    if (!twin.path) continue;
    const fromEnv = readEnv(env, twin.env, cwd, true);
    if (fromEnv !== undefined) {
      const name = env[`${twin.env}_FILE`] ? `${twin.env}_FILE` : twin.env;
      apply(layers, twin, fromEnv, { kind: 'env', name });
    }
  }
  for (const twin of SETTING_TWINS) {
    if (!twin.path || !twin.option || twin.option === 'config') continue;
    const value = flags[twin.option];
    if (value !== undefined) apply(layers, twin, value, { kind: 'flag', name: twin.flag ?? twin.option });
  }
}

function apply(layers: ConfigLayers, twin: SettingTwin, value: unknown, origin: Origin): void {
  const path = twin.path!;
  if (twin.list) {
    applyTables(layers, value, origin);
    return;
  }
  const parent = ensureMap(layers.data, path.slice(0, -1));
  const key = String(path.at(-1));
  parent[key] = value;
  layers.origins.set(path, origin);
  // A password from a higher layer replaces the file's password_file too, not just its password.
  if (key === 'password') delete parent.password_file;
}

/**
 * `--tables a,b` selects tables by name; an entry the config file describes as an object keeps its
 * per-table settings (and its file location for errors).
 */
function applyTables(layers: ConfigLayers, value: unknown, origin: Origin): void {
  const names = (Array.isArray(value) ? value.map(String) : String(value).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const before = Array.isArray(layers.data.tables) ? layers.data.tables : [];
  const entries: unknown[] = [];
  const kept: { index: number; origin: Origin | undefined }[] = [];
  for (const name of names) {
    const j = before.findIndex((t) => isPlainObject(t) && t.name === name);
    if (j >= 0) {
      kept.push({ index: entries.length, origin: layers.origins.of(['tables', j]) });
      entries.push(before[j]);
    } else {
      entries.push(name);
    }
  }
  layers.data.tables = entries;
  layers.origins.set(['tables'], origin);
  for (const k of kept) if (k.origin) layers.origins.set(['tables', k.index], k.origin);
}

function ensureMap(root: Record<string, unknown>, path: ConfigPath): Record<string, unknown> {
  let node = root;
  for (const seg of path) {
    const next = node[seg];
    if (isPlainObject(next)) node = next;
    else {
      const created: Record<string, unknown> = {};
      node[seg] = created;
      node = created;
    }
  }
  return node;
}

/** `${VAR}` alone: how a credential may appear in a config file. */
const VARIABLE_ONLY = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const URL_KEYS = new Set(['source.url', 'target.url', 'nats.url']);
const PASSWORD_KEYS = new Set(['source.password', 'target.password']);

/** The credential written literally in a URL from a config file, if any (by kind, never the value). */
export function literalCredentialIn(url: string, userIsSecret = false): string | undefined {
  for (const part of url.split(',')) {
    const m = /^\s*[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(part);
    if (m) {
      const userinfo = m[1]!;
      const colon = userinfo.indexOf(':');
      const secret = colon >= 0 ? userinfo.slice(colon + 1) : userIsSecret ? userinfo : '';
      if (secret !== '' && !VARIABLE_ONLY.test(secret)) return colon >= 0 ? 'a password' : 'a token';
    }
    for (const q of part.matchAll(/[?&](?:password|passwd|pwd|token)=([^&#]*)/gi)) {
      if (q[1] !== '' && !VARIABLE_ONLY.test(q[1]!)) return 'a password parameter';
    }
  }
  return undefined;
}

/**
 * Checks and interpolates every string that came from a config file: refuses credentials written in the file
 * (a password in a URL or in `password:` must be a `${VAR}`), then replaces `${VAR}` references. Values from
 * flags and the environment are taken as given.
 */
export function interpolateFileValues(layers: ConfigLayers, env: EnvLike, cwd: string): void {
  const lookup = (name: string) => readEnv(env, name, cwd);
  const visit = (value: unknown, path: ConfigPath): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => visit(v, [...path, i]));
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) value[k] = visit(v, [...path, k]);
      return value;
    }
    if (typeof value !== 'string') return value;
    const origin = layers.origins.of(path);
    if (origin?.kind !== 'file') return value;
    const key = formatConfigPath(path);
    const location = layers.origins.where(path);
    if (URL_KEYS.has(key)) {
      const found = literalCredentialIn(value, key === 'nats.url');
      if (found) {
        const section = String(path[0]);
        throw new FerryError('CONFIG', `${location}: ${key} has ${found} written in the config file`, {
          configPath: key,
          hint:
            section === 'nats'
              ? 'use nats.creds_file (a chmod 600 file) instead of credentials in the URL'
              : `remove it from the URL and use ${section}.password_file (a chmod 600 file), ` +
                `FERRY_${section.toUpperCase()}_PASSWORD_FILE, or a variable: USER:\${${section.toUpperCase()}_PASSWORD}@HOST`,
        });
      }
    }
    if (PASSWORD_KEYS.has(key) && !VARIABLE_ONLY.test(value)) {
      const section = String(path[0]);
      throw new FerryError('CONFIG', `${location}: ${key} is written in the config file`, {
        configPath: key,
        hint: `use ${section}.password_file (a chmod 600 file), FERRY_${section.toUpperCase()}_PASSWORD_FILE, or password: \${VAR}`,
      });
    }
    return interpolate(value, lookup, { configPath: key, location });
  };
  visit(layers.data, []);
}
